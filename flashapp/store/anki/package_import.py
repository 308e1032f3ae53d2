"""Importing Anki packages (`.apkg`, `.colpkg`) into the collection, all or nothing.

1. Prepare (nothing written): each package is unpacked into a work folder by `package_reader` (zip and
   media checks, size caps), its collection opened read-only and checked by `collection_reader`
   (`quick_check` first, then its tables and rows). A big package hands `quick_check`, the row checks
   and the notes' stored columns to a worker process (`stager`), which runs while step 3 copies cards:
   what the import read is committed only once the worker found the package sound (and a failure of
   the reading here is reported as the damage `quick_check` finds, if it finds one).
2. The caller backs the collection up.
3. One write transaction (`BEGIN IMMEDIATE`) on a plain sqlite3 connection (`write_packages`), with
   every package's collection ATTACHed read-only and immutable (`attached_packages`), `trusted_schema`
   off: note types and decks a statement each (a few rows), then cards, the review
   log and notes copied by `INSERT ... SELECT` inside SQLite, the scheduling mapped by the SQL of
   `scheduling_map.card_columns_sql`, the notes' columns by `notes_sql` (or taken from the
   worker's staging file). A hostile package cannot make this quadratic: every join goes through a
   temporary table keyed by Anki's ids, never through the package's own indexes. A worker's failure
   (a malformed row) fails the import before it commits.
4. Media files move into the media folder last inside the transaction, just before it commits
   (see `media`): a crash at any point leaves either the old state or the new one.

Re-importing updates without duplicates. Notes are matched by guid and cards by (note, template
ordinal). As in Anki, whichever side was modified later wins: a note's fields and tags, and a card's
scheduling, are replaced only when the package's modification time is newer than ours (so studying
in flashapp after an import keeps that progress against an older package). Review history is added,
never replaced (one row per card and answer time). With `reset`, new cards come in as new with no
history, and existing cards keep their scheduling.

Packages are read with SQLite's own engine, so this needs an SQLite collection (file or memory).
Two ways reach step 3 and share everything from there: the `Collection` (`attached_session`, then
its session's own sqlite3 connection), and `flashapp import` of packages alone into an SQLite file
at the newest schema (`direct_import`), which never loads SQLAlchemy or the mapped models.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flashapp.anki.collection_reader import (
    READ_MMAP_BYTES,
    AnkiCollection,
    check_row_types,
    is_placeholder,
    open_readonly,
    quick_check,
    read_collection,
    sqlite_uri,
    unicase_collation,
)
from flashapp.anki.note_types import NoteTypeDef
from flashapp.anki.package_reader import DEFAULT_LIMITS, PackageContents, PackageLimits, read_package
from flashapp.anki.scheduling_map import (
    MANUAL_SQL,
    MAX_EPOCH,
    REVLOG_FILTER_SQL,
    card_columns_sql,
    deck_scheduling,
    derived_columns_sql,
    is_new_sql,
    new_card_columns_sql,
    new_position_sql,
    options_from_anki,
    review_columns_sql,
)
from flashapp.core.scheduling import SchedulerOptions
from flashapp.core.scheduling.day import next_day_start_utc
from flashapp.errors import UserError
from flashapp.store.anki.media import MediaPlan, plan_media, rename_references
from flashapp.store.anki.notes_sql import (
    FUNCTIONS,
    STAGE_COLUMNS,
    STAGE_TABLE,
    FieldNames,
    note_columns_sql,
    notes_with_array,
    register_note_functions,
)
from flashapp.store.anki.reports import PackageImportReport
from flashapp.store.anki.stager import STAGE_MIN_NOTES, STAGE_MIN_PACKAGE_BYTES, NoteStager
from flashapp.store.decks_sql import ensure_deck_id, parent_names
from flashapp.store.setting_values import LEARN_AHEAD_MINUTES, ROLLOVER_HOUR, check_setting
from flashapp.store.sql_text import db_json, db_time, read_json

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

SOURCE = "anki"
NOTE_TYPE = "anki"
# SQLite attaches at most 10 databases to one connection: a package and its staged notes each.
MAX_PACKAGES = 4
# Page cache while importing (negative: KiB), so a big import does not spill pages mid-transaction.
IMPORT_CACHE_KIB = -262144
IMPORTED_REVIEW = '{"imported":"anki"}'


@dataclass
class PreparedPackage:
    path: Path
    contents: PackageContents
    collection: AnkiCollection
    home_decks: list[int]  # Anki deck ids the cards live in (a filtered deck's cards: their home)
    used_note_types: list[int]
    stager: NoteStager | None = None  # computing the notes' columns in another process (big packages)
    media_plan: MediaPlan | None = field(default=None)

    @property
    def field_names(self) -> dict[int, tuple[str, ...]]:
        return {mid: self.collection.note_types[mid].fields for mid in self.used_note_types}


# --- 1. prepare ----------------------------------------------------------------------------------------


def prepare_package(path: Path, workdir: Path, limits: PackageLimits = DEFAULT_LIMITS) -> PreparedPackage:
    """Unpack and check one package; raises `UserError` before anything is written. A big package
    gets a staging worker (see `stager`), started at once and given its job once the package
    passed `quick_check`; it checks the rows and stages the notes while the import writes cards."""
    label = path.name
    stager = NoteStager.start() if path.stat().st_size >= STAGE_MIN_PACKAGE_BYTES else None
    try:
        contents = read_package(path, workdir, limits)
        # With a worker, the worker runs the package's quick_check (its first step, beside the writing
        # here, which the import commits only once the worker's checks passed); else it is run here.
        checked = stager is None
        connection = open_readonly(contents.collection_path, label, check=checked)
        try:
            info = read_collection(connection, label, check_rows=False)
            if contents.collection_entry == "collection.anki2" and is_placeholder(connection):
                raise UserError(
                    f"{label}: holds only Anki's placeholder collection (its note says to update Anki); "
                    "the real collection is missing"
                )
            used = [row[0] for row in connection.execute("SELECT DISTINCT mid FROM notes")]
            unknown = [mid for mid in used if mid not in info.note_types]
            if unknown:
                raise UserError(
                    f"{label}: notes use note type {unknown[0]}, which the package does not define"
                )
            if stager is not None and info.note_count >= STAGE_MIN_NOTES:
                stager.send(
                    label=label,
                    collection=contents.collection_path,
                    stage=workdir / "stage.sqlite",
                    fields={mid: info.note_types[mid].fields for mid in used},
                    has_revlog=info.has_revlog,
                )
            else:
                if stager is not None:
                    stager.cancel()
                    stager = None
                if not checked:
                    quick_check(connection, label)
                    checked = True
                check_row_types(connection, label, info.has_revlog)
            home_decks = [
                row[0]
                for row in connection.execute(
                    "SELECT DISTINCT CASE WHEN odid != 0 THEN odid ELSE did END FROM cards"
                )
            ]
        except (sqlite3.Error, UserError) as error:
            if not checked:  # a damaged file says so, whatever reading it ran into first
                quick_check(connection, label)
            if isinstance(error, UserError):
                raise
            raise UserError(f"{label}: its collection is malformed ({error})") from None
        finally:
            connection.close()
    except BaseException:
        if stager is not None:
            stager.cancel()
        raise
    return PreparedPackage(path, contents, info, home_decks, used, stager)


WORK_PREFIX = ".flashapp-import-"
# A work folder whose name carries no process id (older versions) is stale after this long.
STALE_SECONDS = 3600


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process (or an odd number): leave its folder alone
    return True


def _stale(path: Path, prefix: str) -> bool:
    """Left by a process that is gone: names carry the owner's pid (`<prefix><pid>-...`)."""
    pid_text = path.name[len(prefix) :].split("-", 1)[0]
    if pid_text.isdigit():
        return not _process_alive(int(pid_text))
    try:
        return time.time() - path.stat().st_mtime > STALE_SECONDS
    except OSError:
        return False


