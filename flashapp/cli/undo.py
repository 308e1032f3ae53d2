"""`flashapp undo`: take back the newest answer (repeat for earlier ones)."""

from __future__ import annotations

import argparse

from flashapp.cli.common import add_json_flag, iso, open_collection, print_json


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("undo", help="take back the last answer")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with open_collection(args) as collection:
        undone = collection.undo()
    if args.json:
        print_json(
            {
                "undone": None
                if undone is None
                else {
                    "card_id": undone.card_id,
                    "rating": undone.rating.name.lower(),
                    "reviewed_at": iso(undone.reviewed_at),
                }
            }
        )
    elif undone is None:
        print("Nothing to undo.")
    else:
        rating = undone.rating.name.lower()
        print(f"Undid {rating} on card {undone.card_id} (answered {iso(undone.reviewed_at)}).")
    return 0
