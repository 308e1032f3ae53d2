"""`flashapp export DECK -o FILE.toml`: the deck as a deck file, notes added in the app included; importing
the file back changes nothing."""

from __future__ import annotations

import json
import sqlite3

from flashapp.cli.main import main
from flashapp.core.deckfile import parse_deck
from flashapp.store.collection import Collection

DECK = """\
[deck]
name = "Round::Trip"
description = "Both ways"
scheduler = "fsrs"
learning_steps = ["30s", "10m", "1d"]
desired_retention = 0.85

[[cards]]
id = "plain"
front = "Line one\\nline \\"two\\""
back = "Answer with **Markdown** and $\\\\sqrt{d}$"
tags = ["a", "b"]
extra = "More"

[[cards]]
id = "both-ways"
kind = "reversed"
front = "U-Net"
back = "Encoder-decoder with skips"

[[cards]]
id = "gap"
cloze = "Flow follows {{c1::straight}} paths from {{c2::noise}}."

[[cards]]
id = "typed"
kind = "type-in"
front = "Heads?"
back = "8"

[[cards]]
id = "scores"
kind = "predict"
concept = "softmax"
question = "What is softmax({s0}, {s1}, {s2})?"
answer = { kind = "vector", tolerance = 0.01 }
ranges = { s0 = [-2, 3], s1 = [-2, 3], s2 = [-2, 3] }
demo = "attention.scaled_dot_product"
"""


def snapshot(path) -> list[tuple]:
    """Every row of the tables an import writes."""
    with sqlite3.connect(path) as db:
        return [
            db.execute("SELECT * FROM notes ORDER BY id").fetchall(),
            db.execute("SELECT * FROM cards ORDER BY id").fetchall(),
            db.execute("SELECT id, name, description, options FROM decks ORDER BY id").fetchall(),
        ]


def test_export_then_import_changes_nothing(tmp_path, write_deck, capsys, clock):
    db = tmp_path / "c.db"
    with Collection.open(db, shipped_decks=False, clock=clock) as collection:
        collection.import_paths([write_deck(DECK)], backup=False)
        added = collection.add_note(
            "Round::Trip", "basic", {"front": "Added in the app", "back": "Yes"}, ["new"]
        )
        collection.add_note("Round::Trip", "cloze", {"text": "An {{c1::added}} cloze"})
    out = tmp_path / "out.toml"
    assert main(["--db", str(db), "export", "Round::Trip", "-o", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["notes"], report["left_out"]) == (7, 0)
    spec = parse_deck(out.read_text(encoding="utf-8"))
    assert spec.name == "Round::Trip" and spec.description == "Both ways"
    assert spec.options["algorithm"] == "fsrs" and spec.options["learning_steps_minutes"] == [
        0.5,
        10.0,
        1440.0,
    ]
    assert [card.id for card in spec.cards][-2:] == [added.key, "an-added-cloze"]
    original = {card.id: card for card in parse_deck(DECK).cards}
    assert all(card == original[card.id] for card in spec.cards if card.id in original)

    before = snapshot(db)
    assert main(["--db", str(db), "import", str(out)]) == 0
    assert "up to date" in capsys.readouterr().out
    assert snapshot(db) == before


def test_export_errors_are_one_line(tmp_path, write_deck, capsys):
    db = tmp_path / "c.db"
    with Collection.open(db, shipped_decks=False) as collection:
        collection.import_paths([write_deck(DECK)], backup=False)
    assert main(["--db", str(db), "export", "Nope", "-o", str(tmp_path / "x.toml")]) == 2
    err = capsys.readouterr().err
    assert "unknown deck 'Nope'" in err and "Traceback" not in err
    (tmp_path / "file").write_text("")
    assert main(["--db", str(db), "export", "Round::Trip", "-o", str(tmp_path / "file" / "x.toml")]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    # A missing folder is made, as for a package.
    assert main(["--db", str(db), "export", "Round::Trip", "-o", str(tmp_path / "no" / "x.toml")]) == 0
    assert (tmp_path / "no" / "x.toml").read_text().startswith("[deck]")
