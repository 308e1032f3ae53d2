"""`flashapp card CARD_ID ACTION`: show one card with its history, or suspend, bury or forget it."""

from __future__ import annotations

import argparse

from flashapp.cli.common import add_json_flag, card_id_argument, iso, open_collection, print_json

ACTIONS = ("info", "suspend", "unsuspend", "bury", "unbury", "forget")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("card", help="one card: info (with review history), suspend, bury, forget")
    parser.add_argument("card_id", type=card_id_argument, metavar="CARD_ID")
    parser.add_argument("action", choices=ACTIONS, nargs="?", default="info")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with open_collection(args) as collection:
        if args.action in ("suspend", "unsuspend"):
            collection.suspend(args.card_id, args.action == "suspend")
        elif args.action in ("bury", "unbury"):
            collection.bury(args.card_id, args.action == "bury")
        elif args.action == "forget":
            collection.forget(args.card_id)
        info = collection.card(args.card_id)
        history = collection.review_history(args.card_id)
    if args.json:
        print_json(
            {
                **info.to_json(),
                "history": [
                    {
                        "reviewed_at": iso(h.reviewed_at),
                        "rating": h.rating.name.lower(),
                        "state_before": h.state_before,
                        "state_after": h.state_after,
                        "interval_days": h.interval_after_days,
                        "ease": h.ease_after,
                        "duration_ms": h.duration_ms,
                    }
                    for h in history
                ],
            }
        )
        return 0
    status = "suspended" if info.suspended else info.state
    print(
        f"Card {info.id} ({info.key}) · {info.deck} · {status} · due {info.to_json()['due'] or '-'} · "
        f"interval {info.interval_days}d · ease {info.ease:.2f} · reps {info.reps} · lapses {info.lapses}"
    )
    print(f"  {info.front.splitlines()[0] if info.front else ''}")
    for h in history:
        print(
            f"  {iso(h.reviewed_at)}  {h.rating.name.lower():<5} {h.state_before} → {h.state_after}, "
            f"{h.interval_after_days}d"
        )
    return 0
