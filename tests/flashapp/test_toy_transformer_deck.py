"""The toy-transformer deck file loads, binds its cards to the demo, and its predict card computes."""

from __future__ import annotations

import engine
from engine.predict import solve
from flashapp.shipped import shipped_deck_files
from flashapp.store.importing import read_deck_files


def test_the_toy_transformer_deck_binds_a_basic_and_a_predict_card_to_the_demo():
    [path] = [p for p in shipped_deck_files() if p.name == "attention-toy-transformer.toml"]
    [(deck, _)] = read_deck_files([path])
    assert deck.name == "Attention and Transformers::Toy transformer"
    kinds = {card.kind: card for card in deck.cards}
    assert set(kinds) == {"basic", "predict"}
    assert all(card.demo == "transformer.toy_task" for card in deck.cards)
    engine.validate_params(kinds["basic"].demo, kinds["basic"].params)
    for n in (4, 12):
        for i in (0, 3):
            assert solve("transformer.reverse_source", {"n": n, "i": i}).parts == (n - 1 - i,)
