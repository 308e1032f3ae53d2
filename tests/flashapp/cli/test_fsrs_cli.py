"""`optimize` and `evaluate` from the shell, on a simulated learner's history and on too little."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from cli_calls import call
from simulated import write_simulated_history

from flashapp.store.collection import Collection


@pytest.fixture(scope="module")
def simulated_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("sim") / "sim.db"
    with Collection.open(path, shipped_decks=False) as collection:
        write_simulated_history(collection, days=60, new_per_day=15, seed=5)
    return path


def test_evaluate_json_has_the_three_models_and_calibration(simulated_db, capsys):
    code, out, _ = call(capsys, "--db", str(simulated_db), "evaluate", "--deck", "Simulated", "--json")
    report = json.loads(out)
    assert code == 0
    assert set(report["models"]) == {"fsrs_default", "fsrs_deck", "sm2"}
    assert report["reviews"] > 100
    for scores in report["models"].values():
        assert set(scores) == {"log_loss", "rmse_bins", "auc"} and 0 < scores["log_loss"] < 1
    assert report["models"]["fsrs_deck"] == report["models"]["fsrs_default"]  # no fitted parameters yet
    assert sum(row["count"] for row in report["calibration"]) == report["reviews"]


def test_optimize_stores_better_parameters_after_a_backup(simulated_db, tmp_path, capsys):
    db = tmp_path / "copy.db"
    db.write_bytes(simulated_db.read_bytes())
    code, out, _ = call(capsys, "--db", str(db), "optimize", "--deck", "Simulated", "--json")
    result = json.loads(out)
    assert code == 0 and result["saved"] is True
    assert result["after"]["log_loss"] < result["before"]["log_loss"]
    assert result["reviews_used"] > 1000 and len(result["parameters"]) == 21
    with Collection.open(db) as collection:
        assert collection.deck_options("Simulated").fsrs_parameters == tuple(result["parameters"])
    assert len(list((tmp_path / "backups").iterdir())) == 1
    code, out, _ = call(capsys, "--db", str(db), "evaluate", "--json")
    models = json.loads(out)["models"]
    assert models["fsrs_deck"]["log_loss"] == pytest.approx(result["after"]["log_loss"])


def test_optimize_below_the_minimum_changes_nothing(tmp_path, capsys):
    db = tmp_path / "few.db"
    with Collection.open(db, shipped_decks=False) as collection:
        write_simulated_history(collection, days=8, new_per_day=5)
    code, out, _ = call(capsys, "--db", str(db), "optimize")
    assert code == 0 and "more before it can be fitted. Nothing was changed." in out
    code, out, _ = call(capsys, "--db", str(db), "optimize", "--json")
    assert json.loads(out)["reviews_needed"] > 0 and json.loads(out)["saved"] is False
    with Collection.open(db) as collection:
        assert collection.deck_options("Simulated").fsrs_parameters == ()
    assert not (tmp_path / "backups").exists()


def test_unknown_deck_is_one_line_exit_2(simulated_db, capsys):
    for command in ("optimize", "evaluate"):
        code, out, err = call(capsys, "--db", str(simulated_db), command, "--deck", "Nope")
        assert code == 2 and out == "" and err.startswith("flashapp: unknown deck 'Nope'")


def test_evaluate_never_imports_torch(simulated_db):
    code = (
        "import sys\nfrom flashapp.cli.main import main\n"
        f"main(['--db', {str(simulated_db)!r}, 'evaluate', '--json'])\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
