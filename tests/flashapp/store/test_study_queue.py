"""The study queue: order, daily limits over subdecks, sibling burying, undo, atomic answers."""

from __future__ import annotations

import shutil
from datetime import UTC, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from flashapp.core.scheduling import Rating
from flashapp.errors import UserError
from flashapp.store.card_state import snapshot
from flashapp.store.collection import Collection
from flashapp.store.models import QUEUE_BURIED, QUEUE_SUSPENDED, Card, Review
from flashapp.store.study_session import StudySession
from tests.conftest import logged_review


def deck_file(name: str, count: int, prefix: str, *, reversed_: bool = False, options: str = "") -> str:
    kind = 'kind = "reversed"\n' if reversed_ else ""
    cards = "".join(
        f'\n[[cards]]\nid = "{prefix}{i}"\n{kind}front = "{prefix} front {i}"\nback = "{prefix} back {i}"\n'
        for i in range(count)
    )
    return f'[deck]\nname = "{name}"\n{options}\n{cards}'


@pytest.fixture
def study(db_path, clock, empty_collection_file):
    with Collection.open(
        empty_collection_file(db_path), shipped_decks=False, clock=clock, tz=UTC, fuzz=False
    ) as collection:
        yield collection


def keys(collection, ids) -> list[str]:
    return [collection.card(card_id).key for card_id in ids]


def test_order_is_learning_due_now_then_reviews_then_new(study, write_deck, clock):
    study.import_paths([write_deck(deck_file("D", 4, "c"))])
    ids = [c.id for c in study.cards()]
    study.answer(ids[0], Rating.EASY)  # review, due in 4 days
    study.answer(ids[1], Rating.AGAIN)  # learning, due in 1 minute
    clock.now += timedelta(days=4)
    study.answer(ids[2], Rating.AGAIN)  # learning again, due in 1 minute from now
    clock.now += timedelta(minutes=2)
    queue = study.study_queue("D")
    assert [c.id for c in queue.learning] == [ids[1], ids[2]]
    assert [c.id for c in queue.review] == [ids[0]]
    assert [c.id for c in queue.new] == [ids[3]]
    assert queue.next_card_id(clock.now) == ids[1]


def test_learning_cards_wait_until_due_unless_nothing_else_is_left(study, write_deck, clock):
    study.import_paths([write_deck(deck_file("D", 2, "c"))])
    first, second = (c.id for c in study.cards())
    study.answer(first, Rating.GOOD)  # due in 10 minutes
    assert study.study_queue().next_card_id(clock.now) == second
    study.answer(second, Rating.GOOD)
    # Nothing else left: learning cards due within 20 minutes are shown early.
    assert study.study_queue().next_card_id(clock.now) == first
    queue = study.study_queue()
    assert queue.next_learning_due() == clock.now + timedelta(minutes=10)
    study.set_deck_options("D", learning_steps_minutes=[60.0])
    study.forget(first)
    study.forget(second)
    study.answer(first, Rating.GOOD)
    study.answer(second, Rating.GOOD)
    assert study.study_queue().next_card_id(clock.now) is None


def test_daily_new_limits_count_over_subdecks(study, write_deck, tmp_path, clock):
    files = [
        write_deck(deck_file("P", 2, "p", options="new_per_day = 5"), "p.toml"),
        write_deck(deck_file("P::A", 6, "a", options="new_per_day = 3"), "a.toml"),
        write_deck(deck_file("P::B", 6, "b"), "b.toml"),
    ]
    study.import_paths(files)
    queue = study.study_queue("P")
    # P allows 5 in all; A allows 3 of its own; order is file/import order.
    assert keys(study, [c.id for c in queue.new]) == ["p0", "p1", "a0", "a1", "a2"]
    # Studying B alone, only B's own limit applies, as its row in the deck tree shows.
    assert keys(study, [c.id for c in study.study_queue("P::B").new]) == [f"b{i}" for i in range(6)]
    counts = {row.name: row.new for row in study.deck_counts()}
    assert counts == {"P": 5, "P::A": 3, "P::B": 6}

    # Studying two new cards of A today uses up room in A and in P.
    for card in queue.new[2:4]:
        study.answer(card.id, Rating.EASY)
    assert {row.name: row.new for row in study.deck_counts()} == {"P": 3, "P::A": 1, "P::B": 6}
    # The next study day the room is back.
    clock.now += timedelta(days=1)
    assert {row.name: row.new for row in study.deck_counts()} == {"P": 5, "P::A": 3, "P::B": 6}


