"""Deck options and the presets that decks share (Anki's deck-option presets).

A deck's `options` stay what the scheduler reads; a deck that follows a preset gets the preset's
options written into it whenever the preset is saved, so every deck of a preset schedules alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flashapp.core.scheduling.types import SchedulerOptions
from flashapp.errors import UserError
from flashapp.store.decks import find_deck
from flashapp.store.models import Deck, OptionPreset

PRESET_NAME_CHARS = 200


@dataclass(frozen=True)
class PresetInfo:
    name: str
    options: dict[str, Any]
    decks: tuple[str, ...]


def presets(session: Session) -> list[PresetInfo]:
    rows = session.execute(
        select(OptionPreset, Deck.name)
        .outerjoin(Deck, Deck.preset_id == OptionPreset.id)
        .order_by(OptionPreset.name)
    ).all()
    found: dict[str, PresetInfo] = {}
    for preset, deck in rows:
        info = found.get(preset.name) or PresetInfo(preset.name, dict(preset.options), ())
        found[preset.name] = PresetInfo(info.name, info.options, info.decks + ((deck,) if deck else ()))
    return list(found.values())


def deck_preset(session: Session, deck: str) -> str | None:
    row = find_deck(session, deck)
    if row.preset_id is None:
        return None
    preset = session.get(OptionPreset, row.preset_id)
    return preset.name if preset is not None else None


def save_deck_options(
    session: Session, deck: str, options: dict[str, Any], preset: str | None, now: datetime
) -> SchedulerOptions:
    """Validate `options` as a whole (SchedulerOptions' messages) and save them to the deck; with a
    `preset` name, to that preset (created if new) and every deck that follows it."""
    try:
        checked = SchedulerOptions.from_dict(options)
    except (TypeError, ValueError) as error:
        raise UserError(str(error)) from None
    values = checked.to_dict()
    row = find_deck(session, deck)
    if preset is None or not preset.strip():
        row.preset_id = None
        row.options = values
        return checked
    name = preset.strip()
    if len(name) > PRESET_NAME_CHARS:
        raise UserError(f"a preset name has at most {PRESET_NAME_CHARS} characters")
    shared = session.scalar(select(OptionPreset).where(OptionPreset.name == name))
    if shared is None:
        shared = OptionPreset(name=name, options=values, created_at=now)
        session.add(shared)
        session.flush()
    shared.options = values
    row.preset_id = shared.id
    for member in session.scalars(select(Deck).where(Deck.preset_id == shared.id)):
        member.options = values
    return checked
