"""`flashapp export DECK -o FILE.apkg`: a deck and its subdecks as an Anki package."""

from __future__ import annotations

import argparse

from flashapp.cli.common import add_json_flag, open_collection, print_json


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("export", help="export a deck (with its subdecks) as an Anki .apkg package")
    parser.add_argument("deck", metavar="DECK")
    parser.add_argument("-o", "--output", required=True, metavar="FILE.apkg", help="the package to write")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with open_collection(args) as collection:
        report = collection.export_package(args.deck, args.output)
    if args.json:
        print_json(report.to_json())
        return 0
    parts = [f"{report.notes} note(s)", f"{report.cards} card(s)", f"{report.reviews} review(s)"]
    parts.append(f"{report.media} media file(s)")
    print(f"{report.file}: {', '.join(parts)} from {', '.join(report.decks)}")
    if report.missing_media:
        print(f"not found, left out: {', '.join(report.missing_media)}")
    return 0
