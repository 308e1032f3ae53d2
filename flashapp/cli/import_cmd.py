"""`flashapp import PATH... [--reset]`: deck files, folders of them and Anki packages, all or nothing."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from flashapp.cli.common import add_json_flag, open_collection, open_direct, print_json

if TYPE_CHECKING:
    from flashapp.store.deckfile_rows import ImportReport


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "import", help="import .toml deck files (or folders of them) and Anki packages (.apkg, .colpkg)"
    )
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument(
        "--reset",
        action="store_true",
        help="Anki packages: bring their cards in as new, without scheduling or review history",
    )
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    report = _deck_files_direct(args) or _packages_direct(args)
    if report is None:
        with open_collection(args) as collection:
            report = collection.import_paths(args.paths, reset=args.reset)
    files, decks, packages = report.files, report.decks, report.packages
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
                for f, r in zip(files, decks, strict=True)
            ]
            + [package.to_json() for package in packages]
        )
        return 0
    for path, deck in zip(files, decks, strict=True):
        if not deck.changed:
            print(f"{deck.deck}: up to date ({path})")
            continue
        parts = [f"{deck.added} card(s) added", f"{deck.updated} note(s) updated"]
        if deck.orphaned:
            parts.append(f"{deck.orphaned} card(s) no longer in the file, suspended")
        if deck.restored:
            parts.append(f"{deck.restored} card(s) back in the file")
        print(f"{deck.deck}: {', '.join(parts)} ({path})")
    for package in packages:
        parts = [
            f"{package.notes_added} note(s) added",
            f"{package.notes_updated} updated",
            f"{package.cards_added} card(s) added",
        ]
        if package.cards_updated:
            parts.append(f"{package.cards_updated} card(s) rescheduled")
        if package.notes_unchanged:
            parts.append(f"{package.notes_unchanged} note(s) already up to date")
        if package.reviews_added:
            parts.append(f"{package.reviews_added} review(s)")
        if package.media_added:
            parts.append(f"{package.media_added} media file(s)")
        if package.media_renamed:
            parts.append(f"{package.media_renamed} renamed (name taken)")
        if package.cards_skipped:
            parts.append(f"{package.cards_skipped} card(s) skipped (no note or template)")
        if package.reviews_skipped:
            parts.append(f"{package.reviews_skipped} review-log row(s) of an unknown kind or button skipped")
        decks = ", ".join(package.decks) or "no decks"
        print(f"{package.file}: {', '.join(parts)} [{package.format}; decks: {decks}]")
    return 0


def _deck_files_direct(args: argparse.Namespace) -> ImportReport | None:
    """Deck files (and folders of them) alone, into an SQLite file at the newest schema: imported on a
    plain sqlite3 connection (`store/direct/deckfile_import.py`, no SQLAlchemy); None for everything
    else."""
    from flashapp.store.importing import is_package

    if any(is_package(Path(path)) for path in args.paths):
        return None
    direct = open_direct(args)
    if direct is None:
        return None
    from datetime import UTC, datetime

    from flashapp.store.direct.deckfile_import import import_deck_files

    with direct:
        return import_deck_files(direct, args.paths, now=datetime.now(UTC))


def _packages_direct(args: argparse.Namespace) -> ImportReport | None:
    """Anki packages alone, into an SQLite file at the newest schema: imported on a plain sqlite3
    connection (`store/anki/direct_import.py`, no SQLAlchemy); None for everything else."""
    from flashapp.store.importing import is_package

    paths = [Path(path) for path in args.paths]
    if not all(is_package(path) and path.is_file() for path in paths):
        return None
    direct = open_direct(args)
    if direct is None:
        return None
    from datetime import UTC, datetime

    from flashapp.store.anki.direct_import import import_packages
    from flashapp.store.deckfile_rows import ImportReport

    with direct:
        packages = import_packages(direct, paths, reset=args.reset, now=datetime.now(UTC))
    return ImportReport(files=(), decks=(), packages=packages)
