"""Practice material from a deck's cards, and practice results (tests, Learn, Match) in the collection."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from flashapp.core.practice.computed import Truth
from flashapp.core.practice.learn import CardProgress, replay
from flashapp.core.practice.mastery import MASTERED_INTERVAL_DAYS, MasteryCounts, card_mastery
from flashapp.core.practice.questions import PracticeItem, is_short
from flashapp.core.practice.scoring import AnswerCheck
from flashapp.core.predict import PredictSpec, PredictSpecError
from flashapp.core.render import render_card
from flashapp.core.text import to_plain
from flashapp.errors import UserError
from flashapp.store.anki.definitions import note_definition
from flashapp.store.decks import find_deck, subtree_filter
from flashapp.store.models import Card, Deck, Note, PracticeAnswer, PracticeSession


def _deck_cards(deck: str):
    """Cards of `deck` and its subdecks that can be practised (not suspended, still in their file)."""
    return (
        select(Card.id)
        .join(Deck, Card.deck_id == Deck.id)
        .where(subtree_filter(deck), Card.suspended.is_(False), Card.orphaned.is_(False))
    )


def practice_items(session: Session, deck: str, *, predict: bool = False) -> list[PracticeItem]:
    """One item per card of the deck and its subdecks, leaving out suspended cards and the reverse side
    of reversed notes (the same pair again). A cloze card's answer is its deletion. Predict cards come
    only with `predict` (as items with their spec, for computed questions)."""
    find_deck(session, deck)
    rows = session.execute(
        select(Card, Note, Deck.name)
        .join(Note, Card.note_id == Note.id)
        .join(Deck, Card.deck_id == Deck.id)
        .where(subtree_filter(deck), Card.suspended.is_(False), Card.orphaned.is_(False))
        .options(selectinload(Note.definition))
        .order_by(Card.position, Card.ord)
    ).all()
    items = []
    for card, note, deck_name in rows:
        if note.note_type == "reversed" and card.ord != 0:
            continue
        if note.note_type == "predict":
            item = _predict_item(card, note) if predict else None
            if item is not None:
                items.append(item)
            continue
        rendered = render_card(
            note.note_type, note.fields, card.ord, note_definition(note), tags=note.tag_list, deck=deck_name
        )
        kind = rendered.kind or note.note_type
        # The note's extra (an explanation under the answer) is not part of what is asked or answered.
        if rendered.plain_question is not None and rendered.plain_answer is not None:
            question, answer = rendered.plain_question, rendered.plain_answer
        else:
            question, answer = to_plain(rendered.question), to_plain(rendered.answer)
        question_markdown, answer_markdown = rendered.question, rendered.answer
        typed, typed_prompt = None, None
        if kind in ("type-in", "cloze") and rendered.expected:
            typed = to_plain(rendered.expected)
            if kind == "cloze":  # the sentence with its gap filled in says nothing the gap does not
                answer, answer_markdown = typed, rendered.expected
        elif note.note_type == "reversed" and is_short(question):
            typed, typed_prompt = question, answer  # give the definition, type the term
        elif is_short(answer):
            typed = answer
        if not question.strip() or not answer.strip():
            continue  # nothing to ask or nothing to answer
        items.append(
            PracticeItem(
                card.id,
                kind,
                question,
                answer,
                typed,
                typed_prompt,
                question_markdown,
                answer_markdown,
                note_id=note.id,
            )  # fmt: skip
        )
    return items


def _predict_item(card: Card, note: Note) -> PracticeItem | None:
    """A predict card as practice material: its question template and its spec (None if damaged)."""
    try:
        spec = PredictSpec.from_fields(note.fields)
    except PredictSpecError:
        return None
    template = spec.question_for(None)
    back = str(note.fields.get("back", ""))
    return PracticeItem(
        card.id, "predict", to_plain(template), back, None, None, template, back, spec, note_id=note.id
    )


def engine_truth(task: str, values: Mapping[str, Any]) -> Truth:
    """The engine's answer for a predict card's case (imports torch on first use)."""
    from engine.predict import solve
    from engine.predict_registry import get_task

    truth = solve(task, values)
    return Truth(tuple(truth.parts), truth.explanation, tuple(get_task(task).parts))


def record_session(
    session: Session,
    *,
    kind: str,
    deck: str,
    started_at: datetime,
    finished_at: datetime,
    checks: Sequence[AnswerCheck],
    settings: dict,
    duration_ms: int | None = None,
) -> int:
    """Store one finished practice session with a row per question; returns its id. `duration_ms`
    defaults to the wall time between start and finish (a Match game passes its time with penalties)."""
    if duration_ms is None:
        duration_ms = int((finished_at - started_at).total_seconds() * 1000)
    row = PracticeSession(
        kind=kind,
        deck_id=find_deck(session, deck).id,
        started_at=started_at,
        finished_at=finished_at,
        score=sum(check.correct for check in checks),
        total=len(checks),
        duration_ms=max(0, duration_ms),
        settings=settings,
    )
    row.answers = [
        PracticeAnswer(
            card_id=check.question.card_ids[0] if len(check.question.card_ids) == 1 else None,
            question_kind=check.question.kind,
            prompt=check.question.prompt,
            given=check.given,
            expected=check.expected,
            correct=check.correct,
            duration_ms=check.duration_ms,
        )
        for check in checks
    ]
    session.add(row)
    session.flush()
    return row.id


def rescore_session(session: Session, session_id: int, checks: Sequence[AnswerCheck]) -> None:
    """Store changed verdicts ("I was right") of a recorded session, answers in the order recorded."""
    row = session.get(PracticeSession, session_id)
    if row is None:
        raise UserError(f"unknown practice session {session_id}")
    answers = session.scalars(
        select(PracticeAnswer).where(PracticeAnswer.session_id == session_id).order_by(PracticeAnswer.id)
    ).all()
    if len(answers) != len(checks):
        raise UserError(f"practice session {session_id} has {len(answers)} answers, not {len(checks)}")
    for answer, check in zip(answers, checks, strict=True):
        answer.correct = check.correct
    row.score = sum(check.correct for check in checks)


def card_progress(session: Session, deck: str) -> dict[int, CardProgress]:
    """Each practised card's place on the Learn ladder, replayed from all its practice answers."""
    find_deck(session, deck)
    rows = session.execute(
        select(PracticeAnswer.card_id, PracticeAnswer.question_kind, PracticeAnswer.correct)
        .join(PracticeSession, PracticeAnswer.session_id == PracticeSession.id)
        .where(PracticeAnswer.card_id.in_(_deck_cards(deck)))
        .order_by(PracticeSession.finished_at, PracticeAnswer.id)
    ).all()
    answers: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    for card_id, kind, correct in rows:
        answers[card_id].append((kind, correct))
    return {card_id: replay(history) for card_id, history in answers.items()}


