"""`flashapp optimize`: fit FSRS parameters to the deck's review log and store them (after a backup)
when they predict the held-out later reviews better than the current ones."""

from __future__ import annotations

import argparse
import sys

from flashapp.cli.common import add_json_flag, open_collection, print_json


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("optimize", help="fit FSRS parameters on the deck's review log")
    parser.add_argument("--deck", help="this deck and its subdecks (default: every deck)")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from flashapp.core.scheduling.fitting import NotEnoughHistory
    from flashapp.core.stats_text import metrics_table
    from flashapp.core.text import strip_control
    from flashapp.store.review_history import load_history, save_parameters

    where = f"deck {strip_control(args.deck)!r}" if args.deck else "all decks"
    with open_collection(args) as collection:
        history = load_history(collection, args.deck)
        current = _shared_parameters(history.parameters.values())
        try:
            result = _fit(history.reviews, current)
        except NotEnoughHistory as short:
            if args.json:
                print_json(
                    {"reviews_used": 0, "reviews_needed": short.needed, "parameters": list(current),
                     "before": None, "after": None, "saved": False}
                )  # fmt: skip
            else:
                print(
                    f"{where}: {short.have} reviews a day or more apart so far; FSRS needs "
                    f"{short.needed} more before it can be fitted. Nothing was changed."
                )
            return 0
        better = result.after.log_loss < result.before.log_loss
        backup = None
        if better:
            backup = collection.backup()
            save_parameters(collection, history.deck_ids, result.parameters)
    if args.json:
        print_json(
            {
                "reviews_used": result.reviews_used,
                "held_out": result.held_out,
                "split_at": result.split_at.isoformat(),
                "parameters": list(result.parameters),
                "before": result.before.to_dict(),
                "after": result.after.to_dict(),
                "saved": better,
            }
        )
        return 0
    print(
        f"{where}: fitted on {result.reviews_used} reviews; scored on the {result.held_out} later ones "
        f"(since {result.split_at:%Y-%m-%d})."
    )
    print(metrics_table({"before": result.before, "after": result.after}))
    if better:
        saved_to = f" (backup: {strip_control(str(backup))})" if backup else ""
        print(f"Saved the fitted parameters to {where}{saved_to}.")
    else:
        print("Kept the current parameters: the fitted ones predicted the later reviews no better.")
    return 0


def _fit(reviews, current):
    from tqdm import tqdm

    from flashapp.core.scheduling.fitting import fit_parameters
    from flashapp.core.scheduling.fsrs_training import EPOCHS

    # disable=None: the bar shows only when stderr is a terminal.
    with tqdm(total=EPOCHS, desc="Optimizing", unit="epoch", file=sys.stderr, disable=None) as bar:

        def on_epoch(epoch: int, loss: float) -> None:
            bar.set_postfix(loss=f"{loss:.4f}")
            bar.update(1)

        return fit_parameters(reviews, current, on_epoch=on_epoch)


def _shared_parameters(values) -> tuple[float, ...]:
    """The decks' parameters when they all have the same ones, else the defaults (an empty tuple)."""
    distinct = set(values)
    return next(iter(distinct)) if len(distinct) == 1 else ()
