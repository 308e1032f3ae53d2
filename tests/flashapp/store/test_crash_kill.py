"""Killed mid-answer (SIGKILL, no cleanup): no acknowledged answer lost, nothing half-written."""

from __future__ import annotations

from tests.flashapp.store.crash_kill import kills


def test_sigkill_mid_answer_loses_no_acknowledged_answer(tmp_path):
    tally = kills(str(tmp_path / "crash.db"), count=4)
    assert tally["acknowledged"] > 0
    assert tally["lost"] == 0 and tally["check"] == [], tally