def mastery_counts(session: Session, deck: str) -> MasteryCounts:
    """How many of the deck's cards are not studied, learning, familiar and mastered. Cards never
    practised are counted by SQL from their scheduling state alone; practised ones one by one."""
    progress = card_progress(session, deck)
    level = case(
        (Card.state == "new", "not_studied"),
        ((Card.state == "review") & (Card.interval_days >= MASTERED_INTERVAL_DAYS), "mastered"),
        (Card.state == "review", "familiar"),
        else_="learning",
    )
    unpractised = _deck_cards(deck).where(Card.id.not_in(list(progress))) if progress else _deck_cards(deck)
    counts = dict.fromkeys(("not_studied", "learning", "familiar", "mastered"), 0)
    for name, count in session.execute(
        select(level, func.count()).where(Card.id.in_(unpractised)).group_by(level)
    ):
        counts[name] += count
    if progress:
        for card_id, state, interval in session.execute(
            select(Card.id, Card.state, Card.interval_days).where(
                Card.id.in_(_deck_cards(deck)), Card.id.in_(list(progress))
            )
        ):
            counts[card_mastery(state, interval, progress[card_id])] += 1
    return MasteryCounts(**counts)


def best_duration_ms(session: Session, deck: str, kind: str = "match") -> int | None:
    """The shortest recorded `kind` session of this deck (a Match game's best time), in milliseconds."""
    deck_id = find_deck(session, deck).id
    return session.scalar(
        select(func.min(PracticeSession.duration_ms)).where(
            PracticeSession.deck_id == deck_id, PracticeSession.kind == kind
        )
    )
