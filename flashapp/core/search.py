"""The card search language: free words plus `deck:NAME`, `tag:NAME`, `is:new|learn|review|due|suspended`,
`flag:N` (0 no flag, 1 red, 2 orange, 3 green, 4 blue).

Words are ANDed; `-word` excludes; quotes group ("scaled dot"). Parsing is pure; the store turns
the parsed query into SQL.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from flashapp.errors import UserError

IS_VALUES = ("new", "learn", "review", "due", "suspended", "buried")
MAX_FLAG = 4


@dataclass(frozen=True)
class SearchQuery:
    words: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    decks: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    states: tuple[str, ...] = field(default=())
    flags: tuple[int, ...] = ()


def parse_search(text: str) -> SearchQuery:
    try:
        terms = shlex.split(text)
    except ValueError as error:
        raise UserError(f"search {text!r}: {error}") from None
    words, excluded, decks, tags, states, flags = [], [], [], [], [], []
    for term in terms:
        prefix, sep, value = term.partition(":")
        prefix = prefix.lower()
        if sep and prefix == "flag":
            if not value.isdigit() or not 0 <= int(value) <= MAX_FLAG:
                raise UserError(f"search: flag:{value}: use a number from 0 (no flag) to {MAX_FLAG}")
            flags.append(int(value))
        elif sep and prefix in ("deck", "tag", "is"):
            if not value:
                raise UserError(f"search: {prefix}: needs a value, as in {prefix}:name")
            if prefix == "deck":
                decks.append(value)
            elif prefix == "tag":
                tags.append(value.lower())
            elif value.lower() in IS_VALUES:
                states.append(value.lower())
            else:
                raise UserError(f"search: unknown is:{value}; use one of {', '.join(IS_VALUES)}")
        elif term.startswith("-") and len(term) > 1:
            excluded.append(term[1:].lower())
        else:
            words.append(term.lower())
    return SearchQuery(tuple(words), tuple(excluded), tuple(decks), tuple(tags), tuple(states), tuple(flags))
