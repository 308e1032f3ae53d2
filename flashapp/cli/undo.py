"""`flashapp undo`: take back the newest answer in the collection, whoever gave it, and name its card
(repeat for earlier ones)."""

from __future__ import annotations

import argparse

from flashapp.cli.common import add_json_flag, iso, open_collection, print_json
from flashapp.core.text import strip_control

# The card's front is named, cut to this many characters.
FRONT_CHARS = 60


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("undo", help="take back the last answer")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with open_collection(args) as collection:
        undone = collection.undo()
        front = None if undone is None else collection.card(undone.card_id).front
    if args.json:
        print_json(
            {
                "undone": None
                if undone is None
                else {
                    "card_id": undone.card_id,
                    "front": front,
                    "rating": undone.rating.name.lower(),
                    "reviewed_at": iso(undone.reviewed_at),
                }
            }
        )
    elif undone is None:
        print("Nothing to undo.")
    else:
        rating = undone.rating.name.lower()
        shown = strip_control(" ".join((front or "").split()))
        if len(shown) > FRONT_CHARS:
            shown = shown[: FRONT_CHARS - 1] + "…"
        print(f"Undid {rating} on card {undone.card_id} “{shown}” (answered {iso(undone.reviewed_at)}).")
    return 0
