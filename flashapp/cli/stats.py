"""`flashapp stats`: Anki's statistics for a deck (or the collection), as text, JSON or a PNG."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from flashapp.cli.common import (
    add_json_flag,
    add_now_flag,
    open_collection,
    open_direct,
    parse_now,
    print_json,
)
from flashapp.errors import UserError
from flashapp.folders import writable_folder


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("stats", help="statistics: today, forecast, heatmap, retention, intervals, ...")
    parser.add_argument("--deck", help="this deck and its subdecks (default: every deck)")
    add_now_flag(parser)
    add_json_flag(parser)
    parser.add_argument("--save", metavar="FILE.png", help="also draw every panel into one PNG figure")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.save is not None and not args.save.lower().endswith(".png"):
        raise UserError(f"--save {args.save!r}: the figure is written as PNG; name a file ending in .png")
    if args.save is not None:
        writable_folder(Path(args.save).parent, f"--save {args.save!r}")
    stats, calibration = (_direct(args) if args.save is None else None), None
    if stats is None:
        stats, calibration = _with_collection(args)
    if args.save is not None:
        from flashapp.core.stats_figure import save_figure

        try:
            save_figure(stats, calibration or [], args.save)
        except OSError as error:
            raise UserError(f"--save {args.save!r}: {error.strerror or error}") from None
    if args.json:
        print_json(stats)
        return 0
    from flashapp.core.stats_text import stats_text

    print(stats_text(stats))
    if args.save is not None:
        print(f"\nSaved the figure to {args.save}")
    return 0


def _direct(args: argparse.Namespace) -> dict[str, Any] | None:
    """The statistics read with sqlite3 alone (see `store/direct/`), or None for the `Collection`."""
    direct = open_direct(args)
    if direct is None:
        return None
    from flashapp.store.direct.stats import statistics

    with direct:
        return statistics(direct, args.deck, parse_now(args.now))


def _with_collection(args: argparse.Namespace) -> tuple[dict[str, Any], list[dict] | None]:
    """(statistics, calibration table for `--save`) through the `Collection` (any database)."""
    from flashapp.store.statistics import collection_statistics

    with open_collection(args) as collection:
        stats = collection_statistics(collection, args.deck)
        calibration = None
        if args.save is not None:
            from flashapp.core.scheduling.evaluation import evaluate_log
            from flashapp.store.review_history import load_log

            log = load_log(collection, args.deck)
            result = evaluate_log(log)
            calibration = result.calibration["fsrs_deck"] if result is not None else []
    return stats, calibration
