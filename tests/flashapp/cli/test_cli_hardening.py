"""No traceback, ever: odd arguments, a read-only or full disk, unexpected errors (logged to the data
folder), damaged collections (generated command lines and deck files: test_cli_fuzz.py)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from flashapp.cli.main import main
from flashapp.store.collection import Collection
from flashapp.store.direct import deck_tree, deckfile_import
from flashapp.store.models import Review

DECK = """\
[deck]
name = "Hard"

[[cards]]
id = "one"
front = "q"
back = "a"

[[cards]]
id = "two"
front = "q2"
back = "a2"
"""


@pytest.fixture
def db(tmp_path, write_deck, monkeypatch, empty_collection_file):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = empty_collection_file(tmp_path / "c.db")  # a new collection without the shipped decks
    assert main(["--db", str(path), "import", str(write_deck(DECK))]) == 0
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse's own usage errors
        code = exit_.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["answer", str(2**63), "good"], "card id must be a number"),
        (["answer", "1", "good", "--time-ms", str(2**63)], "--time-ms"),
        (["answer", "1", "good", "--time-ms", "-1"], "--time-ms"),
        (["next", "--now", "9999-12-31T23:00:00Z"], "outside the years"),
        (["next", "--now", "0001-01-01T00:00:00Z"], "outside the years"),
        (["card", str(2**64)], "card id"),
        (["test", "Hard", "--count", "999999999", "--json"], "--count"),
        (["test", "Hard", "--seed", str(2**70), "--json"], "--seed"),
    ],
)
def test_odd_arguments_are_one_line_and_exit_2(db, capsys, argv, needle):
    code, out, err = run(capsys, "--db", str(db), *argv)
    assert code == 2 and needle in err and out == ""


def test_a_url_that_is_not_one(capsys):
    code, _, err = run(capsys, "--db", "://", "decks")
    assert code == 2 and err.count("\n") == 1 and "neither a file path nor a URL" in err


def test_a_password_is_never_printed(capsys):
    url = "postgresql+psycopg://alice:s3cret@127.0.0.1:1/nothing"
    code, out, err = run(capsys, "--db", url, "decks")
    assert code == 2 and "s3cret" not in out + err and "***" in err


def test_read_only_collection_is_one_line_and_unchanged(db, capsys):
    url = f"sqlite:///file:{db}?mode=ro&uri=true"
    code, _, err = run(capsys, "--db", url, "answer", "1", "good")
    assert code == 1 and "read-only" in err and err.count("\n") == 1
    with Collection.open(db) as collection, collection.reading() as session:
        assert session.scalars(select(Review)).first() is None


def test_full_disk_is_one_line(db, capsys, monkeypatch):
    def full(*_args, **_kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Collection, "import_paths", full)
    monkeypatch.setattr(deckfile_import, "import_deck_files", full)  # the same command on sqlite3 alone
    code, _, err = run(capsys, "--db", str(db), "import", str(db))
    assert code == 1 and "disk is full" in err


def test_unexpected_error_names_the_log_file_that_holds_the_traceback(db, capsys, monkeypatch, tmp_path):
    def broken(*_args, **_kwargs):
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(Collection, "deck_counts", broken)
    monkeypatch.setattr(deck_tree, "deck_rows", broken)  # the same command on sqlite3 alone
    code, out, err = run(capsys, "--db", str(db), "decks")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "unexpected error in `decks` (RuntimeError: something nobody expected)" in err
    log = tmp_path / "data" / "flashapp" / "flashapp-errors.log"
    assert str(log) in err
    text = log.read_text()
    assert "Traceback" in text and "something nobody expected" in text and "decks" in text


def test_damage_met_where_nothing_named_it_is_still_named(db, capsys, monkeypatch):
    """A path that reads the file outside the Collection's and the fast path's guards: the CLI still
    names the damage and the way out (exit 2), and remembers it beside the file."""

    def malformed(*_args, **_kwargs):
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(Collection, "deck_counts", malformed)
    monkeypatch.setattr(deck_tree, "deck_rows", malformed)
    code, out, err = run(capsys, "--db", str(db), "decks")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"collection {db} is damaged (database disk image is malformed)" in err
    assert "check --repair" in err and "flashapp restore" in err
    assert db.with_name(db.name + ".damaged").exists()


def test_check_reports_damage_as_its_finding(db, capsys):
    damage(db)
    code, out, err = run(capsys, "--db", str(db), "check")
    assert code == 1 and err == "" and "sqlite integrity" in out
    assert "flashapp check --repair" in out and "flashapp restore" in out


def test_control_sequences_never_reach_the_terminal(db, capsys, monkeypatch):
    def evil(*_args, **_kwargs):
        from flashapp.errors import UserError

        raise UserError("deck \x1b]0;owned\x07Evil\x1b[31m red \u202e")

    monkeypatch.setattr(Collection, "deck_counts", evil)
    monkeypatch.setattr(deck_tree, "deck_rows", evil)
    code, out, err = run(capsys, "--db", str(db), "decks")
    assert code == 2 and "\x1b" not in err and "\x07" not in err and "\u202e" not in err
    assert "Evil" in err


def damage(path, tables=None) -> None:
    """Overwrite pages with garbage, as a failing disk would: those of `tables` (their root pages),
    else every page after the schema and the version table."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = connection.execute("PRAGMA page_size").fetchone()[0]
    count = connection.execute("PRAGMA page_count").fetchone()[0]
    if tables:
        marks = ",".join("?" * len(tables))
        query = f"SELECT rootpage FROM sqlite_master WHERE name IN ({marks})"
        pages = [row[0] for row in connection.execute(query, tables)]
    else:
        version = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'alembic_version'"
        ).fetchone()
        pages = [page for page in range(2, count + 1) if page != version[0]]
    connection.close()
    with open(path, "r+b") as file:
        for page in pages:
            file.seek((page - 1) * size)
            file.write(b"\xa5" * size)


