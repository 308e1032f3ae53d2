"""What a start and a screen's push do once, not twice: the footer builds its keys when they change
(widgets/footer.py), a screen just pushed is not restyled by its first resume (styled_on_mount.py),
the home screen reads the counts once as it opens."""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from flashapp.tui.app import make_app
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.footer import Footer


class KeysScreen(StyledOnMount, Screen[None]):
    BINDINGS = [Binding("r", "reveal", "Show answer"), Binding("u", "undo", "Undo")]
    revealed = reactive(False, bindings=True)
    restyles = 0

    def compose(self) -> ComposeResult:
        yield Static("card")
        yield Footer(compact=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return (None if self.revealed else True) if action == "reveal" else True  # None: dimmed

    def update_node_styles(self, animate: bool = True) -> None:
        self.restyles += 1
        super().update_node_styles(animate)


class KeysApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(KeysScreen())


def footer_keys(screen: Screen) -> list[FooterKey]:
    return list(screen.query_one(Footer).query(FooterKey))


async def test_the_footer_builds_its_keys_again_only_when_they_change():
    app = KeysApp()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        screen = app.screen
        keys = footer_keys(screen)
        assert [key.description for key in keys][:2] == ["Show answer", "Undo"]
        assert all(key.has_class("-compact") for key in keys)
        screen.refresh_bindings()  # the same keys: kept
        await pilot.pause()
        assert footer_keys(screen) == keys
        screen.revealed = True  # "Show answer" dimmed: built again
        await pilot.pause()
        rebuilt = footer_keys(screen)
        assert not set(rebuilt) & set(keys)
        assert [key.has_class("-disabled") for key in rebuilt][:2] == [True, False]
        assert all(key.has_class("-compact") for key in rebuilt)


async def test_a_screen_is_restyled_by_every_resume_but_the_first():
    app = KeysApp()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, KeysScreen) and screen.restyles == 0
        screen.post_message(events.ScreenResume())  # as Textual sends when the screen comes back
        await pilot.pause()
        assert screen.restyles == 1


async def test_the_home_screen_reads_the_counts_once_as_it_opens(study_collection, monkeypatch):
    reads = []
    deck_counts = type(study_collection).deck_counts
    monkeypatch.setattr(
        type(study_collection), "deck_counts", lambda self: reads.append(1) or deck_counts(self)
    )
    app = make_app(study_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert len(reads) == 1
        await pilot.press("question_mark")  # help, then back: the counts are read again
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert len(reads) == 2
