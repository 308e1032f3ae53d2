"""`flashapp import PATH...`: deck files and folders of them, all or nothing."""

from __future__ import annotations

import argparse

from flashapp.cli.common import add_json_flag, open_collection, print_json


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("import", help="import .toml deck files or folders of them")
    parser.add_argument("paths", nargs="+", metavar="PATH")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with open_collection(args) as collection:
        report = collection.import_paths(args.paths)
    if args.json:
        print_json(
            [
                {
                    "deck": r.deck,
                    "file": f,
                    "added": r.added,
                    "updated": r.updated,
                    "orphaned": r.orphaned,
                    "restored": r.restored,
                }
                for f, r in zip(report.files, report.decks, strict=True)
            ]
        )
        return 0
    for path, deck in zip(report.files, report.decks, strict=True):
        if not deck.changed:
            print(f"{deck.deck}: up to date ({path})")
            continue
        parts = [f"{deck.added} card(s) added", f"{deck.updated} note(s) updated"]
        if deck.orphaned:
            parts.append(f"{deck.orphaned} card(s) no longer in the file, suspended")
        if deck.restored:
            parts.append(f"{deck.restored} card(s) back in the file")
        print(f"{deck.deck}: {', '.join(parts)} ({path})")
    return 0
