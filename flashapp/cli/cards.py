"""`flashapp cards`: list cards, by deck and search query."""

from __future__ import annotations

import argparse

from flashapp.cli.common import add_json_flag, open_collection, print_json


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("cards", help="list cards (filter by deck and search query)")
    parser.add_argument("--deck", help="only this deck and its subdecks")
    parser.add_argument(
        "--search", help="free words plus deck:NAME tag:NAME is:new|learn|review|due|suspended|buried"
    )
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with open_collection(args) as collection:
        cards = collection.cards(deck=args.deck, search=args.search)
    if args.json:
        print_json([card.to_json() for card in cards])
        return 0
    for card in cards:
        first_line = card.front.splitlines()[0] if card.front else ""
        due = card.due.strftime("%Y-%m-%d") if card.due and card.state != "new" else "-"
        print(f"{card.id:>6}  {card.state:<10} {due:<10}  {card.deck} | {first_line[:70]}")
    print(f"{len(cards)} card(s)")
    return 0
