"""`flashapp export DECK -o FILE.apkg`: a deck and its subdecks as an Anki package;
`flashapp export DECK -o FILE.toml`: the deck as a deck file (notes added in the app included)."""

from __future__ import annotations

import argparse
from pathlib import Path

from flashapp.cli.common import (
    add_json_flag,
    open_collection,
    open_direct,
    parse_now,
    print_json,
)
from flashapp.errors import UserError
from flashapp.folders import writable_folder


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "export", help="export a deck as an Anki .apkg package (with subdecks) or a .toml deck file"
    )
    parser.add_argument("deck", metavar="DECK")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="FILE.apkg (Anki package) or FILE.toml (deck file)",
    )
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    output = Path(args.output)
    if output.is_dir():
        raise UserError(f"-o {args.output!r} is a folder; name the file to write, like {output / 'a.apkg'}")
    writable_folder(output.parent, f"-o {args.output!r}")
    if str(args.output).lower().endswith(".toml"):
        return _deck_file(args)
    # An SQLite collection at the newest schema is read with sqlite3 alone (no SQLAlchemy to load).
    direct = open_direct(args)
    if direct is not None:
        from flashapp.store.anki.package_export import export_collection_file

        with direct, direct.reading():  # one read transaction: a damaged file is named as the Collection does
            report = export_collection_file(
                direct.path,
                args.deck,
                Path(args.output),
                now=parse_now(None),
                tz=direct.tz,
                media_dir=direct.path.with_name(f"{direct.path.stem}.media"),  # as Collection.media_dir
            )
    else:
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


def _deck_file(args: argparse.Namespace) -> int:
    with open_collection(args) as collection:
        written, left_out = collection.export_deck_file(args.deck, args.output)
    if args.json:
        print_json({"file": str(args.output), "deck": args.deck, "notes": written, "left_out": left_out})
        return 0
    print(f"{args.output}: {written} note(s) from {args.deck}")
    if left_out:
        print(f"{left_out} note(s) imported from Anki left out (no deck-file form for them: use .apkg)")
    return 0