def clean_leftovers(work_root: Path | None, media_dir: Path | None) -> None:
    """Remove the work folders and half-copied media files of imports that were killed."""
    from flashapp.store.anki.media import PARTIAL_PREFIX

    for folder, prefix in ((work_root, WORK_PREFIX), (media_dir, PARTIAL_PREFIX)):
        if folder is None or not folder.is_dir():
            continue
        for path in folder.glob(f"{prefix}*"):
            if _stale(path, prefix):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)


@contextmanager
def prepared_packages(
    paths: Sequence[Path],
    work_root: Path | None,
    limits: PackageLimits = DEFAULT_LIMITS,
    *,
    media_dir: Path | None = None,
) -> Iterator[list[PreparedPackage]]:
    """Every package prepared in its own work folder under `work_root`; the folders are removed
    on exit (after the caller has moved the media it needed out of them), and those that killed
    imports left behind are removed first."""
    if len(paths) > MAX_PACKAGES:
        raise UserError(f"import at most {MAX_PACKAGES} Anki packages at a time (got {len(paths)})")
    if work_root is not None:
        work_root.mkdir(parents=True, exist_ok=True)
    clean_leftovers(work_root, media_dir)
    folder = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-", dir=work_root))
    prepared: list[PreparedPackage] = []
    try:
        for index, path in enumerate(paths):
            workdir = folder / str(index)
            workdir.mkdir()
            prepared.append(prepare_package(Path(path), workdir, limits))
        yield prepared
    finally:
        for package in prepared:  # no worker outlives its work folder
            if package.stager is not None:
                package.stager.cancel()
        shutil.rmtree(folder, ignore_errors=True)


# --- 3. the write transaction --------------------------------------------------------------------------


