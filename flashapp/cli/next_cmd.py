"""`flashapp next`: the card to study now, with what each answer would schedule."""

from __future__ import annotations

import argparse
import textwrap

from flashapp.cli import common
from flashapp.cli.common import (
    add_json_flag,
    add_now_flag,
    iso,
    open_collection,
    open_direct,
    parse_now,
    print_json,
)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("next", help="the next card to study (question, answer, intervals)")
    parser.add_argument("--deck", help="study this deck and its subdecks (default: all decks)")
    add_now_flag(parser)
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    queue, card = _direct(args)
    if queue is None:
        with open_collection(args) as collection:
            queue = collection.study_queue(args.deck)
            card_id = queue.next_card_id(collection.clock())
            card = None if card_id is None else collection.study_card(card_id)
    # The numbers home and the study header show: `counts.deck_counts`, as the queue was built from them.
    counts = queue.built_counts
    next_due = queue.next_learning_due()
    if args.json:
        print_json(
            {
                "card": card.to_json() if card else None,
                "counts": {"new": counts.new, "learning": counts.learning, "review": counts.due},
                "next_learning_due": iso(next_due),
            }
        )
        return 0
    if card is None:
        later = f" The next learning card is due at {iso(next_due)}." if next_due else ""
        print(f"Congratulations! Nothing more to study for now.{later}")
        return 0
    question, answer = card.rendered.plain()
    print(
        f"Card {card.id} · {card.info.deck} · {card.info.state}   (new {counts.new}, "
        f"learning {counts.learning}, review {counts.due})"
    )
    print("\nQuestion:\n" + textwrap.indent(question, "  "))
    print("\nAnswer:\n" + textwrap.indent(answer, "  "))
    buttons = " · ".join(f"{rating.name.lower()} {label}" for rating, label in card.labels.items())
    print(f"\n{buttons}\nAnswer with: flashapp answer {card.id} again|hard|good|easy")
    return 0


def _direct(args: argparse.Namespace):
    """(queue, card) read with sqlite3 alone (see `store/direct/`), or (None, None) for the `Collection`."""
    direct = open_direct(args)
    if direct is None:
        return None, None
    from flashapp.store.direct.study import Unhandled, study_card, study_queue

    now = parse_now(args.now)
    with direct:
        try:
            queue = study_queue(direct, args.deck, now)
            card_id = queue.next_card_id(now)
            return queue, None if card_id is None else study_card(direct, card_id, now, fuzz=common.FUZZ)
        except Unhandled:
            return None, None
