"""The study screen changes what it shows in place: the footer keeps its key widgets, the card keeps
its paragraph widgets, and what is on screen is what a rebuild would show."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from flashapp.tui.app import make_app
from flashapp.tui.widgets.card_view import CardText
from flashapp.tui.widgets.steady_footer import SteadyFooter
from tests.flashapp.tui.test_study_screen import start_study

GROUP = Binding.Group("Answer")


def footer_text(app: App) -> str:
    footer = app.screen.query_one(Footer)
    strips = app.screen._compositor.render_strips()
    return strips[footer.region.y].text.rstrip()


def make_keys_app(footer: type[Footer]) -> App:
    class KeysApp(App[None]):
        BINDINGS = [
            Binding("space", "reveal", "Show answer"),
            Binding("1", "rate(1)", "Again", group=GROUP),
            Binding("2", "rate(2)", "Hard", group=GROUP),
            Binding("u", "undo", "Undo"),
            Binding("f", "flag", "Flag"),
        ]
        revealed = reactive(False, bindings=True)
        undo = reactive(False, bindings=True)

        def compose(self) -> ComposeResult:
            yield footer(compact=True, show_command_palette=False)

        def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
            if action == "reveal":
                return not self.revealed
            if action == "rate":
                return self.revealed
            if action == "undo":
                return True if self.undo else None  # shown dimmed until there is something to undo
            return True

    return KeysApp()


async def test_the_steady_footer_shows_what_textuals_footer_shows_in_every_state():
    states = [(False, False), (True, False), (False, True), (True, True), (False, False)]
    seen: dict[type, list[str]] = {}
    for footer in (Footer, SteadyFooter):
        app = make_keys_app(footer)
        async with app.run_test(size=(80, 3)) as pilot:
            await pilot.pause()
            seen[footer] = []
            for revealed, undo in states:
                app.revealed, app.undo = revealed, undo
                await pilot.pause()
                disabled = sorted(key.key for key in app.query(FooterKey) if key.display and key._disabled)
                seen[footer].append(f"{footer_text(app)} | disabled: {disabled}")
    assert seen[SteadyFooter] == seen[Footer]
    assert "Show answer" in seen[Footer][0] and "Again" not in seen[Footer][0]
    assert "Answer" in seen[Footer][1] and "Show answer" not in seen[Footer][1]
    assert "disabled: ['u']" in seen[Footer][0] and "disabled: []" in seen[Footer][2]


async def test_the_steady_footer_builds_each_key_once():
    app = make_keys_app(SteadyFooter)
    async with app.run_test(size=(80, 3)) as pilot:
        await pilot.pause()
        app.revealed = True
        await pilot.pause()
        built = set(app.query(FooterKey))
        for revealed in (False, True, False):
            app.revealed = revealed
            await pilot.pause()
            assert set(app.query(FooterKey)) == built  # shown and hidden, never mounted again
        assert "Show answer" in footer_text(app)


async def test_a_new_card_of_one_paragraph_reuses_the_paragraph_widgets(study_collection, screen_text):
    app = make_app(study_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        study = await start_study(pilot)
        question = study.query_one("#question", CardText)
        paragraphs = list(question.query("MarkdownParagraph"))
        first = study.card.rendered.question
        await pilot.press("space", "3")
        await pilot.pause()
        second = study.card.rendered.question
        assert second != first
        assert list(question.query("MarkdownParagraph")) == paragraphs  # the same widgets, new text
        text = screen_text(app)
        assert second.replace("*", "") in text and first.replace("*", "") not in text


async def test_text_of_another_shape_is_built_again(study_collection):
    app = make_app(study_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        study = await start_study(pilot)
        question = study.query_one("#question", CardText)
        before = list(question.query("MarkdownParagraph"))
        await question.show("A first paragraph.\n\nA second one.\n\n- and a list")
        await pilot.pause()
        after = list(question.query("MarkdownParagraph"))
        assert len(after) == 3 and not set(after) & set(before)  # two paragraphs and the list's item
        await question.show("One more.\n\nAnd another.\n\n- item")
        await pilot.pause()
        assert [str(block.content) for block in question.query("MarkdownParagraph")] == [
            "One more.",
            "And another.",
            "item",
        ]


async def test_text_that_fits_its_size_repaints_without_a_layout_and_text_that_does_not_gets_one():
    from textual.widgets import Static

    from flashapp.tui.widgets.in_place import update_fitted

    class Line(App[None]):
        CSS = "#counts { width: auto; } #para { width: 20; }"

        def compose(self) -> ComposeResult:
            yield Static("Due 200", id="counts")
            yield Static("one line", id="para")
            yield Static("below", id="below")

    app = Line()
    async with app.run_test(size=(40, 10)) as pilot:
        counts, para, below = (app.query_one(f"#{name}", Static) for name in ("counts", "para", "below"))
        layouts = []
        for widget in (counts, para):
            original = widget.refresh

            def noted(*regions, _original=original, **options):
                layouts.append(options.get("layout", False))
                return _original(*regions, **options)

            widget.refresh = noted
        update_fitted(counts, "Due 199")  # same width: a repaint
        update_fitted(para, "another line")  # still one line at width 20
        assert not any(layouts)
        await pilot.pause()
        update_fitted(counts, "Due 99")  # narrower: laid out again
        update_fitted(para, "a longer text that needs two lines")  # taller: laid out again
        assert layouts.count(True) == 2
        await pilot.pause()
        assert (counts.size.width, para.size.height, below.region.y) == (6, 2, 3)
        assert "Due 99" in str(counts.render())


async def test_the_study_backup_runs_after_the_answer_in_a_thread(study_collection, db_path):
    from flashapp.store.backup import list_backups

    app = make_app(study_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        await start_study(pilot)
        assert list_backups(db_path) == []
        await pilot.press("space", "3")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert [backup.reason for backup in list_backups(db_path)] == ["study"]
        await pilot.press("space", "3")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert len(list_backups(db_path)) == 1  # the next one 30 minutes later