@contextmanager
def attached_packages(
    db: sqlite3.Connection, packages: Sequence[PreparedPackage], on_broken: Callable[[], None] | None = None
) -> Iterator[list[str]]:
    """`db` (a plain sqlite3 connection, outside a transaction) with each package's collection
    attached read-only and the import's pragmas; everything restored and detached on exit (SQLite
    cannot detach inside a transaction: the caller's transaction is over by then). The aliases list
    grows with the staging files attached while writing. A connection that cannot be cleaned up is
    handed to `on_broken` (never reused half-cleaned), or closed."""
    aliases: list[str] = []
    trusted = db.execute("PRAGMA trusted_schema").fetchone()[0]
    foreign_keys = db.execute("PRAGMA foreign_keys").fetchone()[0]
    cache_size = db.execute("PRAGMA cache_size").fetchone()[0]
    try:
        db.create_collation("unicase", unicase_collation)
        db.execute("PRAGMA trusted_schema=OFF")
        # The bulk copy links rows only to ids it has just made or looked up (decks, note types,
        # notes), so per-row foreign key lookups would only cost time; tests run foreign_key_check.
        db.execute("PRAGMA foreign_keys=OFF")
        db.execute(f"PRAGMA cache_size={IMPORT_CACHE_KIB}")  # no spilling while the indexes grow
        for index, package in enumerate(packages):
            alias = f"anki_package_{index}"
            db.execute(f"ATTACH DATABASE ? AS {alias}", (sqlite_uri(package.contents.collection_path),))
            aliases.append(alias)
            db.execute(f"PRAGMA {alias}.mmap_size={READ_MMAP_BYTES}")
        yield aliases
    finally:
        try:
            for alias in aliases:
                db.execute(f"DETACH DATABASE {alias}")
            db.execute(f"PRAGMA trusted_schema={int(trusted)}")
            db.execute(f"PRAGMA foreign_keys={int(foreign_keys)}")
            db.execute(f"PRAGMA cache_size={int(cache_size)}")
            for name, arity in _FUNCTIONS:
                db.create_function(name, arity, None)
        except sqlite3.Error:
            if on_broken is not None:
                on_broken()
            else:
                db.close()


@contextmanager
def attached_session(
    engine: Engine, packages: Sequence[PreparedPackage]
) -> Iterator[tuple[Session, list[str]]]:
    """The `Collection`'s way in: a write session (BEGIN IMMEDIATE) whose connection has the packages
    attached (`attached_packages`); `write_packages` then runs on its sqlite3 connection
    (`session_sqlite`)."""
    if engine.dialect.name != "sqlite":
        raise UserError("importing Anki packages needs an SQLite collection (a file or sqlite://)")
    from sqlalchemy.orm import Session

    from flashapp.store.db import IMMEDIATE

    with engine.connect() as connection:
        dbapi = connection.connection.driver_connection
        with (
            attached_packages(dbapi, packages, connection.invalidate) as aliases,
            Session(
                bind=connection.execution_options(**IMMEDIATE), expire_on_commit=False, autoflush=False
            ) as session,
            session.begin(),
        ):
            yield session, aliases


def session_sqlite(session: Session) -> sqlite3.Connection:
    """The sqlite3 connection under a session of `attached_session`, its transaction begun (BEGIN
    IMMEDIATE) and the session's pending rows flushed."""
    session.flush()
    return session.connection().connection.driver_connection


_FUNCTIONS = (*FUNCTIONS, ("fa_rename_media", 1), ("fa_note_id", 0))


def write_packages(
    db: sqlite3.Connection,
    aliases: list[str],
    packages: Sequence[PreparedPackage],
    *,
    now: datetime,
    reset: bool,
    tz: tzinfo,
    media_dir: Path | None,
    installed: list[Path],
) -> tuple[PackageImportReport, ...]:
    """Inside the caller's write transaction on `db` (packages attached as `aliases`): every
    package's rows, the collection settings an Anki collection brings (rollover hour, learn-ahead
    limit), then the media files moved into place, last before the commit (see `media`): each
    file installed is appended to `installed`, which the caller removes if the transaction fails."""
    reports = tuple(
        write_package(db, alias, package, now=now, reset=reset, attached=aliases, tz=tz)
        for alias, package in zip(list(aliases), packages, strict=True)
    )
    for package in packages:
        write_setting(db, ROLLOVER_HOUR, package.collection.rollover_hour)
        write_setting(db, LEARN_AHEAD_MINUTES, package.collection.learn_ahead_minutes)
    from flashapp.store.anki import media  # looked up at the call: tests stop a process half-way here

    for package in packages:
        if package.media_plan is not None and media_dir is not None:
            media.install_media(media_dir, package.media_plan.moves, installed)
    return reports


def write_setting(db: sqlite3.Connection, key: str, value: object) -> None:
    check_setting(key, value)
    db.execute(
        "INSERT INTO collection_settings (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, db_json(value)),
    )


