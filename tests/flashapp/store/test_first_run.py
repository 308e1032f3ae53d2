"""First run: the new collection appears whole (schema and shipped decks) or not at all."""

from __future__ import annotations

import gc
import os
import signal
import time
import traceback

from flashapp.store import collection as collection_module
from flashapp.store.collection import Collection


def test_a_kill_between_schema_and_shipped_decks_leaves_no_empty_collection(tmp_path):
    path = tmp_path / "first.db"
    pid = os.fork()  # a process of its own, killed halfway through its first start
    if pid == 0:
        gc.disable()  # a short life: no pass of the collector through the test process's copied heap
        try:

            def die(*args, **kwargs):
                os.kill(os.getpid(), signal.SIGKILL)  # schema made, shipped decks not yet written

            collection_module.Collection.import_paths = die
            collection_module.Collection.open(path)
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(1)  # only if it was not killed: never back into pytest
    deadline = time.monotonic() + 120
    while (waited := os.waitpid(pid, os.WNOHANG)) == (0, 0) and time.monotonic() < deadline:
        time.sleep(0.01)
    if waited == (0, 0):
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    assert waited[0] == pid and os.waitstatus_to_exitcode(waited[1]) == -signal.SIGKILL
    assert not path.exists()
    with Collection.open(path) as collection:  # the next start builds it whole
        assert collection.deck_names() and len(collection.cards()) > 50
    # What the killed start left is only its own staging file, never the collection's name.
    assert {p.name.split("-")[0] for p in tmp_path.iterdir() if p.name.startswith(".")} <= {
        ".first.db.creating"
    }
