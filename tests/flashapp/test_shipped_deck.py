"""The shipped deck keeps itself honest: it loads, covers the Knowt seed set with short answers, holds one
fact per card (a word budget on every back, extras aside), binds every card to a demo, gives nothing away
between sibling clozes, states the form of every typed answer, agrees with the engine wherever the engine
computes the answer, and updating from the previous deck file keeps every kept card's history."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from engine.registry import concept_names
from flashapp.core.cloze import cloze_numbers
from flashapp.core.predict import predict_seed, template_placeholders
from flashapp.core.render import render_card
from flashapp.core.text import to_plain
from flashapp.core.typed_answer import Verdict, grade_answer
from flashapp.shipped import shipped_deck_files
from flashapp.store.importing import read_deck_files

ROOT = Path(__file__).parents[2]
SEED = ROOT.parent / "shared" / "seed" / "000_3b52ef2aed563438.txt"
# The deck file before it was split into subdecks (base of this round), for the upgrade test.
PREVIOUS_DECK = ("00cf2030a330478b8697b68630bcaf5a8592fb70", "decks/attention-and-transformers.toml")
TREE = "Attention and Transformers"
TOY_DECK_FILE = "attention-toy-transformer.toml"  # the toy-task cards: a deck file of their own

# The 19 Knowt terms, as the shipped deck words them (spelling fixed): each card's front starts with its
# term, sometimes followed by the one question the card asks about it.
SEED_TERMS = [
    "Transformer is a …",
    "Transformer is based on …",
    'What\'s so cool with "Attention"?',
    "Types of ways to model attention mathematically",
    "Cross attention layer",
    "What is cross attention?",
    "Intuition of cross attention using RNN language",
    "The core idea of cross attention in one sentence",
    "The math of cross attention",
    "Cross attention layer slides",
    "Permutation equivariance",
    "Positional encoding",
    "Multi-head self-attention layer",
    "Semantic segmentation idea: fully convolutional",
    "U-Net",
    "Learnable upsampling: transposed convolution",
    "Taxonomy of generative models",
    "General idea of rectified flow matching",
    "Autoencoders",
]
SUBDECKS = {
    TREE,
    f"{TREE}::Attention",
    f"{TREE}::Positional encoding",
    f"{TREE}::Transformers",
    f"{TREE}::Segmentation",
    f"{TREE}::Generative models",
}
# One fact per card: a back (extras aside) is a sentence or a formula.
BACK_WORDS = 30
CLOZE_WORDS = 40  # the whole cloze sentence
DELETION_WORDS = 12
# Pairs where one deletion would give its sibling away by elimination.
COMPLEMENTS = [
    ("sine", "cosine"),
    ("encoder", "decoder"),
    ("key", "value"),
    ("query", "key"),
    ("explicit", "implicit"),
    ("tractable", "approximate"),
    ("direct", "indirect"),
    ("equivariant", "invariant"),
    ("noise", "data"),
    ("self", "cross"),
    ("even", "odd"),
    ("row", "column"),
]
# Typed answers state the form they expect.
TYPE_IN_FORM = re.compile(
    r"\((as [^()]+|a number|a whole number|one word|acronym|a fraction[^()]*|like [^()]+)\)$"
)
PREDICT_FORM = re.compile(r"like `|\(a number|\(a whole number|\(as [A-Za-z]+\)|\(even or uneven\)")


def load_decks():
    files = [path for path in shipped_deck_files() if path.name != TOY_DECK_FILE]
    return [deck for deck, _path in read_deck_files(files)]


def all_cards():
    return [card for deck in load_decks() for card in deck.cards]


def words(markdown: str) -> int:
    return len(to_plain(markdown).split())


def test_the_deck_is_a_tree_of_subdecks_with_enough_cards_of_each_kind():
    decks = load_decks()
    assert {deck.name for deck in decks} == SUBDECKS
    kinds = Counter(card.kind for card in all_cards() for _ in card.card_ords())
    assert sum(kinds.values()) >= 150
    assert kinds["cloze"] >= 20 and kinds["reversed"] >= 10 and kinds["type-in"] >= 10
    assert kinds["predict"] >= 25


def test_ids_are_unique_across_the_tree():
    ids = [card.id for card in all_cards()]
    assert len(ids) == len(set(ids)), [key for key, n in Counter(ids).items() if n > 1]


def test_every_seed_term_is_a_card_with_a_short_core_answer():
    seed_cards = [card for card in all_cards() if "seed" in card.tags]
    assert len(seed_cards) == len(SEED_TERMS)
    for term in SEED_TERMS:
        [card] = [card for card in seed_cards if names_term(card.front, term)]
        assert 5 <= words(card.back) <= BACK_WORDS, card.id
        assert card.extra.strip(), card.id  # the explanation the seed's long answers had


def names_term(front: str, term: str) -> bool:
    """The front is the term, or the term followed by the one question the card asks about it."""
    rest = front[len(term) :] if front.startswith(term) else None
    return rest is not None and (rest == "" or rest[0] in ":,." or rest.startswith(" ("))


def test_the_seed_file_has_19_terms():
    if SEED.exists():  # beside a developer's checkout; a wheel install has no shared/ folder
        assert "19 Terms" in SEED.read_text(encoding="utf-8")


def test_every_back_is_one_fact_within_the_word_budget():
    # Every shipped file, the toy-task deck's included.
    for card in (card for deck, _path in read_deck_files(shipped_deck_files()) for card in deck.cards):
        if card.kind in ("basic", "reversed", "type-in"):
            assert words(card.back) <= BACK_WORDS, (card.id, words(card.back))
            assert words(card.front) <= 40, card.id
        elif card.kind == "cloze":
            assert words(re.sub(r"\{\{c\d+::(.*?)(?:::[^}]*)?\}\}", r"\1", card.cloze)) <= CLOZE_WORDS, (
                card.id
            )
            for _number, answer in deletions(card.cloze):
                assert len(answer.split()) <= DELETION_WORDS, card.id


def deletions(cloze: str) -> list[tuple[int, str]]:
    return [(int(n), text) for n, text in re.findall(r"\{\{c(\d+)::(.*?)(?:::[^}]*)?\}\}", cloze)]


def giveaways(cloze: str) -> list[str]:
    """What a cloze note gives away: a deletion whose text the same card shows elsewhere, or two sibling
    deletions that complete each other by elimination (sine / cosine)."""
    found = deletions(cloze)
    problems = []
    for number in {n for n, _ in found}:
        # What card `number` shows: the sentence with the other deletions filled in.
        shown = re.sub(
            r"\{\{c(\d+)::(.*?)(?:::[^}]*)?\}\}",
            lambda m, number=number: "" if int(m.group(1)) == number else m.group(2),
            cloze,
        )
        for n, text in found:
            if n == number and re.search(rf"(?<!\w){re.escape(text)}(?!\w)", shown, re.IGNORECASE):
                problems.append(f"c{n} {text!r} is shown on its own card")
    words_by_number: dict[int, set[str]] = {}
    for n, text in found:
        words_by_number.setdefault(n, set()).update(re.findall(r"\w+", text.casefold()))
    for a, b in COMPLEMENTS:
        with_a = {n for n, found_words in words_by_number.items() if a in found_words}
        with_b = {n for n, found_words in words_by_number.items() if b in found_words}
        if with_a and with_b and with_a != with_b:
            problems.append(f"{a!r} and {b!r} in sibling deletions")
    return problems


def test_the_giveaway_check_catches_the_previous_decks_giveaways():
    assert giveaways("even dimensions hold the {{c1::sine}} and odd ones the {{c2::cosine}}")
    assert giveaways("each of the h heads works in a subspace of size d_model / {{c1::h}}")
    assert not giveaways("the {{c1::sine}} and the {{c1::cosine}}")  # one card asks for both
    assert not giveaways("GPT is a {{c1::decoder}}-only Transformer with no cross-attention")


def test_no_cloze_gives_its_answer_away():
    for card in all_cards():
        if card.kind == "cloze":
            assert sorted({n for n, _ in deletions(card.cloze)}) == cloze_numbers(card.cloze)
            assert giveaways(card.cloze) == [], card.id


def test_every_card_is_bound_to_a_demo_and_every_demo_has_cards():
    cards = all_cards()
    assert [card.id for card in cards if card.demo is None] == []
    assert {card.demo for card in cards} <= set(concept_names())
    # Every demo has cards: these, or the toy-task deck file's for the toy transformer.
    every_file = {card.demo for deck, _path in read_deck_files(shipped_deck_files()) for card in deck.cards}
    assert every_file == set(concept_names())


def test_every_card_renders_with_balanced_math():
    for card in all_cards():
        for ord_ in card.card_ords():
            rendered = render_card(card.kind, card.fields(), ord_, seed=predict_seed(1, 0))
            question, answer = rendered.plain()
            assert question.strip() and answer.strip(), card.id
            assert "$" not in question + answer, card.id
            assert not re.search(r"\\[A-Za-z]+", question + answer), card.id


def test_type_in_cards_state_the_expected_form_and_accept_their_own_answer():
    for card in all_cards():
        if card.kind == "type-in":
            assert TYPE_IN_FORM.search(to_plain(card.front)), card.id
            assert grade_answer(to_plain(card.back), to_plain(card.back)).verdict is Verdict.RIGHT, card.id


# --- what the engine computes, the deck must say --------------------------------------------------------

# Type-in cards whose answer an engine task computes: (task, parameters, which part of the truth).
ENGINE_CHECKED = {
    "multihead-params-typein": ("attention.multihead_params", {"d_model": 8, "heads": 2}, lambda t: t[0]),
    "transposed-conv-typein": (
        "transposed_conv.output_shape",
        {"h": 3, "w": 3, "kernel": 3, "stride": 2, "padding": 1, "output_padding": 0, "dilation": 1},
        lambda t: t[0][0],
    ),
    "cross-attention-shape-typein": (
        "attention.shapes",
        {"batch": 1, "n": 4, "m": 6, "d": 8, "heads": 1},
        lambda t: "x".join(map(str, t[1][-2:])),
    ),
    "masked-zeros-typein": ("attention.causal_zeros", {"n": 5}, lambda t: t[0]),
    "vit-token-count-typein": ("vit.patch_count", {"image": 224, "patch": 16}, lambda t: t[0]),
    "iou-typein": ("segmentation.iou", {"a": 6, "b": 6, "overlap": 4}, lambda t: t[0]),
    "block-params-typein": ("transformer.block_weights", {"d": 512, "ffn_mult": 4}, lambda t: f"{sum(t)}d²"),
}


def test_type_in_answers_agree_with_the_engine():
    from engine.predict import solve  # torch: only the engine tests need it

    cards = {card.id: card for card in all_cards()}
    for card_id, (task, params, pick) in ENGINE_CHECKED.items():
        truth = pick(solve(task, params).parts)
        assert grade_answer(to_plain(cards[card_id].back), str(truth)).verdict is Verdict.RIGHT, (
            card_id,
            truth,
        )


def test_numbers_in_backs_agree_with_torch():
    import torch
    import torch.nn as nn

    cards = {card.id: card for card in all_cards()}
    assert cards["multihead-head-width-typein"].back == str(nn.MultiheadAttention(512, 8).head_dim)
    # Var(q·k) for d_k independent unit-variance components: d_k (estimated, 200k samples).
    g = torch.Generator().manual_seed(0)
    q, k = torch.randn(200_000, 64, generator=g), torch.randn(200_000, 64, generator=g)
    assert abs(float((q * k).sum(-1).var()) - float(cards["sdpa-variance-typein"].back)) < 1.0
    # The original Transformer block (d = 512, FFN 2048): 12d² weights, and about 13d more for biases + norms.
    block = nn.TransformerEncoderLayer(512, 8, dim_feedforward=2048)
    matrices = sum(p.numel() for p in block.parameters() if p.dim() == 2)
    assert matrices == 12 * 512**2 and sum(p.numel() for p in block.parameters()) - matrices == 13 * 512
    # A stride-2 convolution (kernel 3, padding 1) maps 7 and 8 to 4: output_padding picks between them.
    conv = nn.Conv2d(1, 1, 3, stride=2, padding=1)
    assert {conv(torch.zeros(1, 1, h, h)).shape[-1] for h in (7, 8)} == {4}
    assert "7 and 8 to 4" in cards["output-padding"].extra


# --- predict cards ---------------------------------------------------------------------------------------

# The exercises, by the engine task that grades them.
PREDICT_TASKS = {
    "transposed_conv.output_shape",
    "transposed_conv.overlap",
    "transposed_conv.round_trip",
    "attention.shapes",
    "attention.tiny_weights",
    "attention.uniform_entropy",
    "attention.causal_zeros",
    "attention.weight_count",
    "attention.kv_cache_size",
    "attention.multihead_params",
    "positional.pe_value",
    "softmax",
    "transformer.block_weights",
    "vit.patch_count",
    "upsampling.pixel_shuffle",
    "segmentation.unet_shapes",
    "segmentation.unet_valid_level",
    "segmentation.iou",
    "flow_matching.straight_path",
    "flow_matching.course_velocity",
    "diffusion.forward_sample",
    "diffusion.cfg",
    "vae.kl_gaussian",
    "gan.optimal_discriminator",
}


def predict_cards():
    return [card for card in all_cards() if card.kind == "predict"]


def test_predict_cards_cover_every_exercise_with_tags_a_demo_and_the_answer_form():
    cards = predict_cards()
    assert {card.predict.task for card in cards} == PREDICT_TASKS
    for card in cards:
        assert card.id.startswith("predict-") and "predict" in card.tags and card.demo, card.id
        spec = card.predict
        used = set(template_placeholders(spec.question))
        assert used <= set(spec.ranges) | set(spec.params), card.id
        assert set(spec.ranges) <= used, card.id  # every drawn value is stated in the question
        assert PREDICT_FORM.search(spec.question), card.id


def test_every_predict_card_computes_at_the_ends_of_its_ranges():
    from engine.predict import solve  # torch: only this test needs the engine's truths

    for card in predict_cards():
        spec = card.predict
        base = spec.draw(predict_seed(1, 0))
        cases = [base]
        for name, values in spec.candidates().items():
            cases += [{**base, name: values[0]}, {**base, name: values[-1]}]
        cases.append({name: values[0] for name, values in spec.candidates().items()})
        cases.append({name: values[-1] for name, values in spec.candidates().items()})
        # Each case once: of the 257 cases built this way, 100 repeat another (a range whose end is
        # the drawn value, a card with one range).
        for case in {repr(sorted(case.items())): case for case in cases}.values():
            truth = solve(spec.task, case)
            assert len(truth.parts) >= 1 and truth.explanation.strip(), (card.id, case)
            question = spec.question_for(case)
            assert "{" not in question and "}" not in question, (card.id, question)


def test_the_drawn_question_renders_like_the_others():
    for card in predict_cards():
        rendered = render_card("predict", card.fields(), 0, seed=predict_seed(3, 2))
        question, answer = rendered.plain()
        assert question.strip() and answer.strip() and "$" not in question + answer, card.id
        assert rendered.predict == card.predict


def test_predict_cards_are_studied_with_their_case_filled_in(tmp_path):
    from flashapp.store.collection import Collection

    with Collection.open(tmp_path / "c.db") as collection:
        cards = [card for card in collection.cards() if card.key.startswith("predict-")]
        assert len(cards) >= 25
        for card in cards:
            question = collection.study_card(card.id).rendered.question
            assert "{" not in question and "}" not in question, (card.key, question)


# --- upgrading a collection from the previous deck file -------------------------------------------------


def previous_deck(tmp_path: Path) -> Path:
    commit, path = PREVIOUS_DECK
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs the git history of a checkout")
    text = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{commit}:{path}"], capture_output=True, text=True, check=False
    )
    if text.returncode != 0:
        pytest.skip(f"the previous deck file is not in this clone's history: {text.stderr.strip()}")
    folder = tmp_path / "v1"
    folder.mkdir()
    (folder / "attention-and-transformers.toml").write_text(text.stdout, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def reviewed_previous(tmp_path_factory) -> tuple[Path, dict[int, tuple[str, int]]]:
    """A collection of the previous deck file with half of its cards reviewed, some twice, and each
    card's (key, number of reviews): made once, copied by each order of updating."""
    from flashapp.core.scheduling import Rating
    from flashapp.store.collection import Collection

    folder = tmp_path_factory.mktemp("previous")
    old_folder = previous_deck(folder)
    path = folder / "c.db"
    with Collection.open(path, shipped_decks=False) as collection:
        collection.import_paths([old_folder], backup=False)
        before = {}
        for index, card in enumerate(collection.cards()):
            if index % 2 == 0:  # review half of the cards, some twice
                collection.answer(card.id, Rating.GOOD)
                if index % 4 == 0:
                    collection.answer(card.id, Rating.AGAIN)
            before[card.id] = (card.key, len(collection.review_history(card.id)))
    assert not path.with_name(path.name + "-wal").exists()  # the file alone is the whole collection
    return path, before


