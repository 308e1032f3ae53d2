"""`flashapp demo [CONCEPT] [--set k=v]... [--device auto|cpu|cuda] [--seed S] [--save DIR] [--json]`.

Without a concept it lists them from `engine.registry`, which does not import torch. With one, it
validates the parameters first (still torch-free), then imports the engine's runner and runs it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flashapp.cli.common import print_json
from flashapp.errors import UserError
from flashapp.folders import writable_folder


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "demo",
        help="list the runnable concepts, or run one and print its results",
        description="Run a deep-learning concept in PyTorch: prints shapes, key numbers and small "
        "labelled matrices; --save writes its figures as PNG files.",
    )
    parser.add_argument("concept", nargs="?", metavar="CONCEPT", help="e.g. attention.cross (omit to list)")
    parser.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set a parameter (repeatable), e.g. --set n=4 --set m=6",
    )
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto", help="default: auto")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0): same seed, same output")
    parser.add_argument(
        "--save",
        metavar="DIR",
        help="write each figure as DIR/<concept>-<figure>-<params hash>-seed<seed>.png",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from engine.errors import ConceptError

    try:
        if args.concept is None:
            return list_concepts(as_json=args.json)
        return run_concept(args)
    except ConceptError as error:
        raise UserError(str(error)) from None


def parse_assignments(assignments: list[str]) -> dict[str, str]:
    params = {}
    for text in assignments:
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--set expects KEY=VALUE, like --set n=4; got {text!r}")
        params[key.strip()] = value.strip()
    return params


def list_concepts(as_json: bool) -> int:
    from engine.registry import CONCEPTS

    if as_json:
        listing = [
            {
                "name": concept.name,
                "title": concept.title,
                "summary": concept.summary,
                "trains": concept.trains,
                "params": [
                    {
                        "name": spec.name,
                        "kind": spec.kind,
                        "default": spec.default,
                        "min": spec.min,
                        "max": spec.max,
                        "choices": list(spec.choices),
                        "help": spec.help,
                    }
                    for spec in concept.params
                ],
            }
            for concept in CONCEPTS.values()
        ]
        print_json(listing)
        return 0
    width = max(len(name) for name in CONCEPTS)
    print("Runnable concepts: flashapp demo CONCEPT [--set KEY=VALUE]... [--seed S] [--save DIR] [--json]\n")
    for concept in CONCEPTS.values():
        print(f"  {concept.name:<{width}}  {concept.summary}")
        params = [
            f"{spec.name}={spec.default} ({spec.allowed()})" for spec in concept.params if spec.name != "seed"
        ]
        if params:
            print(f"  {'':<{width}}    --set " + "  ".join(params))
    return 0


def run_concept(args: argparse.Namespace) -> int:
    from engine.registry import get_concept, validate_params

    concept = get_concept(args.concept)
    params = validate_params(concept, {"seed": args.seed, **parse_assignments(args.assignments)})
    save_dir = Path(args.save) if args.save else None
    if save_dir is not None:  # before the run: an unwritable folder is found in a moment, not after training
        writable_folder(save_dir, f"--save {args.save!r}")

    from engine.runner import run  # torch, numpy and matplotlib load here, and only here

    progress = ProgressLine() if concept.trains and not args.json else None
    try:
        result = run(concept.name, params, device=args.device, seed=args.seed, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    paths = [str(path) for path in result.save_figures(save_dir)] if save_dir is not None else []
    if args.json:
        print_json(
            {
                "concept": result.concept,
                "params": result.params,
                "device": result.device,
                "metrics": result.metrics,
                "elapsed_s": round(result.elapsed_s, 4),
                "figures": paths or list(result.figures),
            }
        )
        return 0
    print(result.summary(), end="")
    if paths:
        print("saved:")
        for path in paths:
            print(f"  {path}")
    else:
        print("(add --save DIR to write the figures as PNG files)")
    return 0


class ProgressLine:
    """Training progress on stderr: one line rewritten in place on a terminal, a few lines otherwise."""

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()
        self.shown = False
        self.next_logged = 0.0

    def __call__(self, step: int, total: int, loss: float) -> None:
        text = f"training: step {step}/{total}  loss {loss:.4f}"
        if self.live:
            sys.stderr.write(f"\r{text}   ")
            sys.stderr.flush()
            self.shown = True
        elif step >= self.next_logged or step == total:
            print(text, file=sys.stderr)
            self.next_logged = step + total / 5

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()
