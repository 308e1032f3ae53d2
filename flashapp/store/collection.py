"""`Collection`: the one service object the CLI and the TUI call. It owns the database engine and
hands out short sessions; reads use a deferred BEGIN, writes `BEGIN IMMEDIATE`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session, sessionmaker

from flashapp.core.scheduling import SchedulerOptions, StudyCalendar
from flashapp.core.scheduling.zone import user_zone
from flashapp.errors import UserError
from flashapp.shipped import shipped_deck_files
from flashapp.store import schema
from flashapp.store.backup import backup_collection, backup_due
from flashapp.store.damage import (
    FILE_DAMAGE,
    CollectionDamaged,
    damage_of,
    mark_damaged,
    recorded_damage,
)
from flashapp.store.db import IMMEDIATE, make_engine, resolve_url, shown_url, sqlite_file
from flashapp.store.deckfile_rows import ImportReport
from flashapp.store.decks import find_deck
from flashapp.store.locking import lock_all_decks, lock_card, lock_cards, lock_for_undo, lock_note
from flashapp.store.models import Card, Deck
from flashapp.store.settings import (
    learn_ahead_minutes,
    rollover_hour,
    set_learn_ahead_minutes,
    set_rollover_hour,
)

# Modules used by only some methods load on first use: `import` and `export` of Anki packages never
# need the study, browse, counting or deck-file modules (a whole `flashapp` process pays for each).
if TYPE_CHECKING:
    from flashapp.core.practice.learn import CardProgress
    from flashapp.core.practice.mastery import MasteryCounts
    from flashapp.core.practice.questions import PracticeItem
    from flashapp.core.practice.scoring import AnswerCheck
    from flashapp.core.scheduling import Rating
    from flashapp.store.anki.reports import ExportReport, PackageImportReport
    from flashapp.store.answering import AnswerResult, UndoResult
    from flashapp.store.bulk_actions import BulkUndo
    from flashapp.store.card_views import CardInfo
    from flashapp.store.change_watch import ChangeWatch
    from flashapp.store.counts import DeckCounts
    from flashapp.store.deckfile_rows import SyncReport
    from flashapp.store.editing import EditableNote
    from flashapp.store.note_adding import AddedNote, Duplicate
    from flashapp.store.option_presets import PresetInfo
    from flashapp.store.queue import StudyQueue
    from flashapp.store.study_stats import TodayStats, UpcomingReviews
    from flashapp.store.study_views import ReviewEntry, StudyCard

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Collection:
    """A user's collection: decks, notes, cards, review log, media, practice results."""

    def __init__(
        self, engine: Engine, url: str, *, clock: Clock = utc_now, tz: tzinfo | None = None, fuzz: bool = True
    ):
        self.engine = engine
        self.url = url
        self.clock = clock
        # Interval fuzz spreads reviews out; tests turn it off to assert exact intervals.
        self.fuzz = fuzz
        # The user's IANA zone; with the collection's rollover hour it makes the study days.
        self.tz = tz or user_zone()
        self._calendar: StudyCalendar | None = None
        self._learn_ahead: timedelta | None = None
        self._read = sessionmaker(engine, expire_on_commit=False)
        self.changed = False  # anything written since opening (the TUI backs up on closing then)
        self._write_probed = False  # the damage probe runs before the first write (store.damage)
        self._write = sessionmaker(engine.execution_options(**IMMEDIATE), expire_on_commit=False)
        self._watch: ChangeWatch | None = None  # opened on the first `change_token`

    # --- lifecycle -------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        url_or_path: str | Path | None = None,
        *,
        shipped_decks: bool = True,
        clock: Clock = utc_now,
        tz: tzinfo | None = None,
        fuzz: bool = True,
        allow_damaged: bool = False,
    ) -> Collection:
        """Open (creating and upgrading as needed) the collection at a path or SQLAlchemy URL.

        A newly created collection is filled from the shipped decks unless `shipped_decks` is False.
        A collection found damaged earlier is refused (CollectionDamaged) unless `allow_damaged`
        (check, repair, restore).
        """
        url = resolve_url(url_or_path)
        file = sqlite_file(url)
        is_new = file is not None and not file.exists()
        if file is not None:
            _usable_file(file, new=is_new)
        if is_new and shipped_decks:
            cls._create_filled(file, clock=clock)
            is_new = False
        if not allow_damaged and (detail := recorded_damage(file)):
            raise CollectionDamaged(file, detail)
        try:
            engine = make_engine(url)
            created = schema.current_revision(engine) is None
            if created and schema.has_other_tables(engine):
                raise UserError(f"{shown_url(url)} is a database but not a flashapp collection")
            if not created and file is not None and schema.current_revision(engine) != schema.HEAD_REVISION:
                from flashapp.store.integrity import file_damage

                if (damage := file_damage(file)) and not allow_damaged:  # never upgrade a damaged file
                    mark_damaged(file, damage[0].removeprefix(FILE_DAMAGE))
                    raise CollectionDamaged(file, damage[0].removeprefix(FILE_DAMAGE))
                backup_collection(file, clock(), "upgrade")
            if not allow_damaged or not created:
                fill = cls._server_fill(url, clock) if created and shipped_decks and file is None else None
                # Only the process that created the tables fills them (several machines may start
                # on one new server database at once: see schema.upgrade).
                created = schema.ensure_current(engine, then=fill) and created and fill is None
        except UserError:
            raise
        except Exception as error:  # a file that is not a database, a server that is down
            if (detail := damage_of(error)) is not None:
                mark_damaged(file, detail)
                if not allow_damaged:
                    raise CollectionDamaged(file, detail) from None
                return cls(make_engine(url), url, clock=clock, tz=tz, fuzz=fuzz)
            from sqlalchemy.engine import make_url

            first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
            if password := make_url(url).password:  # a driver may echo its connection string
                first_line = first_line.replace(str(password), "***")
            raise UserError(f"cannot open collection {shown_url(url)}: {first_line}") from None
        collection = cls(engine, url, clock=clock, tz=tz, fuzz=fuzz)
        if created and shipped_decks:
            try:
                collection.import_paths(shipped_deck_files(), backup=False)
            except BaseException:
                # A collection that failed to fill would look like a finished empty one next time.
                collection.close()
                if is_new:
                    collection._remove_files()
                raise
        return collection

    @classmethod
    def _server_fill(cls, url: str, clock: Clock) -> Callable[[Connection], None]:
        """The shipped decks written on the connection that is creating a server collection's tables,
        in their transaction: a kill halfway leaves no collection rather than an empty one (a server's
        counterpart of `_create_filled`)."""

        def fill(connection: Connection) -> None:
            cls(connection, url, clock=clock).import_paths(shipped_deck_files(), backup=False)  # type: ignore[arg-type]

        return fill

    @classmethod
    def _create_filled(cls, file: Path, *, clock: Clock) -> None:
        """A new collection file with its schema and the shipped decks, built under a temporary name
        and moved into place whole: a kill halfway leaves no collection (the next start builds it
        again), never an empty one that looks finished."""
        import contextlib
        import os
        import time

        file.parent.mkdir(parents=True, exist_ok=True)
        for stale in file.parent.glob(f".{file.name}.creating-*"):
            if time.time() - stale.stat().st_mtime > 600:  # left by a killed start, not a running one
                stale.unlink(missing_ok=True)
        staging = file.with_name(f".{file.name}.creating-{os.getpid()}")
        for suffix in ("", "-wal", "-shm"):
            staging.with_name(staging.name + suffix).unlink(missing_ok=True)
        try:
            with cls.open(staging, shipped_decks=False, clock=clock) as collection:
                collection.import_paths(shipped_deck_files(), backup=False)
                with collection.engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            with contextlib.suppress(FileExistsError):  # another process finished one meanwhile: keep it
                os.link(staging, file)
        finally:
            for suffix in ("", "-wal", "-shm"):
                staging.with_name(staging.name + suffix).unlink(missing_ok=True)

    def _remove_files(self) -> None:
        if self.path is not None:
            for suffix in ("", "-wal", "-shm"):
                self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)

    def close(self) -> None:
        if self._watch is not None:
            self._watch.close()
        self.engine.dispose()

    def change_token(self) -> object:
        """Differs once another process (or connection) has changed the collection; see
        `store/change_watch.py`. Cheap enough to call every second."""
        from flashapp.store.change_watch import ChangeWatch

        if self._watch is None:
            self._watch = ChangeWatch(self.engine, self.path)
        return self._watch.token()

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for an in-memory or server database."""
        return sqlite_file(self.url)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._damage_named(), self._read() as session, session.begin():
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One short write transaction: commits on success, rolls back on any error. Refused in a
        collection found damaged (by this process or an earlier one)."""
        if (detail := recorded_damage(self.path)) is not None:
            raise CollectionDamaged(self.path, detail)
        if not self._write_probed:
            self._probe_before_writing()
        with self._damage_named(), self._write() as session, session.begin():
            yield session
        self.changed = True

    def _probe_before_writing(self) -> None:
        """Once per open collection, before its first write: a damaged file is refused (and
        remembered) even where the write would not read the bad page (see `store.damage`)."""
        if self.path is not None:
            from flashapp.store.damage import refuse_if_damaged

            with self._damage_named(), self.engine.connect() as connection:
                refuse_if_damaged(connection, self.path)
        self._write_probed = True

    @contextmanager
    def _damage_named(self) -> Iterator[None]:
        """SQLite's "malformed" anywhere becomes CollectionDamaged, remembered beside the file."""
        try:
            yield
        except CollectionDamaged:
            raise
        except Exception as error:
            if (detail := damage_of(error)) is None:
                raise
            mark_damaged(self.path, detail)
            raise CollectionDamaged(self.path or shown_url(self.url), detail) from None

    # --- study days ------------------------------------------------------------------------------

    @property
    def calendar(self) -> StudyCalendar:
        """The user's zone and the collection's rollover hour (read once per open collection)."""
        if self._calendar is None:
            with self.reading() as session:
                self._calendar = StudyCalendar(self.tz, rollover_hour(session))
        return self._calendar

    @property
    def rollover_hour(self) -> int:
        """The local hour (0-23) at which a study day begins; 4 unless set or imported from Anki."""
        return self.calendar.rollover_hour

    def set_rollover_hour(self, hour: int) -> None:
        with self.writing() as session:
            set_rollover_hour(session, hour)
        self._calendar = StudyCalendar(self.tz, hour)

    @property
    def learn_ahead(self) -> timedelta:
        """Learning cards due within this long count as due and are shown when nothing else is left
        (Anki's learn-ahead limit, `collapseTime`: 20 minutes unless set or imported)."""
        if self._learn_ahead is None:
            with self.reading() as session:
                self._learn_ahead = timedelta(minutes=learn_ahead_minutes(session))
        return self._learn_ahead

    def set_learn_ahead_minutes(self, minutes: int) -> None:
        with self.writing() as session:
            set_learn_ahead_minutes(session, minutes)
        self._learn_ahead = timedelta(minutes=minutes)

    # --- decks -----------------------------------------------------------------------------------

    def deck_names(self) -> list[str]:
        with self.reading() as session:
            return list(session.scalars(select(Deck.name).order_by(Deck.name)))

    def deck_counts(self, deck: str | None = None) -> list[DeckCounts]:
        """New / learning / due today per deck, subdecks included (see `store.counts`): what the home
        screen, `flashapp decks` and, through `study_counts`, the study header and `next` show."""
        from flashapp.store.counts import deck_counts

        now = self.clock()
        self._lift_ended_burials(now)
        calendar, learn_ahead = self.calendar, self.learn_ahead
        with self.reading() as session:
            return deck_counts(session, now, calendar, deck=deck, learn_ahead=learn_ahead)

    def study_counts(self, deck: str | None = None) -> DeckCounts:
        """The counts of one deck with its subdecks (None: all decks), from the same function."""
        from flashapp.store.counts import deck_counts, totals

        now = self.clock()
        self._lift_ended_burials(now)
        calendar, learn_ahead = self.calendar, self.learn_ahead
        with self.reading() as session:
            if deck is not None:
                find_deck(session, deck)
            rows = deck_counts(session, now, calendar, deck=deck, learn_ahead=learn_ahead, with_totals=False)
        return totals(rows, deck)

    # --- cards -----------------------------------------------------------------------------------

    def cards(
        self,
        deck: str | None = None,
        search: str | None = None,
        limit: int | None = None,
        *,
        order: str | None = None,
        descending: bool = False,
    ) -> list[CardInfo]:
        """Cards in deck and file order, or sorted by `order` (due, interval, ease, difficulty, reps,
        lapses, added, flag, deck, id) over the whole result before `limit` applies."""
        from flashapp.store.card_views import list_cards

        calendar = self.calendar
        with self.reading() as session:
            return list_cards(
                session, now=self.clock(), calendar=calendar, deck=deck, search=search, limit=limit,
                order=order, descending=descending,
            )  # fmt: skip

    def stream_cards(self, deck: str | None = None, search: str | None = None) -> Iterator[CardInfo]:
        """The same cards as `cards`, yielded as they are read: constant memory over any collection.
        The read transaction stays open until the iteration ends (or the generator is closed)."""
        from flashapp.store.card_views import iter_cards

        calendar = self.calendar
        with self.reading() as session:
            yield from iter_cards(session, now=self.clock(), calendar=calendar, deck=deck, search=search)

    def stream_card_json(self, deck: str | None = None, search: str | None = None) -> Iterator[str]:
        """`stream_cards`, each card as its `to_json()` object already encoded as JSON text."""
        from flashapp.store.card_views import iter_card_json

        calendar = self.calendar
        with self.reading() as session:
            yield from iter_card_json(session, now=self.clock(), calendar=calendar, deck=deck, search=search)

    def card(self, card_id: int) -> CardInfo:
        from flashapp.store.answering import get_card
        from flashapp.store.card_views import card_info

        with self.reading() as session:
            card = get_card(session, card_id, with_note=True)
            return card_info(card, card.note, card.deck.name)

    def study_card(self, card_id: int) -> StudyCard:
        """A card ready to study: rendered text and what each answer button would do now."""
        from flashapp.store.answering import get_card
        from flashapp.store.study_views import study_card

        with self.reading() as session:
            card = get_card(session, card_id, with_note=True)
            return study_card(card, self.clock(), fuzz=self.fuzz, calendar=self.calendar)

    def review_history(self, card_id: int) -> list[ReviewEntry]:
        from flashapp.store.answering import get_card
        from flashapp.store.study_views import review_history

        with self.reading() as session:
            get_card(session, card_id)
            return review_history(session, card_id)

    # --- studying --------------------------------------------------------------------------------

    def _lift_ended_burials(self, now: datetime) -> None:
        """Burials that ended (the study day rolled over) are lifted before anything is counted or
        queued: one indexed look, a write only when some burial ended."""
        with self.reading() as session:
            needs_unbury = session.scalar(
                select(Card.id).where(Card.buried_until.is_not(None), Card.buried_until <= now).limit(1)
            )
        if needs_unbury is not None:
            from flashapp.store.answering import unbury_expired

            with self.writing() as session:
                unbury_expired(session, now)

    def study_queue(self, deck: str | None = None) -> StudyQueue:
        """Today's queue for a deck and its subdecks (None: all decks); ends expired burials first."""
        from flashapp.store.queue import build_queue

        now = self.clock()
        self._lift_ended_burials(now)
        calendar, learn_ahead = self.calendar, self.learn_ahead
        with self.reading() as session:
            return build_queue(session, deck, now, calendar, learn_ahead)

    def next_card(self, deck: str | None = None) -> StudyCard | None:
        card_id = self.study_queue(deck).next_card_id(self.clock())
        return None if card_id is None else self.study_card(card_id)

    def answer(self, card_id: int, rating: Rating, duration_ms: int = 0) -> AnswerResult:
        """Schedule the card and log the review, in one transaction."""
        from flashapp.store.answering import answer_card

        with self.writing() as session:
            lock_card(session, card_id)
            result = answer_card(
                session, card_id, rating, self.clock(), self.calendar, fuzz=self.fuzz, duration_ms=duration_ms
            )
        self.backup_if_due()
        return result

    def undo(self) -> UndoResult | None:
        """Take back the newest answer (call again for the one before it)."""
        from flashapp.store.answering import undo_last

        with self.writing() as session:
            lock_for_undo(session)
            return undo_last(session)

    def undo_answer(self, review_id: int) -> UndoResult:
        """Take back one given answer (a study session's own); UserError when it is no longer the
        card's newest or is gone."""
        from flashapp.store.answering import undo_review

        with self.writing() as session:
            return undo_review(session, review_id)

    def suspend(self, card_id: int, suspended: bool = True) -> None:
        from flashapp.store.answering import set_suspended

        with self.writing() as session:
            lock_card(session, card_id)
            set_suspended(session, card_id, suspended, self.clock())

    def bury(self, card_id: int, buried: bool = True) -> None:
        from flashapp.store.answering import bury_card, unbury_card

        with self.writing() as session:
            lock_card(session, card_id)
            if buried:
                bury_card(session, card_id, self.clock(), self.calendar)
            else:
                unbury_card(session, card_id, self.clock())

    def forget(self, card_id: int) -> None:
        from flashapp.store.answering import forget_card

        with self.writing() as session:
            lock_card(session, card_id)
            forget_card(session, card_id, self.clock())

    def deck_options(self, deck: str) -> SchedulerOptions:
        with self.reading() as session:
            return SchedulerOptions.from_dict(find_deck(session, deck).options)

    def set_deck_options(self, deck: str, **changes: object) -> SchedulerOptions:
        """Change some of a deck's scheduler options (validated as a whole before saving)."""
        with self.writing() as session:
            lock_all_decks(session)  # read, change, write back: no other process in between
            row = find_deck(session, deck)
            try:
                options = SchedulerOptions.from_dict({**row.options, **changes})
            except ValueError as error:
                raise UserError(f"deck {deck!r}: {error}") from None
            row.options = options.to_dict()
            return options

    # --- practice --------------------------------------------------------------------------------

    def practice_items(self, deck: str, *, predict: bool = False) -> list[PracticeItem]:
        """The deck's cards (and its subdecks') as practice material, predict cards too with `predict`;
        UserError for an unknown deck."""
        from flashapp.store.practice import practice_items

        with self.reading() as session:
            return practice_items(session, deck, predict=predict)

    def record_practice(
        self,
        kind: str,
        deck: str,
        started_at: datetime,
        checks: Sequence[AnswerCheck],
        settings: dict,
        *,
        duration_ms: int | None = None,
    ) -> int:
        """Store a finished test ("test"), Learn round ("learn") or Match game ("match") with its
        answers, in one transaction; returns the session id. `duration_ms` defaults to the time since
        `started_at`."""
        from flashapp.store.practice import record_session

        with self.writing() as session:
            return record_session(
                session, kind=kind, deck=deck, started_at=started_at, finished_at=self.clock(),
                checks=checks, settings=settings, duration_ms=duration_ms,
            )  # fmt: skip

    def rescore_practice(self, session_id: int, checks: Sequence[AnswerCheck]) -> None:
        """Store changed verdicts of a recorded session (an "I was right" override) and its score."""
        from flashapp.store.practice import rescore_session

        with self.writing() as session:
            rescore_session(session, session_id, checks)

    def practice_progress(self, deck: str) -> dict[int, CardProgress]:
        """Where each practised card of the deck stands in Learn mode, from every stored answer."""
        from flashapp.store.practice import card_progress

        with self.reading() as session:
            return card_progress(session, deck)

    def mastery(self, deck: str) -> MasteryCounts:
        """How many of the deck's cards are not studied, learning, familiar and mastered."""
        from flashapp.store.practice import mastery_counts

        with self.reading() as session:
            return mastery_counts(session, deck)

    def best_match_ms(self, deck: str) -> int | None:
        """The deck's best Match time in milliseconds (penalties included), None before a first game."""
        from flashapp.store.practice import best_duration_ms

        with self.reading() as session:
            return best_duration_ms(session, deck, "match")

    # --- import ----------------------------------------------------------------------------------

    def import_paths(
        self, paths: Sequence[str | Path], *, backup: bool = True, reset: bool = False
    ) -> ImportReport:
        """Import deck files and folders of them: all parsed first, then written in one transaction.
        Anki packages (.apkg, .colpkg) among them go the same way (see the Anki packages section)."""
        from flashapp.store.importing import read_deck_files, split_packages

        deck_files, packages = split_packages(paths)
        if packages:
            return self._import_with_packages(deck_files, packages, backup=backup, reset=reset)
        from flashapp.store.deckfile_sync import sync_deck

        specs = read_deck_files(paths)
        if backup:
            self.backup("import")
        now = self.clock()
        with self.writing() as session:
            lock_all_decks(session)
            reports = tuple(sync_deck(session, spec, path, now) for spec, path in specs)
        self._analyze_after_bulk_write()
        return ImportReport(files=tuple(path for _, path in specs), decks=reports)

    def _analyze_after_bulk_write(self) -> None:
        """A server's planner learns the new row counts now, not at autovacuum's next pass (up to a
        minute later): until then PostgreSQL took a 100k-card deck for 2 rows and `stats --deck` spent
        10 s on one query. SQLite plans from its indexes and needs nothing."""
        if self.engine.dialect.name == "sqlite" or isinstance(self.engine, Connection):
            return  # a Connection: the shipped decks filling a new server collection, a few hundred rows
        from sqlalchemy import text

        with self.engine.begin() as connection:
            connection.execute(text("ANALYZE notes, cards, reviews, decks"))

    # --- maintenance -----------------------------------------------------------------------------

    def backup(self, reason: str = "manual") -> Path | None:
        return backup_collection(self.path, self.clock(), reason)

    def backup_if_due(self) -> Path | None:
        """While studying: a backup when the newest is 30 minutes old (SQLite files only). A backup
        that cannot be written (full disk, read-only folder) never undoes the answer just saved."""
        return self._quiet_backup("study") if backup_due(self.path, self.clock()) else None

    def backup_if_changed(self) -> Path | None:
        """On closing the TUI: a backup when anything was written since opening."""
        return self._quiet_backup("close") if self.changed else None

    def _quiet_backup(self, reason: str) -> Path | None:
        import sqlite3

        try:
            return self.backup(reason)
        except (OSError, sqlite3.Error):
            return None

    def check(self) -> list[str]:
        path, file_checked = self.path, False
        if path is not None and path.exists():
            from flashapp.store.integrity import file_damage

            if damage := file_damage(path):
                return damage  # rows read from damaged pages would only add noise
            file_checked = True
        from flashapp.store.integrity import check_collection

        with self.reading() as session:
            # The file's pages just checked: SQLite's integrity check (the longest part of `check` on
            # a large file) is not run a second time on the session.
            return check_collection(
                session, self.engine, self.media_dir if path else None, file_checked=file_checked
            )

    def repair(self) -> list[str]:
        """`check --repair`: a backup, SQLite's recovery into a new file when pages are damaged, then
        every row invariant mended. One line per thing done."""
        from flashapp.store.damage import clear_damage
        from flashapp.store.integrity import file_damage, recover_file, repair_rows

        done: list[str] = []
        if self.path is not None:
            done.append(f"backup taken: {self.backup('repair')}")
            if damage := file_damage(self.path):
                recovered = self.path.with_name(self.path.name + ".recovered")
                try:
                    lost = recover_file(self.path, recovered)
                except RuntimeError as error:
                    recovered.unlink(missing_ok=True)  # half a recovery is no use to anyone
                    raise UserError(
                        f"cannot repair {self.path}: {error}; restore a backup instead "
                        "(`flashapp backups` lists them, `flashapp restore BACKUP`)"
                    ) from None
                self.engine.dispose()
                for suffix in ("-wal", "-shm"):
                    self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
                recovered.replace(self.path)
                done.append(
                    f"damaged pages: {len(damage)} problem(s); readable rows recovered into a new file"
                )
                done += lost
            clear_damage(self.path)
            schema.ensure_current(self.engine)
        with self.writing() as session:
            done += repair_rows(session, self.clock(), self.media_dir if self.path else None)
        return done

    def ensure_sound(self) -> None:
        """SQLite's `quick_check` over the whole file (about 0.2 s at 100k cards): CollectionDamaged,
        remembered beside the file, when a page is damaged. The TUI runs it once the decks show."""
        if self.engine.dialect.name != "sqlite":
            return
        from flashapp.store.damage import quick_check_problem

        with self._damage_named(), self.engine.connect() as connection:
            problem = quick_check_problem(connection)
        if problem is not None:
            mark_damaged(self.path, problem)
            raise CollectionDamaged(self.path or shown_url(self.url), problem)

    # --- editing (TUI) ---------------------------------------------------------------------------

    def note_fields(self, note_id: int) -> EditableNote:
        """A note's fields and tags for the edit screen, and the deck file it came from (if any)."""
        from flashapp.store.editing import editable_note

        with self.reading() as session:
            return editable_note(session, note_id)

    def edit_note(
        self, note_id: int, fields: dict[str, str], tags: Sequence[str] | None = None
    ) -> EditableNote:
        """Change a note's text (and tags), validated, in one transaction. A deck-file note keeps the
        change only until its deck file is imported again."""
        from flashapp.store.editing import edit_note

        with self.writing() as session:
            lock_note(session, note_id)
            return edit_note(session, note_id, fields, self.clock(), None if tags is None else list(tags))

    def add_note(self, deck: str, kind: str, fields: dict[str, str], tags: Sequence[str] = ()) -> AddedNote:
        """Add a note from the app (validated as a deck-file card); see `store/note_adding.py`."""
        from flashapp.store.note_adding import add_note

        with self.writing() as session:
            lock_all_decks(session)  # it may create the deck, which another process may be creating
            return add_note(session, deck, kind, fields, list(tags), self.clock())

    def note_duplicates(self, kind: str, fields: dict[str, str]) -> list[Duplicate]:
        """Notes of this kind whose first field reads the same (Anki's duplicate check)."""
        from flashapp.store.note_adding import duplicates

        with self.reading() as session:
            return duplicates(session, kind, fields)

    def flashcard_marks(self, deck: str) -> tuple[dict[int, bool], set[int]]:
        """Flashcards mode's progress in `deck`: each card's sort (True: know) and the starred cards."""
        from flashapp.store.flashcards import flashcard_marks

        with self.reading() as session:
            return flashcard_marks(session, deck)

    def save_flashcard_mark(
        self, deck: str, card_id: int, *, known: bool | None = None, starred: bool | None = None
    ) -> None:
        from flashapp.store.flashcards import save_flashcard_mark

        with self.writing() as session:
            lock_card(session, card_id)
            save_flashcard_mark(session, deck, card_id, self.clock(), known=known, starred=starred)

    def reset_flashcard_sorts(self, deck: str) -> None:
        from flashapp.store.flashcards import reset_flashcard_sorts

        with self.writing() as session:
            reset_flashcard_sorts(session, deck)

    def custom_study_cards(self, deck: str, mode: str, *, days: int = 1, count: int = 20) -> list[int]:
        """The cards of a custom study session (see `store/custom_study.py`)."""
        from flashapp.store.custom_study import custom_study_cards

        with self.reading() as session:
            return custom_study_cards(session, deck, mode, self.clock(), days=days, count=count)

    def option_presets(self) -> list[PresetInfo]:
        """The shared option presets, each with the decks that follow it."""
        from flashapp.store.option_presets import presets

        with self.reading() as session:
            return presets(session)

    def deck_preset(self, deck: str) -> str | None:
        from flashapp.store.option_presets import deck_preset

        with self.reading() as session:
            return deck_preset(session, deck)

    def save_deck_options(self, deck: str, options: dict, preset: str | None = None) -> SchedulerOptions:
        """Every option of a deck at once, validated; with `preset`, shared with that preset's decks."""
        from flashapp.store.option_presets import save_deck_options

        with self.writing() as session:
            lock_all_decks(session)  # a preset's options reach every deck that follows it
            return save_deck_options(session, deck, options, preset, self.clock())

    def bulk(self, action: str, card_ids: Sequence[int], value: str = "") -> BulkUndo:
        """One browser action on many cards, in one transaction; returns what undoes it."""
        from flashapp.store.bulk_actions import apply_bulk

        with self.writing() as session:
            lock_cards(session, card_ids)
            return apply_bulk(session, action, card_ids, self.clock(), self.calendar, value=value)

    def undo_bulk(self, undo: BulkUndo) -> None:
        from flashapp.store.bulk_actions import undo_bulk

        with self.writing() as session:
            lock_cards(session, undo.card_ids)
            undo_bulk(session, undo)

    def browse_extras(self, card_ids: Sequence[int]) -> dict[int, tuple[int, datetime]]:
        """Flag and date added, per card, for the browser's columns."""
        from flashapp.store.bulk_actions import browse_extras

        with self.reading() as session:
            return browse_extras(session, card_ids)

    def deck_file_of(self, deck: str) -> str | None:
        """The deck file `deck` came from, if any (its next import wins over edits in the app)."""
        from flashapp.store.note_adding import deck_file_of

        with self.reading() as session:
            return deck_file_of(session, deck)

    def export_deck_file(self, deck: str, path: str | Path) -> tuple[int, int]:
        """Write `deck` as a deck file: (notes written, notes left out)."""
        from flashapp.store.note_adding import export_deck_file

        with self.reading() as session:
            return export_deck_file(session, deck, path)

    def set_flag(self, card_id: int, flag: int) -> None:
        """0 clears the flag; 1-4 are red, orange, green, blue."""
        from flashapp.store.editing import set_flag

        with self.writing() as session:
            lock_card(session, card_id)
            set_flag(session, card_id, flag, self.clock())

    def card_flag(self, card_id: int) -> int:
        from flashapp.store.editing import card_flag

        with self.reading() as session:
            return card_flag(session, card_id)

    def today_stats(self) -> TodayStats:
        """Cards answered since the study day began, with again count and time spent."""
        from flashapp.store.study_stats import today_stats

        with self.reading() as session:
            return today_stats(session, self.clock(), self.calendar)

    def upcoming_reviews(self, deck: str | None = None) -> UpcomingReviews:
        """When the first card after today is due, and how many are due the next study day."""
        from flashapp.store.study_stats import upcoming_reviews

        with self.reading() as session:
            return upcoming_reviews(session, deck, self.clock(), self.calendar)

    def media_path(self, card_id: int, name: str) -> Path | None:
        """The image file `name` of a card: in the media folder if the collection has one, else beside
        the card's deck file; None when missing or outside those folders."""
        from flashapp.store.media_files import deck_file_folder, resolve_media

        folders = []
        media_dir = getattr(self, "media_dir", None)  # the media store, where the collection has one
        if callable(media_dir):
            media_dir = media_dir()
        if media_dir is not None:
            folders.append(Path(media_dir))
        with self.reading() as session:
            deck_folder = deck_file_folder(session, card_id)
        if deck_folder is not None:
            folders.append(deck_folder)
        return resolve_media(name, folders)

    # --- Anki packages ---------------------------------------------------------------------------

    @property
    def media_dir(self) -> Path | None:
        """Where media files live: `<collection stem>.media/` beside an SQLite file; a temporary
        folder for an in-memory collection; None for a server database (no media there)."""
        if self.path is not None:
            from flashapp.store.anki.media import media_folder

            return media_folder(self.path)
        if self.engine.dialect.name != "sqlite":
            return None
        if getattr(self, "_memory_media", None) is None:
            import tempfile

            self._memory_media = tempfile.TemporaryDirectory(prefix="flashapp-media-")
        return Path(self._memory_media.name)

    def import_package(
        self, path: str | Path, *, reset: bool = False, backup: bool = True
    ) -> PackageImportReport:
        """Import one Anki package; `reset` brings its cards in as new, without review history."""
        return self.import_paths([path], reset=reset, backup=backup).packages[0]

    def export_package(self, deck: str, path: str | Path) -> ExportReport:
        """Write `deck` and its subdecks as an Anki package (.apkg) that Anki opens."""
        from flashapp.store.anki.package_export import export_deck

        with self.reading() as session:
            return export_deck(
                session, deck, Path(path), now=self.clock(), tz=self.tz, media_dir=self.media_dir
            )

    def _import_with_packages(
        self, deck_files: list[Path], packages: list[Path], *, backup: bool, reset: bool
    ) -> ImportReport:
        """Deck files and packages, read and checked first, then written in one transaction."""
        from flashapp.store.anki.media import remove_installed
        from flashapp.store.anki.package_import import (
            attached_session,
            prepared_packages,
            session_sqlite,
            write_packages,
        )
        from flashapp.store.importing import read_deck_files

        specs = read_deck_files(deck_files) if deck_files else []
        media_dir = self.media_dir
        work_root = media_dir.parent if self.path is not None and media_dir is not None else None
        with prepared_packages(packages, work_root, media_dir=media_dir) as prepared:
            if media_dir is None and any(p.contents.media for p in prepared):
                raise UserError(f"{prepared[0].path.name}: has media files, which need an SQLite collection")
            if backup:
                self.backup("import")
            now = self.clock()
            installed: list[Path] = []
            try:
                with attached_session(self.engine, prepared) as (session, aliases):
                    decks: tuple[SyncReport, ...] = ()
                    if specs:  # deck files given beside the packages
                        from flashapp.store.deckfile_sync import sync_deck

                        decks = tuple(sync_deck(session, spec, path, now) for spec, path in specs)
                    # The packages' rows on the session's own sqlite3 connection, in its transaction.
                    reports = write_packages(
                        session_sqlite(session),
                        aliases,
                        prepared,
                        now=now,
                        reset=reset,
                        tz=self.tz,
                        media_dir=media_dir,
                        installed=installed,
                    )
            except BaseException:
                remove_installed(installed)
                raise
            self._calendar = None
            self._learn_ahead = None
        self._analyze_after_bulk_write()
        return ImportReport(files=tuple(path for _, path in specs), decks=decks, packages=reports)


def _usable_file(file: Path, *, new: bool) -> None:
    """A collection path that names a folder, or lies under a file or in a folder that cannot be made
    (or, for a new file, written in) is bad input: one line naming it, before any file is made."""
    from flashapp.folders import make_folder, writable_folder

    label = f"collection {file}"
    if file.is_dir():
        raise UserError(f"{label} is a folder; name the collection file in it, like {file / 'collection.db'}")
    (writable_folder if new else make_folder)(file.parent, label)
