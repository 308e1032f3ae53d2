"""The Textual application: holds the collection, opens on the deck tree, and knows the global keys.

`flashapp` draws its first frame before the collection is open. On an SQLite collection at the current
schema the deck tree's counts come from `sqlite3` alone (`store/direct/`, the same count function, no
SQLAlchemy import), read in a thread that `run_tui` starts before the app's imports, so the home
screen's first frame already shows them; then the store (SQLAlchemy) is imported and the collection
opened in a thread, and everything else (today's figures, studying, refreshes) waits for it. Only the
home screen is imported before the first frame: every other screen, and the command palette's
commands, load on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App
from textual.binding import Binding

from flashapp.demo_cache import DemoCache
from flashapp.tui.messages import BrowseRequested, StudyRequested
from flashapp.tui.practice_messages import PracticeRequested, PracticeStart
from flashapp.tui.screens.home import HomeScreen

if TYPE_CHECKING:
    from concurrent.futures import Future

    from textual.command import Provider

    from flashapp.store.collection import Collection
    from flashapp.store.counts import DeckCounts

# How often the app looks for changes made by other processes (a CLI import, another window).
CHANGE_CHECK_SECONDS = 2.0
# How long the first frame waits for counts still being read (`run.counts_in_thread`, started before
# the app's imports, is nearly always done by then); past it, the home screen says the collection is
# opening and the counts fill the tree when they come.
FIRST_COUNTS_WAIT_SECONDS = 0.2


def flash_commands() -> type[Provider]:
    """The command palette's own commands, imported when the palette first opens."""
    from flashapp.tui.commands import FlashCommands

    return FlashCommands


