"""The command-line contract: JSON shapes, exit codes, one-line errors, nothing written on bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from flashapp.cli.main import main
from flashapp.store.collection import Collection

DECK = """\
[deck]
name = "CLI::Sub"

[[cards]]
id = "basic"
front = "What is **2+2**? [@click=app.quit]"
back = "Four: $2^2$"
tags = ["math"]

[[cards]]
id = "demo-card"
front = "Cross attention"
back = "Q from the decoder; K, V from the encoder."
demo = "attention.cross"

[[cards]]
id = "cz"
cloze = "Rectified flow follows {{c1::straight}} paths."
"""

CARD_KEYS = {
    "id",
    "note_id",
    "key",
    "deck",
    "front",
    "back",
    "tags",
    "state",
    "due",
    "interval_days",
    "ease",
    "reps",
    "lapses",
    "suspended",
    "demo",
    "media",
}


@pytest.fixture
def db(collection_url, write_deck):
    """A collection (SQLite or PostgreSQL) with the deck imported through the CLI."""
    assert main(["--db", collection_url, "import", str(write_deck(DECK))]) == 0
    return collection_url


@pytest.fixture(scope="module")
def unchanged_db(module_collection_url, tmp_path_factory):
    """`db` made once per module and backend, for the tests whose commands only read or are refused
    (exit 2), writing nothing: importing the deck again for each of them was most of their time."""
    folder = tmp_path_factory.mktemp("decks")
    (folder / "deck.toml").write_text(DECK, encoding="utf-8")
    assert main(["--db", module_collection_url, "import", str(folder / "deck.toml")]) == 0
    return module_collection_url


def run_json(capsys, *argv: str):
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def test_decks_json(unchanged_db, capsys):
    assert run_json(capsys, "--db", unchanged_db, "decks", "--json") == [
        {"deck": "CLI", "new": 3, "learning": 0, "due": 0, "total": 3},
        {"deck": "CLI::Sub", "new": 3, "learning": 0, "due": 0, "total": 3},
    ]


def test_decks_text(unchanged_db, capsys):
    capsys.readouterr()
    assert main(["--db", unchanged_db, "decks"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Deck", "New", "Learn", "Due", "Cards"]
    assert lines[1].split() == ["CLI", "3", "0", "0", "3"]
    assert lines[2].split() == ["Sub", "3", "0", "0", "3"]


def test_cards_json_shape(unchanged_db, capsys):
    cards = run_json(capsys, "--db", unchanged_db, "cards", "--json")
    assert [set(card) for card in cards] == [CARD_KEYS] * 3
    basic, demo, cloze = cards
    assert basic["front"] == "What is 2+2? [@click=app.quit]"
    assert basic["back"] == "Four: 2²"
    assert basic["tags"] == ["math"] and basic["deck"] == "CLI::Sub"
    assert (basic["state"], basic["due"], basic["interval_days"], basic["reps"]) == ("new", None, 0, 0)
    assert basic["demo"] is None and basic["media"] == []
    assert demo["demo"] == {"concept": "attention.cross", "params": {}}
    assert cloze["front"] == "Rectified flow follows [...] paths."
    assert cloze["back"] == "Rectified flow follows [straight] paths."


def test_cards_filters(unchanged_db, capsys):
    assert [
        c["key"] for c in run_json(capsys, "--db", unchanged_db, "cards", "--search", "tag:math", "--json")
    ] == ["basic"]
    assert [
        c["key"] for c in run_json(capsys, "--db", unchanged_db, "cards", "--search", "encoder", "--json")
    ] == ["demo-card"]
    assert len(run_json(capsys, "--db", unchanged_db, "cards", "--deck", "CLI", "--json")) == 3
    assert run_json(capsys, "--db", unchanged_db, "cards", "--search", "is:due", "--json") == []


def test_db_from_environment(unchanged_db, capsys, monkeypatch):
    monkeypatch.setenv("FLASHAPP_DB", unchanged_db)
    from flashapp.cli.main import build_parser

    assert build_parser().parse_args(["decks"]).db == unchanged_db


def test_check_ok(unchanged_db, capsys):
    assert run_json(capsys, "--db", unchanged_db, "check", "--json") == {"ok": True, "problems": []}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["cards", "--deck", "Nope"], "flashapp: unknown deck 'Nope'; decks: CLI, CLI::Sub"),
        (["cards", "--search", "is:green"], "flashapp: search: unknown is:green; use one of"),
        (["cards", "--search", '"unclosed'], "flashapp: search '\"unclosed': No closing quotation"),
        (["import", "missing.toml"], "flashapp: missing.toml: no such file or folder"),
        (["import", "/dev/null"], "flashapp: /dev/null: not a regular file or folder"),
        (
            ["test", "CLI", "--count", "999999999"],
            "flashapp: --count 999999999 is out of range (at most 10000) (see `flashapp test --help`)",
        ),
        (["decks", "--now", "yesterday"], "flashapp: --now 'yesterday' is not an ISO 8601 time"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(unchanged_db, capsys, argv, message):
    capsys.readouterr()
    assert main(["--db", unchanged_db, *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert err.count("\n") == 1 and "Traceback" not in err


def test_malformed_deck_file_writes_nothing(db, capsys, write_deck):
    before = run_json(capsys, "--db", db, "cards", "--json")
    bad = write_deck(DECK.replace('id = "cz"', 'id = "basic"'), "bad.toml")
    assert main(["--db", db, "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err == f"flashapp: {bad}:17: card basic: duplicate card id (first used at line 5)\n"
    assert run_json(capsys, "--db", db, "cards", "--json") == before


def test_unknown_command_exits_2():
    result = subprocess.run(
        [sys.executable, "-m", "flashapp", "frobnicate"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "invalid choice: 'frobnicate'" in result.stderr


def test_import_twice_reports_up_to_date(db, capsys, write_deck):
    capsys.readouterr()
    assert main(["--db", db, "import", str(write_deck(DECK))]) == 0
    assert capsys.readouterr().out.startswith("CLI::Sub: up to date")


def test_a_closed_pipe_ends_quietly(tmp_path):
    big = tmp_path / "big.db"
    Collection.open(big).close()  # the shipped deck: far more JSON than a pipe buffers
    argv = ["--db", str(big), "cards", "--json"]
    script = f"import sys; from flashapp.cli.main import main; sys.exit(main({argv!r}))"
    reader = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader.stdout.read(10)
    reader.stdout.close()  # like `flashapp cards --json | head -c 10`
    _, err = reader.communicate(timeout=60)
    assert b"Traceback" not in err, err.decode()
    assert reader.returncode == 141
