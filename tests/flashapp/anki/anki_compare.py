"""What flashapp holds after an import, in the same shape as `anki_client.AnkiView`, and the check that
the two agree card by card: notes, decks, scheduling, rendered text, media bytes, review counts."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

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


_ANKI_LATEX_IMAGE = re.compile(r'<img [^>]*src="(latex-[0-9a-f]+\.png)"[^>]*>')
_ANKI_LATEX_NOTICE = re.compile(r"LaTeX image generation is disabled[^<]*")
_OUR_LATEX_IMAGE = re.compile(r"!\[([^\]]*)\]\((latex-[0-9a-f]+\.png)\)")


_ANKI_PLAY = re.compile(r"\[anki:play:[qa]:(\d+)\]")
_OUR_SOUND = re.compile(r"\\?\[♪ (.+?)\\?\]")


def _with_our_sounds(anki_html: str, our_markdown: str) -> str:
    """Anki renders `[sound:x]` as `[anki:play:q:N]`, the Nth sound of the side: put back the name
    our chip shows at that place, so the two agree when the sounds do."""
    names = [re.sub(r"\\(.)", r"\1", name) for name in _OUR_SOUND.findall(our_markdown)]
    return _ANKI_PLAY.sub(
        lambda m: f"[sound:{names[int(m.group(1))]}]" if int(m.group(1)) < len(names) else m.group(0),
        anki_html,
    )


def _with_our_alt(anki_html: str, our_markdown: str) -> str:
    """Anki's HTML with each of its LaTeX images given the alt text (the math) that ours carries, so
    that the two render alike once the image names are known to agree."""
    alts = {name: unquote(alt) for alt, name in _OUR_LATEX_IMAGE.findall(our_markdown)}
    anki_html = _ANKI_LATEX_NOTICE.sub("", anki_html)  # Anki's own collection renders no LaTeX
    return _ANKI_LATEX_IMAGE.sub(
        lambda m: f'<img src="{m.group(1)}" alt="{html.escape(alts.get(m.group(1), ""), quote=True)}">',
        anki_html,
    )


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
        # Rendering: Anki's own HTML for the card, made into text the way we show it. [latex] becomes
        # the image Anki renders, under the very name Anki gives it (so a package's PNG is found).
        anki_names = _ANKI_LATEX_IMAGE.findall(theirs["question"] + theirs["answer"])
        our_names = [name for _, name in _OUR_LATEX_IMAGE.findall(mine["question"] + mine["answer"])]
        assert sorted(set(anki_names)) == sorted(set(our_names)), where
        question = _with_our_sounds(_with_our_alt(theirs["question"], mine["question"]), mine["question"])
        answer = _with_our_sounds(_with_our_alt(theirs["answer"], mine["answer"]), mine["answer"])
        text = card_text(question, answer, theirs["fields"], key[1])
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
