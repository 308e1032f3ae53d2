"""`flashapp answer CARD_ID again|hard|good|easy`: schedule a card and log the review."""

from __future__ import annotations

import argparse

from flashapp.cli import common
from flashapp.cli.common import (
    add_json_flag,
    add_now_flag,
    card_id_argument,
    iso,
    open_collection,
    open_direct,
    parse_now,
    print_json,
)
from flashapp.core.scheduling import Rating, format_interval
from flashapp.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("answer", help="answer a card: again, hard, good or easy")
    parser.add_argument("card_id", type=card_id_argument, metavar="CARD_ID")
    parser.add_argument("rating", metavar="again|hard|good|easy")
    parser.add_argument("--time-ms", type=int, default=0, help="time taken to answer, in milliseconds")
    add_now_flag(parser)
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        rating = Rating.parse(args.rating)
    except ValueError as error:
        raise UserError(str(error)) from None
    now = parse_now(args.now)
    result = _direct(args, rating, now)
    if result is None:
        with open_collection(args) as collection:
            result = collection.answer(args.card_id, rating, args.time_ms)
            now = collection.clock()
    after = result.after
    if args.json:
        print_json(
            {
                "card_id": result.card_id,
                "rating": rating.name.lower(),
                "state": after.state.value,
                "due": iso(after.due),
                "interval_days": after.interval_days,
                "ease": round(after.ease, 4),
                "reps": after.reps,
                "lapses": after.lapses,
                "review_id": result.review_id,
                "buried_siblings": list(result.buried_siblings),
            }
        )
        return 0
    print(
        f"Card {result.card_id}: {rating.name.lower()} → {after.state.value}, "
        f"due in {format_interval(now, after.due)} ({iso(after.due)})"
    )
    return 0


def _direct(args: argparse.Namespace, rating: Rating, now):
    """The answer written with sqlite3 alone (see `store/direct/`), or None for the `Collection`."""
    direct = open_direct(args)
    if direct is None:
        return None
    from flashapp.store.direct.study import Unhandled, answer

    with direct:
        try:
            return answer(direct, args.card_id, rating, now, fuzz=common.FUZZ, duration_ms=args.time_ms)
        except Unhandled:
            return None
