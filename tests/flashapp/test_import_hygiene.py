"""The layer rules of DESIGN.md, checked by importing each layer in a fresh interpreter."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import flashapp

ROOT = Path(__file__).resolve().parents[2]


def modules_of(package: str) -> list[str]:
    path = ROOT.joinpath(*package.split("."))
    found = pkgutil.walk_packages([str(path)], prefix=f"{package}.")
    return [package] + [m.name for m in found if ".migrations" not in m.name]


def loaded_after_each(stages: list[list[str]]) -> list[set[str]]:
    """The top-level packages loaded after importing each stage's modules, the stages imported in turn
    in one fresh interpreter (a module once loaded stays loaded: each set holds the ones before it)."""
    script = "import importlib, json, sys\nreports = []\n"
    script += f"for stage in {stages!r}:\n    for m in stage: importlib.import_module(m)\n"
    script += "    reports.append(sorted({name.split('.')[0] for name in sys.modules}))\n"
    script += "print(json.dumps(reports))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    return [set(report) for report in json.loads(result.stdout)]


# Each layer with what importing it must never load; the CLI last: its help and every command module
# but `demo` (`cli_modules`) must never load torch.
LAYERS = [
    ("flashapp.core", {"torch", "textual", "sqlalchemy", "engine", "numpy"}),
    ("flashapp.store", {"torch", "textual", "engine", "numpy"}),
    ("flashapp.tui", {"torch", "numpy", "matplotlib"}),
]


def cli_modules() -> list[str]:
    from flashapp.cli import COMMANDS

    return ["flashapp.cli.main", *(f"flashapp.cli.{name}" for name in COMMANDS)]


@pytest.fixture(scope="module")
def loaded_by_layer() -> dict[str, set[str]]:
    """{layer: packages loaded once it is imported}: the layers of LAYERS, then the CLI's modules, each
    imported after the ones before it in one fresh interpreter (a process each cost a second apiece:
    every layer imports the ones below it again). A set holds what importing that layer alone loads,
    and what the layers before it loaded: none of the packages the later layers forbid (each layer's
    check also checks those below it), so each check still fails exactly when its layer loads a
    forbidden package; where an earlier layer's check fails, later ones may fail with it."""
    names = [package for package, _ in LAYERS] + ["cli"]
    stages = [modules_of(package) for package, _ in LAYERS] + [cli_modules()]
    return dict(zip(names, loaded_after_each(stages), strict=True))


@pytest.mark.parametrize(("package", "forbidden"), LAYERS)
def test_layer_imports(package, forbidden, loaded_by_layer):
    assert loaded_by_layer[package] & forbidden == set()


def test_cli_help_and_every_non_demo_command_module_skip_torch(loaded_by_layer):
    assert "torch" not in loaded_by_layer["cli"]


def test_engine_imports_nothing_of_flashapp():
    for path in (ROOT / "engine").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(name.split(".")[0] == "flashapp" for name in names), path


def test_flashapp_package_is_where_the_tests_expect():
    assert Path(flashapp.__file__).resolve().parent == ROOT / "flashapp"
