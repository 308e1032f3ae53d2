"""`optimize` and `evaluate` from the shell, on a simulated learner's history and on too little."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cli_calls import call
from simulated import write_simulated_history
from sqlalchemy import create_engine, select, update

from flashapp.core.scheduling.fitting import FitResult
from flashapp.store.collection import Collection
from flashapp.store.models import Deck


@pytest.fixture(scope="module")
def simulated_db(module_collection_url):
    with Collection.open(module_collection_url, shipped_decks=False) as collection:
        write_simulated_history(collection, days=60, new_per_day=15, seed=5)
    return module_collection_url


@contextmanager
def own_copy(url: str, tmp_path: Path) -> Iterator[str]:
    """A collection the test may change: a copy of an SQLite file, or (on PostgreSQL, where the
    module's collection is the server's) that collection, its deck options put back afterwards."""
    if "://" not in url:  # a path
        file = Path(url)
        copy = tmp_path / "copy.db"
        copy.write_bytes(file.read_bytes())
        yield str(copy)
        return
    engine = create_engine(url)
    with engine.connect() as connection:
        saved = connection.execute(select(Deck.id, Deck.options)).all()
    try:
        yield url
    finally:
        with engine.begin() as connection:
            for deck_id, options in saved:
                connection.execute(update(Deck).where(Deck.id == deck_id).values(options=options))
        engine.dispose()


def test_evaluate_json_has_the_three_models_and_calibration(simulated_db, capsys):
    code, out, _ = call(capsys, "--db", simulated_db, "evaluate", "--deck", "Simulated", "--json")
    report = json.loads(out)
    assert code == 0
    assert set(report["models"]) == {"fsrs_default", "fsrs_deck", "sm2"}
    assert report["reviews"] > 100
    for scores in report["models"].values():
        assert set(scores) == {"log_loss", "rmse_bins", "auc"} and 0 < scores["log_loss"] < 1
    assert report["models"]["fsrs_deck"] == report["models"]["fsrs_default"]  # no fitted parameters yet
    assert sum(row["count"] for row in report["calibration"]) == report["reviews"]


@pytest.fixture
def fits_run_once(monkeypatch):
    """`fit_parameters`, fitting each (reviews, current parameters) once per test process and giving the
    same result for the same again: a fit is a function of those alone (core/scheduling/fitting.py
    reads no database), and a module's SQLite and PostgreSQL collections hold the same history, so the
    second backend's `optimize` gets the parameters the first one fitted (torch's training, a second)."""
    from flashapp.core.scheduling import fitting

    fit = fitting.fit_parameters

    def fit_parameters(reviews, current=(), *, on_epoch=None):
        key = (tuple(reviews), tuple(current))
        if key not in _FITTED:
            _FITTED[key] = fit(reviews, current, on_epoch=on_epoch)
        return _FITTED[key]

    monkeypatch.setattr(fitting, "fit_parameters", fit_parameters)


_FITTED: dict[tuple, FitResult] = {}


def test_optimize_stores_better_parameters_after_a_backup(
    simulated_db, backend, tmp_path, capsys, fits_run_once
):
    with own_copy(simulated_db, tmp_path) as db:
        code, out, _ = call(capsys, "--db", db, "optimize", "--deck", "Simulated", "--json")
        result = json.loads(out)
        assert code == 0 and result["saved"] is True
        assert result["after"]["log_loss"] < result["before"]["log_loss"]
        assert result["reviews_used"] > 1000 and len(result["parameters"]) == 21
        with Collection.open(db) as collection:
            assert collection.deck_options("Simulated").fsrs_parameters == tuple(result["parameters"])
        if backend == "sqlite":  # a file keeps a backup beside it; a server's are the server's (pg_dump)
            assert len(list((tmp_path / "backups").iterdir())) == 1
        code, out, _ = call(capsys, "--db", db, "evaluate", "--json")
        models = json.loads(out)["models"]
        assert models["fsrs_deck"]["log_loss"] == pytest.approx(result["after"]["log_loss"])


def test_optimize_below_the_minimum_changes_nothing(collection_url, tmp_path, capsys):
    with Collection.open(collection_url, shipped_decks=False) as collection:
        write_simulated_history(collection, days=8, new_per_day=5)
    code, out, _ = call(capsys, "--db", collection_url, "optimize")
    assert code == 0 and "more before it can be fitted. Nothing was changed." in out
    code, out, _ = call(capsys, "--db", collection_url, "optimize", "--json")
    assert json.loads(out)["reviews_needed"] > 0 and json.loads(out)["saved"] is False
    with Collection.open(collection_url) as collection:
        assert collection.deck_options("Simulated").fsrs_parameters == ()
    assert not (tmp_path / "backups").exists()


def test_unknown_deck_is_one_line_exit_2(simulated_db, capsys):
    for command in ("optimize", "evaluate"):
        code, out, err = call(capsys, "--db", simulated_db, command, "--deck", "Nope")
        assert code == 2 and out == "" and err.startswith("flashapp: unknown deck 'Nope'")


# That `evaluate` never imports torch: test_stats_cli.py::test_the_statistics_commands_never_import_torch
# (one interpreter runs stats, evaluate and plan in turn).
