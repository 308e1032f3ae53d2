"""`load_log` (the review log as arrays) reads what `load_history` reads, in a zone with clock changes."""

from __future__ import annotations

import shutil
import sys
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
from simulated_history import START, write_simulated_history  # noqa: E402

from flashapp.core.scheduling.evaluation import evaluate, evaluate_log  # noqa: E402
from flashapp.core.scheduling.log_arrays import to_microseconds  # noqa: E402
from flashapp.core.scheduling.simulation import FORGETFUL_LEARNER  # noqa: E402
from flashapp.store.collection import Collection  # noqa: E402
from flashapp.store.decks import ensure_deck  # noqa: E402
from flashapp.store.models import Card, Review  # noqa: E402
from flashapp.store.review_history import (  # noqa: E402
    group_by_parameters,
    load_history,
    load_log,
    save_parameters,
)

BERLIN = ZoneInfo("Europe/Berlin")  # the history crosses the end of March's clock change


@pytest.fixture(scope="module")
def two_decks(tmp_path_factory, empty_collection_template):
    path = shutil.copyfile(empty_collection_template, tmp_path_factory.mktemp("log") / "log.db")
    with Collection.open(path, shipped_decks=False, tz=BERLIN) as collection:
        write_simulated_history(collection, days=40, new_per_day=8, seed=2)
        with collection.writing() as session:  # a third of the cards in a subdeck of their own
            sub = ensure_deck(session, "Simulated::Sub", START)
            session.flush()
            session.execute(update(Card).where(Card.id % 3 == 0).values(deck_id=sub.id))
            sub_id = sub.id
        save_parameters(collection, [sub_id], FORGETFUL_LEARNER)
    return path


def runs(reviews):
    out = defaultdict(list)
    for r in reviews:
        out[r[0]].append(r[1:])
    return dict(out)


@pytest.mark.parametrize("deck", [None, "Simulated::Sub", "Simulated"])
def test_log_arrays_hold_the_history(two_decks, deck):
    with Collection.open(two_decks, tz=BERLIN, clock=lambda: START + timedelta(days=40)) as collection:
        history = load_history(collection, deck)
        log = load_log(collection, deck)
    assert len(log) == len(history.reviews) > 300
    ours = zip(log.card_id, log.day, log.rating, log.interval_before, log.parameter_set, strict=True)
    got = runs((int(c), int(d), int(r), int(i), log.parameter_sets[int(p)]) for c, d, r, i, p in ours)
    want = runs(
        (r.card_id, r.day.toordinal(), int(r.rating), r.interval_before_days, history.parameters[r.card_id])
        for r in sorted(history.reviews, key=lambda r: r.reviewed_at)
    )
    assert got == want
    expected = evaluate(history.reviews, group_by_parameters(history))
    result = evaluate_log(log)
    assert result is not None and expected is not None
    assert result.split_at == expected.split_at and result.reviews == expected.reviews
    for name, scores in expected.models.items():
        assert result.models[name].to_dict() == pytest.approx(scores.to_dict(), rel=1e-9)
    if deck is not None:
        assert result.models["fsrs_deck"] != result.models["fsrs_default"]


def test_log_arrays_on_postgres(pg_collection_url):
    """The server returns datetimes where SQLite returns text: both become the same arrays."""
    with Collection.open(pg_collection_url, shipped_decks=False, tz=BERLIN) as collection:
        write_simulated_history(collection, days=20, new_per_day=5, seed=4)
        history = load_history(collection, None)
        log = load_log(collection, "Simulated")
    assert len(log) == len(history.reviews) > 100
    got = runs(zip(log.card_id.tolist(), log.reviewed_at.tolist(), log.day.tolist(), strict=True))
    want = runs(
        (r.card_id, to_microseconds(r.reviewed_at), r.day.toordinal())
        for r in sorted(history.reviews, key=lambda r: r.reviewed_at)
    )
    assert got == want


def test_a_manual_entry_is_not_an_answer(tmp_path, empty_collection_file):
    """An Anki manual entry (rating 0: rescheduled or reset by hand) stays out of the history that
    `optimize` and the Stats screen's fit read, as it stays out of `load_log`."""
    path = empty_collection_file(tmp_path / "manual.db")
    with Collection.open(path, shipped_decks=False, tz=BERLIN) as collection:
        write_simulated_history(collection, days=5, new_per_day=3, seed=1)
        with collection.writing() as session:
            first = session.scalars(select(Review).order_by(Review.id).limit(1)).one()
            session.execute(update(Review).where(Review.id == first.id).values(rating=0))
            answers = session.scalar(select(func.count()).select_from(Review).where(Review.rating >= 1))
        history = load_history(collection, None)
        log = load_log(collection, None)
    assert len(history.reviews) == len(log) == answers > 0
