"""`flashapp match DECK [--seed S]`: the Match game on a deck, in the TUI."""

from __future__ import annotations

import argparse

from flashapp.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "match",
        help="match game on a deck (TUI): pair terms with definitions against the clock",
        description="Pair 6 terms of DECK with their definitions as fast as you can; a wrong pair "
        "adds a second. The best time per deck is kept.",
    )
    parser.add_argument("deck", metavar="DECK")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import random

    from flashapp.cli.common import open_collection
    from flashapp.core.practice.match import MIN_PAIRS, choose_pairs

    with open_collection(args) as collection:
        items = collection.practice_items(args.deck)
    if len(choose_pairs(items, random.Random(0))) < MIN_PAIRS:
        raise UserError(f"deck {args.deck!r} needs at least {MIN_PAIRS} cards with distinct sides for Match")
    from flashapp.tui.practice_messages import PracticeStart
    from flashapp.tui.run import run_tui

    return run_tui(args.db, start=PracticeStart("match", args.deck))
