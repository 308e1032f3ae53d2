"""Packages built once per test session with the official `anki` library (and genanki), and what
Anki itself reports for each of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from anki_client import build_source, export_packages, import_into_anki


@pytest.fixture(scope="session")
def anki_source(tmp_path_factory):
    return build_source(tmp_path_factory.mktemp("anki-source") / "collection")


@pytest.fixture(scope="session")
def anki_packages(anki_source, tmp_path_factory) -> dict[str, Path]:
    """modern .apkg, legacy .apkg and .colpkg of the same collection, exported by Anki."""
    return export_packages(anki_source, tmp_path_factory.mktemp("anki-packages"))


@pytest.fixture(scope="session")
def anki_views(anki_packages, tmp_path_factory):
    """What Anki's own importer makes of each package."""
    folder = tmp_path_factory.mktemp("anki-imports")
    return {kind: import_into_anki(path, folder / kind) for kind, path in anki_packages.items()}


@pytest.fixture
def pg_collection_url(request: pytest.FixtureRequest) -> str:
    """A new, empty collection on the FLASHAPP_TEST_PG server: the test process's scratch collection,
    migrated once and emptied here (as the store tests' fixture of that name; a `pg_url` database is
    emptied and migrated again for each test). Skips without a server."""
    return request.getfixturevalue("_pg_collection_database").empty()