@pytest.mark.parametrize(
    "argv",
    [["decks"], ["next"], ["cards"], ["answer", "1", "good"], ["undo"], ["stats"], ["plan"], ["optimize"],
     ["evaluate"], ["card", "1", "info"], ["export", "Hard", "-o", "OUT"], ["test", "Hard", "--json"]],
)  # fmt: skip
def test_damaged_collection_is_named_in_every_command_and_never_written(db, capsys, argv):
    damage(db)
    before = db.read_bytes()
    argv = [str(db.with_name("out.toml")) if word == "OUT" else word for word in argv]
    code, out, err = run(capsys, "--db", str(db), *argv)
    assert code == 2 and err.count("\n") == 1, (code, err)
    assert "is damaged (database disk image is malformed)" in err and "check --repair" in err
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["export", "Hard", "-o", "{file}/x.apkg"], "is a file, not a folder"),
        (["export", "Hard", "-o", "{file}/sub/x.toml"], "cannot create"),
        (["export", "Hard", "-o", "{tmp}"], "is a folder; name the file"),
        (["export", "Hard", "-o", "/proc/x.apkg"], "cannot write in /proc"),
        (["stats", "--save", "{file}/s.png"], "is a file, not a folder"),
        (["demo", "attention.self", "--save", "{file}"], "is a file, not a folder"),
        (["demo", "attention.self", "--save", "/proc/figures"], "cannot create /proc/figures"),
    ],
)
def test_an_output_path_that_cannot_be_written_is_one_line_exit_2(db, capsys, tmp_path, argv, needle):
    """Found before any work is done (no training run, no package half-written), and named as typed."""
    (tmp_path / "file").write_text("not a folder")
    argv = [part.format(file=tmp_path / "file", tmp=tmp_path) for part in argv]
    before = sorted(path.name for path in tmp_path.iterdir())
    code, out, err = run(capsys, "--db", str(db), *argv)
    assert code == 2 and needle in err and err.count("\n") == 1, err
    assert sorted(path.name for path in tmp_path.iterdir()) == before


def test_export_makes_the_folders_it_names(db, capsys, tmp_path):
    code, out, err = run(
        capsys, "--db", str(db), "export", "Hard", "-o", str(tmp_path / "new" / "sub" / "h.apkg")
    )
    assert code == 0 and (tmp_path / "new" / "sub" / "h.apkg").stat().st_size > 0
    assert [path.name for path in (tmp_path / "new" / "sub").iterdir()] == ["h.apkg"]  # no probe left behind


@pytest.mark.parametrize(
    "where, needle",
    [
        ("{tmp}", "is a folder; name the collection file in it"),
        ("{file}/c.db", "is a file, not a folder"),
        ("/proc/flashapp.db", "cannot write in /proc"),
    ],
)
def test_a_collection_path_that_cannot_be_used_is_one_line_exit_2(capsys, tmp_path, where, needle):
    (tmp_path / "file").write_text("not a folder")
    before = sorted(path.name for path in tmp_path.iterdir())
    code, out, err = run(capsys, "--db", where.format(tmp=tmp_path, file=tmp_path / "file"), "decks")
    assert code == 2 and needle in err and err.count("\n") == 1, err
    assert ".creating-" not in err  # the staging file's name is ours, not the user's
    assert sorted(path.name for path in tmp_path.iterdir()) == before
