"""`flashapp test DECK [--count N] [--types mc,tf,written,match] [--answer-with answer|question|both]
[--seed S] [--timer] [--json | --markdown [FILE]]`: a practice test on a deck.

Without --json or --markdown it opens the TUI on the test's set-up dialog, filled in from the flags.
`--json` prints the generated test (questions, options, answers); `--markdown` writes a printable test
with its answer key (to FILE, or to standard output). Same seed, same test.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from flashapp.errors import UserError

TYPES_HELP = (
    "question types, comma-separated: mc, tf, written, match, computed (predict cards, answered by the "
    "engine; default: mc,tf,written,match)"
)


def register(sub: argparse._SubParsersAction) -> None:
    from flashapp.core.practice.questions import ANSWER_WITH, DEFAULT_COUNT

    parser = sub.add_parser(
        "test",
        help="practice test on a deck (TUI; --json or --markdown print it instead)",
        description="A practice test: multiple choice, true/false, written answers (graded leniently) "
        "and matching, from the cards of DECK and its subdecks.",
    )
    parser.add_argument("deck", metavar="DECK")
    parser.add_argument(
        "--count", type=int, default=DEFAULT_COUNT, help=f"number of questions (default {DEFAULT_COUNT})"
    )
    parser.add_argument("--types", default="mc,tf,written,match", help=TYPES_HELP)
    parser.add_argument(
        "--answer-with",
        choices=ANSWER_WITH,
        default="answer",
        help="answer with the cards' answers (default), their questions, or both",
    )
    parser.add_argument("--seed", type=int, help="random seed: the same seed makes the same test")
    parser.add_argument("--timer", action="store_true", help="show the time taken (TUI)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the test as JSON, without the TUI")
    output.add_argument(
        "--markdown",
        nargs="?",
        const="-",
        metavar="FILE",
        help="write a printable test with its answer key to FILE (default: standard output)",
    )
    parser.set_defaults(handler=run)


def settings_from(args: argparse.Namespace):
    """The test's settings from the flags; UserError naming the flag at fault."""
    from flashapp.core.practice.questions import PracticeSettings, parse_kinds

    if args.count < 1:
        raise UserError(f"--count must be 1 or more, got {args.count}")
    try:
        kinds = parse_kinds(args.types)
    except ValueError as error:
        raise UserError(f"--types: {error}") from None
    return PracticeSettings(
        count=args.count, kinds=kinds, answer_with=args.answer_with, timer=args.timer, seed=args.seed
    )


def run(args: argparse.Namespace) -> int:
    from flashapp.cli.common import open_collection, print_json

    settings = settings_from(args)
    computed = "computed" in settings.kinds
    with open_collection(args) as collection:
        items = collection.practice_items(args.deck, predict=computed)
    if not items:
        raise UserError(f"deck {args.deck!r} has no cards to practise")
    if not args.json and args.markdown is None:
        from flashapp.tui.practice_messages import PracticeStart
        from flashapp.tui.run import run_tui

        return run_tui(args.db, start=PracticeStart("test", args.deck, settings))

    from flashapp.core.practice.generator import generate_test
    from flashapp.core.practice.markdown import render_test_markdown
    from flashapp.store.practice import engine_truth

    seed = settings.seed if settings.seed is not None else random.SystemRandom().randrange(2**31)
    test = generate_test(
        items, deck=args.deck, count=settings.count, kinds=settings.kinds, seed=seed,
        answer_with=settings.answer_with, solve=engine_truth if computed else None,
    )  # fmt: skip
    if not test.questions:
        raise UserError(f"deck {args.deck!r} has no cards for questions of type {args.types}")
    if args.json:
        print_json(test.to_json())
    elif args.markdown == "-":
        sys.stdout.write(render_test_markdown(test))
    else:
        path = Path(args.markdown)
        try:
            path.write_text(render_test_markdown(test), encoding="utf-8")
        except OSError as error:
            raise UserError(f"cannot write {path}: {error.strerror or error}") from None
        print(f"wrote {path}: {len(test.questions)} questions with the answer key (seed {seed})")
    return 0
