"""The study screen changes what it shows in place: the footer is one widget that paints what
Textual's footer paints, the card keeps its paragraph widgets, and what is on screen is what a rebuild
would show."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, ProgressBar, Static

import flashapp.tui
from flashapp.core.scheduling import Rating
from flashapp.tui.app import make_app
from flashapp.tui.widgets.card_view import CardText
from flashapp.tui.widgets.key_bar import KeyBar
from flashapp.tui.widgets.study_status import StudyStatus, counts_content, flag_content
from tests.flashapp.tui.test_study_screen import start_study

GROUP = Binding.Group("Answer")
MOVES = Binding.Group("Move", compact=True)
APP_CSS = Path(flashapp.tui.__file__).parent / "app.tcss"  # the app's footer style (a label's space)


def painted_line(app: App, footer: Widget) -> list[tuple[str, str]]:
    """A one-line widget's line as painted: each run of cells of one style, with its style."""
    strip = app.screen._compositor.render_strips()[footer.region.y]
    runs: list[tuple[str, str]] = []
    for segment in strip:
        style = str(segment.style)
        if runs and runs[-1][1] == style:
            runs[-1] = (runs[-1][0] + segment.text, style)
        else:
            runs.append((segment.text, style))
    return runs


def make_keys_app(footer: type[Widget]) -> App:
    class KeysApp(App[None]):
        BINDINGS = [
            Binding("space", "reveal", "Show answer"),
            Binding("1", "rate(1)", "Again", group=GROUP),
            Binding("2", "rate(2)", "Hard", group=GROUP),
            Binding("u", "undo", "Undo", tooltip="Take back the last answer"),
            Binding("f", "flag", "Flag"),
            Binding("j", "move(1)", "Down", group=MOVES),
            Binding("k", "move(-1)", "Up", group=MOVES),
        ]
        CSS_PATH = APP_CSS
        revealed = reactive(False, bindings=True)
        undo = reactive(False, bindings=True)
        flags = 0

        def compose(self) -> ComposeResult:
            yield footer() if footer is KeyBar else footer(compact=True, show_command_palette=False)

        def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
            if action == "reveal":
                return not self.revealed
            if action == "rate":
                return self.revealed
            if action == "undo":
                return True if self.undo else None  # shown dimmed until there is something to undo
            return True

        def action_flag(self) -> None:
            self.flags += 1

        def action_move(self, by: int) -> None:
            pass

    return KeysApp()


async def test_the_key_bar_paints_what_textuals_footer_paints_in_every_state():
    states = [(False, False), (True, False), (False, True), (True, True), (False, False)]
    seen: dict[type, list[object]] = {}
    for footer in (KeyBar, Footer):
        app = make_keys_app(footer)
        async with app.run_test(size=(80, 3)) as pilot:
            await pilot.pause()
            bar = app.query_one(footer)
            seen[footer] = []
            for revealed, undo in states:
                app.revealed, app.undo = revealed, undo
                await pilot.pause()
                for _ in range(40):  # Textual's footer rebuilds itself after a refresh: under load, later
                    if footer is KeyBar or painted_line(app, bar) == seen[KeyBar][len(seen[footer])]:
                        break
                    await pilot.pause(0.05)
                seen[footer].append(painted_line(app, bar))
            for x in (0, 3, 14, 19, 30, 36, 41, 60):  # keys, group keys, labels, past the last key
                await pilot.hover(footer, offset=(x, 0))
                await pilot.pause()
                seen[footer].append(
                    (x, painted_line(app, bar), str(getattr(app.mouse_over, "tooltip", None) or ""))
                )
    assert seen[KeyBar] == seen[Footer]
    text = ["".join(run for run, _ in line) for line in seen[Footer][:5]]  # type: ignore[union-attr]
    assert "Show answer" in text[0] and "Again" not in text[0]
    assert "1" in text[1] and "Answer" in text[1] and "Show answer" not in text[1]
    dimmed = [run for run, style in seen[Footer][0] if "dim" in style]  # type: ignore[union-attr]
    assert dimmed == ["u", " Undo"] and not [r for r, style in seen[Footer][2] if "dim" in style]  # type: ignore[union-attr]
    assert len({str(hovered) for hovered in seen[Footer][5:]}) == 8  # each hover paints another line


