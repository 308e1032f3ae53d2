"""Headless study: `next`, `answer`, `undo`, `card` with --json and --now, and their errors."""

from __future__ import annotations

import json

import pytest
from cli_calls import call

from flashapp.cli.main import main

DECK = """\
[deck]
name = "Headless"

[[cards]]
id = "one"
front = "First"
back = "1"

[[cards]]
id = "two"
kind = "reversed"
front = "Second"
back = "2"
"""
T0 = "2026-03-02T12:00:00Z"


@pytest.fixture
def db(collection_url, write_deck):
    """A collection (SQLite or PostgreSQL) with the deck imported through the CLI."""
    assert main(["--db", collection_url, "import", str(write_deck(DECK))]) == 0
    return collection_url


@pytest.fixture(scope="module")
def refusing_db(module_collection_url, tmp_path_factory):
    """`db` made once per module and backend, for the tests whose commands are all refused (exit 2)
    and write nothing: importing the deck again for each of them was most of their time."""
    folder = tmp_path_factory.mktemp("decks")
    (folder / "deck.toml").write_text(DECK, encoding="utf-8")
    assert main(["--db", module_collection_url, "import", str(folder / "deck.toml")]) == 0
    return module_collection_url


def test_next_answer_undo_round_trip(db, capsys, monkeypatch):
    monkeypatch.setattr("flashapp.cli.common.FUZZ", False)
    code, out, _ = call(capsys, "--db", db, "next", "--now", T0, "--json")
    first = json.loads(out)
    assert code == 0 and first["counts"] == {"new": 3, "learning": 0, "review": 0}
    card = first["card"]
    assert (card["key"], card["question"], card["answer"], card["state"]) == ("one", "First", "1", "new")
    assert card["intervals"] == {"again": "1m", "hard": "6m", "good": "10m", "easy": "4d"}

    code, out, _ = call(
        capsys, "--db", db, "--tz", "UTC", "answer", str(card["id"]), "easy", "--now", T0, "--json"
    )
    answered = json.loads(out)
    assert code == 0
    # Due on the study day 4 days on, which starts at the rollover hour (4 am in the zone given).
    assert (answered["state"], answered["interval_days"], answered["due"]) == (
        "review",
        4,
        "2026-03-06T04:00:00Z",
    )

    code, out, _ = call(capsys, "--db", db, "next", "--now", T0, "--json")
    assert json.loads(out)["card"]["key"] == "two"

    code, out, _ = call(capsys, "--db", db, "undo", "--json")
    expected = {"card_id": card["id"], "front": "First", "rating": "easy", "reviewed_at": T0}
    assert json.loads(out) == {"undone": expected}
    code, out, _ = call(capsys, "--db", db, "card", str(card["id"]), "--json")
    restored = json.loads(out)
    assert (restored["state"], restored["reps"], restored["history"]) == ("new", 0, [])
    code, out, _ = call(capsys, "--db", db, "undo")
    assert out == "Nothing to undo.\n"
    call(capsys, "--db", db, "answer", str(card["id"]), "good", "--now", T0)
    code, out, _ = call(capsys, "--db", db, "undo")
    assert out == f"Undid good on card {card['id']} “First” (answered {T0}).\n"


def test_sibling_is_buried_after_answer(db, capsys):
    code, out, _ = call(capsys, "--db", db, "cards", "--json")
    two_front, two_back = [c["id"] for c in json.loads(out) if c["key"] == "two"]
    code, out, _ = call(capsys, "--db", db, "answer", str(two_front), "good", "--now", T0, "--json")
    assert json.loads(out)["buried_siblings"] == [two_back]
    code, out, _ = call(capsys, "--db", db, "next", "--now", T0, "--json")
    assert json.loads(out)["counts"] == {"new": 1, "learning": 1, "review": 0}


def test_nothing_left(db, capsys):
    code, out, _ = call(capsys, "--db", db, "cards", "--json")
    for card in json.loads(out):
        call(capsys, "--db", db, "card", str(card["id"]), "suspend")
    code, out, _ = call(capsys, "--db", db, "next", "--now", T0)
    assert code == 0 and out.startswith("Congratulations! Nothing more to study for now.")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["answer", "1", "maybe"],
            "flashapp: unknown rating 'maybe': expected again, hard, good, easy or 1-4",
        ),
        (["answer", "999", "good"], "flashapp: unknown card 999"),
        (["card", "999"], "flashapp: unknown card 999"),
        (["next", "--deck", "Elsewhere"], "flashapp: unknown deck 'Elsewhere'"),
        (
            ["answer", "1", "good", "--now", "2026-03-02T12:00:00"],
            "flashapp: --now '2026-03-02T12:00:00' needs a",
        ),
    ],
)
def test_study_errors_exit_2(refusing_db, capsys, argv, message):
    code, _, err = call(capsys, "--db", refusing_db, *argv)
    assert code == 2 and err.startswith(message) and err.count("\n") == 1


def test_an_id_beyond_any_card_is_unknown_on_either_backend(refusing_db, capsys):
    """The command line takes 64-bit ids (SQLite's); PostgreSQL's ids are 32-bit, so a larger one names
    no card there either: never sent to the server, which would refuse it ("integer out of range")."""
    for card_id in ("2147483648", str(2**63 - 1)):
        for argv in (
            ["card", card_id],
            *(["card", card_id, action] for action in ("suspend", "unsuspend", "bury", "unbury", "forget")),
            ["answer", card_id, "good"],
        ):
            code, _, err = call(capsys, "--db", refusing_db, *argv)
            assert (code, err) == (2, f"flashapp: unknown card {card_id}\n"), argv


def test_text_output(db, capsys):
    code, out, _ = call(capsys, "--db", db, "next", "--now", T0)
    assert "Question:\n  First" in out and "Answer with: flashapp answer" in out
    card_id = out.split()[1]
    code, out, _ = call(capsys, "--db", db, "answer", card_id, "again", "--now", T0)
    assert out == f"Card {card_id}: again → learning, due in 1m (2026-03-02T12:01:00Z)\n"
