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


def loaded_after_import(modules: list[str]) -> set[str]:
    script = f"import importlib, json, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
    script += "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout))


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("flashapp.core", {"torch", "textual", "sqlalchemy", "engine", "numpy"}),
        ("flashapp.store", {"torch", "textual", "engine", "numpy"}),
        ("flashapp.tui", {"torch", "numpy", "matplotlib"}),
    ],
)
def test_layer_imports(package, forbidden):
    assert loaded_after_import(modules_of(package)) & forbidden == set()


def test_cli_help_and_every_non_demo_command_module_skip_torch():
    from flashapp.cli import COMMANDS

    modules = ["flashapp.cli.main", *(f"flashapp.cli.{name}" for name in COMMANDS)]
    assert "torch" not in loaded_after_import(modules)


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
