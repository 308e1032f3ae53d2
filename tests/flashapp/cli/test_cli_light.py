"""The study commands load only what they use: on an SQLite collection at the newest schema, `decks`,
`next` and `answer` run on sqlite3 alone (`store/direct/`): without SQLAlchemy (Core or ORM), the models,
Alembic, the practice modes, Anki import/export, Rich, Textual, the engine or torch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flashapp.store.anki.media import media_folder
from flashapp.store.collection import Collection

ROOT = Path(__file__).resolve().parents[3]

# Runs each command of a JSON list in turn, in-process, reporting after each which of the heavy packages
# had been loaded so far (a module once loaded stays loaded: none after the last means none after each).
SCRIPT = """
import contextlib, io, json, sys
from flashapp.cli.main import main
heavy = (
    "alembic", "flashapp.store.practice", "flashapp.core.practice.generator", "flashapp.core.practice.learn",
    "flashapp.store.anki_import", "flashapp.store.anki_export", "textual", "engine", "torch", "numpy",
    "sqlalchemy", "flashapp.store.models", "flashapp.store.collection", "rich", "markdown_it",
    "flashapp.cli.demo", "flashapp.cli.stats",
)
reports = []
for argv in json.loads(sys.argv[1]):
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    reports.append({"code": code, "loaded": sorted(
        name for name in sys.modules if any(name == h or name.startswith(h + ".") for h in heavy)
    )})
