"""Every key on the study screen acts on the card on screen, whatever comes due meanwhile (issue #12,
point 1): a learning card that comes due waits behind the card shown, and the header counts follow."""

from __future__ import annotations

from datetime import timedelta

from pilot_waits import until
from sqlalchemy import select

from flashapp.core.scheduling import Rating
from flashapp.store.models import Card, Review
from flashapp.tui.app import make_app
from flashapp.tui.screens.study import StudyScreen

TWO_CARDS = """\
[deck]
name = "Two"

[[cards]]
id = "a"
front = "Card A"
back = "Answer A"

[[cards]]
id = "b"
front = "Card B"
back = "Answer B"
"""


def two_cards(name: str, keys: str = "ab", options: str = "") -> str:
    """TWO_CARDS as a deck named `name` (cards A and B keyed by `keys`), with deck `options` (TOML)."""
    deck = TWO_CARDS.replace('name = "Two"', f'name = "{name}"' + (f"\n{options}" if options else ""))
    return deck.replace('id = "a"', f'id = "{keys[0]}"').replace('id = "b"', f'id = "{keys[1]}"')


async def _study(pilot, deck: str = "Two") -> StudyScreen:
    pilot.app.screen.query_one("#decks").move_to(deck)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, StudyScreen)
    assert pilot.app.screen.deck == deck
    return pilot.app.screen


async def back_home(pilot) -> None:
    from flashapp.tui.screens.home import HomeScreen

    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(pilot.app.screen, HomeScreen)


def _reviews(collection) -> list[tuple[str, Rating]]:
    with collection.reading() as session:
        rows = session.execute(
            select(Card.id, Review.rating).join(Review, Review.card_id == Card.id).order_by(Review.id)
        ).all()
        keys = {card.id: card.note.key for card in session.scalars(select(Card))}
    return [(keys[card_id], Rating(rating)) for card_id, rating in rows]


async def a_rating_goes_to_the_card_on_screen_when_a_learning_card_came_due(
    app, pilot, collection, clock
) -> None:
    study = await _study(pilot, "Two")
    first = study.card.info.key
    await pilot.press("space", "1")  # Again: back in 1 minute
    await pilot.pause()
    second = study.card.info.key
    assert second != first
    clock.now += timedelta(minutes=2)  # the first card is due again while the second is on screen
    await pilot.press("space")
    await pilot.pause()
    assert study.card.info.key == second and study.revealed
    await pilot.press("3")
    await pilot.pause()
    assert _reviews(collection) == [(first, Rating.AGAIN), (second, Rating.GOOD)]
    # The first card comes back now, as a question.
    assert study.card.info.key == first and not study.revealed


async def suspend_bury_flag_and_undo_act_on_the_card_on_screen(app, pilot, collection, clock) -> None:
    study = await _study(pilot, "Two again")
    first = study.card.info.key
    await pilot.press("space", "1")
    await pilot.pause()
    second, second_id = study.card.info.key, study.card.id
    clock.now += timedelta(minutes=2)
    await pilot.press("f")  # flag: the second card, not the one that came due
    await pilot.pause()
    assert collection.card_flag(second_id) == 1
    await pilot.press("minus")  # bury: the second card
    await pilot.pause()
    with collection.reading() as session:
        assert session.get(Card, second_id).buried_until is not None
    assert study.card.info.key == first
    await pilot.press("u")  # unbury: the second card again, shown first
    await pilot.pause()
    with collection.reading() as session:
        assert session.get(Card, second_id).buried_until is None
    assert study.card.info.key == second


async def the_header_counts_a_learning_card_when_it_comes_due(
    app, pilot, collection, clock, screen_text, monkeypatch
) -> None:
    # The screen's tick, every 1/20 s rather than every second: the wait below is for the next one.
    monkeypatch.setattr("flashapp.tui.screens.study.TICK_SECONDS", 0.05)
    await _study(pilot, "Two later")
    await pilot.press("space", "1")  # Again: back in 30 minutes, beyond the 20-minute learn-ahead
    await pilot.pause()
    assert "Learn 0" in screen_text(app)
    clock.now += timedelta(minutes=11)  # now within 20 minutes of its due time
    # The screen's one-second tick shows it.
    await until(pilot, lambda: "Learn 1" in screen_text(app), timeout=5.0, what="the tick's counts")


async def test_every_key_acts_on_the_card_on_screen_and_the_header_follows_what_comes_due(
    collection, clock, write_deck, screen_text, monkeypatch
):
    """Three cases in one app (the functions above, named in a failure's traceback), each on a deck
    of its own (two new cards each) and a study screen of its own opened from the deck tree."""
    decks = [
        write_deck(two_cards("Two"), "two.toml"),
        write_deck(two_cards("Two again", "cd"), "two-again.toml"),
        write_deck(two_cards("Two later", "ef", 'learning_steps = ["30m"]'), "two-later.toml"),
    ]
    collection.import_paths(decks, backup=False)
    app = make_app(collection)
    async with app.run_test(size=(100, 32)) as pilot:
        await a_rating_goes_to_the_card_on_screen_when_a_learning_card_came_due(app, pilot, collection, clock)
        await back_home(pilot)
        await suspend_bury_flag_and_undo_act_on_the_card_on_screen(app, pilot, collection, clock)
        await back_home(pilot)
        await the_header_counts_a_learning_card_when_it_comes_due(
            app, pilot, collection, clock, screen_text, monkeypatch
        )
