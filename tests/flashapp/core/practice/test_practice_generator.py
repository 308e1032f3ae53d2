"""Practice-test generation: properties over random decks, and the printable and JSON forms."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashapp.core.practice.distractors import OPTION_CHARS, short_form
from flashapp.core.practice.generator import askable_cards, generate_test
from flashapp.core.practice.grading import normalize_answer
from flashapp.core.practice.markdown import render_test_markdown
from flashapp.core.practice.questions import QUESTION_KINDS, PracticeItem, parse_kinds
from flashapp.core.practice.scoring import check_answer, missed_card_ids, overridden, score

words = st.text(alphabet="abcdefghij klm", min_size=1, max_size=30).filter(lambda t: normalize_answer(t))
# The strategies the composites below draw from are built once, here: one built inside a composite is
# built and validated again at every draw (a third of these tests' time), and draws the same values.
maybe_words = st.one_of(st.none(), words)
POOL_SIZES = st.integers(min_value=0, max_value=25)
POOL_KINDS = st.sampled_from(["basic", "cloze", "type-in", "reversed"])


@st.composite
def item_pools(draw) -> list[PracticeItem]:
    size = draw(POOL_SIZES)
    items = []
    for card_id in range(1, size + 1):
        answer = draw(words)
        typed = draw(maybe_words)
        kind = draw(POOL_KINDS)
        items.append(PracticeItem(card_id, kind, draw(words), answer, typed))
    return items


def sample_items(n: int = 12) -> list[PracticeItem]:
    return [
        PracticeItem(i, "basic", f"Question {i}", f"answer number {i}", f"ans {i}" if i % 2 else None)
        for i in range(1, n + 1)
    ]


@settings(max_examples=100, deadline=None)  # hypothesis's default; each run draws new ones
@given(
    items=item_pools(),
    count=st.integers(min_value=1, max_value=12),
    kinds=st.lists(st.sampled_from(QUESTION_KINDS), min_size=1, max_size=4, unique=True),
    seed=st.integers(min_value=0, max_value=2**32),
    answer_with=st.sampled_from(["answer", "question", "both"]),
)
def test_generator_properties(items, count, kinds, seed, answer_with):
    test = generate_test(items, deck="D", count=count, kinds=kinds, seed=seed, answer_with=answer_with)
    again = generate_test(items, deck="D", count=count, kinds=kinds, seed=seed, answer_with=answer_with)
    assert test == again  # same seed, same test
    assert len(test.questions) <= count
    assert len(test.questions) == count or test.notes  # fewer only when the deck ran out, and said so
    used = [card_id for question in test.questions for card_id in question.card_ids]
    assert len(used) == len(set(used))  # no card asked twice
    for number, question in enumerate(test.questions, start=1):
        assert question.number == number
        assert question.kind in kinds
        if question.kind == "multiple_choice":
            keys = [normalize_answer(option) for option in question.options]
            assert len(question.options) == 4 and len(set(keys)) == 4  # no duplicate options
            assert keys.count(normalize_answer(question.answer)) == 1  # exactly one right option
            assert check_answer(question, question.correct_option).correct
            assert sum(check_answer(question, i).correct for i in range(4)) == 1
        elif question.kind == "true_false":
            assert question.answer in ("true", "false")
            assert check_answer(question, question.answer == "true").correct
            assert not check_answer(question, question.answer != "true").correct
        elif question.kind == "written":
            assert check_answer(question, question.answer).correct
        else:
            assert 4 <= len(question.pairs) <= 6
            assert sorted(question.choices) == sorted(answer for _, answer in question.pairs)
            right = {i: question.choices.index(answer) for i, (_, answer) in enumerate(question.pairs)}
            assert check_answer(question, right).correct
            assert not check_answer(question, {}).correct


def test_kinds_are_spread_evenly_when_the_deck_allows():
    test = generate_test(sample_items(40), deck="D", count=8, kinds=["multiple_choice", "true_false"], seed=1)
    kinds = [q.kind for q in test.questions]
    assert kinds.count("multiple_choice") == 4 and kinds.count("true_false") == 4


def test_distractors_prefer_the_same_kind_and_length():
    items = [PracticeItem(1, "type-in", "2+2?", "4")]
    items += [PracticeItem(i, "type-in", f"{i}+{i}?", str(2 * i)) for i in range(2, 6)]
    items += [
        PracticeItem(i, "basic", f"Essay {i}", "a long paragraph of text " * 5 + str(i)) for i in range(6, 12)
    ]
    kind_of = {item.answer: item.kind for item in items}
    for seed in range(20):
        [question] = generate_test(items, deck="D", count=1, kinds=["multiple_choice"], seed=seed).questions
        # Whichever card is asked, its distractors are answers of cards of the same kind.
        assert {kind_of[option] for option in question.options} == {kind_of[question.answer]}


def test_written_questions_use_short_answers_only():
    items = [
        PracticeItem(1, "basic", "Long?", "a paragraph " * 10),
        PracticeItem(2, "cloze", "[...] flow", "straight flow", "straight"),
    ]
    test = generate_test(items, deck="D", count=2, kinds=["written"], seed=0)
    assert [(q.prompt, q.answer) for q in test.questions] == [("[...] flow", "straight")]
    assert test.notes == ("only 1 of 2 questions: the deck has no more cards for them",)


def test_score_and_markdown():
    test = generate_test(sample_items(), deck="Deck", count=4, kinds=list(QUESTION_KINDS), seed=5)
    checks = [
        check_answer(q, q.correct_option if q.kind == "multiple_choice" else False)
        for q in test.questions
        if q.kind in ("multiple_choice", "true_false")
    ]
    assert score(checks).total == len(checks)
    page = render_test_markdown(test)
    assert page.startswith("# Practice test: Deck\n")
    assert "## Answer key" in page
    for question in test.questions:
        assert f"## {question.number}." in page
    assert test.to_json()["questions"][0]["number"] == 1


def test_a_retake_asks_only_the_missed_cards_with_distractors_from_the_whole_deck():
    items = sample_items(12)
    test = generate_test(items, deck="D", count=2, kinds=["multiple_choice"], seed=3, only={4, 9})
    assert sorted(q.card_ids[0] for q in test.questions) == [4, 9]
    assert all(len(q.options) == 4 for q in test.questions)


def test_answer_with_question_types_the_term():
    items = [PracticeItem(1, "basic", "Softmax", "turns scores into probabilities that add up to one")]
    [question] = generate_test(
        items, deck="D", count=1, kinds=["written"], seed=0, answer_with="question"
    ).questions
    assert (question.prompt, question.answer) == (items[0].answer, "Softmax")


def test_matching_prefers_texts_that_fit():
    items = [PracticeItem(i, "basic", f"Long {i}", "word " * 60 + str(i)) for i in range(1, 7)]
    items += [PracticeItem(i, "basic", f"Short {i}", f"answer {i}") for i in range(7, 11)]
    for seed in range(5):
        [question] = generate_test(items, deck="D", count=1, kinds=["matching"], seed=seed).questions
        assert set(question.card_ids[:4]) == {7, 8, 9, 10}


def test_missed_cards_and_the_override():
    test = generate_test(sample_items(12), deck="D", count=3, kinds=["written", "matching"], seed=2)
    checks = []
    for question in test.questions:
        if question.kind == "matching":
            # The first two pairs swapped, the rest right.
            right = {i: question.choices.index(answer) for i, (_, answer) in enumerate(question.pairs)}
            right[0], right[1] = right[1], right[0]
            check = check_answer(question, right)
            assert check.missed == question.card_ids[:2]
        else:
            check = check_answer(question, "nope")
            assert check.missed == question.card_ids
            fixed = overridden(check)
            assert fixed.correct and fixed.overridden and not fixed.missed
        checks.append(check)
    assert missed_card_ids(checks) == [card for check in checks for card in check.missed]
    assert not check_answer(test.questions[0], None).correct  # unanswered


def test_parse_kinds():
    assert parse_kinds("mc, tf,mc") == ("multiple_choice", "true_false")
    assert parse_kinds("written,match") == ("written", "matching")
    with pytest.raises(ValueError, match="unknown question type 'essay'"):
        parse_kinds("mc,essay")


# --- fairness: siblings, short forms, distractors ---------------------------------------------------

sentences = st.lists(words, min_size=1, max_size=4).map(lambda parts: ". ".join(parts) + ".")
long_answers = st.lists(sentences, min_size=1, max_size=3).map("\n\n".join)
NOTE_COUNTS = st.integers(min_value=0, max_value=14)
NOTE_KINDS = st.sampled_from(["basic", "cloze", "type-in"])
SIBLING_COUNTS = st.integers(min_value=1, max_value=3)
ANSWERS = st.one_of(words, long_answers)


@st.composite
def notes_with_siblings(draw) -> list[PracticeItem]:
    """Notes of 1 to 3 cards (cloze siblings), some with multi-paragraph answers."""
    items = []
    card_id = 0
    for note_id in range(1, draw(NOTE_COUNTS) + 1):
        kind = draw(NOTE_KINDS)
        for _ in range(draw(SIBLING_COUNTS)):
            card_id += 1
            answer = draw(ANSWERS)
            items.append(PracticeItem(card_id, kind, draw(words), answer, draw(maybe_words), note_id=note_id))
    return items


@settings(max_examples=100, deadline=None)  # hypothesis's default; each run draws new ones
@given(
    items=notes_with_siblings(),
    count=st.integers(min_value=1, max_value=12),
    kinds=st.lists(st.sampled_from(QUESTION_KINDS), min_size=1, max_size=4, unique=True),
    seed=st.integers(min_value=0, max_value=2**32),
    answer_with=st.sampled_from(["answer", "question", "both"]),
)
def test_fairness_properties(items, count, kinds, seed, answer_with):
    test = generate_test(items, deck="D", count=count, kinds=kinds, seed=seed, answer_with=answer_with)
    assert test == generate_test(
        items, deck="D", count=count, kinds=kinds, seed=seed, answer_with=answer_with
    )
    note_of = {item.card_id: item.note_key for item in items}
    notes = [note_of[card_id] for question in test.questions for card_id in question.card_ids]
    assert len(notes) == len(set(notes))  # no sibling pair in one test
    for question in test.questions:
        texts = [*question.options, question.shown, *(side for pair in question.pairs for side in pair)]
        assert all(len(text) <= OPTION_CHARS for text in texts)  # no option over the length budget
        assert all("\n\n" not in text for text in texts)  # never a multi-paragraph option
        if question.kind == "multiple_choice":
            wrong = [o for o in question.options if o != question.answer]
            assert normalize_answer(question.answer) not in {normalize_answer(o) for o in wrong}
        if question.kind == "true_false" and question.answer == "false":
            item = next(i for i in items if i.card_id == question.card_ids[0])
            shown_right = question.full_answer if question.prompt == item.question else item.question
            assert normalize_answer(question.shown) != normalize_answer(short_form(shown_right) or "")


def test_siblings_never_share_a_test_nor_give_each_other_away():
    items = [
        PracticeItem(i, "cloze", f"[...] sentence {i}", f"gap {i}", f"gap {i}", note_id=1) for i in (1, 2, 3)
    ]
    items += [PracticeItem(i, "basic", f"Question {i}", f"answer {i}", note_id=i) for i in range(4, 12)]
    for seed in range(30):
        test = generate_test(items, deck="D", count=8, kinds=list(QUESTION_KINDS), seed=seed)
        asked = [card_id for question in test.questions for card_id in question.card_ids]
        assert len({1, 2, 3} & set(asked)) <= 1
        for question in test.questions:
            asked_id = question.card_ids[0]
            if asked_id in (1, 2, 3):
                siblings = {f"gap {i}" for i in (1, 2, 3) if i != asked_id}
                assert not siblings & {*question.options, question.shown}


def test_options_are_short_forms_and_a_miss_keeps_the_whole_answer():
    essay = "Attention mixes values by similarity. " + "It does more. " * 20 + "\n\nA second paragraph."
    items = [PracticeItem(1, "basic", "What is attention?", essay)]
    items += [PracticeItem(i, "basic", f"Term {i}?", f"Definition number {i}.") for i in range(2, 8)]
    for seed in range(10):
        test = generate_test(items, deck="D", count=1, kinds=["multiple_choice"], seed=seed, only={1})
        [question] = test.questions
        assert question.answer == "Attention mixes values by similarity."
        assert question.right_answer_in_full == essay
        assert check_answer(question, None).question.full_answer == essay


def test_short_form():
    assert short_form("One line.\n\nMore.") == "One line."
    assert short_form("- item one\n- item two") is None  # a list's first item is not the answer
    assert short_form("Three steps:\n\n1. one") is None  # nor is its lead-in
    assert short_form("Line one\nline two") == "Line one"
    assert short_form("A first sentence. " + "x" * 300) == "A first sentence."
    assert short_form("y" * 300) is None
    assert short_form("  ") is None


def test_a_statement_about_the_question_subject_is_never_a_distractor():
    """The taxonomy answer places diffusion: offered as false for "where do diffusion models sit?" it
    would be true."""
    items = [
        PracticeItem(
            1, "basic", "Where do diffusion models sit?", "Among explicit, approximate density models."
        ),
        PracticeItem(
            2,
            "basic",
            "Taxonomy of generative models?",
            "Explicit density (VAE, diffusion) vs implicit (GAN).",
        ),
    ]
    items += [PracticeItem(i, "basic", f"Topic {i}?", f"Statement number {i}.") for i in range(3, 12)]
    for seed in range(40):
        test = generate_test(
            items, deck="D", count=1, kinds=["true_false", "multiple_choice"], seed=seed, only={1}
        )
        for question in test.questions:
            assert items[1].answer not in (*question.options, question.shown)


def test_askable_cards_follow_the_chosen_types():
    items = [
        PracticeItem(i, "basic", f"Question {i}", f"answer {i}", f"ans {i}" if i < 4 else None)
        for i in range(1, 11)
    ]
    items.append(PracticeItem(11, "basic", "Essay?", "z" * 400))
    assert askable_cards(items, ["written"]) == 3
    assert askable_cards(items, ["multiple_choice"]) == 10
    assert askable_cards(items, ["multiple_choice", "written"]) == 10
    siblings = [PracticeItem(i, "cloze", f"q{i}", f"a{i}", f"a{i}", note_id=1) for i in range(1, 4)]
    assert askable_cards(siblings, ["written"]) == 1
