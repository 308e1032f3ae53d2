"""`flashapp cards`: list cards, by deck and search query, written as they are read."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Generator, Iterable, Iterator
from itertools import chain, islice
from typing import TYPE_CHECKING, Any, TypeVar

from flashapp.cli.common import add_json_flag, open_collection, open_direct

if TYPE_CHECKING:
    from flashapp.store.card_views import CardInfo

# Cards formatted per write to stdout (the `Collection`'s listing; the direct one comes in batches of
# its own): few system calls, and memory that does not grow with the list.
CHUNK = 500
T = TypeVar("T")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("cards", help="list cards (filter by deck and search query)")
    parser.add_argument("--deck", help="only this deck and its subdecks")
    parser.add_argument(
        "--search", help="free words plus deck:NAME tag:NAME is:new|learn|review|due|suspended|buried"
    )
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # From sqlite3 directly where it serves the collection (no search query, a known deck): the same
    # entries, without SQLAlchemy's import or its per-row work. See `store/direct/cards.py`.
    direct = open_direct(args)
    if direct is not None:
        from flashapp.store.direct.cards import card_info_batches, card_json_batches
        from flashapp.store.direct.study import Unhandled

        with direct:
            batches = (card_json_batches if args.json else card_info_batches)(
                direct, deck=args.deck, search=args.search
            )
            try:
                first = next(batches, None)
            except Unhandled:
                pass
            else:
                _write(args, first, batches)
                return 0
    with open_collection(args) as collection:
        if args.json:
            cards = collection.stream_card_json(deck=args.deck, search=args.search)
        else:
            cards = collection.stream_cards(deck=args.deck, search=args.search)
        try:
            batches = _chunks(cards)
            # The first card is read before anything is printed: an unknown deck or a bad query is a
            # one-line error with nothing on stdout.
            _write(args, next(batches, None), batches)
        finally:
            cards.close()
    return 0


def _write(
    args: argparse.Namespace, first: list[Any] | None, batches: Generator[list[Any], None, None]
) -> None:
    """The listing from its first batch of cards (None: no card) and the rest, the iterator closed after."""
    try:
        rest = batches if first is None else chain([first], batches)
        if args.json:
            write_json_array(rest)
        else:
            write_text(rest)
    finally:
        batches.close()


def _chunks(cards: Iterable[T]) -> Iterator[list[T]]:
    iterator = iter(cards)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def write_json_array(batches: Iterable[list[str]]) -> None:
    """A JSON array, one card object (already encoded) per line, written a batch of cards at a time."""
    out = sys.stdout
    separator = "[\n"
    for batch in batches:
        out.write(separator + ",\n".join(batch))
        separator = ",\n"
    out.write("]\n" if separator == ",\n" else "[]\n")


def write_text(batches: Iterable[list[CardInfo]]) -> None:
    count = 0
    for batch in batches:
        lines = []
        for card in batch:
            first_line = card.front.splitlines()[0] if card.front else ""
            due = card.due.strftime("%Y-%m-%d") if card.due and card.state != "new" else "-"
            lines.append(f"{card.id:>6}  {card.state:<10} {due:<10}  {card.deck} | {first_line[:70]}\n")
        sys.stdout.write("".join(lines))
        count += len(batch)
    print(f"{count} card(s)")
