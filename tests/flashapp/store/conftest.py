"""Fixtures of the store's tests (the shared ones are in tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def pg_collection_url(request: pytest.FixtureRequest) -> str:
    """A new, empty collection on the FLASHAPP_TEST_PG server, for tests about PostgreSQL itself:
    the test process's scratch collection, migrated once and emptied here in one round trip (a
    `pg_url` database is dropped and migrated again, a second or so under load). Skips as `pg_url`
    does without a server."""
    return request.getfixturevalue("_pg_collection_database").empty()
