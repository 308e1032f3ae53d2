"""The browser's actions on many cards at once, each one transaction, each with its undo.

Before an action the rows it can change are kept (cards, their notes, and for a delete the review log
and the practice answers that point at the cards), and after it the rows as it left them; undoing
writes back each value the action changed, re-creating deleted rows under their old ids. A value
changed again since (an answer in this or another process, an edit) is newer than the undo and stays:
undoing a bulk action never takes back an answer given after it. The undo is held by the caller (the
browser keeps the last few).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from flashapp.core.scheduling import StudyCalendar
from flashapp.errors import UserError
from flashapp.store.answering import bury_card, forget_card, set_suspended, unbury_card
from flashapp.store.deckfile_sync import search_text, tag_text
from flashapp.store.decks import ensure_deck
from flashapp.store.models import Card, Note, PracticeAnswer, Review

BULK_ACTIONS = ("suspend", "unsuspend", "bury", "unbury", "forget", "tag", "untag", "move", "flag", "delete")
MAX_FLAG = 4
_TABLES: tuple[Table, ...] = (Note.__table__, Card.__table__, Review.__table__)  # type: ignore[assignment]


@dataclass
class BulkUndo:
    """Rows as they were before an action (table name -> rows), and what the action was."""

    action: str
    cards: int
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    after: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)  # table -> id -> row
    practice_links: list[tuple[int, int]] = field(default_factory=list)  # (practice answer id, card id)

    @property
    def card_ids(self) -> list[int]:
        return [row["id"] for row in self.rows.get("cards", [])]


def _rows(session: Session, table: Table, column: str, ids: Sequence[int]) -> list[dict[str, Any]]:
    return [dict(row) for row in session.execute(select(table).where(table.c[column].in_(ids))).mappings()]


def _snapshot(session: Session, action: str, card_ids: list[int]) -> BulkUndo:
    note_ids = list(session.scalars(select(Card.note_id).where(Card.id.in_(card_ids)).distinct()))
    undo = BulkUndo(action, len(card_ids))
    undo.rows["notes"] = _rows(session, Note.__table__, "id", note_ids)  # type: ignore[arg-type]
    undo.rows["cards"] = _rows(session, Card.__table__, "id", card_ids)  # type: ignore[arg-type]
    if action == "delete":
        # Whole notes go when their last card goes: keep their other cards' rows too.
        undo.rows["cards"] = _rows(session, Card.__table__, "note_id", note_ids)  # type: ignore[arg-type]
        every_card = [row["id"] for row in undo.rows["cards"]]
        undo.rows["reviews"] = _rows(session, Review.__table__, "card_id", every_card)  # type: ignore[arg-type]
        undo.practice_links = [
            (answer_id, card_id)
            for answer_id, card_id in session.execute(
                select(PracticeAnswer.id, PracticeAnswer.card_id).where(
                    PracticeAnswer.card_id.in_(every_card)
                )
            )
        ]
    return undo


def apply_bulk(
    session: Session,
    action: str,
    card_ids: Sequence[int],
    now: datetime,
    calendar: StudyCalendar,
    *,
    value: str = "",
) -> BulkUndo:
    """Do `action` to the cards (`value`: the tags for tag/untag, the deck for move); returns its undo."""
    if action not in BULK_ACTIONS:
        raise UserError(f"unknown action {action!r}; actions: {', '.join(BULK_ACTIONS)}")
    ids = sorted(set(card_ids))
    if not ids:
        raise UserError("no cards chosen")
    found = set(session.scalars(select(Card.id).where(Card.id.in_(ids))))
    if missing := [card_id for card_id in ids if card_id not in found]:
        raise UserError(f"unknown card {missing[0]}")
    undo = _snapshot(session, action, ids)
    if action in ("suspend", "unsuspend"):
        for card_id in ids:
            set_suspended(session, card_id, action == "suspend", now)
    elif action == "bury":
        for card_id in ids:
            bury_card(session, card_id, now, calendar)
    elif action == "unbury":
        for card_id in ids:
            unbury_card(session, card_id, now)
    elif action == "forget":
        for card_id in ids:
            forget_card(session, card_id, now)
    elif action in ("tag", "untag"):
        _retag(session, ids, value.split(), add=action == "tag", now=now)
    elif action == "flag":
        if not value.isdigit() or int(value) > MAX_FLAG:
            raise UserError(f"flag {value}: use 0 (none) to {MAX_FLAG}")
        session.execute(update(Card).where(Card.id.in_(ids)).values(flag=int(value), modified_at=now))
    elif action == "move":
        if not value.strip() or any(not part.strip() for part in value.split("::")):
            raise UserError(f"deck name {value!r} has an empty part")
        deck = ensure_deck(session, value.strip(), now)
        session.execute(update(Card).where(Card.id.in_(ids)).values(deck_id=deck.id, modified_at=now))
    else:
        session.execute(delete(Card).where(Card.id.in_(ids)))
        orphan_notes = select(Note.id).where(~Note.id.in_(select(Card.note_id)))
        note_ids = [row["id"] for row in undo.rows["notes"]]
        session.execute(delete(Note).where(Note.id.in_(note_ids), Note.id.in_(orphan_notes)))
    session.flush()
    for table in _TABLES[:2]:
        kept = [row["id"] for row in undo.rows.get(table.name, [])]
        undo.after[table.name] = {row["id"]: row for row in _rows(session, table, "id", kept)}
    return undo


def _retag(session: Session, card_ids: list[int], tags: list[str], *, add: bool, now: datetime) -> None:
    if not tags:
        raise UserError("name at least one tag")
    for tag in tags:
        if '"' in tag:
            raise UserError(f"tag {tag!r} cannot contain a double quote")
    notes = session.scalars(
        select(Note).where(Note.id.in_(select(Card.note_id).where(Card.id.in_(card_ids))))
    )
    for note in notes:
        current = note.tag_list
        wanted = list(dict.fromkeys([*current, *tags])) if add else [t for t in current if t not in tags]
        if wanted != current:
            note.tags = tag_text(wanted)
            note.search_text = search_text({k: str(v) for k, v in note.fields.items()}, note.tags)
            note.modified_at = now


def undo_bulk(session: Session, undo: BulkUndo) -> None:
    """Put every kept row back as it was (re-creating deleted ones under their old ids)."""
    for table in _TABLES:
        rows = undo.rows.get(table.name, [])
        if not rows:
            continue
        current = {row["id"]: row for row in _rows(session, table, "id", [row["id"] for row in rows])}
        missing = [row for row in rows if row["id"] not in current]
        if missing:
            session.execute(insert(table), missing)
        after = undo.after.get(table.name, {})
        for row in rows:
            if row["id"] in current:
                values = _undone_values(row, after.get(row["id"]), current[row["id"]])
                if values:
                    session.execute(update(table).where(table.c.id == row["id"]).values(**values))
    for answer_id, card_id in undo.practice_links:
        session.execute(update(PracticeAnswer).where(PracticeAnswer.id == answer_id).values(card_id=card_id))
    session.flush()


def _undone_values(
    before: dict[str, Any], after: dict[str, Any] | None, now: dict[str, Any]
) -> dict[str, Any]:
    """The values to write back: each one the action changed and nothing has changed since."""
    if after is None:  # the action removed the row and something re-created it: put it back whole
        return before
    return {
        name: value
        for name, value in before.items()
        if after.get(name) != value and now.get(name) == after.get(name)
    }


def browse_extras(session: Session, card_ids: Sequence[int]) -> dict[int, tuple[int, datetime]]:
    """Per card: its flag and when its note was added (columns the card list does not carry)."""
    rows = session.execute(
        select(Card.id, Card.flag, Note.created_at)
        .join(Note, Card.note_id == Note.id)
        .where(Card.id.in_(card_ids))
    )
    return {card_id: (flag, created) for card_id, flag, created in rows}
