"""`flashapp decks`: the deck tree with new / learning / due counts."""

from __future__ import annotations

import argparse

from flashapp.cli.common import (
    add_json_flag,
    add_now_flag,
    open_collection,
    open_direct,
    parse_now,
    print_json,
)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("decks", help="deck tree with new / learning / due counts")
    add_json_flag(parser)
    add_now_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Rows with name, new, learning, due, total: from sqlite3 directly where it serves the collection.
    direct = open_direct(args)
    if direct is not None:
        from flashapp.store.direct.deck_tree import deck_rows

        with direct:
            counts = deck_rows(direct, parse_now(args.now))
    else:
        with open_collection(args) as collection:
            counts = collection.deck_counts()
    if args.json:
        print_json(
            [
                {"deck": r.name, "new": r.new, "learning": r.learning, "due": r.due, "total": r.total}
                for r in counts
            ]
        )
        return 0
    if not counts:
        print("No decks yet. Add some with: flashapp import PATH")
        return 0
    labels = ["  " * row.name.count("::") + row.name.rsplit("::", 1)[-1] for row in counts]
    width = max(len(label) for label in labels)
    print(f"{'Deck':<{width}}  {'New':>5} {'Learn':>5} {'Due':>5} {'Cards':>6}")
    for label, row in zip(labels, counts, strict=True):
        print(f"{label:<{width}}  {row.new:>5} {row.learning:>5} {row.due:>5} {row.total:>6}")
    return 0