@pytest.mark.parametrize("order", ["parent-first", "subdecks-first"])
def test_updating_from_the_previous_deck_keeps_the_history_of_every_kept_card(
    reviewed_previous, tmp_path, order
):
    from sqlalchemy import select

    from flashapp.store.collection import Collection
    from flashapp.store.models import Card, Note

    previous, before = reviewed_previous
    new_ids = {card.id: deck.name for deck in load_decks() for card in deck.cards}
    with Collection.open(shutil.copyfile(previous, tmp_path / "c.db"), shipped_decks=False) as collection:
        assert sum(1 for _key, n in before.values() if n) >= 20

        files = [path for path in shipped_deck_files() if path.name != TOY_DECK_FILE]
        parent = [path for path in files if path.name == "attention-and-transformers.toml"]
        others = [path for path in files if path not in parent]
        for batch in (parent, others) if order == "parent-first" else (others, parent):
            collection.import_paths(batch, backup=False)

        with collection.reading() as session:
            rows = session.execute(select(Card, Note).join(Note)).all()
            state = {
                card.id: (note.key, card.ord, note.source, card.orphaned, card.deck.name)
                for card, note in rows
            }
        new_ords = {card.id: set(card.card_ords()) for card in all_cards()}
        for card_id, (key, reviews) in before.items():
            assert len(collection.review_history(card_id)) == reviews, key  # nothing lost, nothing added
            now_key, ord_, source, orphaned, deck = state[card_id]
            assert now_key == key
            if key in new_ids:  # kept: the same note, in its new subdeck
                assert deck == new_ids[key] and source == f"deckfile:{deck}", key
            # Still studied if its card is kept; merged away (a dropped note or cloze number): suspended
            # with its history, never deleted.
            assert orphaned is not (key in new_ids and ord_ in new_ords[key]), (key, ord_)
        kept = {key for key, _ in before.values()} & set(new_ids)
        assert len(kept) >= 60
