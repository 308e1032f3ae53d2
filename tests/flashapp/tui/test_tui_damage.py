"""The TUI on a damaged collection shows why and exits (never hangs, never writes); deck names and
notices reach the screen without control sequences."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import update

from flashapp.store.collection import Collection
from flashapp.store.damage import CollectionDamaged
from flashapp.store.models import Deck
from flashapp.tui.app import make_app
from flashapp.tui.widgets.deck_tree import DeckTree
from tests.flashapp.cli.test_cli_hardening import damage

DECK = """\
[deck]
name = "Tui"

[[cards]]
id = "a"
front = "Q"
back = "A"
"""


@pytest.mark.parametrize("answered", [False, True], ids=["found-by-quick-check", "met-while-counting"])
async def test_a_damaged_page_anywhere_closes_the_tui_with_the_line(
    db_path, clock, write_deck, empty_collection_file, answered
):
    empty_collection_file(db_path)  # migrated once per test process
    with Collection.open(db_path, shipped_decks=False, clock=clock, tz=UTC) as collection:
        collection.import_paths([write_deck(DECK)])
        if answered:  # today's line then reads the damaged review pages while the decks fill in
            from flashapp.core.scheduling import Rating

            collection.answer(collection.cards()[0].id, Rating.GOOD)
    damage(db_path, ["reviews", "practice_sessions"])
    before = db_path.read_bytes()
    app = make_app(open_collection=lambda: Collection.open(db_path, clock=clock, tz=UTC))
    async with app.run_test(size=(100, 32)) as pilot:
        for _ in range(50):
            await pilot.pause(0.05)
            if app.open_error is not None:
                break
    assert isinstance(app.open_error, CollectionDamaged)
    assert "is damaged" in str(app.open_error) and "check --repair" in str(app.open_error)
    if app.collection_ready:
        app.collection.close()
    assert db_path.read_bytes() == before


async def test_deck_names_and_notices_are_stripped_of_control_sequences(
    db_path, clock, write_deck, empty_collection_file
):
    empty_collection_file(db_path)  # migrated once per test process
    collection = Collection.open(db_path, shipped_decks=False, clock=clock, tz=UTC)
    collection.import_paths([write_deck(DECK)])
    with collection.writing() as session:  # as an old collection or another program could have left it
        session.execute(update(Deck).values(name="Tui\x1b]0;owned\x07\x1b[31mRed"))
    app = make_app(collection)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        tree = app.screen.query_one(DeckTree)
        shown = "".join(str(cell) for cell in tree.get_row_at(0))
        assert "\x1b" not in shown and "\x07" not in shown and "TuiRed" in shown
        app.notify("file \x1b[2Jname", title="\x1b]0;t\x07x")
        await pilot.pause()
        notice = list(app._notifications)[-1]
        assert notice.message == "file name" and notice.title == "x"
    collection.close()
