"""What flashapp holds after an import, in the same shape as `anki_client.AnkiView`, and the check that
the two agree card by card: notes, decks, scheduling, rendered text, media bytes, review counts."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select

from flashapp.anki.card_render import card_text
from flashapp.store.collection import Collection
from flashapp.store.models import Card, Deck, Media, Note, Review

SECONDS_PER_DAY = 86400


@dataclass
class FlashappView:
    decks: set[str]
    notes: dict[str, dict[str, Any]]
    cards: dict[tuple[str, int], dict[str, Any]]
    media: dict[str, bytes]


def flashapp_view(collection: Collection) -> FlashappView:
    notes: dict[str, dict[str, Any]] = {}
    cards: dict[tuple[str, int], dict[str, Any]] = {}
    decks: set[str] = set()
    with collection.reading() as session:
        review_counts = dict(
            session.execute(select(Review.card_id, func.count()).group_by(Review.card_id)).all()
        )
        rows = session.execute(
            select(Card, Note, Deck.name)
            .join(Note, Card.note_id == Note.id)
            .join(Deck, Card.deck_id == Deck.id)
        ).all()
        for card, note, deck in rows:
            notes[note.key] = {
                "fields": dict(note.fields),
                "tags": note.tag_list,
                "notetype": note.definition.name if note.definition else None,
            }
            decks.add(deck)
            cards[(note.key, card.ord)] = {
                "id": card.id,
                "deck": deck,
                "state": card.state,
                "suspended": card.suspended,
                "due": int(card.due.timestamp()) if card.due else None,
                "ivl": card.interval_days,
                "ease": card.ease,
                "reps": card.reps,
                "lapses": card.lapses,
                "flag": card.flag,
                "stability": None if card.stability is None else round(card.stability, 3),
                "difficulty": None if card.difficulty is None else round(card.difficulty, 3),
                "reviews": review_counts.get(card.id, 0),
            }
        names = list(session.scalars(select(Media.name)))
    for value in cards.values():
        info = collection.card(value["id"])
        study = collection.study_card(value["id"])
        value.update(
            front=info.front,
            back=info.back,
            question=study.rendered.question,
            answer=study.rendered.answer,
            expected=study.rendered.expected,
            kind=study.note_type,
        )
    media_dir = collection.media_dir
    media = {name: (media_dir / name).read_bytes() for name in names} if media_dir else {}
    return FlashappView(decks, notes, cards, media)


_LATEX_IMAGE = re.compile(
    r'<img [^>]*src="latex-[0-9a-f]+\.png"[^>]*>|LaTeX image generation is disabled[^<]*'
)
_LATEX_TEXT = re.compile(r"\\?\[latex\\?\].*?\\?\[/latex\\?\]")


def _without_latex(text: str) -> str:
    return _LATEX_TEXT.sub("", _LATEX_IMAGE.sub("", text))


def _spaced(text: str) -> str:
    return " ".join(text.split())


def expected_due(anki_card: dict[str, Any], crt: int) -> int | None:
    """The instant an Anki card is due, as flashapp should store it."""
    if anki_card["state"] == "new":
        return None
    due = anki_card["due"]
    if anki_card["state"] in ("learning", "relearning") and due > 1_000_000_000:
        return due
    return crt + due * SECONDS_PER_DAY


def assert_same(anki: Any, ours: FlashappView, *, crt: int, with_scheduling: bool = True) -> None:
    """Everything Anki reports for the package matches what flashapp imported from it."""
    assert ours.decks == anki.decks
    assert set(ours.notes) == set(anki.notes)
    for guid, note in anki.notes.items():
        assert ours.notes[guid]["fields"] == note["fields"], guid
        assert sorted(ours.notes[guid]["tags"]) == sorted(note["tags"]), guid
        # Anki appends "+" to an imported type whose name its fresh collection already uses.
        assert ours.notes[guid]["notetype"] == note["notetype"].rstrip("+"), guid
    assert set(ours.cards) == set(anki.cards)
    for key, theirs in anki.cards.items():
        mine = ours.cards[key]
        where = f"card {key} ({anki.notes[key[0]]['notetype']})"
        assert mine["deck"] == theirs["deck"], where
        # Rendering: Anki's own HTML for the card, made into text the way we show it. One difference
        # on purpose: Anki turns [latex]...[/latex] into an image it generates; we keep it as text.
        text = card_text(theirs["question"], theirs["answer"], theirs["fields"], key[1])
        if any("[latex]" in value for value in theirs["fields"].values()):
            assert "[latex]" in mine["back"] and "latex-" in text.answer_plain, where
            text = card_text(theirs["question"], _without_latex(theirs["answer"]), theirs["fields"], key[1])
            text = replace(text, answer=_spaced(text.answer), answer_plain=_spaced(text.answer_plain))
            mine = {**mine, "back": _spaced(_without_latex(mine["back"]))}
            mine["answer"] = _spaced(_without_latex(mine["answer"]))
        assert mine["front"] == text.question_plain, where
        assert mine["back"] == text.answer_plain, where
        assert mine["question"] == text.question, where
        assert mine["answer"] == text.answer, where
        assert mine["expected"] == text.expected, where
        if not with_scheduling:
            assert (mine["state"], mine["reps"], mine["reviews"]) == ("new", 0, 0), where
            continue
        assert mine["state"] == theirs["state"], where
        assert mine["suspended"] == (theirs["queue"] == -1), where
        assert (mine["reps"], mine["lapses"]) == (theirs["reps"], theirs["lapses"]), where
        assert mine["flag"] == theirs["flags"], where
        assert mine["reviews"] == theirs["revlog"], where
        if theirs["state"] != "new":
            assert mine["due"] == expected_due(theirs, crt), where
            assert mine["ease"] == (max(theirs["factor"] / 1000, 1.3) if theirs["factor"] else 2.5), where
            assert (mine["stability"], mine["difficulty"]) == (theirs["stability"], theirs["difficulty"]), (
                where
            )
        if theirs["state"] in ("review", "relearning"):
            assert mine["ivl"] == theirs["ivl"], where
    assert ours.media == anki.media