def write_package(
    db: sqlite3.Connection,
    alias: str,
    package: PreparedPackage,
    *,
    now: datetime,
    reset: bool,
    attached: list[str],
    tz: tzinfo = UTC,
) -> PackageImportReport:
    """Copy one attached package into the collection, inside the caller's transaction (a database
    error rolls it back and becomes one line naming the package). `tz`: the user's zone, for when
    the burial of a buried card ends (the next study day)."""
    try:
        return _write_package(db, alias, package, now=now, reset=reset, attached=attached, tz=tz)
    except sqlite3.DatabaseError as error:
        if package.stager is not None and package.stager.pending:
            package.stager.result(package.path.name)  # a damaged package: the worker's check says so
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        for constraint, meaning in _CONSTRAINTS.items():
            if constraint in reason:
                reason = meaning
        raise UserError(f"{package.path.name}: cannot import it: {reason}") from None


# Unique constraints a malformed package runs into, and what they mean in its terms.
_CONSTRAINTS = {
    "notes.source, notes.key": "two of its notes share a guid",
    "cards.note_id, cards.ord": "a note has two cards with the same ordinal",
    "fa_notes.nid": "two of its notes share an id",
}


class _Runner:
    """`db.execute` with the answers the statements below want."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __call__(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        if isinstance(params, list):
            return self.db.executemany(sql, params)
        return self.db.execute(sql, params)

    def value(self, sql: str, params: Any = ()) -> Any:
        rows = self.db.execute(sql, params).fetchall()  # run to the end: no statement left active
        return rows[0][0] if rows else None


def _write_package(
    db: sqlite3.Connection,
    alias: str,
    package: PreparedPackage,
    *,
    now: datetime,
    reset: bool,
    attached: list[str],
    tz: tzinfo,
) -> PackageImportReport:
    info = package.collection
    note_types = _upsert_note_types(db, package, now)
    decks, deck_names = _decks(db, package, now)
    register_note_functions(db, package.field_names)
    run = _Runner(db)
    try:
        first_import = _create_temp_tables(run, alias, note_types, decks, info)
        params = {
            "reset": int(reset),
            "crt": info.crt,
            "now_text": db_time(now),
            "buried_text": db_time(next_day_start_utc(now, tz, info.rollover_hour)),
        }
        existing_notes = run.value("SELECT count(*) FROM temp.fa_notes WHERE existing IS NOT NULL")
        # Cards first (their notes' ids are known already): a staging worker may still be at the notes.
        position = run.value("SELECT coalesce(max(position), 0) + 1 FROM main.cards")
        rebuild = _drop_deferred_indexes(run, info.card_count)
        cards_added = sum(
            run(
                _insert_cards_sql(alias, new_cards=new_cards, new_notes=new_notes),
                {**params, "position": position},
            ).rowcount
            for new_notes in ((True, False) if existing_notes else (True,))
            for new_cards in (True, False)
        )
        for sql in rebuild:
            run(sql)
        cards_updated = 0
        if existing_notes:  # only then the update and matching statements run at all
            if not reset:
                cards_updated = run(_update_cards_sql(alias), params).rowcount
            importable = run.value(
                f"SELECT count(*) FROM {alias}.cards c JOIN temp.fa_notes f ON f.nid = c.nid "
                f"JOIN temp.fa_ntmap t ON t.mid = f.mid WHERE {_CARD_VALID}"
            )
        else:
            importable = cards_added  # every valid card of a new note is added
        reviews_added = reviews_skipped = 0
        if info.has_revlog and not reset and info.revlog_count:
            reviews_skipped = run.value(
                f"SELECT count(*) FROM {alias}.revlog r "
                f"WHERE NOT ({REVLOG_FILTER_SQL.format(r='r', max_ms=MAX_EPOCH * 1000)})"
            )
            run(
                "INSERT INTO temp.fa_cardmap (cid, card_id) SELECT c.id, e.id FROM "
                f"{alias}.cards c JOIN temp.fa_notes f ON f.nid = c.nid "
                "JOIN main.cards e ON e.note_id = f.note_id AND e.ord = c.ord "
                f"WHERE c.id IN (SELECT cid FROM {alias}.revlog)"
            )
            # Cards of notes new to the collection have no reviews here yet: nothing to skip.
            reviews_added = run(_insert_reviews_sql(alias, skip_known=existing_notes > 0)).rowcount
        stage = None
        if package.stager is not None:
            stage = alias.replace("package", "stage")
            db.execute(
                f"ATTACH DATABASE ? AS {stage}", (sqlite_uri(package.stager.result(package.path.name)),)
            )
            attached.append(stage)
            db.execute(f"PRAGMA {stage}.mmap_size={READ_MMAP_BYTES}")
        names = package.field_names
        if first_import:
            notes_added = run(_insert_notes_sql(alias, stage, names, keys="first"), params).rowcount
            if notes_added < run.value("SELECT count(*) FROM temp.fa_notes"):  # guids shared
                notes_added += run(_insert_notes_sql(alias, stage, names, keys="shared"), params).rowcount
        else:
            notes_added = run(_insert_notes_sql(alias, stage, names), params).rowcount
        notes_updated = run(_update_notes_sql(alias, stage, names)).rowcount if existing_notes else 0
        plan = plan_media(db, package.contents.media, now)
        package.media_plan = plan
        if plan.renamed:
            db.create_function(
                "fa_rename_media", 1, lambda text: rename_references(text, plan.renamed), deterministic=True
            )
            run(
                "UPDATE main.notes SET fields = fa_rename_media(fields) "
                "WHERE id IN (SELECT note_id FROM temp.fa_notes)"
            )
    finally:
        for table in ("fa_ntmap", "fa_deckmap", "fa_notes", "fa_cardmap", "fa_guids"):
            run(f"DROP TABLE IF EXISTS temp.{table}")
    return PackageImportReport(
        file=str(package.path),
        format=package.contents.format_name,
        decks=tuple(sorted(deck_names)),
        notes_added=notes_added,
        notes_updated=notes_updated,
        notes_unchanged=existing_notes - notes_updated,
        cards_added=cards_added,
        cards_updated=cards_updated,
        cards_skipped=info.card_count - importable,
        reviews_added=reviews_added,
        reviews_skipped=reviews_skipped,
        media_added=plan.added,
        media_renamed=len(plan.renamed),
        note_types=len(note_types),
    )


# --- note types and decks (few rows, a statement each) -------------------------------------------------


_NOTE_TYPE_COLUMNS = ("name", "kind", "fields", "templates", "css", "properties")
_JSON_COLUMNS = frozenset({"fields", "templates", "properties"})


def _upsert_note_types(
    db: sqlite3.Connection, package: PreparedPackage, now: datetime
) -> dict[int, tuple[int, NoteTypeDef]]:
    """Anki note type id -> (our note_types.id, definition), for the types the notes use."""
    out = {}
    stamp = db_time(now)
    for mid in package.used_note_types:
        definition = package.collection.note_types[mid]
        key = definition.signature()
        values = {
            "name": definition.name,
            "kind": definition.kind,
            "fields": list(definition.fields),
            "templates": definition.templates_json(),
            "css": definition.css,
            "properties": definition.properties,
        }
        stored = {name: db_json(value) if name in _JSON_COLUMNS else value for name, value in values.items()}
        found = db.execute(
            f"SELECT id, {', '.join(_NOTE_TYPE_COLUMNS)} FROM note_types WHERE source = ? AND key = ?",
            (SOURCE, key),
        ).fetchall()
        row = found[0] if found else None
        if row is None:
            cursor = db.execute(
                f"INSERT INTO note_types (source, key, {', '.join(_NOTE_TYPE_COLUMNS)}, created_at, "
                f"modified_at) VALUES (?, ?, {', '.join('?' for _ in _NOTE_TYPE_COLUMNS)}, ?, ?)",
                (SOURCE, key, *stored.values(), stamp, stamp),
            )
            type_id = int(cursor.lastrowid)
        else:
            type_id = int(row[0])
            current = dict(zip(_NOTE_TYPE_COLUMNS, row[1:], strict=True))
            if any(
                (read_json(current[name]) != json.loads(stored[name]))
                if name in _JSON_COLUMNS
                else current[name] != value
                for name, value in values.items()
            ):
                db.execute(
                    f"UPDATE note_types SET {', '.join(f'{name} = ?' for name in _NOTE_TYPE_COLUMNS)}, "
                    "modified_at = ? WHERE id = ?",
                    (*stored.values(), stamp, type_id),
                )
        out[mid] = (type_id, definition)
    return out


def _decks(
    db: sqlite3.Connection, package: PreparedPackage, now: datetime
) -> tuple[dict[int, tuple[int, SchedulerOptions]], set[str]]:
    """Anki deck id -> (our deck id, its options); decks are created (with parents) as needed. A new
    deck takes its Anki options preset; an existing deck keeps its own."""
    info = package.collection
    out: dict[int, tuple[int, SchedulerOptions]] = {}
    names: set[str] = set()
    # Parents that are Anki decks too, first, so that each takes its own preset (not the defaults
    # `ensure_deck_id` would give a parent created for its child).
    by_name = {deck.name: deck_id for deck_id, deck in info.decks.items()}
    home = list(package.home_decks)
    wanted = {by_name[parent] for i in home if i in info.decks for parent in parent_names(info.decks[i].name)
              if parent in by_name}  # fmt: skip

    def depth(anki_id: int) -> int:
        return info.decks[anki_id].name.count("::") if anki_id in info.decks else 0

    for anki_id in sorted(wanted | set(home), key=depth):
        anki_deck = info.decks.get(anki_id)
        name = anki_deck.name if anki_deck is not None else "Default"
        found = db.execute("SELECT id, options FROM decks WHERE name = ?", (name,)).fetchall()
        existing = found[0] if found else None
        if existing is None:
            deck_id = ensure_deck_id(
                db, name, now, _deck_description(anki_deck.description if anki_deck else "")
            )
            config = info.deck_configs.get(anki_deck.config_id if anki_deck else 1)
            options = (
                options_from_anki(
                    config,
                    fsrs=info.fsrs,
                    rollover_hour=info.rollover_hour,
                    new_cards_ignore_review_limit=info.new_cards_ignore_review_limit,
                )
                if config is not None
                else SchedulerOptions(
                    algorithm="fsrs" if info.fsrs else "sm2",
                    day_rollover_hour=info.rollover_hour,
                    new_cards_ignore_review_limit=info.new_cards_ignore_review_limit,
                )
            )
            db.execute("UPDATE decks SET options = ? WHERE id = ?", (db_json(options.to_dict()), deck_id))
        else:
            deck_id = int(existing[0])
            options = SchedulerOptions.from_dict(read_json(existing[1]) or {})
        if anki_id in package.home_decks:
            out[anki_id] = (deck_id, options)
            names.add(name)
    return out, names


def _deck_description(description: str) -> str:
    if not description:
        return ""  # most decks: no need to load the HTML converter at all
    from flashapp.anki.html_text import html_to_plain

    return html_to_plain(description)


# --- SQL --------------------------------------------------------------------------------------------------


def _create_temp_tables(run, alias: str, note_types, decks, info: AnkiCollection) -> bool:
    """The temporary tables the statements below join; True for a first import (no Anki note here)."""
    run(
        "CREATE TEMP TABLE fa_ntmap (mid INTEGER PRIMARY KEY, nt_id INTEGER, templates INTEGER, "
        "cloze INTEGER)"
    )
    run(
        "CREATE TEMP TABLE fa_deckmap (did INTEGER PRIMARY KEY, deck_id INTEGER, learning_steps INTEGER, "
        "relearning_steps INTEGER, starting_ease REAL, fsrs INTEGER)"
    )
    run(
        "CREATE TEMP TABLE fa_notes (nid INTEGER PRIMARY KEY, note_id INTEGER NOT NULL, existing INTEGER, "
        "deck_id INTEGER, mid INTEGER, dup_key TEXT)"
    )
    run("CREATE TEMP TABLE fa_cardmap (cid INTEGER PRIMARY KEY, card_id INTEGER)")
    if note_types:
        run(
            "INSERT INTO temp.fa_ntmap VALUES (?, ?, ?, ?)",
            [(mid, nt_id, len(d.templates), int(d.is_cloze)) for mid, (nt_id, d) in note_types.items()],
        )
    if decks:
        rows = []
        for did, (deck_id, options) in decks.items():
            scheduling = deck_scheduling(options)
            rows.append(
                (
                    did,
                    deck_id,
                    scheduling.learning_steps,
                    scheduling.relearning_steps,
                    scheduling.starting_ease,
                    int(scheduling.fsrs),
                )
            )
        run("INSERT INTO temp.fa_deckmap VALUES (?, ?, ?, ?, ?, ?)", rows)
    # Each note, keyed by its Anki id (every statement below looks notes up by it): its deck (that of
    # its first card), and the note it updates or the id it will get. New notes are numbered on from
    # the collection's largest id, in the order the rows come (`note_ids`: a window function would
    # cost a sort).
    # Two notes of one package may share a guid (Anki tolerates it and keeps both): the note with the
    # smallest id keeps the guid as its key, each other one gets `guid<U+001F>its Anki id` (U+001F
    # separates Anki's fields, so no real guid holds it; the export writes the guid back). In a first
    # import no note can match one already here, and the notes' own insert finds the shared guids
    # (`_insert_notes_sql`); otherwise they are found here first, so that each note finds its key.
    base = run.value("SELECT coalesce(max(id), 0) FROM main.notes")
    first_import = run.value(f"SELECT 1 FROM main.notes WHERE source = '{SOURCE}' LIMIT 1") is None
    existing, joins, dup_key = "NULL", "", "NULL"
    if not first_import:
        run("CREATE TEMP TABLE fa_guids (guid TEXT PRIMARY KEY, nid INTEGER)")
        run(
            f"INSERT INTO temp.fa_guids SELECT guid, min(id) FROM {alias}.notes GROUP BY guid "
            "HAVING count(*) > 1"
        )
        existing = "e.id"
        joins = (
            "LEFT JOIN temp.fa_guids g ON g.guid = n.guid "
            f"LEFT JOIN main.notes e ON e.source = '{SOURCE}' AND e.key = {_KEY_SQL}"
        )
        dup_key = f"(CASE WHEN g.nid != n.id THEN {_KEY_SQL} END)"
    run.db.create_function("fa_note_id", 0, note_ids(int(base)))
    run(
        f"""INSERT INTO temp.fa_notes (nid, note_id, existing, deck_id, mid, dup_key)
        SELECT n.id, (CASE WHEN {existing} IS NULL THEN fa_note_id() ELSE {existing} END), {existing},
            d.deck_id, n.mid, {dup_key}
        FROM {alias}.notes n
        JOIN (SELECT nid, min(ord), CASE WHEN odid != 0 THEN odid ELSE did END AS home
              FROM {alias}.cards GROUP BY nid) first ON first.nid = n.id
        JOIN temp.fa_deckmap d ON d.did = first.home
        JOIN temp.fa_ntmap t ON t.mid = n.mid
        {joins}"""
    )
    return first_import


# Plain indexes of the cards table whose keys come in scattered (each deck's due times), built again
# after a big insert rather than grown a row at a time (see `_drop_deferred_indexes`).
DEFERRED_CARD_INDEXES = ("ix_cards_deck_queue_due",)
# Fewer incoming cards than this: the index takes them as they come.
DEFER_INDEX_MIN_CARDS = 10_000


def _drop_deferred_indexes(run: _Runner, incoming: int) -> list[str]:
    """Drop `DEFERRED_CARD_INDEXES` when the package brings at least as many cards as the collection
    holds, and return the statements that build them again, as they were, once the cards are in:
    SQLite builds an index from sorted keys, tightly packed, for less than inserting the same keys one
    card at a time at scattered places. The drop is part of the caller's transaction: a failure or a
    crash anywhere before the commit leaves the index as it was. Unique indexes (constraints) stay."""
    if incoming < DEFER_INDEX_MIN_CARDS or incoming < run.value("SELECT count(*) FROM main.cards"):
        return []
    rebuild = []
    for name in DEFERRED_CARD_INDEXES:
        found = run.db.execute(
            "SELECT sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = 'cards' AND name = ? "
            "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'",
            (name,),
        ).fetchall()
        if found:
            run(f'DROP INDEX main."{name}"')
            rebuild.append(found[0][0])
    return rebuild


def note_ids(base: int) -> Callable[[], int]:
    """The ids of new notes, one a call: base + 1, base + 2, ..."""
    return itertools.count(base + 1).__next__


# A note's key: its guid, or for the second and later notes sharing one, the guid and its Anki id.
_KEY_SQL = "(CASE WHEN g.nid IS NOT NULL AND g.nid != n.id THEN n.guid || char(31) || n.id ELSE n.guid END)"


def _note_source(alias: str, stage: str | None, names: FieldNames) -> tuple[str, dict[str, str]]:
    """Where the notes' stored columns come from: the staging file (computed by the worker), or the
    package itself (computed here)."""
    if stage is not None:
        return f"{stage}.{STAGE_TABLE} n", {name: f"n.{name}" for name in STAGE_COLUMNS} | {"nid": "n.nid"}
    return f"{notes_with_array(alias)} n", note_columns_sql(names) | {"nid": "n.id"}


def _insert_notes_sql(alias: str, stage: str | None, names: FieldNames, *, keys: str = "known") -> str:
    """The new notes. `keys`: "known" (their keys found by `_create_temp_tables`), "first" (a first
    import: each takes its guid, in the order of Anki's ids, and a note whose guid an earlier note
    took is left out) or "shared" (those left out, under `guid<U+001F>Anki id`)."""
    source, columns = _note_source(alias, stage, names)
    key, where, tail = f"coalesce(f.dup_key, {columns['guid']})", "", ""
    if keys == "first":
        key, tail = columns["guid"], f"ORDER BY {columns['nid']} ON CONFLICT (source, key) DO NOTHING"
    elif keys == "shared":
        key = f"{columns['guid']} || char(31) || f.nid"
        where = "AND NOT EXISTS (SELECT 1 FROM main.notes x WHERE x.id = f.note_id)"
    return f"""INSERT INTO main.notes (id, source, key, deck_id, note_type, fields, tags, search_text, demo,
            demo_params, created_at, modified_at, note_type_id)
        SELECT f.note_id, '{SOURCE}', {key}, f.deck_id, '{NOTE_TYPE}',
            {columns["fields"]},
            {columns["tags"]}, {columns["search_text"]}, NULL, NULL, :now_text, {columns["modified_at"]},
            t.nt_id
        FROM {source}
        JOIN temp.fa_notes f ON f.nid = {columns["nid"]}
        JOIN temp.fa_ntmap t ON t.mid = f.mid
        WHERE f.existing IS NULL {where}
        {tail}"""


def _update_notes_sql(alias: str, stage: str | None, names: FieldNames) -> str:
    """Notes already here, where the package's copy was modified later."""
    source, columns = _note_source(alias, stage, names)
    updated = ("fields", "tags", "search_text", "modified_at")
    selected = ", ".join(f"{columns[name]} AS {name}" for name in updated)
    return f"""UPDATE main.notes SET {", ".join(f"{name} = src.{name}" for name in updated)},
            note_type_id = src.nt_id
        FROM (SELECT f.existing AS target, {selected}, t.nt_id
              FROM {source}
              JOIN temp.fa_notes f ON f.nid = {columns["nid"]}
              JOIN temp.fa_ntmap t ON t.mid = f.mid
              WHERE f.existing IS NOT NULL) AS src
        WHERE main.notes.id = src.target AND src.modified_at > main.notes.modified_at"""


