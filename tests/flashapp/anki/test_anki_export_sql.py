"""The export's SQL (`store/anki/export_sql.py`) held to its Python references: Anki ids made unique
as `unique_ids` does, card scheduling columns as `scheduling_map.export_card`, times as Python
reads them; and a package written from a staged copy of the rows (the path for PostgreSQL and
in-memory collections) identical to one written from the collection file attached directly."""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import subprocess
import sys
import textwrap
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from anki_client import png_bytes

from flashapp.anki.package_writer import field_checksum, unique_ids
from flashapp.anki.scheduling_map import export_card
from flashapp.core.scheduling import Rating, SchedulerOptions
from flashapp.errors import UserError
from flashapp.store.anki import export_sql, package_export
from flashapp.store.anki.export_sql import (
    card_columns_sql,
    epoch_ms_sql,
    epoch_sql,
    fresh_lift,
    lifted_ids_sql,
    register_functions,
    round_sql,
)
from flashapp.store.anki.export_stage import stored
from flashapp.store.collection import Collection

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _memory() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    register_functions(connection)
    return connection


@pytest.mark.parametrize("seed", range(5))
def test_lifted_ids_sql_is_unique_ids(seed):
    rng = random.Random(seed)
    # Many clashes (a whole import in one millisecond) and runs that bump into later values.
    values = [1_700_000_000_000 + rng.choice([0, 0, 0, 1, 2, 5, rng.randrange(50)]) for _ in range(300)]
    connection = _memory()
    connection.execute("CREATE TABLE t (key INTEGER, v INTEGER)")
    connection.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
    fresh_lift(connection)
    # unique_ids takes equal values in their index order: here the key breaks ties.
    got = dict(connection.execute(lifted_ids_sql("SELECT key, v FROM t", "key", ("v", "key"))))
    assert [got[i] for i in range(len(values))] == unique_ids(values)


def test_each_lifted_statement_starts_afresh_on_one_connection():
    # `fa_lift` carries the last id from row to row: a statement after `fresh_lift` must not continue
    # the one before.
    connection = _memory()
    for table, values in (("a", [50, 50, 50]), ("b", [10, 10, 12, 12]), ("c", [7])):
        connection.execute(f"CREATE TABLE {table} (key INTEGER, v INTEGER)")
        connection.executemany(f"INSERT INTO {table} VALUES (?, ?)", list(enumerate(values)))
    lifted = {"a": [50, 51, 52], "b": [10, 11, 12, 13], "c": [7]}
    for table, expected in [*lifted.items(), ("b", lifted["b"])]:
        fresh_lift(connection)
        rows = connection.execute(lifted_ids_sql(f"SELECT key, v FROM {table}", "key", ("v", "key")))
        assert [row[1] for row in rows] == expected


def test_rows_out_of_order_stop_the_lifting():
    # `fa_lift` numbers rows in the order they come: any order but the one asked for is an error,
    # never other ids; so is a second statement run without `fresh_lift` (its rows go back down).
    connection = _memory()
    connection.execute("CREATE TABLE t (key INTEGER, v INTEGER)")
    connection.executemany("INSERT INTO t VALUES (?, ?)", [(0, 30), (1, 10), (2, 20)])
    fresh_lift(connection)
    with pytest.raises(sqlite3.OperationalError):
        connection.execute("SELECT fa_lift(v, v, key) FROM t ORDER BY key").fetchall()
    fresh_lift(connection)
    ordered = lifted_ids_sql("SELECT key, v FROM t", "key", ("v", "key"))
    assert connection.execute(ordered).fetchall() == [(1, 10), (2, 20), (0, 30)]
    with pytest.raises(sqlite3.OperationalError):
        connection.execute(ordered).fetchall()
    connection.execute("INSERT INTO t VALUES (3, 10)")  # two rows at 10
    fresh_lift(connection)
    with pytest.raises(sqlite3.OperationalError):  # order columns that tie give no order
        connection.execute(lifted_ids_sql("SELECT key, v FROM t", "key", ("v", "v"))).fetchall()


