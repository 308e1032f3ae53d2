"""Imports are all or nothing, media included: a process killed at any step of an Anki import (after
unpacking, after the rows are written, half-way through installing the files, after installing them,
after the commit) leaves the old state or the new one, never media rows without their files; the
next import finishes the job and removes what the killed one left behind. Both ways in: the
`Collection`, and `flashapp import` on its plain sqlite3 connection (`store/anki/direct_import.py`)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from subprocess import PIPE

import pytest
from sqlalchemy import func, select
from test_anki_tolerance import tolerant_package  # noqa: F401 - the package with media, as a fixture

from flashapp.store.collection import Collection
from flashapp.store.models import Media, Note

KILLED = 137
# The child imports the package, and dies (os._exit: no cleanup, like a SIGKILL) at one step. Each child
# is forked from one interpreter that imported flashapp once (a fresh interpreter per case spent most
# of its half a second of CPU on the imports): it reads one case a line, forks a child for it with its
# stderr in a file, and answers with the child's exit status.
SERVER = textwrap.dedent(
    """
    import json, os, shutil, sys, traceback
    from datetime import UTC
    import flashapp.store.anki.media as media
    import flashapp.store.anki.direct_import as direct_import
    import flashapp.store.anki.package_import as package_import
    from flashapp.cli.main import main
    from flashapp.store.collection import Collection

    def run(step, db, package, way):
        # However small the package, the cards' deferred index is dropped and built again in the
        # transaction.
        package_import.DEFER_INDEX_MIN_CARDS = 0

        def die():
            os._exit(137)

        if step == "prepared":
            original_session = package_import.attached_session
            def attached_session(*args, **kwargs):
                die()
            package_import.attached_session = attached_session
            direct_import.attached_packages = attached_session
        elif step == "rows_written":
            original_plan = package_import.plan_media
            def plan_media(*args, **kwargs):
                original_plan(*args, **kwargs)
                die()
            package_import.plan_media = plan_media
        elif step in ("half_installed", "installed"):
            original_install = media.install_media
            def install_media(media_dir, moves, installed):
                original_install(media_dir, moves[:1] if step == "half_installed" else moves, installed)
                die()
            media.install_media = install_media
        elif step == "committed":
            original_rmtree = shutil.rmtree
            def rmtree(path, *args, **kwargs):
                if ".flashapp-import-" in str(path):
                    die()
                original_rmtree(path, *args, **kwargs)
            shutil.rmtree = rmtree
        if way == "cli":
            main(["--db", db, "import", package])
        else:
            with Collection.open(db, shipped_decks=False, tz=UTC) as collection:
                collection.import_package(package, backup=False)

    for line in sys.stdin:
        *case, stderr = json.loads(line)
        pid = os.fork()
        if pid == 0:
            os.dup2(os.open(stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # stdout is the answers' pipe
            code = 1
            try:
                run(*case)
                code = 0
            except SystemExit as exit:
                code = exit.code if isinstance(exit.code, int) else 1
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stderr.flush()
                os._exit(code)
        print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
    """
)
DEFERRED_SQL = "CREATE INDEX ix_cards_deck_queue_due ON cards (deck_id, queue, due, position)"
STEPS = ("prepared", "rows_written", "half_installed", "installed", "committed")
# Every step through the Collection; through `flashapp import` the two around the media files.
CASES = [(step, "collection") for step in STEPS] + [("rows_written", "cli"), ("half_installed", "cli")]


def indexes(path: Path) -> list[tuple[str, str]]:
    """Every index of the file, with the SQL that made it."""
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").fetchall()
    finally:
        db.close()


def state(path: Path) -> tuple[int, dict[str, str]]:
    with Collection.open(path, shipped_decks=False) as collection:
        with collection.reading() as session:
            notes = session.scalar(select(func.count()).select_from(Note))
            rows = dict(session.execute(select(Media.name, Media.sha256)).all())
        return notes, rows


@pytest.fixture(scope="module")
def killed_import(tmp_path_factory) -> Iterator[Callable[[str, Path, Path, str], tuple[int, str]]]:
    """killed_import(step, db, package, way) -> (the child's exit status, its stderr)."""
    folder = tmp_path_factory.mktemp("killed-imports")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with open(folder / "server-stderr", "w") as server_stderr:
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER], env=env, stdin=PIPE, stdout=PIPE, stderr=server_stderr, text=True
        )

    def run(step: str, db: Path, package: Path, way: str) -> tuple[int, str]:
        stderr = folder / f"{step}-{way}-stderr"
        server.stdin.write(json.dumps([step, str(db), str(package), way, str(stderr)]) + "\n")
        server.stdin.flush()
        answer = server.stdout.readline()
        assert answer, (folder / "server-stderr").read_text()
        return int(answer), stderr.read_text()

    yield run
    server.stdin.close()
    server.wait(timeout=60)


@pytest.mark.parametrize(("step", "way"), CASES)
def test_a_kill_at_any_step_leaves_the_old_state_or_the_new(
    step,
    way,
    tolerant_package,  # noqa: F811
    killed_import,
    tmp_path,
    empty_collection_file,
):
    db = empty_collection_file(tmp_path / "c.db")
    Collection.open(db, shipped_decks=False).close()
    before = indexes(db)
    assert ("ix_cards_deck_queue_due", DEFERRED_SQL) in before
    returncode, stderr = killed_import(step, db, tolerant_package, way)
    assert returncode == KILLED, stderr
    notes, rows = state(db)
    media_dir = tmp_path / "c.media"
    assert (notes, len(rows)) in ((0, 0), (3, 4)), step
    assert indexes(db) == before, step  # the index dropped for the cards is there, committed or not
    if step in ("committed",):
        assert (notes, len(rows)) == (3, 4)
    for name, sha in rows.items():  # never a row without its file
        assert hashlib.sha256((media_dir / name).read_bytes()).hexdigest() == sha
    leftovers = list(tmp_path.glob(".flashapp-import-*"))
    if step != "prepared":
        assert leftovers  # the killed import could not clean up ...
    with Collection.open(db, shipped_decks=False) as collection:
        report = collection.import_package(tolerant_package, backup=False)
    notes, rows = state(db)
    assert (notes, len(rows)) == (3, 4)
    assert report.notes_added in (0, 3)
    for name, sha in rows.items():
        assert hashlib.sha256((media_dir / name).read_bytes()).hexdigest() == sha
    assert not list(tmp_path.glob(".flashapp-import-*"))  # ... the next import did
    assert indexes(db) == before
    assert not list(media_dir.glob(".flashapp-partial-*"))
