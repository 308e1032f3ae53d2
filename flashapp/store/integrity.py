"""`flashapp check`: verify the collection's file, schema and invariants; report what is wrong.
`--repair` mends what can be mended (see `repair_rows`)."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.orm import Session

from flashapp.store import schema
from flashapp.store.damage import FILE_DAMAGE
from flashapp.store.integrity_rows import row_findings
from flashapp.store.models import Card, Deck, Review, queue_for


def file_damage(path: Path) -> list[str]:
    """SQLite's own integrity check of every page of a collection file, on a connection of its own
    (SQLite may report some damage and then fail the check itself); empty when the file is sound."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    lines: list[str] = []
    try:
        for (line,) in connection.execute("PRAGMA integrity_check(100)"):
            lines.append(line)
    except sqlite3.DatabaseError as error:
        lines.append(str(error))
    finally:
        connection.close()
    return [] if lines == ["ok"] else [f"{FILE_DAMAGE}{line}" for line in lines]


def check_collection(
    session: Session, engine: Engine, media_dir: Path | None = None, *, file_checked: bool = False
) -> list[str]:
    """One line per problem found; an empty list means the collection is sound. `file_checked`: SQLite's
    integrity check of every page has just passed (`file_damage` on the file), and is not run again."""
    problems: list[str] = []
    if engine.dialect.name == "sqlite":
        if not file_checked:
            result = session.execute(text("PRAGMA integrity_check(100)")).scalars().all()
            if result != ["ok"]:
                return [f"{FILE_DAMAGE}{line}" for line in result]
        problems += [
            f"foreign key: {row[0]} row {row[1]} points to a missing {row[2]}"
            for row in session.execute(text("PRAGMA foreign_key_check"))
        ]
    revision = schema.current_revision(engine)
    if revision != schema.HEAD_REVISION:
        problems.append(f"schema at revision {revision}, expected {schema.HEAD_REVISION}")

    problems += [finding.problem for finding in row_findings(session, media_dir)]
    rows = session.execute(
        select(Card.id, Card.queue, Card.state, Card.suspended, Card.orphaned, Card.buried_until)
    )
    for card_id, queue, state, suspended, orphaned, buried_until in rows:
        expected = queue_for(state, suspended=suspended, orphaned=orphaned, buried=buried_until is not None)
        if queue != expected:
            problems.append(f"card {card_id}: queue {queue} does not match its state (expected {expected})")
    orphan_reviews = session.scalar(
        select(func.count())
        .select_from(Review)
        .where(~select(Card.id).where(Card.id == Review.card_id).exists())
    )
    if orphan_reviews:
        problems.append(f"{orphan_reviews} review(s) belong to no card")
    deck_names = set(session.scalars(select(Deck.name)))
    for name in sorted(deck_names):
        parent = name.rsplit("::", 1)[0] if "::" in name else None
        if parent and parent not in deck_names:
            problems.append(f"deck {name!r} has no parent deck {parent!r}")
    return problems


def repair_rows(session: Session, now: datetime, media_dir: Path | None = None) -> list[str]:
    """Mend every finding that has a repair (impossible states reset to new, counts rebuilt from the
    log, unreadable JSON cleared or its text kept, missing cards made), then put each card in the
    queue its state calls for. One line per thing done."""
    done: list[str] = []
    for finding in row_findings(session, media_dir):
        if finding.repair is not None:
            session.execute(text(finding.repair), finding.params or {})
            done.append(f"{finding.problem}: {finding.repaired}")
        elif finding.mend is not None:
            done.append(f"{finding.problem}: {finding.mend(session, now)}")
    orphans = select(Card.id).where(Card.id == Review.card_id).exists()
    lost = session.execute(delete(Review).where(~orphans)).rowcount
    if lost:  # what the foreign key's ON DELETE CASCADE would have done with the card
        done.append(f"{lost} review(s) belonged to no card: deleted, as deleting their card would have")
    session.flush()
    rows = session.execute(
        select(Card.id, Card.queue, Card.state, Card.suspended, Card.orphaned, Card.buried_until)
    ).all()
    for card_id, queue, state, suspended, orphaned, buried_until in rows:
        expected = queue_for(state, suspended=suspended, orphaned=orphaned, buried=buried_until is not None)
        if queue != expected:
            session.execute(update(Card).where(Card.id == card_id).values(queue=expected))
            done.append(f"card {card_id}: queue {queue} set to {expected}, as its state calls for")
    return done


ORPHAN_RULES = (
    ("notes", "deck_id", "decks"),
    ("cards", "note_id", "notes"),
    ("cards", "deck_id", "decks"),
    ("reviews", "card_id", "cards"),
)


def recover_file(damaged: Path, target: Path) -> list[str]:
    """Recover a damaged file's readable rows into a new file, as the sqlite3 shell's `.dump` does:
    the schema from page 1, then each table read forwards by rowid until a damaged page stops it and
    backwards from the end until one stops it again. Rows whose parents were lost are dropped, so that
    foreign keys hold. Returns one line per table that lost rows; RuntimeError when even the schema
    cannot be read or the result is not sound."""
    target.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{damaged}?mode=ro", uri=True)
    out = sqlite3.connect(target)
    notes: list[str] = []
    try:
        try:
            schema_rows = source.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
        except sqlite3.DatabaseError as error:
            raise RuntimeError(f"its schema page is unreadable ({error})") from None
        tables = [(name, sql) for kind, name, sql in schema_rows if kind == "table"]
        for _, sql in tables:
            out.execute(sql)
        for name, _ in tables:
            rows, complete = _salvage_rows(source, name)
            if rows:
                marks = ",".join("?" * (len(next(iter(rows.values())))))
                out.executemany(f'INSERT OR IGNORE INTO "{name}" VALUES ({marks})', rows.values())
            if not complete:
                notes.append(f"table {name}: {len(rows)} row(s) recovered, rows on damaged pages lost")
        for kind, _, sql in schema_rows:
            if kind in ("index", "trigger", "view"):
                with contextlib.suppress(sqlite3.DatabaseError):
                    out.execute(sql)
        for table, key, parent in ORPHAN_RULES:
            deleted = out.execute(
                f'DELETE FROM "{table}" WHERE {key} NOT IN (SELECT id FROM "{parent}")'
            ).rowcount
            if deleted:
                notes.append(f"table {table}: {deleted} row(s) dropped, their {parent} row was lost")
        out.commit()
        result = out.execute("PRAGMA integrity_check").fetchall()
    finally:
        source.close()
        out.close()
    if result != [("ok",)]:
        raise RuntimeError(f"the recovered file is not sound either: {result[0][0]}")
    return notes


def _salvage_rows(source: sqlite3.Connection, table: str) -> tuple[dict[int, tuple], bool]:
    """(rows by rowid, whether the whole table was read)."""
    rows: dict[int, tuple] = {}
    complete = True
    for order in ("ASC", "DESC"):
        try:
            for row in source.execute(f'SELECT rowid, * FROM "{table}" ORDER BY rowid {order}'):
                if row[0] in rows:
                    break
                rows[row[0]] = row[1:]
            else:
                if order == "ASC":
                    return rows, True
        except sqlite3.DatabaseError:
            complete = False
    return rows, complete