@pytest.mark.parametrize("unixepoch", [True, False])
def test_times_and_rounding_as_python_reads_them(unixepoch, monkeypatch):
    if unixepoch and sqlite3.sqlite_version_info < (3, 38):
        pytest.skip("SQLite before 3.38 has no unixepoch: the strftime form is the one used")
    monkeypatch.setattr(export_sql, "_UNIXEPOCH", unixepoch)  # both forms give the same values
    connection = _memory()
    rng = random.Random(3)
    moments = [EPOCH + timedelta(microseconds=rng.randrange(4_000_000_000_000_000)) for _ in range(200)]
    moments += [datetime(2026, 1, 1, 10, 0, 0, 999_999, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)]
    for moment in moments:
        text = stored(moment)
        seconds, millis = connection.execute(
            f"SELECT {epoch_sql(':t')}, {epoch_ms_sql(':t')}", {"t": text}
        ).fetchone()
        assert seconds == int(moment.timestamp())
        assert millis == (moment - EPOCH) // timedelta(milliseconds=1)
    # Half-way values round to even, as Python's round does (SQLite's own rounds half away from 0).
    for ease in (1.0625, 2.5, 2.3005, 1.3, 2.0015, 1.1875, 2.6245, 2.25 + 1e-9):
        (factor,) = connection.execute(f"SELECT {round_sql(':e * 1000')}", {"e": ease}).fetchone()
        assert factor == round(ease * 1000), ease


def test_card_columns_sql_is_export_card():
    options = SchedulerOptions(learning_steps_minutes=(1.0, 10.0, 60.0), relearning_steps_minutes=(10.0,))
    crt = int(datetime(2026, 1, 10, 4, tzinfo=UTC).timestamp())
    now = datetime(2026, 3, 2, 12, 0, 30, 250_000, tzinfo=UTC)
    rng = random.Random(7)
    connection = _memory()
    connection.execute("ATTACH ':memory:' AS src")
    connection.execute(
        "CREATE TABLE cards (id INTEGER PRIMARY KEY, state, due, interval_days, ease, step, stability, "
        "difficulty, last_review, suspended)"
    )
    connection.execute("CREATE TABLE k (id INTEGER PRIMARY KEY, position)")
    connection.execute("CREATE TABLE d (learn_steps, relearn_steps)")
    connection.execute("INSERT INTO d VALUES (3, 1)")
    cases = []
    for index in range(400):
        state = rng.choice(["new", "learning", "review", "relearning"])
        due = None if rng.random() < 0.1 else now + timedelta(seconds=rng.randrange(-86400 * 20, 86400 * 300))
        if state == "review" and due is not None:
            due = max(due, datetime.fromtimestamp(crt, UTC))
        memory = rng.random() < 0.5
        case = dict(
            state=state,
            due=due,
            interval_days=rng.randrange(0, 400),
            ease=rng.choice([2.5, 1.3, 1.0625, 2.3005, round(rng.uniform(1.3, 3.5), 6)]),
            step=rng.randrange(0, 5),
            # Now and then one of the two alone (no FSRS memory then, as for SM-2 cards).
            stability=rng.uniform(0.1, 400) if memory or rng.random() < 0.1 else None,
            difficulty=rng.uniform(1, 10) if memory or rng.random() < 0.1 else None,
            last_review=now - timedelta(days=rng.randrange(0, 90)) if rng.random() < 0.6 else None,
            suspended=rng.random() < 0.2,
        )
        cases.append(case)
        connection.execute(
            "INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (index, *(stored(case[key]) for key in list(case))),
        )
        connection.execute("INSERT INTO k VALUES (?, ?)", (index, index + 1))
    columns = card_columns_sql(crt)
    names = ("type", "queue", "due", "ivl", "factor", "left", "data")
    rows = connection.execute(
        f"SELECT {', '.join(columns[name] for name in names)} FROM cards c JOIN k ON k.id = c.id, d "
        "ORDER BY c.id"
    ).fetchall()
    for index, (case, row) in enumerate(zip(cases, rows, strict=True)):
        expected = export_card(**case, position=index + 1, crt=crt, options=options)
        assert row == (
            expected.type,
            expected.queue,
            expected.due,
            expected.ivl,
            expected.factor,
            expected.left,
            expected.data,
        ), case


DECK = """\
[deck]
name = "Mixed"

[[cards]]
id = "basic"
front = "What is **softmax**?"
back = "A <b>normalised</b> exponential, see ![](figure.png)"
tags = ["ml"]

[[cards]]
id = "gaps"
cloze = "{{c1::Attention}} is all you {{c2::need}}"

[[cards]]
id = "both"
kind = "reversed"
front = "Hund"
back = "dog [sound:hund.mp3]"
"""


