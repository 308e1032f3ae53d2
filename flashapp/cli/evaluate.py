"""`flashapp evaluate`: how well FSRS (default and the deck's parameters) and SM-2 predict recall on the
learner's own later reviews: srs-benchmark's log loss, RMSE(bins) and AUC, and the calibration table."""

from __future__ import annotations

import argparse

from flashapp.cli.common import add_json_flag, open_collection, print_json
from flashapp.core.stats_text import metrics_table, reliability_text
from flashapp.errors import UserError

MODELS = ("fsrs_default", "fsrs_deck", "sm2")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "evaluate", help="log loss, RMSE(bins), AUC of fsrs_default / fsrs_deck / sm2 on held-out reviews"
    )
    parser.add_argument("--deck", help="this deck and its subdecks (default: every deck)")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from flashapp.core.scheduling.evaluation import evaluate_log
    from flashapp.core.text import strip_control
    from flashapp.store.review_history import load_log

    with open_collection(args) as collection:
        log = load_log(collection, args.deck)
    result = evaluate_log(log)
    if result is None:
        where = f"deck {args.deck!r}" if args.deck else "the collection"
        raise UserError(f"{where} has too few reviews a day or more apart to evaluate (need at least 5)")
    calibration = [
        {"low": b.low, "high": b.high, "count": b.count, "predicted": b.predicted, "actual": b.actual}
        for b in result.calibration["fsrs_deck"]
    ]
    if args.json:
        print_json(
            {
                "reviews": result.reviews,
                "split_at": result.split_at.isoformat(),
                "models": {name: result.models[name].to_dict() for name in MODELS},
                "calibration": calibration,
            }
        )
        return 0
    where = strip_control(args.deck) if args.deck else "all decks"
    print(f"{where}: {result.reviews} held-out reviews since {result.split_at:%Y-%m-%d} (time split)")
    print(metrics_table({name: result.models[name] for name in MODELS}))
    print()
    print("Calibration of fsrs_deck (predicted vs actual recall):")
    print(reliability_text(calibration))
    return 0