class FlashApp(App[None]):
    TITLE = "flashapp"
    SUB_TITLE = "spaced repetition, concepts that run"
    CSS_PATH = Path(__file__).with_name("app.tcss")
    COMMANDS = App.COMMANDS | {flash_commands}
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="help"),
        # `q` quits from the deck tree only; on every other screen it does what Escape does there, so
        # a screen with work in progress asks first, as it does for Escape.
        Binding("q", "q_key", "Quit", id="quit", show=False),  # shown on the deck tree
    ]

    def __init__(
        self,
        collection: Collection | None = None,
        *,
        open_collection: Callable[[], Collection] | None = None,
        first_counts: Future[list[DeckCounts] | None] | None = None,
        start: PracticeStart | None = None,
    ) -> None:
        super().__init__()
        self._collection = collection
        self._open_collection = open_collection
        self._first_counts = first_counts
        self.open_error: Exception | None = None
        self.demo_cache = DemoCache()  # demo results by (concept, params, seed, device, engine version)
        self._start = start  # a practice mode to open on, once the collection is ready

    @property
    def collection_ready(self) -> bool:
        return self._collection is not None

    @property
    def collection(self) -> Collection:
        if self._collection is None:
            raise RuntimeError("the collection is still opening")
        return self._collection

    def on_mount(self) -> None:
        first_counts = self._first_counts
        counts = None
        if first_counts is not None and self._collection is None:
            try:  # waiting releases the interpreter to the thread that reads them
                counts = first_counts.result(timeout=FIRST_COUNTS_WAIT_SECONDS)
            except TimeoutError:
                pass
            except Exception:  # noqa: BLE001 - e.g. damage: the Collection's opening reports it
                first_counts = None
        self.push_screen(HomeScreen(first_counts=counts))
        self._seen_change: object = None
        self.set_interval(CHANGE_CHECK_SECONDS, self._check_changes)
        if self._collection is None and self._open_collection is not None:
            # After the first frame: the thread's imports would otherwise compete with it for the GIL.
            if first_counts is not None and not first_counts.done():
                self.call_after_refresh(self._first_counts_in_background, first_counts)
            else:
                self.call_after_refresh(self._open_in_background, self._open_collection)
        elif self._start is not None:
            self.call_after_refresh(self._open_start)

    @work(thread=True, exit_on_error=False, group="collection")
    def _first_counts_in_background(self, first_counts: Future[list[DeckCounts] | None]) -> None:
        """The deck tree's counts, still being read when the first frame was due (None: that path does
        not serve the collection); any error here is left to the collection's opening, which words it
        as always."""
        try:
            counts = first_counts.result()
        except Exception:  # noqa: BLE001 - e.g. damage: the Collection's opening reports it
            counts = None
        self.call_from_thread(self._first_counts_read, counts)

    def _first_counts_read(self, counts: list[DeckCounts] | None) -> None:
        if counts is not None and self._collection is None:
            for screen in self.screen_stack:
                if isinstance(screen, HomeScreen):
                    screen.show_first_counts(counts)
        if self._open_collection is not None:
            # Once those counts are painted: the store's imports would otherwise hold up that frame.
            self.call_after_refresh(self._open_in_background, self._open_collection)

    @work(thread=True, exit_on_error=False, group="collection")
    def _open_in_background(self, open_collection: Callable[[], Collection]) -> None:
        try:
            collection = open_collection()
        except Exception as error:  # noqa: BLE001 - reported by run_tui after the app closes
            self.call_from_thread(self._open_failed, error)
        else:
            try:
                self.call_from_thread(self._opened, collection)
            except Exception as error:  # noqa: BLE001 - e.g. a damaged page met while counting: never hang
                self.call_from_thread(self._open_failed, error)

    def _opened(self, collection: Collection) -> None:
        self._collection = collection
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.refresh_decks()
        self._open_start()
        # Once the deck tree is painted: the check's thread would otherwise hold up that frame.
        self.call_after_refresh(self._check_in_background, collection)

    @work(thread=True, exit_on_error=False, group="collection")
    def _check_in_background(self, collection: Collection) -> None:
        """A damaged page anywhere in the file: say so and leave before anything is written."""
        from flashapp.store.damage import CollectionDamaged

        try:
            collection.ensure_sound()
        except CollectionDamaged as error:
            self.call_from_thread(self._open_failed, error)

    def notify(self, message: str, *, title: str = "", **options) -> None:
        """Every notice passes here: file names, deck names and errors in it reach the terminal without
        control sequences."""
        from flashapp.core.control import strip_control

        super().notify(strip_control(str(message)), title=strip_control(title), **options)

    def _handle_exception(self, error: Exception) -> None:
        # Damage met mid-session (SQLite reports it when a query reaches the bad page): the one line
        # that names it, printed by run_tui after the app closes, instead of a traceback.
        from flashapp.store.damage import CollectionDamaged

        if isinstance(error, CollectionDamaged):
            self._open_failed(error)
            return
        super()._handle_exception(error)

    def _open_start(self) -> None:
        start, self._start = self._start, None
        if start is not None:
            self.open_practice(start)

    def _check_changes(self) -> None:
        """Another process changed the collection: the screen on top reads its counts and lists again
        (screens that show them have `collection_changed`)."""
        if self._collection is None or not self.is_running:  # closing: the screens' widgets are going
            return
        try:
            token = self._collection.change_token()
        except Exception:  # noqa: BLE001 - a busy or vanished file: try again at the next tick
            return
        changed = self._seen_change is not None and token != self._seen_change
        self._seen_change = token
        stack = self.screen_stack
        refresh = getattr(stack[-1], "collection_changed", None) if stack else None
        if changed and callable(refresh):
            refresh()

    def _open_failed(self, error: Exception) -> None:
        self.open_error = error
        self.exit(return_code=2)

    # --- screens, opened on first use (keeps the first frame fast) -----------------------------------

    @on(StudyRequested)
    def _study(self, message: StudyRequested) -> None:
        from flashapp.tui.screens.study import StudyScreen

        if self.collection_ready:
            self.push_screen(StudyScreen(self.collection, message.deck))

    @on(BrowseRequested)
    def _browse(self, message: BrowseRequested) -> None:
        from flashapp.tui.screens.browse import BrowseScreen

        if self.collection_ready:
            self.push_screen(BrowseScreen(self.collection, message.query))

    @on(PracticeRequested)
    def _practice(self, message: PracticeRequested) -> None:
        self.open_practice(message.start)

    def open_practice(self, start: PracticeStart) -> None:
        """A practice test (through its set-up dialog), Learn mode or the Match game on a deck."""
        from flashapp.tui.screens.practice_setup import open_practice

        if self.collection_ready:
            open_practice(self, self.collection, start)

    def open_stats(self, deck: str | None = None) -> None:
        """Statistics, FSRS calibration and fitting for `deck` (None: every deck)."""
        from flashapp.tui.screens.stats import StatsScreen

        if self.collection_ready and not isinstance(self.screen, StatsScreen):
            self.push_screen(StatsScreen(self.collection, deck))

    def action_concept_demos(self) -> None:
        """Every runnable concept, to explore without studying."""
        from flashapp.tui.screens.concepts import ConceptsScreen

        if not isinstance(self.screen, ConceptsScreen):
            self.push_screen(ConceptsScreen())

    async def action_q_key(self) -> None:
        if isinstance(self.screen, HomeScreen):
            self.exit()
            return
        escape = self.active_bindings.get("escape")
        if escape is not None and escape.enabled:
            await self.run_action(escape.binding.action, escape.node)

    def action_home(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()

    def action_help(self) -> None:
        from flashapp.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        from flashapp.tui.screens.browse import BrowseScreen
        from flashapp.tui.screens.concepts import ConceptsScreen
        from flashapp.tui.screens.demo import DemoScreen
        from flashapp.tui.screens.learn import LearnScreen
        from flashapp.tui.screens.match import MatchScreen
        from flashapp.tui.screens.practice_results import PracticeResultsScreen
        from flashapp.tui.screens.practice_test import PracticeTestScreen
        from flashapp.tui.screens.stats import StatsScreen
        from flashapp.tui.screens.study import StudyScreen
        from flashapp.tui.screens.summary import SummaryScreen
        from flashapp.tui.widgets.deck_tree import DeckTree
        from flashapp.tui.widgets.matching_pairs import MatchingPairs
        from flashapp.tui.widgets.question_view import QuestionView

        sections = [
            ("Decks", [*DeckTree.BINDINGS, *HomeScreen.BINDINGS]),
            ("Studying", StudyScreen.BINDINGS),
            ("Session summary", SummaryScreen.BINDINGS),
            ("Browse", BrowseScreen.BINDINGS),
            ("Concept demos", [*ConceptsScreen.BINDINGS, *DemoScreen.BINDINGS]),
            ("Everywhere", [*self.BINDINGS, Binding("ctrl+p", "command_palette", "Command palette")]),
            (
                "Practice test",
                [*QuestionView.BINDINGS, *MatchingPairs.BINDINGS, *PracticeTestScreen.BINDINGS],
            ),
            ("Test results", PracticeResultsScreen.BINDINGS),
            ("Learn", [*QuestionView.BINDINGS, *LearnScreen.BINDINGS]),
            ("Match", MatchScreen.BINDINGS),
            ("Statistics", StatsScreen.BINDINGS),
            *self._more_help_sections(),
        ]
        current = {HomeScreen: "Decks", StudyScreen: "Studying", SummaryScreen: "Session summary"}
        current[BrowseScreen] = "Browse"
        current[StatsScreen] = "Statistics"
        current[ConceptsScreen] = current[DemoScreen] = "Concept demos"
        current |= {PracticeTestScreen: "Practice test", PracticeResultsScreen: "Test results",
                    LearnScreen: "Learn", MatchScreen: "Match"}  # fmt: skip
        current |= {type(screen): title for title, screen in self._more_help_screens()}
        first = current.get(type(self.screen))
        sections.sort(key=lambda section: section[0] != first)
        self.push_screen(HelpScreen(sections))

    def _more_help_screens(self) -> list[tuple[str, type]]:
        """Screens of the everyday features, in help's order: (section title, screen class)."""
        from flashapp.tui.screens.add_note import AddNoteScreen
        from flashapp.tui.screens.custom_session import CustomSessionScreen
        from flashapp.tui.screens.deck_options import DeckOptionsScreen
        from flashapp.tui.screens.flashcards import FlashcardsScreen
        from flashapp.tui.screens.practice_review import PracticeReviewScreen

        return [("Test review page", PracticeReviewScreen), ("Flashcards", FlashcardsScreen),
                ("Add notes", AddNoteScreen), ("Deck options", DeckOptionsScreen),
                ("Custom study", CustomSessionScreen)]  # fmt: skip

    def _more_help_sections(self) -> list[tuple[str, list[Binding]]]:
        return [(title, list(screen.BINDINGS)) for title, screen in self._more_help_screens()]


def make_app(
    collection: Collection | None = None,
    *,
    open_collection: Callable[[], Collection] | None = None,
    first_counts: Future[list[DeckCounts] | None] | None = None,
    start: PracticeStart | None = None,
) -> FlashApp:
    """Build the app the way the CLI does; tests call this too. `start` opens a practice mode on top
    of the deck tree (`flashapp test DECK`, `flashapp match DECK`); `first_counts` gives the deck
    tree's counts before `open_collection` is done, being read in a thread (`run.counts_in_thread`;
    they are None where that cannot be done, see `run.direct_deck_counts`)."""
    return FlashApp(collection, open_collection=open_collection, first_counts=first_counts, start=start)
