"""`flashapp check`: verify the collection (exit 1 when anything is wrong)."""

from __future__ import annotations

import argparse

from flashapp.cli.common import add_json_flag, open_collection, print_json


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("check", help="integrity check of the collection")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with open_collection(args) as collection:
        problems = collection.check()
        where = collection.path or collection.url
    if args.json:
        print_json({"ok": not problems, "problems": problems})
    elif problems:
        print(f"{len(problems)} problem(s) in {where}:")
        for problem in problems:
            print(f"  {problem}")
    else:
        print(f"{where}: ok")
    return 1 if problems else 0
