"""First run: the new collection appears whole (schema and shipped decks) or not at all."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from flashapp.store.collection import Collection


def test_a_kill_between_schema_and_shipped_decks_leaves_no_empty_collection(tmp_path):
    path = tmp_path / "first.db"
    killed = textwrap.dedent(
        f"""
        import os, signal
        from flashapp.store import collection as module

        def die(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)  # schema made, shipped decks not yet written

        module.Collection.import_paths = die
        module.Collection.open({str(path)!r})
        """
    )
    result = subprocess.run([sys.executable, "-c", killed], capture_output=True, timeout=120)
    assert result.returncode == -9
    assert not path.exists()
    with Collection.open(path) as collection:  # the next start builds it whole
        assert collection.deck_names() and len(collection.cards()) > 50
    # What the killed start left is only its own staging file, never the collection's name.
    assert {p.name.split("-")[0] for p in tmp_path.iterdir() if p.name.startswith(".")} <= {
        ".first.db.creating"
    }
