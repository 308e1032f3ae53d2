"""`flashapp stats`: text, JSON keys, the PNG figure, bad input, and no torch."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC

import pytest
from cli_calls import call
from simulated import START, write_simulated_history

from flashapp.cli.common import parse_now
from flashapp.store.collection import Collection
from flashapp.store.statistics import collection_statistics

NOW = "2025-04-20T12:00:00Z"


@pytest.fixture(scope="module")
def db(module_collection_url):
    with Collection.open(module_collection_url, shipped_decks=False) as collection:
        write_simulated_history(collection, days=40, new_per_day=10, start=START)
    return module_collection_url


def test_json_keys_and_text(db, capsys):
    code, out, _ = call(capsys, "--db", db, "stats", "--deck", "Simulated", "--now", NOW, "--json")
    stats = json.loads(out)
    assert code == 0
    for key in ("today", "forecast", "heatmap", "streak_days", "true_retention", "card_counts", "intervals",
                "answer_buttons", "hourly"):  # fmt: skip
        assert key in stats
    assert stats["streak_days"] == 0  # the simulation ended on 2025-04-09
    assert sum(row["reviews"] for row in stats["heatmap"]) > 1000
    code, out, _ = call(capsys, "--db", db, "stats", "--now", NOW)
    assert code == 0 and "True retention" in out and "Forecast" in out


def test_save_writes_one_png(db, tmp_path, capsys):
    target = tmp_path / "stats.png"
    code, out, _ = call(capsys, "--db", db, "stats", "--now", NOW, "--save", str(target))
    assert code == 0 and target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"Saved the figure to {target}" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--deck", "Nope"], "unknown deck 'Nope'"),
        (["--save", "out.jpg"], "name a file ending in .png"),
        (["--now", "yesterday"], "is not an ISO 8601 time"),
    ],
)
def test_bad_input_is_one_line_exit_2(db, capsys, argv, message):
    code, out, err = call(capsys, "--db", db, "stats", *argv)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_stats_never_imports_torch(db):
    code = (
        "import sys\nfrom flashapp.cli.main import main\n"
        f"main(['--db', {db!r}, 'stats', '--json', '--now', {NOW!r}])\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# Runs `flashapp ARGV` in a fresh interpreter; prints its exit code, its JSON and the heavy modules it
# had loaded.
LIGHT = """
import contextlib, io, json, sys
from flashapp.cli.main import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(sys.argv[1:])
heavy = ("sqlalchemy", "alembic", "flashapp.store.models", "flashapp.store.collection", "numpy", "torch",
         "matplotlib", "rich", "textual", "flashapp.core.scheduling.evaluation")
print(json.dumps({"code": code, "stats": json.loads(out.getvalue()), "loaded": sorted(
    name for name in sys.modules if any(name == h or name.startswith(h + ".") for h in heavy)
)}))
"""


@pytest.mark.sqlite_only  # what it tests is the SQLite file's own path
def test_stats_on_an_sqlite_file_runs_on_sqlite3_alone_with_the_collections_figures(db):
    done = subprocess.run(
        [sys.executable, "-c", LIGHT, "--db", db, "--tz", "UTC", "stats", "--json", "--now", NOW],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["code"] == 0 and report["loaded"] == []  # no SQLAlchemy, numpy, torch, ...
    with Collection.open(db, shipped_decks=False, clock=lambda: parse_now(NOW), tz=UTC) as collection:
        assert report["stats"] == collection_statistics(collection, None)


def test_the_text_counts_one_card_in_the_singular():
    from flashapp.core.stats_text import counted

    assert [counted(1, "card"), counted(0, "card"), counted(2, "study day")] == [
        "1 card",
        "0 cards",
        "2 study days",
    ]