_CARD_VALID = "c.ord >= 0 AND c.ord < 65535 AND (t.cloze OR c.ord < t.templates)"
_CARD_STATE_COLUMNS = (
    "state", "due", "interval_days", "ease", "reps", "lapses", "step", "stability", "difficulty",
    "last_review", "suspended", "queue", "flag", "modified_at", "buried_until",
)  # fmt: skip


def _insert_cards_sql(alias: str, *, new_cards: bool, new_notes: bool) -> str:
    """One of three inserts: the cards of new notes that come in new (the bulk: mostly constants, no
    lookups), those that come in with scheduling, and the missing cards of notes already here."""
    if new_cards:
        mapped, which = new_card_columns_sql("c", "d"), is_new_sql("c")
        cards = f"{alias}.cards c"
    else:
        mapped, which = card_columns_sql("c", "d", derived=True), f"NOT {is_new_sql('c')}"
        cards = _derived_cards_sql(alias, which)
    names = ", ".join(_CARD_STATE_COLUMNS)
    values = ", ".join(mapped[name] for name in _CARD_STATE_COLUMNS)
    if new_notes:
        missing = "f.existing IS NULL"
        existing_join = ""
    else:
        missing = "f.existing IS NOT NULL AND e.id IS NULL"
        existing_join = "LEFT JOIN main.cards e ON e.note_id = f.note_id AND e.ord = c.ord"
    return f"""INSERT INTO main.cards (note_id, deck_id, ord, position, orphaned, {names})
        SELECT f.note_id, d.deck_id, c.ord, {new_position_sql("c")}, 0, {values}
        FROM {cards}
        JOIN temp.fa_notes f ON f.nid = c.nid
        JOIN temp.fa_ntmap t ON t.mid = f.mid
        JOIN temp.fa_deckmap d ON d.did = (CASE WHEN c.odid != 0 THEN c.odid ELSE c.did END)
        {existing_join}
        WHERE {missing} AND {which} AND {_CARD_VALID}"""