async def test_a_click_on_a_key_of_the_key_bar_presses_it_and_it_repaints_its_line_without_a_layout():
    """Two cases in one app: a click on a key presses it (a dimmed one rings the bell), then a change of
    the keys repaints the bar's line without a layout."""
    app = make_keys_app(KeyBar)
    async with app.run_test(size=(80, 3)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        flag_x = next(start for start, _end, key in bar._spans if key.key == "f")
        await pilot.click(KeyBar, offset=(flag_x + 1, 0))
        await pilot.pause()
        assert app.flags == 1, "click"
        bells = []
        app.bell = lambda: bells.append(True)  # type: ignore[method-assign]
        undo_x = next(start for start, _end, key in bar._spans if key.key == "u")
        await pilot.click(KeyBar, offset=(undo_x, 0))
        await pilot.pause()
        assert bells == [True] and app.flags == 1, "click"
        await pilot.click(KeyBar, offset=(79, 0))  # past the last key: nothing
        await pilot.pause()
        assert bells == [True] and app.flags == 1, "click"

        # Case "repaint": the keys change (the answer shown), and the bar repaints without a layout.
        layouts = []
        original = bar.refresh

        def noted(*regions, **options):
            layouts.append(options.get("layout", False))
            return original(*regions, **options)

        bar.refresh = noted  # type: ignore[method-assign]
        app.revealed = True
        await pilot.pause()
        assert layouts and not any(layouts), "repaint"
        assert "Answer" in "".join(run for run, _ in painted_line(app, bar)), "repaint"


async def a_new_card_of_one_paragraph_reuses_the_paragraph_widgets(app: App, pilot, screen_text) -> None:
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


async def text_of_another_shape_is_built_again(app: App, pilot) -> None:
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


class StatusRow(App[None]):
    """The status line as the row of widgets it was (counts, progress bar, done, flag), beside the
    one widget that paints it now."""

    CSS_PATH = APP_CSS
    CSS = """
    Horizontal { height: 1; padding: 0 1; background: $panel; }
    #counts, #done, #flag { width: auto; }
    ProgressBar { width: 1fr; max-width: 80; padding: 0 1 0 3; }
    ProgressBar Bar { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static(id="counts")
            yield ProgressBar(total=1, show_eta=False, show_percentage=False)
            yield Static(id="done")
            yield Static(id="flag")
        yield StudyStatus()


async def test_the_status_line_paints_what_its_row_of_widgets_painted():
    cases = [
        (4, 0, 0, "new", 0, 0),
        (3, 1, 0, "learning", 1, 2),
        (0, 6, 198, "review", 3, 4),
        (0, 0, 0, None, 9, 1),
    ]
    app = StatusRow()
    async with app.run_test(size=(60, 3)) as pilot:
        row, status = app.query_one(Horizontal), app.query_one(StudyStatus)
        for width in (60, 100, 140):  # the bar squeezed, roomy, and at its widest (80 columns)
            await pilot.resize_terminal(width, 3)
            await pilot.pause()
            for new, learning, due, current, studied, flag in cases:
                status.show(new=new, learning=learning, due=due, current=current, studied=studied)
                status.show_flag(flag)
                app.query_one("#counts", Static).update(counts_content(new, learning, due, current))
                remaining = new + learning + due
                app.query_one(ProgressBar).update(total=max(1, studied + remaining), progress=studied)
                app.query_one("#done", Static).update(
                    Content.styled(f" {studied}/{studied + remaining} ", "dim")
                )
                app.query_one("#flag", Static).update(flag_content(flag))
                await pilot.pause()
                app.query_one(ProgressBar).update(progress=studied + 0.000001)  # drawn at its laid-out width
                app.query_one(ProgressBar).update(progress=studied)
                await pilot.pause()
                assert painted_line(app, status) == painted_line(app, row), (width, studied, flag)
            assert "⚑ red" in "".join(text for text, _ in painted_line(app, status))


async def test_the_heap_is_frozen_while_studying_and_thawed_after(study_collection):
    import gc

    from flashapp.tui import frozen_heap

    app = make_app(study_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        assert gc.get_freeze_count() == 0 and frozen_heap.holds() == 0
        study = await start_study(pilot)
        await pilot.pause()
        assert gc.get_freeze_count() > 0 and frozen_heap.holds() == 1
        await pilot.press("space", "3")
        await pilot.pause()
        assert study.card is not None and gc.get_freeze_count() > 0
        scroll = study.parts.scroll
        assert scroll.has_focus
        restyled = []
        original = scroll.update_node_styles
        scroll.update_node_styles = lambda *args, **kwargs: restyled.append(1) or original(*args, **kwargs)  # type: ignore[method-assign]
        await pilot.press("escape")
        await pilot.pause()
        assert gc.get_freeze_count() == 0  # thawed: what the session left is collected again
        assert frozen_heap.holds() == 0
        # The card lost the focus as the screen closed, and was not restyled for it on the way out.
        assert not scroll.has_focus and restyled == []


async def test_leaving_the_study_screen_keeps_the_start_ups_freeze(study_collection):
    """`run_tui` freezes the heap after Textual's imports, for the app's life: the study screen's own
    freeze, given back when it closes, must not thaw that one."""
    import gc

    from flashapp.tui import frozen_heap

    frozen_heap.freeze()  # as `run_tui` does before the app starts
    try:
        started = gc.get_freeze_count()
        app = make_app(study_collection)
        async with app.run_test(size=(100, 32)) as pilot:
            await start_study(pilot)
            await pilot.pause()
            assert frozen_heap.holds() == 2
            await pilot.press("escape")
            await pilot.pause()
            assert frozen_heap.holds() == 1
            assert gc.get_freeze_count() >= started  # still frozen: the start-up's objects among them
    finally:
        frozen_heap.release()
    assert frozen_heap.holds() == 0 and gc.get_freeze_count() == 0


def test_the_heap_thaws_with_the_last_hold():
    import gc

    import pytest

    from flashapp.tui import frozen_heap

    frozen_heap.freeze()
    frozen_heap.freeze()
    frozen_heap.release()
    assert gc.get_freeze_count() > 0 and frozen_heap.holds() == 1
    frozen_heap.release()
    assert gc.get_freeze_count() == 0 and frozen_heap.holds() == 0
    with pytest.raises(RuntimeError):
        frozen_heap.release()


async def an_answer_arranges_the_screen_once_per_layout(app: App, pilot) -> None:
    from flashapp.tui.layout_once import LayoutOnceCompositor

    study = await start_study(pilot)
    compositor = study._compositor
    assert isinstance(compositor, LayoutOnceCompositor)
    calls: list[str] = []
    for name in ("reflow", "_arrange_root"):
        original = getattr(compositor, name)

        def noted(*args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        setattr(compositor, name, noted)
    first = study.card.id
    await pilot.press("space", "3")  # each shows widgets that were hidden: a layout each
    await pilot.pause()
    assert study.card.id != first
    assert calls.count("reflow") >= 2
    assert calls.count("_arrange_root") == calls.count("reflow")  # not once more to find a region


async def the_answer_waits_concealed_in_its_place_and_the_next_cards_lay_out_nothing(app: App, pilot) -> None:
    """Once a card's answer has been on screen, the next cards of the same shape keep it in place,
    painted blank until the reveal: what the screen shows is what it showed with the answer hidden,
    nothing of it can be selected, and neither the reveal nor the next card lays the screen out."""
    from flashapp.tui.widgets.card_view import CardParagraph

    study = await start_study(pilot)
    await pilot.press("space", "3")  # the first answer was hidden; shown once, it stays in place
    await pilot.pause()
    answer, rule = study.parts.answer, study.parts.rule
    assert answer.concealed and answer.display and rule.concealed
    text = study.card.rendered.answer
    lines = app.screen._compositor.render_strips()
    assert text not in "".join(segment.text for strip in lines for segment in strip)
    assert not any(paragraph.allow_select for paragraph in answer.query(CardParagraph))

    compositor = study._compositor
    reflows = []
    original = compositor.reflow

    def noted(*args, **kwargs):
        reflows.append(True)
        return original(*args, **kwargs)

    compositor.reflow = noted  # type: ignore[method-assign]
    first = study.card.id
    await pilot.press("space")
    await pilot.pause()
    assert not answer.concealed and text in screen_lines(app)
    await pilot.press("3")
    await pilot.pause()
    assert study.card.id != first and answer.concealed
    assert reflows == []  # a repaint of the lines that changed, each time

    # Concealed looks as hidden: the same cells, in the same styles.
    concealed = [list(strip) for strip in app.screen._compositor.render_strips()]
    compositor.reflow = original  # type: ignore[method-assign]
    answer.conceal(False)
    rule.conceal(False)
    answer.display = rule.display = False
    await pilot.pause()
    hidden = [list(strip) for strip in app.screen._compositor.render_strips()]
    assert [[(s.text, s.style) for s in Strip(line).simplify()] for line in concealed] == [
        [(s.text, s.style) for s in Strip(line).simplify()] for line in hidden
    ]


def screen_lines(app: App) -> str:
    return "\n".join(
        "".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()
    )


class ButtonRow(App[None]):
    """The answer bar as the row of Buttons it was (one of them shown at a time: "Show answer", or
    the four ratings), beside the one widget that paints it now."""

    CSS_PATH = APP_CSS
    CSS = """
    #row { height: 3; width: 100%; align-horizontal: center; }
    #row Button { width: 1fr; max-width: 24; min-width: 12; margin: 0 1; }
    #row #show { max-width: 40; }
    """

    def __init__(self, revealed: bool, type_in: bool) -> None:
        super().__init__()
        self.revealed, self.type_in = revealed, type_in

    def compose(self) -> ComposeResult:
        from textual.widgets import Button

        from flashapp.tui.widgets.answer_buttons import VARIANTS, AnswerButtons

        with Horizontal(id="row"):
            if self.revealed:
                for rating in Rating:
                    label = Content.assemble((rating.name.title(), "bold"), "  ", INTERVALS[rating])
                    yield Button(label, id=f"rate-{rating.value}", variant=VARIANTS[rating])
            else:
                text, key = ("Check answer ", "enter") if self.type_in else ("Show answer ", "space")
                yield Button(Content.assemble(text, (key, "dim")), id="show", compact=False)
        bar = AnswerButtons()
        bar.show_intervals(INTERVALS)
        bar.set_show_label(type_in=self.type_in)
        bar.show_revealed(self.revealed)
        yield bar

    def on_mount(self) -> None:
        from textual.widgets import Button

        for button in self.query(Button):
            button.can_focus = False  # as on the study screen: keys drive it, the mouse clicks
            button.active_effect_duration = 30  # the pressed flash lasts until it has been read


INTERVALS = {Rating.AGAIN: "1m", Rating.HARD: "6m", Rating.GOOD: "10m", Rating.EASY: "4d"}


def painted_block(app: App, widget: Widget) -> list[list[tuple[str, str]]]:
    strips = app.screen._compositor.render_strips()
    lines = []
    for y in range(widget.region.y, widget.region.bottom):
        runs: list[tuple[str, str]] = []
        for segment in strips[y]:
            style = str(segment.style)
            if runs and runs[-1][1] == style:
                runs[-1] = (runs[-1][0] + segment.text, style)
            else:
                runs.append((segment.text, style))
        lines.append(runs)
    return lines


async def test_the_answer_bar_paints_what_the_row_of_buttons_painted_hovered_and_pressed_too():
    from flashapp.tui.widgets.answer_buttons import AnswerButtons

    for width in (60, 80, 100, 140):
        for revealed, type_in in ((False, False), (False, True), (True, False)):
            app = ButtonRow(revealed, type_in)
            async with app.run_test(size=(width, 8)) as pilot:
                await pilot.pause()
                row, bar = app.query_one("#row"), app.query_one(AnswerButtons)
                bar.active_effect_duration = 30
                assert painted_block(app, bar) == painted_block(app, row), (width, revealed, type_in)
                names = [span.name for span in bar.spans()]
                assert names == ([f"rate-{r.value}" for r in Rating] if revealed else ["show"])
                for span in bar.spans():  # each key where its button was, hovered, then pressed
                    button = app.query_one(f"#{span.name}")
                    assert (button.region.x, button.region.width) == (span.x, span.width)
                    middle = span.x + span.width // 2
                    await pilot.hover(row, offset=(middle, 1))  # (the mouse is over one at a time)
                    await pilot.pause()
                    hovered_row = painted_block(app, row)
                    await pilot.hover(bar, offset=(middle, 1))
                    await pilot.pause()
                    assert painted_block(app, bar) == hovered_row, (width, span.name, "hover")
                    await pilot.click(row, offset=(middle, 1))
                    await pilot.click(bar, offset=(middle, 1))
                    await pilot.pause()
                    assert painted_block(app, bar) == painted_block(app, row), (width, span.name, "pressed")


async def a_concealed_answer_that_no_longer_fits_after_a_resize_is_hidden(app: App, pilot) -> None:
    study = await start_study(pilot)
    await pilot.press("space", "3")
    await pilot.pause()
    answer, scroll = study.parts.answer, study.parts.scroll
    assert answer.concealed and scroll.max_scroll_y == 0
    await pilot.resize_terminal(100, 9)  # room for the question, not for the answer under it
    for _ in range(5):
        await pilot.pause()
    assert not answer.concealed and not answer.display
    await pilot.press("space")
    await pilot.pause()
    assert answer.display and not answer.concealed


async def back_home(pilot) -> None:
    """Escape from the study screen on top to the deck tree, where the next case starts."""
    from flashapp.tui.screens.home import HomeScreen

    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(pilot.app.screen, HomeScreen)


async def test_concealed_answers_one_arrangement_an_answer_and_text_of_another_shape(study_collection):
    """Three cases in one app (the functions above, named in a failure's traceback), each on a study
    screen of its own opened from the deck tree: four new cards, two answered, then one more."""
    app = make_app(study_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        await the_answer_waits_concealed_in_its_place_and_the_next_cards_lay_out_nothing(app, pilot)
        await back_home(pilot)
        await an_answer_arranges_the_screen_once_per_layout(app, pilot)
        await back_home(pilot)
        await text_of_another_shape_is_built_again(app, pilot)


async def test_a_new_card_reuses_the_paragraph_widgets_and_a_concealed_answer_hides_after_a_resize(
    study_collection, screen_text
):
    """Two cases in one app (the functions above, named in a failure's traceback), each on a study
    screen of its own opened from the deck tree: four new cards, one answered, then one more."""
    app = make_app(study_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        await a_new_card_of_one_paragraph_reuses_the_paragraph_widgets(app, pilot, screen_text)
        await back_home(pilot)
        await a_concealed_answer_that_no_longer_fits_after_a_resize_is_hidden(app, pilot)
