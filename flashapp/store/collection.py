"""`Collection`: the one service object the CLI and the TUI call. It owns the database engine and
hands out short sessions; reads use a deferred BEGIN, writes `BEGIN IMMEDIATE`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from flashapp.core.practice.learn import CardProgress
from flashapp.core.practice.mastery import MasteryCounts
from flashapp.core.practice.questions import PracticeItem
from flashapp.core.practice.scoring import AnswerCheck
from flashapp.core.scheduling import Rating, SchedulerOptions, StudyCalendar
from flashapp.core.scheduling.zone import user_zone
from flashapp.errors import UserError
from flashapp.shipped import shipped_deck_files
from flashapp.store import schema
from flashapp.store.anki_reports import ExportReport, PackageImportReport
from flashapp.store.answering import (
    AnswerResult,
    UndoResult,
    answer_card,
    bury_card,
    forget_card,
    get_card,
    set_suspended,
    unbury_card,
    unbury_expired,
    undo_last,
    undo_review,
)
from flashapp.store.backup import backup_collection
from flashapp.store.card_views import CardInfo, card_info, list_cards
from flashapp.store.counts import DeckCounts, deck_counts
from flashapp.store.db import IMMEDIATE, make_engine, resolve_url, sqlite_file
from flashapp.store.deckfile_sync import SyncReport, sync_deck
from flashapp.store.decks import find_deck
from flashapp.store.editing import EditableNote, card_flag, edit_note, editable_note, set_flag
from flashapp.store.importing import read_deck_files, split_packages
from flashapp.store.integrity import check_collection
from flashapp.store.media_files import deck_file_folder, resolve_media
from flashapp.store.models import Card, Deck
from flashapp.store.practice import (
    best_duration_ms,
    card_progress,
    mastery_counts,
    practice_items,
    record_session,
    rescore_session,
)
from flashapp.store.queue import StudyQueue, build_queue
from flashapp.store.settings import rollover_hour, set_rollover_hour
from flashapp.store.study_stats import TodayStats, UpcomingReviews, today_stats, upcoming_reviews
from flashapp.store.study_views import ReviewEntry, StudyCard, review_history, study_card

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ImportReport:
    files: tuple[str, ...]
    decks: tuple[SyncReport, ...]
    packages: tuple[PackageImportReport, ...] = ()  # Anki packages, in the order given

    @property
    def added(self) -> int:
        return sum(r.added for r in self.decks) + sum(p.cards_added for p in self.packages)


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
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(engine.execution_options(**IMMEDIATE), expire_on_commit=False)

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
    ) -> Collection:
        """Open (creating and upgrading as needed) the collection at a path or SQLAlchemy URL.

        A newly created collection is filled from the shipped decks unless `shipped_decks` is False.
        """
        url = resolve_url(url_or_path)
        file = sqlite_file(url)
        is_new = file is not None and not file.exists()
        try:
            engine = make_engine(url)
            created = schema.current_revision(engine) is None
            if created and schema.has_other_tables(engine):
                raise UserError(f"{url} is a database but not a flashapp collection")
            schema.ensure_current(engine)
        except UserError:
            raise
        except Exception as error:  # a file that is not a database, a server that is down
            raise UserError(f"cannot open collection {url}: {str(error).splitlines()[0]}") from None
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

    def _remove_files(self) -> None:
        if self.path is not None:
            for suffix in ("", "-wal", "-shm"):
                self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)

    def close(self) -> None:
        self.engine.dispose()

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
        with self._read() as session, session.begin():
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One short write transaction: commits on success, rolls back on any error."""
        with self._write() as session, session.begin():
            yield session

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

    # --- decks -----------------------------------------------------------------------------------

    def deck_names(self) -> list[str]:
        with self.reading() as session:
            return list(session.scalars(select(Deck.name).order_by(Deck.name)))

    def deck_counts(self) -> list[DeckCounts]:
        with self.reading() as session:
            return deck_counts(session, self.clock(), self.calendar)

    # --- cards -----------------------------------------------------------------------------------

    def cards(
        self, deck: str | None = None, search: str | None = None, limit: int | None = None
    ) -> list[CardInfo]:
        with self.reading() as session:
            return list_cards(session, now=self.clock(), tz=self.tz, deck=deck, search=search, limit=limit)

    def card(self, card_id: int) -> CardInfo:
        with self.reading() as session:
            card = get_card(session, card_id, with_note=True)
            return card_info(card, card.note, card.deck.name)

    def study_card(self, card_id: int) -> StudyCard:
        """A card ready to study: rendered text and what each answer button would do now."""
        with self.reading() as session:
            card = get_card(session, card_id, with_note=True)
            return study_card(card, self.clock(), fuzz=self.fuzz, calendar=self.calendar)

    def review_history(self, card_id: int) -> list[ReviewEntry]:
        with self.reading() as session:
            get_card(session, card_id)
            return review_history(session, card_id)

    # --- studying --------------------------------------------------------------------------------

    def study_queue(self, deck: str | None = None) -> StudyQueue:
        """Today's queue for a deck and its subdecks (None: all decks); ends expired burials first."""
        now = self.clock()
        with self.reading() as session:
            needs_unbury = session.scalar(
                select(Card.id).where(Card.buried_until.is_not(None), Card.buried_until <= now).limit(1)
            )
        if needs_unbury is not None:
            with self.writing() as session:
                unbury_expired(session, now)
        with self.reading() as session:
            return build_queue(session, deck, now, self.calendar)

    def next_card(self, deck: str | None = None) -> StudyCard | None:
        card_id = self.study_queue(deck).next_card_id(self.clock())
        return None if card_id is None else self.study_card(card_id)

    def answer(self, card_id: int, rating: Rating, duration_ms: int = 0) -> AnswerResult:
        """Schedule the card and log the review, in one transaction."""
        with self.writing() as session:
            return answer_card(
                session, card_id, rating, self.clock(), self.calendar, fuzz=self.fuzz, duration_ms=duration_ms
            )

    def undo(self) -> UndoResult | None:
        """Take back the newest answer (call again for the one before it)."""
        with self.writing() as session:
            return undo_last(session)

    def undo_answer(self, review_id: int) -> UndoResult:
        """Take back one given answer (a study session's own); UserError when it is no longer the
        card's newest or is gone."""
        with self.writing() as session:
            return undo_review(session, review_id)

    def suspend(self, card_id: int, suspended: bool = True) -> None:
        with self.writing() as session:
            set_suspended(session, card_id, suspended, self.clock())

    def bury(self, card_id: int, buried: bool = True) -> None:
        with self.writing() as session:
            if buried:
                bury_card(session, card_id, self.clock(), self.calendar)
            else:
                unbury_card(session, card_id, self.clock())

    def forget(self, card_id: int) -> None:
        with self.writing() as session:
            forget_card(session, card_id, self.clock())

    def deck_options(self, deck: str) -> SchedulerOptions:
        with self.reading() as session:
            return SchedulerOptions.from_dict(find_deck(session, deck).options)

    def set_deck_options(self, deck: str, **changes: object) -> SchedulerOptions:
        """Change some of a deck's scheduler options (validated as a whole before saving)."""
        with self.writing() as session:
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
        with self.writing() as session:
            return record_session(
                session, kind=kind, deck=deck, started_at=started_at, finished_at=self.clock(),
                checks=checks, settings=settings, duration_ms=duration_ms,
            )  # fmt: skip

    def rescore_practice(self, session_id: int, checks: Sequence[AnswerCheck]) -> None:
        """Store changed verdicts of a recorded session (an "I was right" override) and its score."""
        with self.writing() as session:
            rescore_session(session, session_id, checks)

    def practice_progress(self, deck: str) -> dict[int, CardProgress]:
        """Where each practised card of the deck stands in Learn mode, from every stored answer."""
        with self.reading() as session:
            return card_progress(session, deck)

    def mastery(self, deck: str) -> MasteryCounts:
        """How many of the deck's cards are not studied, learning, familiar and mastered."""
        with self.reading() as session:
            return mastery_counts(session, deck)

    def best_match_ms(self, deck: str) -> int | None:
        """The deck's best Match time in milliseconds (penalties included), None before a first game."""
        with self.reading() as session:
            return best_duration_ms(session, deck, "match")

    # --- import ----------------------------------------------------------------------------------

    def import_paths(
        self, paths: Sequence[str | Path], *, backup: bool = True, reset: bool = False
    ) -> ImportReport:
        """Import deck files and folders of them: all parsed first, then written in one transaction.
        Anki packages (.apkg, .colpkg) among them go the same way (see the Anki packages section)."""
        deck_files, packages = split_packages(paths)
        if packages:
            return self._import_with_packages(deck_files, packages, backup=backup, reset=reset)
        specs = read_deck_files(paths)
        if backup:
            self.backup()
        now = self.clock()
        with self.writing() as session:
            reports = tuple(sync_deck(session, spec, path, now) for spec, path in specs)
        return ImportReport(files=tuple(path for _, path in specs), decks=reports)

    # --- maintenance -----------------------------------------------------------------------------

    def backup(self) -> Path | None:
        return backup_collection(self.path, self.clock())

    def check(self) -> list[str]:
        with self.reading() as session:
            return check_collection(session, self.engine)

    # --- editing (TUI) ---------------------------------------------------------------------------

    def note_fields(self, note_id: int) -> EditableNote:
        """A note's fields and tags for the edit screen, and the deck file it came from (if any)."""
        with self.reading() as session:
            return editable_note(session, note_id)

    def edit_note(
        self, note_id: int, fields: dict[str, str], tags: Sequence[str] | None = None
    ) -> EditableNote:
        """Change a note's text (and tags), validated, in one transaction. A deck-file note keeps the
        change only until its deck file is imported again."""
        with self.writing() as session:
            return edit_note(session, note_id, fields, self.clock(), None if tags is None else list(tags))

    def set_flag(self, card_id: int, flag: int) -> None:
        """0 clears the flag; 1-4 are red, orange, green, blue."""
        with self.writing() as session:
            set_flag(session, card_id, flag, self.clock())

    def card_flag(self, card_id: int) -> int:
        with self.reading() as session:
            return card_flag(session, card_id)

    def today_stats(self) -> TodayStats:
        """Cards answered since the study day began, with again count and time spent."""
        with self.reading() as session:
            return today_stats(session, self.clock(), self.calendar)

    def upcoming_reviews(self, deck: str | None = None) -> UpcomingReviews:
        """When the first card after today is due, and how many are due the next study day."""
        with self.reading() as session:
            return upcoming_reviews(session, deck, self.clock(), self.calendar)

    def media_path(self, card_id: int, name: str) -> Path | None:
        """The image file `name` of a card: in the media folder if the collection has one, else beside
        the card's deck file; None when missing or outside those folders."""
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
            return self.path.with_name(f"{self.path.stem}.media")
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
        from flashapp.store.anki_export import export_deck

        with self.reading() as session:
            return export_deck(
                session, deck, Path(path), now=self.clock(), tz=self.tz, media_dir=self.media_dir
            )

    def _import_with_packages(
        self, deck_files: list[Path], packages: list[Path], *, backup: bool, reset: bool
    ) -> ImportReport:
        """Deck files and packages, read and checked first, then written in one transaction."""
        from flashapp.store.anki_import import attached_session, prepared_packages, write_package
        from flashapp.store.anki_media import install_media

        specs = read_deck_files(deck_files) if deck_files else []
        media_dir = self.media_dir
        work_root = media_dir.parent if self.path is not None and media_dir is not None else None
        with prepared_packages(packages, work_root) as prepared:
            if media_dir is None and any(p.contents.media for p in prepared):
                raise UserError(f"{prepared[0].path.name}: has media files, which need an SQLite collection")
            if backup:
                self.backup()
            now = self.clock()
            with attached_session(self.engine, prepared) as (session, aliases):
                decks = tuple(sync_deck(session, spec, path, now) for spec, path in specs)
                reports = tuple(
                    write_package(session, alias, package, now=now, reset=reset, attached=aliases)
                    for alias, package in zip(list(aliases), prepared, strict=True)
                )
                for package in prepared:  # an Anki collection brings its day rollover hour
                    set_rollover_hour(session, package.collection.rollover_hour)
            self._calendar = None
            for package in prepared:  # committed: now the files may appear
                if package.media_plan is not None and media_dir is not None:
                    install_media(media_dir, package.media_plan.moves)
        return ImportReport(files=tuple(path for _, path in specs), decks=decks, packages=reports)
