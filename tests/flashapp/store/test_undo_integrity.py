"""Undo restores every row an answer touched, siblings' suspended and buried flags included (issue #12,
point 5): after any sequence of answers, undos, suspends and buries, `check` finds nothing wrong."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from flashapp.core.scheduling import Rating
from flashapp.errors import UserError
from flashapp.store.collection import Collection
from flashapp.store.models import Card
from flashapp.store.study_session import StudySession
from tests.conftest import Clock

REVERSED = """\
[deck]
name = "R"

[[cards]]
id = "both-ways"
kind = "reversed"
front = "Front"
back = "Back"

[[cards]]
id = "plain"
front = "Plain"
back = "Answer"
"""


def sides(collection: Collection) -> dict[int, Card]:
    with collection.reading() as session:
        return {card.ord: card for card in session.scalars(select(Card).join(Card.note).where(Card.ord >= 0))
                if card.note.key == "both-ways"}  # fmt: skip


def test_undo_of_an_answer_leaves_a_sibling_suspended_since_suspended(collection, write_deck):
    collection.import_paths([write_deck(REVERSED)], backup=False)
    front, back = sides(collection)[0], sides(collection)[1]
    collection.answer(front.id, Rating.GOOD)  # buries the back
    collection.suspend(back.id)
    undone = collection.undo()
    assert undone is not None and undone.card_id == front.id
    after = sides(collection)[1]
    assert after.suspended and after.buried_until is None
    assert collection.check() == []
    assert back.id not in [card.id for card in collection.study_queue("R").new]


def test_the_tui_session_undoes_only_its_own_answers(collection, write_deck, clock):
    collection.import_paths([write_deck(REVERSED)], backup=False)
    session = StudySession(collection, "R")
    mine = session.current()
    session.answer(mine.id, Rating.GOOD)
    other = next(card for card in collection.study_queue("R").new if card.id != mine.id)
    collection.answer(other.id, Rating.EASY)  # another process, e.g. `flashapp answer`
    assert session.undo() == mine.id
    history = {entry.card_id for entry in collection_reviews(collection)}
    assert history == {other.id}  # the other process's answer stays


def collection_reviews(collection: Collection):
    from flashapp.store.models import Review

    with collection.reading() as session:
        return session.scalars(select(Review)).all()


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["answer", "undo", "suspend", "unsuspend", "bury", "unbury", "wait"]),
        st.integers(0, 2),
        st.sampled_from(list(Rating)),
    ),  # fmt: skip
    max_size=25,
)


@pytest.fixture(scope="module")
def reversed_collection(tmp_path_factory, empty_collection_template):
    """A new collection with REVERSED imported at the clock's start, built once: each example copies it
    rather than migrating and importing again."""
    folder = tmp_path_factory.mktemp("undo-template")
    deck = folder / "r.toml"
    deck.write_text(REVERSED, encoding="utf-8")
    path = folder / "c.db"
    shutil.copyfile(empty_collection_template, path)
    with Collection.open(path, shipped_decks=False, clock=Clock(), fuzz=False) as collection:
        collection.import_paths([deck], backup=False)
    return path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_any_sequence_of_answers_undos_suspends_and_buries_leaves_a_sound_collection(
    tmp_path_factory, reversed_collection, clock, actions
):
    folder = tmp_path_factory.mktemp("undo")
    start = clock.now
    path = folder / "c.db"
    shutil.copyfile(reversed_collection, path)  # REVERSED imported at `start`, not again per example
    with Collection.open(path, shipped_decks=False, clock=clock, fuzz=False) as collection:
        with collection.reading() as session:
            ids = sorted(session.scalars(select(Card.id)))
        for action, which, rating in actions:
            card_id = ids[which]
            try:
                match action:
                    case "answer":
                        collection.answer(card_id, rating)
                    case "undo":
                        collection.undo()
                    case "suspend" | "unsuspend":
                        collection.suspend(card_id, action == "suspend")
                    case "bury" | "unbury":
                        collection.bury(card_id, action == "bury")
                    case "wait":
                        clock.now += timedelta(hours=7)
                        collection.study_queue()  # ends expired burials
            except UserError:
                pass  # answering a suspended card is refused, and changes nothing
            assert collection.check() == [], (action, which, rating)
    clock.now = start