print(json.dumps(reports))
"""


def loaded_after_each(*commands: list[str]) -> list[list[str]]:
    """The heavy packages loaded after each command, the commands run in turn in one fresh process."""
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(commands)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    reports = json.loads(result.stdout)
    assert [report["code"] for report in reports] == [0] * len(commands)
    return [report["loaded"] for report in reports]


def loaded_by(*argv: str) -> list[str]:
    [loaded] = loaded_after_each(list(argv))
    return loaded


@pytest.mark.sqlite_only  # sqlite3 alone is an SQLite file's path (a server's is SQLAlchemy's)
def test_study_and_listing_commands_skip_the_heavy_packages(collection, write_deck):
    deck = '[deck]\nname = "Light"\n\n[[cards]]\nid = "a"\nfront = "Q"\nback = "A"\n'
    collection.import_paths([write_deck(deck)], backup=False)
    [card] = collection.cards()
    db = collection.url
    commands = [
        ["--db", db, "decks"],
        ["--db", db, "next", "--json"],
        ["--db", db, "cards", "--json"],
        ["--db", db, "cards", "--deck", "Light"],
        ["--db", db, "answer", str(card.id), "good"],
    ]
    assert loaded_after_each(*commands) == [[]] * len(commands)


def test_a_new_collection_still_migrates(created_by_decks, tmp_path):
    created, loaded = created_by_decks
    assert "alembic" in loaded and "sqlalchemy.orm" in loaded  # created by the Collection
    assert loaded_by("--db", str(copy_of(created, tmp_path / "new.db")), "decks") == []


def test_the_other_commands_still_open_the_collection(collection):
    # A search query is the Collection's (its filters are SQLAlchemy expressions).
    assert "sqlalchemy" in loaded_by("--db", collection.url, "cards", "--search", "word")


# Modules an Anki package's import or export never calls: the study, browse, counting, editing and
# deck-file modules Collection loads on first use, and what only they load.
NOT_FOR_PACKAGES = (
    "flashapp.store.answering", "flashapp.store.card_views", "flashapp.store.card_info",
    "flashapp.store.counts", "flashapp.store.queue", "flashapp.store.study_views",
    "flashapp.store.study_stats", "flashapp.store.editing", "flashapp.store.integrity",
    "flashapp.store.deckfile_sync", "flashapp.store.media_files", "flashapp.core.render",
    "flashapp.store.practice", "flashapp.core.deckfile", "flashapp.core.predict", "textual", "rich",
    "torch", "engine",
)  # fmt: skip
WATCHING = """
import contextlib, io, json, sys
from flashapp.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[2:])
watched = json.loads(sys.argv[1])
print(json.dumps({"code": code, "loaded": sorted(
    name for name in sys.modules if any(name == w or name.startswith(w + ".") for w in watched)
)}))
"""


# What `flashapp import` of Anki packages alone into an SQLite file at the newest schema never loads: it
# runs on sqlite3 (store/anki/direct_import.py).
NOT_FOR_PACKAGE_IMPORT = (
    *NOT_FOR_PACKAGES, "sqlalchemy", "alembic", "flashapp.store.models", "flashapp.store.collection"
)  # fmt: skip


def package_command_loads(*argv: str, watched: tuple[str, ...] = NOT_FOR_PACKAGES) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", WATCHING, json.dumps(watched), *argv],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env={**os.environ, "FLASHAPP_DB": ""},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["code"] == 0
    return report["loaded"]


@pytest.fixture(scope="module")
def created_by_decks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """(path, loaded): a new collection created by `flashapp decks` in a fresh process (migrated, filled
    from the shipped decks), and which of Alembic, SQLAlchemy and the deck-file sync that process
    loaded. Tests take copies (`copy_of`): creating one cost a second."""
    path = tmp_path_factory.mktemp("created") / "new.db"
    watched = ("alembic", "sqlalchemy", "flashapp.store.deckfile_sync")
    loaded = package_command_loads("--db", str(path), "decks", watched=watched)
    assert not path.with_name(path.name + "-wal").exists()  # all in the file: its copies are whole
    return path, loaded


def copy_of(created: Path, path: Path) -> Path:
    """A copy of the collection file `created` (and of its media folder, where it has one) at `path`."""
    shutil.copyfile(created, path)
    if media_folder(created).exists():
        shutil.copytree(media_folder(created), media_folder(path))
    return path


@pytest.mark.sqlite_only  # a subprocess per command: the PostgreSQL variant would double its cost
def test_package_import_and_export_skip_the_study_modules(collection, write_deck, tmp_path, created_by_decks):
    deck = '[deck]\nname = "Out"\n\n[[cards]]\nid = "a"\nfront = "Q"\nback = "A"\n'
    collection.import_paths([write_deck(deck)], backup=False)
    package = tmp_path / "out.apkg"
    assert package_command_loads("--db", collection.url, "export", "Out", "-o", str(package)) == []
    assert package.exists()
    created, loaded = created_by_decks
    assert "flashapp.store.deckfile_sync" in loaded  # created, filled
    other = str(copy_of(created, tmp_path / "other.db"))
    assert package_command_loads("--db", other, "import", str(package), watched=NOT_FOR_PACKAGE_IMPORT) == []
    with Collection.open(other) as imported:
        assert [card.front for card in imported.cards(deck="Out")] == ["Q"]


def test_the_import_staging_worker_skips_the_scheduler(tmp_path):
    # The worker's own imports run before it opens the staging file (here in a missing folder).
    script = (
        "import json, sys\nfrom flashapp.store.anki import stage_worker\n"
        f"try:\n    stage_worker.stage({{'stage': {str(tmp_path / 'no' / 'x.db')!r}}})\n"
        "except Exception:\n    pass\n"
        "print(json.dumps(sorted(n for n in sys.modules if n.startswith(('fsrs', 'flashapp', 'sqlal')))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert "flashapp.store.anki.notes_sql" in loaded  # the worker's imports did run
    heavy = ("fsrs", "flashapp.core.scheduling", "flashapp.anki.scheduling_map", "sqlalchemy")
    assert [name for name in loaded if name.startswith(heavy)] == []


@pytest.mark.sqlite_only  # a subprocess per command: the PostgreSQL variant would double its cost
def test_deck_file_import_runs_on_sqlite3_alone(collection, write_deck):
    # The collection exists at the newest schema: `store/direct/deckfile_import.py` imports into it.
    path = write_deck('[deck]\nname = "Plain"\n\n[[cards]]\nid = "a"\nfront = "$x_1$"\nback = "A"\n')
    watched = (
        "sqlalchemy",
        "alembic",
        "flashapp.store.models",
        "flashapp.store.collection",
        "textual",
        "torch",
    )
    assert package_command_loads("--db", collection.url, "import", str(path), watched=watched) == []
    assert [(card.front, card.deck) for card in collection.cards()] == [("x₁", "Plain")]