def test_review_limit(study, write_deck, clock):
    study.import_paths([write_deck(deck_file("R", 6, "r", options="reviews_per_day = 4"))])
    for card in study.cards():
        study.answer(card.id, Rating.EASY)
    clock.now += timedelta(days=10)
    queue = study.study_queue("R")
    assert len(queue.review) == 4
    study.answer(queue.review[0].id, Rating.GOOD)
    assert len(study.study_queue("R").review) == 3
    assert study.deck_counts()[0].due == 3


def test_answering_a_card_buries_its_siblings_until_tomorrow(study, write_deck, clock):
    study.import_paths([write_deck(deck_file("S", 1, "s", reversed_=True))])
    front, back = (c.id for c in study.cards())
    result = study.answer(front, Rating.GOOD)
    assert result.buried_siblings == (back,)
    with study.reading() as session:
        assert session.get(Card, back).queue == QUEUE_BURIED
    assert [c.id for c in study.study_queue().new] == []
    assert [c.key for c in study.cards(search="is:buried")] == ["s0"]
    clock.now += timedelta(days=1)
    assert [c.id for c in study.study_queue().new] == [back]
    with study.reading() as session:
        assert session.get(Card, back).buried_until is None


def test_undo_restores_the_card_and_its_siblings_exactly(study, write_deck):
    study.import_paths([write_deck(deck_file("U", 1, "u", reversed_=True))])
    front, back = (c.id for c in study.cards())
    with study.reading() as session:
        before = [snapshot(session.get(Card, i)) for i in (front, back)]
    study.answer(front, Rating.GOOD)
    undone = study.undo()
    assert (undone.card_id, undone.rating) == (front, Rating.GOOD)
    with study.reading() as session:
        assert [snapshot(session.get(Card, i)) for i in (front, back)] == before
        assert session.scalar(select(func.count()).select_from(Review)) == 0
    assert study.undo() is None


ratings = st.lists(st.sampled_from(list(Rating)), min_size=1, max_size=12)
gaps = st.lists(st.integers(min_value=-600, max_value=40 * 24 * 60), min_size=12, max_size=12)


@pytest.fixture(scope="module")
def one_reversed_note(tmp_path_factory, empty_collection_template):
    """A new collection with one reversed note imported at the clock's start, built once: each example
    copies it rather than migrating and importing again."""
    from tests.conftest import Clock

    path = tmp_path_factory.mktemp("undo-template") / "c.db"
    shutil.copyfile(empty_collection_template, path)
    deck = path.parent / "d.toml"
    deck.write_text(deck_file("H", 1, "h", reversed_=True))
    with Collection.open(path, shipped_decks=False, clock=Clock(), tz=UTC, fuzz=True) as collection:
        collection.import_paths([deck], backup=False)
    return path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=ratings, minutes=gaps)
def test_undo_after_any_answers_restores_every_step(tmp_path_factory, one_reversed_note, answers, minutes):
    from tests.conftest import Clock

    clock = Clock()
    path = tmp_path_factory.mktemp("undo") / "c.db"
    shutil.copyfile(one_reversed_note, path)  # imported at the clock's start, not again per example
    with Collection.open(path, shipped_decks=False, clock=clock, tz=UTC, fuzz=True) as collection:
        card_id = collection.cards()[0].id
        states = []
        for rating, gap in zip(answers, minutes, strict=False):
            with collection.reading() as session:
                states.append([snapshot(c) for c in session.scalars(select(Card).order_by(Card.id))])
            collection.answer(card_id, rating)
            clock.now += timedelta(minutes=gap)  # may go backwards
        for expected in reversed(states):
            collection.undo()
            with collection.reading() as session:
                assert [snapshot(c) for c in session.scalars(select(Card).order_by(Card.id))] == expected
        assert collection.undo() is None


