"""`flashapp stats`: text, JSON keys, the PNG figure, bad input, and no torch."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import UTC
from pathlib import Path

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


@pytest.fixture
def figures_drawn_once(monkeypatch):
    """`save_figure`, drawing each (statistics, calibration) once per test process and writing the same
    bytes for the same again: a figure is a function of those alone (core/stats_figure.py reads no
    database), and a module's SQLite and PostgreSQL collections hold the same history, so the second
    backend's `stats --save` gets the PNG the first one drew (matplotlib's 2 s)."""
    from flashapp.core import stats_figure

    draw = stats_figure.save_figure

    def save_figure(stats, calibration, path):
        key = json.dumps([stats, [dataclasses.asdict(b) for b in calibration]], sort_keys=True)
        if key in _DRAWN:
            Path(path).write_bytes(_DRAWN[key])
            return
        draw(stats, calibration, path)
        _DRAWN[key] = Path(path).read_bytes()

    monkeypatch.setattr(stats_figure, "save_figure", save_figure)


_DRAWN: dict[str, bytes] = {}


def test_save_writes_one_png(db, tmp_path, capsys, figures_drawn_once):
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


# Runs each `flashapp ARGV` of a JSON list in turn in one fresh interpreter; prints, per command, its exit
# code, its JSON and the heavy modules loaded so far (a module once loaded stays loaded: one absent after
# the last command was loaded by none of them).
IN_ONE_PROCESS = """
import contextlib, io, json, sys
from flashapp.cli.main import main
heavy = ("sqlalchemy", "alembic", "flashapp.store.models", "flashapp.store.collection", "numpy", "torch",
         "matplotlib", "rich", "textual", "flashapp.core.scheduling.evaluation")
reports = []
for argv in json.loads(sys.argv[1]):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    reports.append({"code": code, "output": json.loads(out.getvalue()), "loaded": sorted(
        name for name in sys.modules if any(name == h or name.startswith(h + ".") for h in heavy)
    )})
print(json.dumps(reports))
"""


def test_the_statistics_commands_never_import_torch(db, backend):
    # `stats`, then `evaluate` and `plan` (test_fsrs_cli.py and test_plan_cli.py test their output), in
    # one interpreter: a process each cost a second apiece. On an SQLite file `stats` comes first and
    # runs on sqlite3 alone (no SQLAlchemy, numpy, torch, ...), with the collection's own figures.
    commands = [
        ["--db", db, "--tz", "UTC", "stats", "--json", "--now", NOW],
        ["--db", db, "evaluate", "--json"],
        ["--db", db, "plan", "--days", "10", "--json"],
    ]
    done = subprocess.run(
        [sys.executable, "-c", IN_ONE_PROCESS, json.dumps(commands)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    reports = json.loads(done.stdout)
    assert [report["code"] for report in reports] == [0, 0, 0]
    assert "torch" not in reports[-1]["loaded"], "torch imported"
    if backend == "sqlite":  # the SQLite file's own path
        stats = reports[0]
        assert stats["loaded"] == []
        with Collection.open(db, shipped_decks=False, clock=lambda: parse_now(NOW), tz=UTC) as collection:
            assert stats["output"] == collection_statistics(collection, None)


def test_the_text_counts_one_card_in_the_singular():
    from flashapp.core.stats_text import counted

    assert [counted(1, "card"), counted(0, "card"), counted(2, "study day")] == [
        "1 card",
        "0 cards",
        "2 study days",
    ]