def _package_tables(path) -> dict[str, object]:
    with zipfile.ZipFile(path) as archive:
        names = sorted(archive.namelist())
        media = json.loads(archive.read("media"))
        data = archive.read("collection.anki21")
    file = path.with_suffix(".anki21")
    file.write_bytes(data)
    connection = sqlite3.connect(file)
    tables = {
        t: connection.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
        for t in ("notes", "cards", "revlog")
    }
    tables["col"] = connection.execute("SELECT crt, conf, models, decks, dconf FROM col").fetchall()
    connection.close()
    return {"entries": names, "media": media, **tables}


def test_staged_rows_write_the_same_package_as_the_attached_file(
    tmp_path, anki_packages, monkeypatch, empty_collection_file
):
    (tmp_path / "figure.png").write_bytes(png_bytes(4, 4, (0, 120, 0)))
    (tmp_path / "hund.mp3").write_bytes(b"ID3 not really audio")
    (tmp_path / "mixed.toml").write_text(textwrap.dedent(DECK), encoding="utf-8")
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    with Collection.open(
        empty_collection_file(tmp_path / "c.db"), shipped_decks=False, fuzz=False, clock=lambda: now
    ) as collection:
        collection.import_paths([tmp_path / "mixed.toml"])
        collection.import_package(anki_packages["modern"])
        cards = {card.key: card for card in collection.cards(deck="Mixed")}
        collection.answer(cards["basic"].id, Rating.GOOD)
        collection.answer(cards["basic"].id, Rating.GOOD)
        collection.answer(cards["gaps"].id, Rating.AGAIN)
        attached = collection.export_package("Mixed", tmp_path / "attached.apkg")
        decks = [name for name in collection.deck_names() if "::" not in name and name != "Mixed"]
        monkeypatch.setattr(package_export, "sqlite_file", lambda url: None)  # as on a server
        staged = collection.export_package("Mixed", tmp_path / "staged.apkg")
        assert staged == attached.__class__(**{**attached.__dict__, "file": staged.file})
        assert _package_tables(tmp_path / "staged.apkg") == _package_tables(tmp_path / "attached.apkg")
        assert attached.media == 2 and attached.reviews == 3
        assert decks
        for deck in decks:  # the Anki notes too, every deck
            monkeypatch.undo()
            one = collection.export_package(deck, tmp_path / "one.apkg")
            monkeypatch.setattr(package_export, "sqlite_file", lambda url: None)
            two = collection.export_package(deck, tmp_path / "two.apkg")
            assert (one.notes, one.cards, one.reviews) == (two.notes, two.cards, two.reviews)
            assert _package_tables(tmp_path / "one.apkg") == _package_tables(tmp_path / "two.apkg")


def test_export_from_postgres_is_the_export_from_sqlite(pg_collection_url, tmp_path, empty_collection_file):
    """A server database cannot be attached: its rows are staged, and the package is the same."""
    (tmp_path / "figure.png").write_bytes(png_bytes(4, 4, (0, 120, 0)))
    (tmp_path / "hund.mp3").write_bytes(b"ID3 not really audio")
    (tmp_path / "mixed.toml").write_text(textwrap.dedent(DECK), encoding="utf-8")
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    tables = []
    for url in (pg_collection_url, empty_collection_file(tmp_path / "c.db")):
        with Collection.open(url, shipped_decks=False, fuzz=False, clock=lambda: now, tz=UTC) as collection:
            collection.import_paths([tmp_path / "mixed.toml"])
            card = next(c for c in collection.cards(deck="Mixed") if c.key == "basic")
            collection.answer(card.id, Rating.GOOD)
            out = tmp_path / f"{len(tables)}.apkg"
            report = collection.export_package("Mixed", out)
            assert (report.notes, report.cards, report.reviews, report.media) == (3, 5, 1, 2)
            tables.append(_package_tables(out))
    assert tables[0] == tables[1]