# The columns of a package's cards that the statements read (never `c.*`: a package's own extra
# columns could shadow the derived ones).
_PACKAGE_CARD_COLUMNS = (
    "id", "nid", "did", "ord", "mod", "type", "queue", "due", "ivl", "factor", "reps", "lapses", "left",
    "odue", "odid", "flags", "data",
)  # fmt: skip


def _derived_cards_sql(alias: str, where: str = "1") -> str:
    """The package's cards (those `where` selects) as `c`, each with `derived_columns_sql` worked out
    once (LIMIT -1 keeps the subquery from being flattened into the statement, which would put the
    expressions back in every place that reads them)."""
    columns = ", ".join(f"c.{name}" for name in _PACKAGE_CARD_COLUMNS)
    return f"(SELECT {columns}, {derived_columns_sql('c')} FROM {alias}.cards c WHERE {where} LIMIT -1) c"


def _update_cards_sql(alias: str) -> str:
    mapped = card_columns_sql("c", "d", derived=True)
    assignments = ", ".join(f"{name} = src.{name}" for name in _CARD_STATE_COLUMNS)
    selected = ", ".join(f"{mapped[name]} AS {name}" for name in _CARD_STATE_COLUMNS)
    return f"""UPDATE main.cards SET {assignments}
        FROM (SELECT e.id AS target, {selected}
              FROM {_derived_cards_sql(alias)}
              JOIN temp.fa_notes f ON f.nid = c.nid AND f.existing IS NOT NULL
              JOIN temp.fa_ntmap t ON t.mid = f.mid
              JOIN temp.fa_deckmap d ON d.did = (CASE WHEN c.odid != 0 THEN c.odid ELSE c.did END)
              JOIN main.cards e ON e.note_id = f.note_id AND e.ord = c.ord
              WHERE {_CARD_VALID}) AS src
        WHERE main.cards.id = src.target AND src.modified_at > main.cards.modified_at"""


def _insert_reviews_sql(alias: str, *, skip_known: bool) -> str:
    mapped = review_columns_sql("r")
    names = ", ".join(mapped)
    values = ", ".join(mapped.values())
    where = REVLOG_FILTER_SQL.format(r="r", max_ms=MAX_EPOCH * 1000)
    known = ""
    if skip_known:  # one review per card and answer time: importing again adds none twice
        known = (
            "AND NOT EXISTS (SELECT 1 FROM main.reviews x "
            f"WHERE x.card_id = m.card_id AND x.reviewed_at = {mapped['reviewed_at']})"
        )
    # A manual entry records Anki's kind, so that an export writes it back as it was.
    manual_previous = '\'{"imported":"anki","anki_type":\' || r.type || \'}\''
    previous = f"(CASE WHEN {MANUAL_SQL.format(r='r')} THEN {manual_previous} ELSE '{IMPORTED_REVIEW}' END)"
    return f"""INSERT INTO main.reviews (card_id, {names}, previous)
        SELECT m.card_id, {values}, {previous}
        FROM {alias}.revlog r
        JOIN temp.fa_cardmap m ON m.cid = r.cid
        WHERE {where} {known}
        ORDER BY r.id"""
