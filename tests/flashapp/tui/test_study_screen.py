"""The study screen, driven by Pilot: reveal, rate, undo, card actions, waiting for learning cards,
the summary."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from flashapp.core.scheduling import Rating
from flashapp.store.models import Card, Review
from flashapp.tui.app import make_app
from flashapp.tui.screens.card_info import CardInfoScreen
from flashapp.tui.screens.edit_card import EditCardScreen
from flashapp.tui.screens.home import HomeScreen
from flashapp.tui.screens.study import StudyScreen
from flashapp.tui.screens.summary import SummaryScreen
from flashapp.tui.widgets.answer_buttons import AnswerButtons
from flashapp.tui.widgets.study_status import StudyStatus


def footer_keys(screen) -> set[str]:
    """The keys the footer offers now (active, shown bindings)."""
    return {key for key, active in screen.active_bindings.items() if active.enabled and active.binding.show}


async def click_key(pilot, name: str) -> None:
    """Click the answer bar's key `name` ("show", "rate-1" ... "rate-4") in its middle."""
    bar = pilot.app.screen.query_one(AnswerButtons)
    span = next(span for span in bar.spans() if span.name == name)
    await pilot.click(AnswerButtons, offset=(span.x + span.width // 2, 1))


async def start_study(pilot, deck: str = "Study::Basics") -> StudyScreen:
    tree = pilot.app.screen.query_one("#decks")
    tree.move_to(deck)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, StudyScreen)
    return pilot.app.screen


async def test_a_whole_session_with_an_undo_and_the_database_after(study_collection, clock, frozen_timer):
    app = make_app(study_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        study = await start_study(pilot)
        seen = []
        # Four new cards: Easy, Good (learning, 10m), Again (learning, 1m), then take the Again back.
        for rating in ("4", "3", "1"):
            seen.append(study.card.info.key)
            frozen_timer.now += 5.0
            await pilot.press("space", rating)
            await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        assert study.card.info.key == seen[-1]  # the undone card is back, as a question
        assert not study.revealed
        # Answer it Easy this time, and the last new card Easy.
        for _ in range(2):
            await pilot.press("space", "4")
            await pilot.pause()
        # Only the Good card is left, due in 10 minutes: shown early (learn-ahead), answer Good.
        assert study.card.info.key == seen[1]
        await pilot.press("space", "3")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)

    with study_collection.reading() as session:
        cards = {c.note.key: c for c in session.scalars(select(Card))}
        reviews = session.scalars(select(Review).order_by(Review.id)).all()
    assert {key: card.state for key, card in cards.items()} == dict.fromkeys(
        ["q1", "q2", "q3", "q4"], "review"
    )
    easy, good = Rating.EASY, Rating.GOOD
    assert [Rating(r.rating) for r in reviews] == [easy, good, easy, easy, good]
    assert reviews[0].duration_ms == 5000  # timed from the card appearing to the answer
    assert cards[seen[0]].due == study_collection.calendar.due_after(clock.now, 4)  # a study day


async def back_home(pilot) -> None:
    """Escape from the study screen on top to the deck tree, where the next case starts."""
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(pilot.app.screen, HomeScreen)


async def test_an_edit_from_the_study_screen_escape_home_with_fresh_counts_and_nothing_to_study(
    study_collection, screen_text
):
    """Three cases in one app, each on a study screen of its own opened from the deck tree: an invalid
    edit says why, then the card text is edited (nothing answered); Escape goes home and the counts
    refresh (one card answered); with every card suspended, the summary opens at once."""
    app = make_app(study_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        study = await start_study(pilot)
        note_id = study.card.info.note_id
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#field-back").text = "   "
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditCardScreen)
        assert "the back field cannot be empty" in screen_text(app)
        await pilot.press("escape")  # the edit is not saved: it asks, and "d" discards it
        await pilot.pause()
        await pilot.press("d")
        for _ in range(50):
            if isinstance(app.screen, StudyScreen):
                break
            await pilot.pause(0.02)
        assert isinstance(app.screen, StudyScreen)

        # The same card edited again, validly: saved, and shown.
        await pilot.press("e")
        await pilot.pause()
        edit = app.screen
        assert isinstance(edit, EditCardScreen)
        assert "re-importing that file overwrites it" in screen_text(app)
        edit.query_one("#field-front").text = "What does attention compute, exactly?"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is study
        fields = study_collection.note_fields(note_id).fields
        assert fields["front"] == "What does attention compute, exactly?"
        assert "compute, exactly?" in screen_text(app)
        await back_home(pilot)
        assert study_collection.study_queue("Study::Basics").counts().new == 4, "edit: nothing answered"

        # Case "escape": Escape goes home and the counts refresh.
        await start_study(pilot)
        await pilot.press("space", "4", "escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen), "escape"
        table = app.screen.query_one("#decks")
        row = [str(cell) for cell in table.get_row("Study::Basics")]
        assert row[1:] == ["3", "0", "0"], "escape"
        assert "Studied today: 1 card" in str(app.screen.query_one("#today").render()), "escape"

        # Case "nothing to study": every card suspended, Enter on the deck opens the summary at once.
        for card in study_collection.cards():
            study_collection.suspend(card.id)
        app.screen.query_one("#decks").move_to("Study::Basics")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen), "nothing to study"
        assert "Nothing to study in Study::Basics right now." in screen_text(app), "nothing to study"


async def test_summary_figures_and_undo_from_the_summary(study_collection, frozen_timer, screen_text):
    app = make_app(study_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        study = await start_study(pilot)
        for rating in ("1", "4", "4", "4", "4"):  # the Again card comes back (learn-ahead) and is Easy
            frozen_timer.now += 6.0
            await pilot.press("space", rating)
            await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        text = screen_text(app)
        assert "You have finished Study::Basics for today." in text
        assert "Cards studied   5" in text
        assert "Again rate      20%  (1 of 5)" in text
        assert "Time            30 s  (6 s a card)" in text
        assert "Again 1  Hard 0  Good 0  Easy 4" in text
        assert "Next cards due  in 4 days (Mar 6)" in text
        await pilot.press("u")
        await pilot.pause()
        assert app.screen is study and study.card is not None and study.session.stats.studied == 4
        await pilot.press("space", "4")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


TYPED = """\
[deck]
name = "Typed"

[[cards]]
id = "t1"
kind = "type-in"
front = "Which function turns attention scores into weights?"
back = "softmax"

[[cards]]
id = "t2"
kind = "type-in"
front = "Attention output, in symbols?"
back = '$\\mathrm{softmax}(QK^\\top/\\sqrt{d_k})V$'

[[cards]]
id = "gap"
cloze = "Rectified flow follows {{c1::straight}} paths from {{c2::noise::what?}} to data."
"""


async def the_keys_before_and_after_the_reveal_suspend_bury_their_undo_and_a_flag(
    app, pilot, study_collection, screen_text
) -> None:
    """Three cases, each on a study screen of its own opened from the deck tree; the first two leave
    the collection as they found it (nothing answered; suspend and bury undone)."""
    # Case "reveal": the rating keys and buttons appear only after the reveal.
    study = await start_study(pilot)
    buttons = study.query_one(AnswerButtons)
    assert "space" in footer_keys(study) and not {"1", "2", "3", "4"} & footer_keys(study), "reveal"
    assert not buttons.revealed and [span.name for span in buttons.spans()] == ["show"], "reveal"
    await pilot.press("3")  # ignored before the reveal
    await pilot.pause()
    assert study.session.stats.studied == 0, "reveal"
    await pilot.press("space")
    await pilot.pause()
    assert {"1", "2", "3", "4"} <= footer_keys(study) and "space" not in footer_keys(study), "reveal"
    assert [span.name for span in buttons.spans()] == [f"rate-{r.value}" for r in Rating], "reveal"
    labels = [str(buttons.label(f"rate-{r.value}")) for r in Rating]
    assert labels == ["Again  1m", "Hard  6m", "Good  10m", "Easy  4d"], "reveal"
    bar_text = screen_text(app).splitlines()[buttons.region.y + 1]
    assert all(label in bar_text for label in labels) and "Show answer" not in bar_text, "reveal"
    await back_home(pilot)
    assert study_collection.study_queue("Study::Basics").counts().new == 4, "reveal: nothing answered"

    # Case "suspend and bury": each, and their undo.
    study = await start_study(pilot)
    first = study.card.id
    await pilot.press("@")
    await pilot.pause()
    assert study_collection.card(first).suspended, "suspend"
    second = study.card.id
    await pilot.press("minus")
    await pilot.pause()
    assert study.card.id not in (first, second), "bury"
    assert study_collection.study_queue("Study::Basics").counts().new == 2, "bury"
    await pilot.press("u")
    await pilot.pause()
    assert study.card.id == second, "undo of the bury"  # unburied and shown again
    await pilot.press("u")
    await pilot.pause()
    assert study.card.id == first and not study_collection.card(first).suspended, "undo of the suspend"
    await back_home(pilot)
    assert study_collection.study_queue("Study::Basics").counts().new == 4, "suspend and bury: undone"

    # Case "flag": f cycles the flag, which is saved.
    study = await start_study(pilot)
    await pilot.press("f", "f")
    await pilot.pause()
    assert study_collection.card_flag(study.card.id) == 2, "flag"
    assert "orange" in study.query_one(StudyStatus).flag.plain, "flag"


async def status_counts_a_click_on_a_button_and_card_info_after_an_answer(
    app, pilot, study_collection, screen_text
) -> None:
    """Three cases, each on a study screen of its own opened from the deck tree, each answering one
    new card (four to begin with)."""
    # Case "status": the counts and the progress under the header.
    study = await start_study(pilot)
    status = study.query_one(StudyStatus)
    assert status.counts.plain == "New 4  Learn 0  Due 0", "status"
    await pilot.press("space", "3")
    await pilot.pause()
    assert status.counts.plain == "New 3  Learn 1  Due 0", "status"
    assert status.done.plain.strip() == "1/5", "status"
    line = screen_text(app).splitlines()[1]  # under the header
    assert line.startswith(" New 3  Learn 1  Due 0   ━") and line.endswith("━  1/5"), "status"
    await back_home(pilot)

    # Case "click": clicking the bar's keys shows the answer and answers.
    study = await start_study(pilot)
    await click_key(pilot, "show")
    await pilot.pause()
    assert study.revealed, "click"
    first = study.card.id
    assert study_collection.card(first).state == "new", "click"
    await click_key(pilot, "rate-3")
    await pilot.pause()
    assert study.card.id != first, "click"
    assert study_collection.card(first).state == "learning", "click"
    await back_home(pilot)

    # Case "info": card info shows the review history of the card just answered.
    study = await start_study(pilot)
    card_id = study.card.id
    assert study_collection.card(card_id).state == "new", "info"
    await pilot.press("space", "1")
    await pilot.pause()
    study.card = study_collection.study_card(card_id)  # look at the card just answered
    await pilot.press("i")
    await pilot.pause()
    assert isinstance(app.screen, CardInfoScreen), "info"
    text = screen_text(app)
    assert "Review history" in text and "Again" in text and "new → learning" in text, "info"
    await pilot.press("escape")
    await pilot.pause()
    assert app.screen is study, "info"


async def type_in_cards_are_graded_character_by_character_and_cloze_cards_hide_the_deletion(
    app, pilot, collection, screen_text
) -> None:
    """Two cases, each on a study screen of its own opened from the deck tree."""
    study = await start_study(pilot, "Typed")
    typed = study.query_one("#typed")
    assert typed.display and typed.has_focus
    assert "Check answer" in screen_text(app).splitlines()[study.query_one(AnswerButtons).region.y + 1]
    await pilot.press(*"Softmx", "enter")
    await pilot.pause()
    assert study.revealed and not typed.display
    diff = study.query_one("#diff")
    lines = str(diff.render()).splitlines()
    verdict = "≈ Almost (close spelling): 2 (Hard) suggested"
    assert lines == ["You typed  Softmx", "Expected   softmax", verdict]
    # The missing "a" is marked in the expected line, the wrong "S" in the typed one.
    spans = {str(diff.render())[s.start : s.end]: str(s.style) for s in diff.render().spans}
    assert "strike" in spans["S"] and "underline" in spans["a"]
    await pilot.press("1")
    await pilot.pause()
    # Case, spacing and Unicode forms do not matter for the verdict: "QKT" matches "QKᵀ".
    study.query_one("#typed").value = " SOFTMAX(QKT/√dk)v "  # √ is not a key Pilot can press
    await pilot.press("enter")
    await pilot.pause()
    assert "✓ Right" in str(study.query_one("#diff").render())
    assert "softmax(QKᵀ/√dₖ)V" in screen_text(app)
    await pilot.press("3")
    await pilot.pause()
    assert next(card.state for card in collection.cards() if card.key == "t1") == "learning"
    await back_home(pilot)

    # Case "cloze": the deletion hidden, then revealed in place of the question.
    study = await start_study(pilot, "Typed")
    while study.card.note_type != "cloze":
        await pilot.press("enter", "4")
        await pilot.pause()
    assert "Rectified flow follows [...] paths from noise to data." in screen_text(app), "cloze"
    await pilot.press("space")
    await pilot.pause()
    text = screen_text(app)
    assert "Rectified flow follows [straight] paths from noise to data." in text, "cloze"
    assert "[...]" not in text, "cloze"  # the answer replaces the question, as in Anki


async def test_keys_status_clicks_card_info_type_in_and_cloze_cards(
    study_collection, write_deck, screen_text
):
    """Eight cases in one app (the three functions above, named in a failure's traceback), each on a
    study screen of its own opened from the deck tree: the study deck's, then the "Typed" deck's."""
    study_collection.import_paths([write_deck(TYPED)], backup=False)
    app = make_app(study_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        await the_keys_before_and_after_the_reveal_suspend_bury_their_undo_and_a_flag(
            app, pilot, study_collection, screen_text
        )
        await back_home(pilot)
        await status_counts_a_click_on_a_button_and_card_info_after_an_answer(
            app, pilot, study_collection, screen_text
        )
        await pilot.press("escape")  # card info
        await back_home(pilot)
        await type_in_cards_are_graded_character_by_character_and_cloze_cards_hide_the_deletion(
            app, pilot, study_collection, screen_text
        )


async def test_waits_for_learning_cards_due_later_today_and_ending_then_says_what_comes_back(
    study_collection, clock, screen_text
):
    """Two cases in one app, each on a study screen of its own opened from the deck tree, with one
    1-hour learning step: four cards answered Again, the screen waits and Enter ends the session;
    opened again, it waits until the clock brings the first card within learn-ahead."""
    study_collection.set_deck_options("Study::Basics", learning_steps_minutes=[60.0])  # one 1-hour step
    app = make_app(study_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        # Case "ending": ending while waiting says what comes back today.
        study = await start_study(pilot)
        for _ in range(4):
            await pilot.press("space", "1")
            await pilot.pause()
        assert study.waiting and study.card is None, "ending"
        assert "Next card in 1h" in screen_text(app), "ending"
        assert "enter" in footer_keys(study), "ending"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen), "ending"
        text = screen_text(app)
        assert "Session ended. 4 cards in Study::Basics come back later today." in text, "ending"
        assert "Next cards due  today 13:00" in text, "ending"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and study.waiting is False, "ending"

        # Case "waits": the study screen waits for the learning cards due later today.
        study = await start_study(pilot)
        assert study.waiting and study.card is None, "waits"
        assert "Next card in 1h" in screen_text(app), "waits"
        assert "enter" in footer_keys(study), "waits"
        clock.now += timedelta(minutes=45)  # within learn-ahead of the first one
        await study._poll_learning()
        await pilot.pause()
        assert not study.waiting and study.card is not None, "waits"


def studied_today_line(screen) -> str:
    from textual.widgets import Static

    texts = [str(widget.render()) for widget in screen.query(Static)]
    return next(line for text in texts for line in text.splitlines() if "studied" in line.lower()
                and "today" in line.lower())  # fmt: skip


async def test_home_the_header_and_the_summary_count_alike_through_answers_and_an_undo(
    study_collection, clock, frozen_timer
):
    """Issue #12 point 7: 'home says 19 studied, the summary 41', 'New went from 2 to 6 after an undo',
    'finished for today while home shows New 1'."""
    from flashapp.store.counts import totals

    app = make_app(study_collection)
    async with app.run_test(size=(100, 40)) as pilot:
        home = pilot.app.screen
        tree_new = totals(study_collection.deck_counts(), "Study::Basics").new
        study = await start_study(pilot)
        status = study.query_one(StudyStatus)
        assert study.session.counts().new == tree_new == 4
        answers = 0
        for rating in ("4", "3", "1"):
            await pilot.press("space", rating)
            await pilot.pause()
            answers += 1
            counts = study.session.counts()
            assert (counts.new, counts.learning, counts.due) == study._shown_counts
        before_undo = study.session.counts()
        await pilot.press("u")
        await pilot.pause()
        answers -= 1
        after_undo = study.session.counts()
        assert after_undo.new == before_undo.new + 1  # the undone new card, nothing more
        tree = totals(study_collection.deck_counts(), "Study::Basics")
        assert (after_undo.new, after_undo.learning, after_undo.due) == (tree.new, tree.learning, tree.due)
        while not isinstance(app.screen, SummaryScreen):
            assert study.card is not None, "the session ended while the counts say cards are left"
            await pilot.press("space", "4")
            await pilot.pause()
            answers += 1
            if study.card is None and not isinstance(app.screen, SummaryScreen):
                clock.now += timedelta(minutes=11)
                await study.tick()
                await pilot.pause()
        summary = app.screen
        assert str(study.session.stats.studied) in str(summary.content)
        assert study.session.stats.studied == answers
        assert studied_today_line(summary).startswith(f"Studied today: {answers} cards")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and app.screen is home
        assert studied_today_line(home).startswith(f"Studied today: {answers} cards")
        assert totals(study_collection.deck_counts(), "Study::Basics").new == 0
    assert status is not None
