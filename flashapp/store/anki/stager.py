"""Staging a big package's notes in another process while the import writes its cards.

Most of an import's work is turning notes into stored columns (fields JSON, search text) and checking
the package. For a big package the importer starts `stage_worker` (a plain Python process: SQLite in
two threads of one process contends on its own locks, two processes do not) as soon as it opens the
package, hands it the job once it has read the package's small tables (the worker runs the package's
`quick_check` first, then its row checks, then stages the notes), copies cards and reviews meanwhile,
and then copies the notes from the staging file in one plain statement. A worker that fails makes the
import fail before it commits; a cancelled one is killed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from flashapp.errors import UserError

# Worth starting a process (some 50 ms) for packages from this size (bytes) and note count up.
STAGE_MIN_PACKAGE_BYTES = 1_000_000
STAGE_MIN_NOTES = 10_000


class NoteStager:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self._process: subprocess.Popen[str] | None = process
        self.stage_path: Path | None = None

    @classmethod
    def start(cls) -> NoteStager | None:
        """A worker, started now (it waits for its job); None where no process can be started (the
        import then does the work itself)."""
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "flashapp.store.anki.stage_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
        except OSError:
            return None
        return cls(process)

    def send(
        self,
        *,
        label: str,
        collection: Path,
        stage: Path,
        fields: dict[int, tuple[str, ...]],
        has_revlog: bool,
    ) -> None:
        """Hand the worker its job: the package's quick_check, its row checks, then the notes."""
        assert self._process is not None and self._process.stdin is not None
        self.stage_path = stage
        job = {
            "label": label,
            "collection": str(collection),
            "stage": str(stage),
            "fields": {str(mid): list(names) for mid, names in fields.items()},
            "has_revlog": has_revlog,
        }
        try:
            self._process.stdin.write(json.dumps(job))
            self._process.stdin.close()
        except OSError:
            pass  # the worker is gone: result() says so

    @property
    def pending(self) -> bool:
        """Given its job, and its answer not yet read."""
        return self._process is not None and self.stage_path is not None

    def result(self, label: str) -> Path:
        """Wait for the worker; the staging file, or a `UserError` saying what was wrong."""
        assert self._process is not None and self.stage_path is not None, "send() the job first"
        process, self._process = self._process, None
        assert process.stdout is not None
        output = process.stdout.read()  # its stdin is closed already: no communicate()
        process.stdout.close()
        code = process.wait()
        try:
            answer = json.loads(output.strip().splitlines()[-1]) if output.strip() else {}
        except ValueError:
            answer = {}
        if code == 0 and answer.get("ok"):
            return self.stage_path
        message = answer.get("error", f"the staging worker stopped (exit code {code})")
        if answer.get("user"):
            raise UserError(message)
        raise UserError(f"{label}: its notes cannot be read ({message})")

    def cancel(self) -> None:
        """Stop the worker (not needed, or the import failed); safe to call twice."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.stdin is not None and not process.stdin.closed:
                process.stdin.close()  # an empty job: the worker exits by itself
        except OSError:
            pass
        try:
            process.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