def test_a_collection_file_sqlite_cannot_read_attached_falls_back_to_staged_rows(
    tmp_path, monkeypatch, empty_collection_file
):
    (tmp_path / "figure.png").write_bytes(png_bytes(4, 4, (0, 120, 0)))
    (tmp_path / "hund.mp3").write_bytes(b"ID3 not really audio")
    (tmp_path / "mixed.toml").write_text(textwrap.dedent(DECK), encoding="utf-8")
    garbage = tmp_path / "not-a-database.db"
    garbage.write_bytes(b"this is not an SQLite file" * 200)
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    with Collection.open(
        empty_collection_file(tmp_path / "c.db"), shipped_decks=False, fuzz=False, clock=lambda: now
    ) as collection:
        collection.import_paths([tmp_path / "mixed.toml"])
        direct = collection.export_package("Mixed", tmp_path / "direct.apkg")
        # SQLite refuses to attach it (or to read it once attached): the export stages the rows instead.
        monkeypatch.setattr(package_export, "sqlite_file", lambda url: garbage)
        fallback = collection.export_package("Mixed", tmp_path / "fallback.apkg")
    assert (
        (fallback.notes, fallback.cards, fallback.media)
        == (direct.notes, direct.cards, direct.media)
        == (3, 5, 2)
    )
    assert _package_tables(tmp_path / "fallback.apkg") == _package_tables(tmp_path / "direct.apkg")


# `flashapp export` commands in one process of their own, one after another (a process per command
# spent most of its CPU starting Python and importing flashapp again): for each, its exit code, its
# stderr, and whether sqlalchemy was loaded by then (once loaded it stays: the first command that loads
# it, and every one after, shows it).
EXPORT_SCRIPT = """
import contextlib, io, json, sys
from flashapp.cli.main import main
ran = []
for argv in json.loads(sys.argv[1]):
    errors = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(errors):
        code = main(argv)
    ran.append({"code": code, "stderr": errors.getvalue(), "sqlalchemy": "sqlalchemy" in sys.modules})
print(json.dumps(ran))
"""