def test_a_failed_answer_leaves_card_and_log_in_step(study, write_deck, monkeypatch):
    study.import_paths([write_deck(deck_file("F", 1, "f"))])
    card_id = study.cards()[0].id
    with study.reading() as session:
        before = snapshot(session.get(Card, card_id))

    def broken_review(**values):
        raise OSError("disk full while writing the review log")

    monkeypatch.setattr("flashapp.store.answering.Review", broken_review)
    with pytest.raises(OSError):
        study.answer(card_id, Rating.GOOD)
    with study.reading() as session:
        assert snapshot(session.get(Card, card_id)) == before
        assert session.scalar(select(func.count()).select_from(Review)) == 0


def test_suspend_bury_forget(study, write_deck, clock):
    study.import_paths([write_deck(deck_file("A", 2, "a"))])
    first, second = (c.id for c in study.cards())
    study.suspend(first)
    with study.reading() as session:
        assert session.get(Card, first).queue == QUEUE_SUSPENDED
    assert [c.id for c in study.study_queue().new] == [second]
    with pytest.raises(UserError, match=f"card {first} is suspended"):
        study.answer(first, Rating.GOOD)
    study.suspend(first, False)
    study.bury(second)
    assert [c.id for c in study.study_queue().new] == [first]
    study.bury(second, False)
    study.answer(first, Rating.EASY)
    assert study.card(first).state == "review"
    study.forget(first)
    info = study.card(first)
    assert (info.state, info.interval_days, info.reps, info.ease) == ("new", 0, 0, 2.5)
    assert [c.id for c in study.study_queue().new] == [second, first]  # forgotten cards go last
    assert len(study.review_history(first)) == 1  # history is kept


def test_study_session_keeps_the_queue_between_answers(study, write_deck, clock):
    study.import_paths([write_deck(deck_file("T", 3, "t"))])
    session = StudySession(study, "T")
    seen = []
    while (card := session.current()) is not None and len(seen) < 10:
        seen.append(card.info.key)
        session.answer(card.id, Rating.GOOD if card.info.state == "new" else Rating.EASY, duration_ms=1500)
        clock.now += timedelta(minutes=1)
    # Learning cards come back once nothing else is left (they are within the 20-minute learn-ahead).
    assert seen == ["t0", "t1", "t2", "t0", "t1", "t2"]
    assert session.current() is None and session.counts().total == 0
    assert (session.stats.studied, session.stats.again, session.stats.duration_ms) == (6, 0, 9000)
    assert session.undo()
    assert session.current().info.key == "t2"
    assert session.stats.studied == 5


def test_a_deck_on_fsrs_schedules_with_fsrs(study, write_deck, clock):
    study.import_paths(
        [write_deck(deck_file("Fsrs", 1, "x", options='scheduler = "fsrs"\ndesired_retention = 0.9'))]
    )
    card_id = study.cards()[0].id
    study.answer(card_id, Rating.GOOD)
    clock.now += timedelta(minutes=10)
    result = study.answer(card_id, Rating.GOOD)
    assert result.after.state.value == "review"
    assert result.after.stability is not None and result.after.difficulty is not None
    with study.reading() as session:
        card = session.get(Card, card_id)
        assert (card.stability, card.difficulty) == (result.after.stability, result.after.difficulty)
    study.set_deck_options("Fsrs", desired_retention=0.97)
    assert study.deck_options("Fsrs").desired_retention == 0.97
    with pytest.raises(UserError, match="deck 'Fsrs': "):
        study.set_deck_options("Fsrs", desired_retention=2.0)


def test_nothing_to_undo_after_imported_history(study, write_deck, clock):
    study.import_paths([write_deck(deck_file("I", 1, "i"))])
    card_id = study.cards()[0].id
    study.answer(card_id, Rating.GOOD)
    with study.writing() as session:  # what an import of review history writes: no undo snapshot
        session.add(
            logged_review(
                card_id,
                clock.now,
                state_before="learning",
                state_after="review",
                interval_after_days=1,
                previous={"imported": "anki"},
            )
        )
    assert study.undo() is None
    assert study.card(card_id).reps == 1
