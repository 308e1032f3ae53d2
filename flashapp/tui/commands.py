"""The command palette's own commands: study any deck, browse, the deck tree, the keys."""

from __future__ import annotations

from collections.abc import Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from flashapp.tui.messages import BrowseRequested, StudyRequested
from flashapp.tui.practice_messages import PracticeRequested, PracticeStart

Command = tuple[str, str, Callable[[], object]]
PRACTICE_COMMANDS = (
    ("test", "Practice test:", "Questions of the kinds you pick, scored at the end"),
    ("learn", "Learn", "Rounds of multiple choice, then written answers, until every card is mastered"),
    ("match", "Match", "Pair 6 terms with their definitions against the clock"),
)


class FlashCommands(Provider):
    def _commands(self) -> list[Command]:
        app = self.app
        commands: list[Command] = [
            (
                "Study all decks",
                "Start a session over every deck",
                lambda: app.post_message(StudyRequested(None)),
            ),
            (
                "Browse cards",
                "Search, open, suspend and edit cards",
                lambda: app.post_message(BrowseRequested()),
            ),
            (
                "Concept demos",
                "Run any concept in PyTorch and see its outputs, without studying",
                app.action_concept_demos,  # type: ignore[attr-defined]
            ),
            ("Decks", "Back to the deck tree", app.action_home),  # type: ignore[attr-defined]
            (
                "Statistics",
                "Every deck's statistics, FSRS calibration, fit FSRS",
                app.open_stats,  # type: ignore[attr-defined]
            ),
            ("Keys", "Every key of every screen", app.action_help),  # type: ignore[attr-defined]
        ]
        if app.collection_ready:  # type: ignore[attr-defined]
            for deck in app.collection.deck_names():  # type: ignore[attr-defined]
                commands.append(
                    (
                        f"Study {deck}",
                        "Start a study session",
                        lambda deck=deck: app.post_message(StudyRequested(deck)),
                    )
                )
                for mode, title, help_text in PRACTICE_COMMANDS:
                    commands.append(
                        (
                            f"{title} {deck}",
                            help_text,
                            lambda deck=deck, mode=mode: app.post_message(
                                PracticeRequested(PracticeStart(mode, deck))
                            ),
                        )
                    )
        return commands

    async def discover(self) -> Hits:
        for text, help_text, callback in self._commands():
            yield DiscoveryHit(Content(text), callback, text=text, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, callback in self._commands():
            score, offsets = matcher.fuzzy_search.match(query, text)
            if score > 0:
                # Deck names are data: highlight a plain Content (Matcher.highlight would read markup).
                display = Content(text)
                for offset in offsets:
                    display = display.stylize(matcher.match_style, offset, offset + 1)
                yield Hit(score, display, callback, text=text, help=help_text)
