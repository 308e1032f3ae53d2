"""Backups as Anki keeps them: a folder per collection, thinned by age, taken while studying (at most
every 30 minutes) and before imports; `backups` lists them and `restore` brings one back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flashapp.cli.main import main
from flashapp.core.scheduling import Rating
from flashapp.store.backup import (
    DAILY,
    MONTHLY,
    RECENT,
    WEEKLY,
    backup_collection,
    backup_dir,
    backups_to_keep,
    list_backups,
    newest_backup_time,
)
from flashapp.store.collection import Collection

DECK = """\
[deck]
name = "Backed"

[[cards]]
id = "a"
front = "q"
back = "a"
"""

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_thinning_keeps_recent_daily_weekly_monthly():
    # One backup every 6 hours for two years.
    times = [NOW - timedelta(hours=6 * i) for i in range(4 * 730)]
    keep = backups_to_keep(times, NOW)
    assert set(sorted(times, reverse=True)[:RECENT]) <= keep
    days = {t.date() for t in keep if NOW - t <= timedelta(days=DAILY)}
    assert len(days) >= DAILY
    assert any(timedelta(weeks=WEEKLY - 1) < NOW - t <= timedelta(weeks=WEEKLY) for t in keep)
    assert any(timedelta(days=300) < NOW - t <= timedelta(days=31 * MONTHLY) for t in keep)
    assert not any(NOW - t > timedelta(days=31 * MONTHLY) for t in keep)
    assert len(keep) < RECENT + DAILY + WEEKLY + MONTHLY + 1


def test_neighbouring_collections_never_touch_each_others_backups(tmp_path, empty_collection_file):
    first, second = tmp_path / "c.db", tmp_path / "c-2.db"
    for path in (first, second):
        Collection.open(empty_collection_file(path), shipped_decks=False).close()
    for hour in range(40):
        backup_collection(first, NOW + timedelta(hours=hour), "study")
    backup_collection(second, NOW, "import")
    assert [b.reason for b in list_backups(second)] == ["import"]
    assert backup_dir(first) != backup_dir(second)
    assert RECENT <= len(list_backups(first)) < 40
    # The newest time, read from the names alone, is list_backups' first (whatever else lies there).
    (backup_dir(first) / "20991231-000000-000000-study.db.part").write_bytes(b"")
    (backup_dir(first) / "notes.txt").write_bytes(b"")
    assert newest_backup_time(first) == list_backups(first)[0].taken_at == NOW + timedelta(hours=39)
    assert newest_backup_time(second) == NOW
    assert newest_backup_time(tmp_path / "c-3.db") is None


def test_studying_backs_up_at_most_every_30_minutes(tmp_path, clock, write_deck, empty_collection_file):
    path = empty_collection_file(tmp_path / "c.db")
    with Collection.open(path, shipped_decks=False, clock=clock, tz=UTC) as collection:
        collection.import_paths([write_deck(DECK)], backup=False)
        card = collection.cards()[0].id
        collection.answer(card, Rating.AGAIN)
        for _ in range(5):
            clock.now += timedelta(minutes=5)
            collection.answer(card, Rating.AGAIN)
        assert [b.reason for b in list_backups(path)] == ["study"]
        clock.now += timedelta(minutes=6)
        collection.answer(card, Rating.AGAIN)
        assert [b.reason for b in list_backups(path)] == ["study", "study"]
        assert collection.backup_if_changed() is not None  # the TUI's backup on closing


def test_backups_and_restore_commands(tmp_path, write_deck, capsys, empty_collection_file):
    path = empty_collection_file(tmp_path / "c.db")
    db = ["--db", str(path)]
    Collection.open(path, shipped_decks=False).close()
    assert main([*db, "import", str(write_deck(DECK))]) == 0  # a backup of the empty collection first
    assert main([*db, "backups"]) == 0
    out = capsys.readouterr().out
    assert "import" in out and str(backup_dir(path)) in out
    name = list_backups(path)[0].path.name
    assert main([*db, "restore", name]) == 0
    assert f"restored {path} from {name}" in capsys.readouterr().out
    with Collection.open(path) as collection:
        assert collection.deck_names() == []  # as it was before the import
    assert {b.reason for b in list_backups(path)} == {"import", "restore"}
    assert main([*db, "restore", "nothing-like-it"]) == 2
    assert "no backup 'nothing-like-it'" in capsys.readouterr().err


def test_backup_commands_on_a_server_database_do_nothing(capsys):
    url = "postgresql+psycopg://postgres@127.0.0.1:1/none"
    assert main(["--db", url, "backups"]) == 0
    assert "backups are the server's" in capsys.readouterr().out
    assert main(["--db", url, "restore", "x"]) == 0
    assert "pg_dump" in capsys.readouterr().out


def test_a_schema_upgrade_is_backed_up_first(tmp_path):
    from flashapp.store import schema
    from flashapp.store.db import make_engine

    path = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine, "0001_initial")
    engine.dispose()
    with Collection.open(path) as collection:
        assert schema.current_revision(collection.engine) == schema.HEAD_REVISION
    [backup] = list_backups(path)
    assert backup.reason == "upgrade"


def test_a_backup_that_cannot_be_written_never_fails_the_answer(
    tmp_path, clock, write_deck, monkeypatch, empty_collection_file
):
    path = empty_collection_file(tmp_path / "c.db")
    with Collection.open(path, shipped_decks=False, clock=clock, tz=UTC) as collection:
        collection.import_paths([write_deck(DECK)], backup=False)

        def full(*_args, **_kwargs):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr("flashapp.store.collection.backup_collection", full)
        result = collection.answer(collection.cards()[0].id, Rating.GOOD)
        assert result.review_id > 0 and list_backups(path) == []
