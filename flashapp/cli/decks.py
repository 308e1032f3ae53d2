"""`flashapp decks`: the deck tree with new / learning / due counts."""

from __future__ import annotations

import argparse

from flashapp.cli.common import add_json_flag, add_now_flag, open_collection, print_json


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("decks", help="deck tree with new / learning / due counts")
    add_json_flag(parser)
    add_now_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with open_collection(args) as collection:
        counts = collection.deck_counts()
    if args.json:
        print_json([row.to_json() for row in counts])
        return 0
    if not counts:
        print("No decks yet. Add some with: flashapp import PATH")
        return 0
    width = max(len("  " * row.depth + row.short_name) for row in counts)
    print(f"{'Deck':<{width}}  {'New':>5} {'Learn':>5} {'Due':>5} {'Cards':>6}")
    for row in counts:
        label = "  " * row.depth + row.short_name
        print(f"{label:<{width}}  {row.new:>5} {row.learning:>5} {row.due:>5} {row.total:>6}")
    return 0
