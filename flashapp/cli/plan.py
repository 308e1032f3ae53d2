"""`flashapp plan`: reviews and minutes a day, and expected recall, for desired retention 0.70-0.97,
simulated under FSRS with the deck's parameters."""

from __future__ import annotations

import argparse

from flashapp.cli.common import add_json_flag, open_collection, print_json
from flashapp.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("plan", help="workload and recall against desired retention (FSRS simulation)")
    parser.add_argument("--deck", help="this deck and its subdecks (default: every deck)")
    parser.add_argument("--days", type=int, default=90, help="days to simulate (default 90)")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import random

    from flashapp.core.scheduling.workload import RETENTIONS, plan_workload
    from flashapp.store.review_history import plan_inputs

    if not 1 <= args.days <= 3650:
        raise UserError(f"--days must be a whole number from 1 to 3650, got {args.days}")
    with open_collection(args) as collection:
        inputs = plan_inputs(collection, args.deck)
    current = inputs.options.desired_retention
    retentions = sorted({*RETENTIONS, round(current, 2)})
    rows = plan_workload(
        inputs.cards,
        parameters=inputs.options.fsrs_parameters,
        days=args.days,
        new_per_day=inputs.options.new_per_day,
        seconds_pass=inputs.seconds_pass,
        seconds_lapse=inputs.seconds_lapse,
        rng=random.Random(0),
        retentions=retentions,
    )
    if args.json:
        print_json({"current": current, "days": args.days, "rows": [row.to_dict() for row in rows]})
        return 0
    print(
        f"Next {args.days} days under FSRS ({len(inputs.cards)} cards, {inputs.options.new_per_day} new a "
        f"day, {inputs.seconds_pass:.0f} s a review, {inputs.seconds_lapse:.0f} s a lapse):"
    )
    print(f"  {'desired':>8} {'reviews/day':>12} {'minutes/day':>12} {'recall':>8}")
    for row in rows:
        mark = "  <- current" if abs(row.desired_retention - current) < 1e-9 else ""
        print(
            f"  {row.desired_retention:>8.2f} {row.reviews_per_day:>12.1f} {row.minutes_per_day:>12.1f} "
            f"{row.expected_recall:>8.3f}{mark}"
        )
    return 0
