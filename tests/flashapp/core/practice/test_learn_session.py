"""Learn mode's state machine: the ladder of each card, rounds, missed cards, overrides, progress."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from flashapp.core.practice.learn import ROUND_SIZE, CardProgress, LearnSession, count_levels, replay
from flashapp.core.practice.questions import PracticeItem


def deck(n: int = 10) -> list[PracticeItem]:
    return [
        PracticeItem(i, "basic", f"term {i}", f"definition number {i}", f"word{i}") for i in range(1, n + 1)
    ]


def right(question):
    if question.kind == "multiple_choice":
        return question.correct_option
    return question.answer


def wrong(question):
    if question.kind == "multiple_choice":
        return (question.correct_option + 1) % len(question.options)
    return "something else entirely"


def test_the_ladder_of_one_card():
    progress = CardProgress()
    assert progress.level == "not_studied"
    progress = progress.after("multiple_choice", False)
    assert (progress.level, progress.written_stage) == ("learning", False)
    progress = progress.after("multiple_choice", True)
    assert (progress.level, progress.written_stage) == ("learning", True)
    progress = progress.after("written", True)
    assert progress.level == "familiar"
    progress = progress.after("written", False)  # the streak resets, the card stays with written
    assert (progress.level, progress.written_stage, progress.streak) == ("learning", True, 0)
    progress = progress.after("written", True).after("written", True)
    assert progress.mastered and progress.level == "mastered"
    assert not progress.after("true_false", False).written_stage  # a wrong recognition: back to MC


def test_replay_is_the_ladder_over_stored_answers():
    history = [("multiple_choice", True), ("written", True), ("written", True)]
    assert replay(history).mastered
    assert replay(history[:2]).level == "familiar"
    assert count_levels([replay([]), replay(history), replay(history[:1])]) == {
        "not_studied": 1, "learning": 1, "familiar": 0, "mastered": 1,
    }  # fmt: skip


def test_a_deck_learned_without_mistakes_takes_three_rounds_per_batch():
    session = LearnSession(deck(10), random.Random(1))
    kinds_per_round = []
    while session.start_round():
        kinds = []
        while (question := session.question()) is not None:
            kinds.append(question.kind)
            assert session.answer(right(question)).correct
        kinds_per_round.append(kinds)
    assert session.finished and session.levels()["mastered"] == 10
    # 7 cards: MC, written, written; then the last 3 the same way.
    assert kinds_per_round == [
        ["multiple_choice"] * 7, ["written"] * 7, ["written"] * 7,
        ["multiple_choice"] * 3, ["written"] * 3, ["written"] * 3,
    ]  # fmt: skip


def test_a_missed_card_comes_back_in_the_same_round_after_the_others():
    session = LearnSession(deck(3), random.Random(2), round_size=3)
    session.start_round()
    first = session.question()
    session.answer(wrong(first))
    order = []
    while (question := session.question()) is not None:
        order.append(question.card_ids[0])
        session.answer(right(question))
    assert order[-1] == first.card_ids[0] and len(order) == 3
    assert session.round_right_first_time() == 2


def test_cards_under_way_come_first_and_stored_progress_is_resumed():
    items = deck(10)
    mastered = CardProgress(3, True, 2)
    under_way = CardProgress(1, True, 0)
    progress = {1: mastered, 2: under_way}
    session = LearnSession(items, random.Random(3), progress=progress, round_size=3)
    session.start_round()
    assert session.round_cards[0] == 2 and 1 not in session.round_cards
    assert session.question().kind == "written"  # card 2 is past multiple choice
    assert session.levels()["mastered"] == 1


def test_override_counts_a_written_answer_right_and_takes_the_card_out_of_the_round_again():
    session = LearnSession(
        deck(1 + 3), random.Random(4), progress={1: CardProgress(1, True, 1)}, round_size=1
    )
    session.start_round()
    question = session.question()
    assert question.kind == "written" and question.card_ids == (1,)
    check = session.answer("wrd1x typo far off")
    assert not check.correct and not session.round_over  # back later in the round
    fixed = session.override_last()
    assert fixed.correct and fixed.overridden
    assert session.round_over and session.progress[1].mastered
    assert session.override_last() is None  # only once


def test_a_card_without_a_short_answer_is_recalled():
    items = [
        PracticeItem(1, "basic", "Explain attention in detail, with all of its maths", "a long answer " * 5)
    ]
    session = LearnSession(items, random.Random(0), progress={1: CardProgress(1, True, 0)})
    session.start_round()
    question = session.question()
    assert question.kind == "written" and question.recall
    assert session.answer("", override=True).correct


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(min_value=1, max_value=12),
    seed=st.integers(min_value=0, max_value=2**32),
    mistakes=st.lists(st.booleans(), min_size=1, max_size=30),
)
def test_learn_always_ends_with_every_card_mastered(size, seed, mistakes):
    session = LearnSession(deck(size), random.Random(seed))
    answers = 0
    while session.start_round():
        assert 1 <= len(session.round_cards) <= ROUND_SIZE
        while (question := session.question()) is not None:
            missed = mistakes[answers % len(mistakes)] and answers < 200
            check = session.answer(wrong(question) if missed else right(question))
            assert check.correct is not missed
            answers += 1
        assert answers < 1000
    assert session.finished
    assert session.levels() == {"not_studied": 0, "learning": 0, "familiar": 0, "mastered": size}
