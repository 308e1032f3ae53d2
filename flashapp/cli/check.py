"""`flashapp check [--repair]`: verify the collection (exit 1 when anything is wrong); `--repair`
mends what can be mended, after a backup, and says what it did."""

from __future__ import annotations

import argparse

from flashapp.cli.common import add_json_flag, open_collection, print_json


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("check", help="integrity check of the collection (--repair mends it)")
    parser.add_argument(
        "--repair",
        action="store_true",
        help="after a backup: recover damaged pages into a new file, reset impossible card states, "
        "rebuild counts from the review log",
    )
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from flashapp.store.damage import FILE_DAMAGE, clear_damage
    from flashapp.store.db import shown_url

    with open_collection(args, allow_damaged=True) as collection:
        where = collection.path or shown_url(collection.url)
        done = collection.repair() if args.repair else []
        problems = collection.check()
        if not problems:
            clear_damage(collection.path)  # sound again (restored or mended by hand): writes may go on
    if args.json:
        print_json({"ok": not problems, "problems": problems} | ({"repaired": done} if args.repair else {}))
        return 1 if problems else 0
    if done:
        print(f"repaired {where}:")
        for line in done:
            print(f"  {line}")
    if problems:
        print(f"{len(problems)} problem(s) in {where}{' left' if args.repair else ''}:")
        for problem in problems:
            print(f"  {problem}")
        if not args.repair and any(problem.startswith(FILE_DAMAGE) for problem in problems):
            print(
                "run `flashapp check --repair` to recover the readable rows into a new file (a backup "
                "is taken first), or `flashapp restore BACKUP` (`flashapp backups` lists them)"
            )
        elif not args.repair:
            print("run `flashapp check --repair` to mend what can be mended (a backup is taken first)")
    else:
        print(f"{where}: ok")
    return 1 if problems else 0
