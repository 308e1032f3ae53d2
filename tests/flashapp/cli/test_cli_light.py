"""The study commands load only what they use: on an SQLite collection at the newest schema, `decks`,
`next` and `answer` run on sqlite3 alone (`store/direct/`): without SQLAlchemy (Core or ORM), the models,
Alembic, the practice modes, Anki import/export, Rich, Textual, the engine or torch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

# Runs the command in-process, then reports which of the heavy packages it had loaded.
SCRIPT = """
import contextlib, io, json, sys
from flashapp.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
heavy = (
    "alembic", "flashapp.store.practice", "flashapp.core.practice.generator", "flashapp.core.practice.learn",
    "flashapp.store.anki_import", "flashapp.store.anki_export", "textual", "engine", "torch", "numpy",
    "sqlalchemy", "flashapp.store.models", "flashapp.store.collection", "rich", "markdown_it",
    "flashapp.cli.demo", "flashapp.cli.stats",
)
print(json.dumps({"code": code, "loaded": sorted(
    name for name in sys.modules if any(name == h or name.startswith(h + ".") for h in heavy)
)}))
"""


def loaded_by(*argv: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *argv], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["code"] == 0
    return report["loaded"]


@pytest.mark.sqlite_only  # a subprocess per command: the PostgreSQL variant would double its cost
def test_study_commands_skip_the_heavy_packages(collection, write_deck):
    deck = '[deck]\nname = "Light"\n\n[[cards]]\nid = "a"\nfront = "Q"\nback = "A"\n'
    collection.import_paths([write_deck(deck)], backup=False)
    [card] = collection.cards()
    db = collection.url
    assert loaded_by("--db", db, "decks") == []
    assert loaded_by("--db", db, "next", "--json") == []
    assert loaded_by("--db", db, "answer", str(card.id), "good") == []


def test_a_new_collection_still_migrates(tmp_path):
    db = str(tmp_path / "new.db")
    loaded = loaded_by("--db", db, "decks")
    assert "alembic" in loaded and "sqlalchemy.orm" in loaded  # created by the Collection
    assert loaded_by("--db", db, "decks") == []


def test_the_other_commands_still_open_the_collection(collection):
    # `cards` is not a study command: it goes through the Collection (and SQLAlchemy).
    assert "sqlalchemy" in loaded_by("--db", collection.url, "cards")
