"""Nothing is written into a damaged SQLite file, even where the write never reads the bad page: the
probe before a collection's first write (the whole `quick_check` on a small file, the root pages on a
large one) refuses it with one line, and the file keeps every byte."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from cli_calls import call

from flashapp.cli.main import main
from flashapp.store import damage

DECK = '[deck]\nname = "Probe"\n\n[[cards]]\nid = "a"\nfront = "Q"\nback = "A"\n'
# Tables that `answer`, `undo`, `import` and the TUI's study loop never read.
UNREAD = ("practice_answers", "media")


@pytest.fixture
def damaged(tmp_path, write_deck, empty_collection_file):
    """A collection with one card whose practice and media tables' root pages are garbage."""
    path = empty_collection_file(tmp_path / "c.db")
    assert main(["--db", str(path), "import", str(write_deck(DECK))]) == 0
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = connection.execute("PRAGMA page_size").fetchone()[0]
    marks = ",".join("?" * len(UNREAD))
    query = f"SELECT rootpage FROM sqlite_master WHERE name IN ({marks})"
    pages = [row[0] for row in connection.execute(query, UNREAD)]
    connection.close()
    with open(path, "r+b") as file:
        for page in pages:
            file.seek((page - 1) * size)
            file.write(b"\xa5" * size)
    return path


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("probe", ["quick_check", "root pages"])
@pytest.mark.parametrize(
    "argv", [["answer", "1", "good"], ["undo"], ["import", "DECK"], ["card", "1", "suspend"]]
)
def test_a_write_that_never_reads_the_damaged_page_is_refused(
    damaged, capsys, monkeypatch, write_deck, probe, argv
):
    if probe == "root pages":  # as for a file too large for the whole quick_check
        monkeypatch.setattr(damage, "FULL_CHECK_BYTES", 0)
    argv = [str(write_deck(DECK.replace("Q", "Q2"), "new.toml")) if a == "DECK" else a for a in argv]
    before = digest(damaged)
    code, out, err = call(capsys, "--db", str(damaged), *argv)
    assert code == 2 and out == "" and err.count("\n") == 1, (code, out, err)
    assert "is damaged (" in err and "Page " in err and "check --repair" in err
    assert digest(damaged) == before
    assert (
        not damaged.with_name(damaged.name + "-wal").exists()
        or damaged.with_name(damaged.name + "-wal").stat().st_size == 0
    )


def test_a_sound_file_passes_both_probes(tmp_path, write_deck, empty_collection_file, monkeypatch, capsys):
    path = empty_collection_file(tmp_path / "c.db")
    assert main(["--db", str(path), "import", str(write_deck(DECK))]) == 0
    monkeypatch.setattr(damage, "FULL_CHECK_BYTES", 0)
    code, out, _ = call(capsys, "--db", str(path), "answer", "1", "good")
    assert code == 0 and "Card 1: good" in out


@pytest.mark.parametrize("full_check_bytes", [damage.FULL_CHECK_BYTES, 0])
def test_the_probe_takes_a_plain_sqlite3_connection(damaged, monkeypatch, full_check_bytes):
    """The light CLI path (sqlite3, no SQLAlchemy) can run the same probe before its first write."""
    monkeypatch.setattr(damage, "FULL_CHECK_BYTES", full_check_bytes)
    connection = sqlite3.connect(damaged, isolation_level=None)
    try:
        problem = damage.write_probe(connection, damaged)
    finally:
        connection.close()
    assert problem is not None and problem.startswith("Page ") and "\n" not in problem
