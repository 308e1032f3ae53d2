"""The wheel carries the shipped decks, the migrations and the TUI styles, and an installed flashapp
finds its decks without the checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Built with the test environment's hatchling (a test dependency): an isolated build would install
    # hatchling into a new environment first, 3 of the build's 4 s of CPU.
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [built] = out.glob("flashapp-*.whl")
    return built


def test_wheel_contents(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "flashapp/shipped_decks/attention-and-transformers.toml" in names
    assert "flashapp/store/migrations/versions/0001_initial.py" in names
    assert "flashapp/store/migrations/env.py" in names
    assert "flashapp/tui/app.tcss" in names
    assert "engine/registry.py" in names
    assert not any(name.startswith("tests/") for name in names)


def test_installed_package_finds_its_shipped_decks(wheel, tmp_path):
    # Installed as pip installs a pure-Python wheel into a folder (`pip install --no-deps --target`, a
    # second pip process costing a second of CPU): its files unpacked as they are, nothing in `.data`.
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        assert not any(name.split("/")[0].endswith(".data") for name in archive.namelist())
        archive.extractall(target)
    script = (
        "import flashapp.shipped as s; "
        "print(s.shipped_decks_dir()); print([p.name for p in s.shipped_deck_files()])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    folder, files = result.stdout.splitlines()
    assert Path(folder) == target / "flashapp" / "shipped_decks"
    assert files == str(sorted(path.name for path in (ROOT / "decks").glob("*.toml")))  # every deck file
