"""`flashapp plan`: workload against desired retention, on a simulated learner's deck."""

from __future__ import annotations

import json

import pytest
from cli_calls import call
from simulated import START, write_simulated_history

from flashapp.store.collection import Collection


@pytest.fixture(scope="module")
def db(module_collection_url):
    with Collection.open(module_collection_url, shipped_decks=False) as collection:
        write_simulated_history(collection, days=30, new_per_day=10, start=START)
    return module_collection_url


def test_plan_json_rows_grow_with_desired_retention(db, capsys):
    code, out, _ = call(capsys, "--db", db, "plan", "--deck", "Simulated", "--days", "30", "--json")
    plan = json.loads(out)
    assert code == 0 and plan["current"] == 0.9
    rows = plan["rows"]
    assert [r["desired_retention"] for r in rows][0] == 0.7 and rows[-1]["desired_retention"] == 0.97
    assert set(rows[0]) == {"desired_retention", "reviews_per_day", "minutes_per_day", "expected_recall"}
    reviews = [r["reviews_per_day"] for r in rows]
    recall = [r["expected_recall"] for r in rows]
    assert reviews[-1] > 2 * reviews[0]  # 97% costs far more work than 70%
    assert recall[-1] > recall[0]
    assert all(r["minutes_per_day"] > 0 for r in rows)
    code, out, _ = call(capsys, "--db", db, "plan", "--days", "30")
    assert code == 0 and "0.90" in out and "<- current" in out


def test_bad_days_and_deck(db, capsys):
    code, out, err = call(capsys, "--db", db, "plan", "--days", "0")  # out of the CLI's bounds
    assert (code, out) == (2, "")
    assert err == "flashapp: --days 0 is out of range (at least 1) (see `flashapp plan --help`)\n"
    assert call(capsys, "--db", db, "plan", "--days", "5000")[0] == 2  # within them, beyond plan's
    code, out, err = call(capsys, "--db", db, "plan", "--deck", "Nope")
    assert code == 2 and out == "" and "unknown deck 'Nope'" in err


# That `plan` never imports torch: test_stats_cli.py::test_the_statistics_commands_never_import_torch
# (one interpreter runs stats, evaluate and plan in turn).