def _commands(*argvs: list[str]) -> list[dict[str, object]]:
    result = subprocess.run(
        [sys.executable, "-c", EXPORT_SCRIPT, json.dumps(argvs)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _without_times(tables: dict[str, object]) -> dict[str, object]:
    """The tables, with the `mod` times of the note types, decks and options left out of `col` (they
    are the export's own clock, which the command reads from the system)."""

    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "mod"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    [(crt, *texts)] = tables["col"]
    return {**tables, "col": [crt, *(strip(json.loads(text)) for text in texts)]}


@pytest.mark.sqlite_only  # the command reads the SQLite file itself
def test_the_command_exports_an_sqlite_collection_without_sqlalchemy(
    tmp_path, anki_packages, empty_collection_file
):
    (tmp_path / "figure.png").write_bytes(png_bytes(4, 4, (0, 120, 0)))
    (tmp_path / "hund.mp3").write_bytes(b"ID3 not really audio")
    (tmp_path / "mixed.toml").write_text(textwrap.dedent(DECK), encoding="utf-8")
    db = empty_collection_file(tmp_path / "c.db")
    with Collection.open(db, shipped_decks=False, fuzz=False) as collection:
        collection.import_paths([tmp_path / "mixed.toml"])
        collection.import_package(anki_packages["modern"])
        cards = {card.key: card for card in collection.cards(deck="Mixed")}
        collection.answer(cards["basic"].id, Rating.GOOD)
        collection.answer(cards["gaps"].id, Rating.AGAIN)
        decks = sorted({"Mixed", *(name for name in collection.deck_names() if "::" not in name)})
        through_session = {
            deck: collection.export_package(deck, tmp_path / f"s-{deck}.apkg") for deck in decks
        }
        with pytest.raises(UserError) as unknown:
            collection.export_package("Nope", tmp_path / "nope.apkg")
    # Every deck, then an unknown deck, in one process.
    *exports, nope = _commands(
        *(["--db", str(db), "export", deck, "-o", str(tmp_path / f"c-{deck}.apkg")] for deck in decks),
        ["--db", str(db), "export", "Nope", "-o", str(tmp_path / "nope.apkg")],
    )
    for deck, ran in zip(decks, exports, strict=True):  # the deck-file notes, media and reviews, and
        assert ran == {"code": 0, "stderr": "", "sqlalchemy": False}  # the Anki notes of every deck
        assert through_session[deck].notes > 0
        assert _without_times(_package_tables(tmp_path / f"c-{deck}.apkg")) == _without_times(
            _package_tables(tmp_path / f"s-{deck}.apkg")
        )
    assert through_session["Mixed"].media == 2 and through_session["Mixed"].reviews == 2
    # An unknown deck is worded as the Collection words it.
    assert nope["code"] == 2 and nope["stderr"] == f"flashapp: {unknown.value}\n"
    assert not (tmp_path / "nope.apkg").exists()


def test_one_card_a_note_takes_the_short_way_to_the_same_ids(tmp_path, monkeypatch, empty_collection_file):
    # Deck-file notes imported at one instant: their Anki ids clash and are lifted; one card each.
    cards = "".join(f'[[cards]]\nid = "c{i}"\nfront = "Q{i}"\nback = "A{i}"\n\n' for i in range(40))
    (tmp_path / "basic.toml").write_text(f'[deck]\nname = "Basic"\n\n{cards}', encoding="utf-8")
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    lifts = []
    with Collection.open(
        empty_collection_file(tmp_path / "c.db"), shipped_decks=False, fuzz=False, clock=lambda: now
    ) as collection:
        collection.import_paths([tmp_path / "basic.toml"])
        for card in collection.cards(deck="Basic")[::3]:
            collection.answer(card.id, Rating.GOOD)
        counted = export_sql.lifted_ids_sql
        monkeypatch.setattr(export_sql, "lifted_ids_sql", lambda *a: lifts.append(a[1]) or counted(*a))
        collection.export_package("Basic", tmp_path / "short.apkg")
        card_lifts = [columns for columns in lifts if "position" in columns]
        assert len(lifts) == 2 and not card_lifts  # the notes' and the reviews' ids only
        monkeypatch.setattr(export_sql, "SINGLE_CARD_PATH", False)
        collection.export_package("Basic", tmp_path / "long.apkg")
        card_lifts = [columns for columns in lifts if "position" in columns]
        assert len(lifts) == 5 and len(card_lifts) == 1  # the notes', the cards' and the reviews'
    short, long = _package_tables(tmp_path / "short.apkg"), _package_tables(tmp_path / "long.apkg")
    assert short == long and len(short["cards"]) == 40


@pytest.mark.parametrize("text", ["", "What is query token number 1?", "Größe & more", "日本語 ∑", None])
def test_field_checksum_is_ankis_csum(text):
    # Anki's csum: the first 8 hex digits of the SHA-1 of the first field's text, as a number.
    expected = int(hashlib.sha1((text or "").encode("utf-8")).hexdigest()[:8], 16)
    assert field_checksum(text) == expected


def test_card_ids_lift_clashes_in_order_of_note_and_ordinal(tmp_path, empty_collection_file):
    # Notes imported at one instant get consecutive Anki ids, so their cards' ids (note id + ordinal)
    # clash across notes; lifted in order of that id, ties by note, as `unique_ids` lifts them.
    reversed_cards = "".join(
        f'[[cards]]\nid = "r{i}"\nkind = "reversed"\nfront = "Q{i}"\nback = "A{i}"\n\n' for i in range(6)
    )
    gaps = [" ".join(f"{{{{c{k}::w{k}}}}}" for k in range(1, 2 + i % 3)) for i in range(6)]
    cloze_cards = "".join(f'[[cards]]\nid = "c{i}"\ncloze = "{gap}"\n\n' for i, gap in enumerate(gaps))
    (tmp_path / "mixed.toml").write_text(
        f'[deck]\nname = "Clash"\n\n{reversed_cards}{cloze_cards}', encoding="utf-8"
    )
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    with Collection.open(
        empty_collection_file(tmp_path / "c.db"), shipped_decks=False, fuzz=False, clock=lambda: now
    ) as collection:
        collection.import_paths([tmp_path / "mixed.toml"])
        collection.export_package("Clash", tmp_path / "clash.apkg")
    cards = sorted(
        (nid, ord_, card_id)
        for card_id, nid, _, ord_, *_ in _package_tables(tmp_path / "clash.apkg")["cards"]
    )
    assert len(cards) == 12 + sum(1 + i % 3 for i in range(6))
    assert [card_id for _, _, card_id in cards] == unique_ids([nid + ord_ for nid, ord_, _ in cards])
