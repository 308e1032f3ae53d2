"""`flashapp test` (--json, --markdown, or the TUI) and `flashapp match`: outputs and errors."""

from __future__ import annotations

import json

import pytest
from cli_calls import call

from flashapp.cli.main import main

DECK = """\
[deck]
name = "Quiz"

[[cards]]
id = "bert"
front = "Encoder-only model?"
back = "BERT"

[[cards]]
id = "gpt"
front = "Decoder-only model?"
back = "GPT"

[[cards]]
id = "softmax"
front = "What turns attention scores into weights?"
back = "softmax"

[[cards]]
id = "year"
front = "Year of Attention Is All You Need?"
back = "2017"

[[cards]]
id = "flow"
cloze = "Rectified flow follows {{c1::straight}} paths."

[[cards]]
id = "heads"
kind = "type-in"
front = "Heads in the base Transformer?"
back = "8"

[[cards]]
id = "unet"
kind = "reversed"
front = "U-Net"
back = "Encoder-decoder with skip connections"

[[cards]]
id = "fcn"
front = "Input size a fully convolutional net accepts?"
back = "any size"
"""
SINGLE = '[deck]\nname = "Single"\n[[cards]]\nid = "one"\nfront = "Q"\nback = "A"\n'


@pytest.fixture(scope="module")
def db(module_collection_url, tmp_path_factory):
    """A collection (SQLite or PostgreSQL) with the decks imported through the CLI, once per module
    and backend: every test here only reads (a test is made, never stored) or is refused (exit 2),
    writing nothing, and importing the decks again for each was most of their time."""
    folder = tmp_path_factory.mktemp("decks")
    decks = []
    for name, text in (("deck.toml", DECK), ("single.toml", SINGLE)):
        (folder / name).write_text(text, encoding="utf-8")
        decks.append(str(folder / name))
    assert main(["--db", module_collection_url, "import", *decks]) == 0
    return module_collection_url


def test_json_shape_and_the_same_seed_gives_the_same_test(db, capsys):
    code, out, err = call(capsys, "--db", db, "test", "Quiz", "--count", "5", "--seed", "11", "--json")
    assert code == 0 and err == ""
    test = json.loads(out)
    assert {key: test[key] for key in ("deck", "seed", "requested", "notes")} == {
        "deck": "Quiz", "seed": 11, "requested": 5, "notes": [],
    }  # fmt: skip
    assert test["kinds"] == ["multiple_choice", "true_false", "written", "matching"]
    questions = test["questions"]
    assert [q["number"] for q in questions] == [1, 2, 3, 4, 5]
    assert {q["kind"] for q in questions} == set(test["kinds"])
    for question in questions:
        assert question["prompt"] and question["card_ids"]
        if question["kind"] == "multiple_choice":
            assert len(question["options"]) == 4
            assert question["options"][question["answer_index"]] == question["answer"]
        elif question["kind"] == "true_false":
            assert isinstance(question["answer"], bool) and question["shown"]
        elif question["kind"] == "written":
            assert question["answer"]
        else:
            assert 4 <= len(question["pairs"]) <= 6
            assert sorted(question["choices"]) == sorted(answer for _, answer in question["pairs"])
    assert call(capsys, "--db", db, "test", "Quiz", "--count", "5", "--seed", "11", "--json")[1] == out
    assert call(capsys, "--db", db, "test", "Quiz", "--count", "5", "--seed", "12", "--json")[1] != out


def test_json_with_types_count_and_answer_with(db, capsys):
    argv = ["--db", db, "test", "Quiz", "--types", "mc,tf", "--count", "4", "--seed", "1"]
    test = json.loads(call(capsys, *argv, "--json")[1])
    assert {q["kind"] for q in test["questions"]} == {"multiple_choice", "true_false"}
    assert len(test["questions"]) == 4
    flipped = json.loads(
        call(capsys, *argv[:-2], "--types", "written", "--answer-with", "question", "--json")[1]
    )
    assert [q["prompt"] for q in flipped["questions"]] == ["Encoder-decoder with skip connections"]
    assert flipped["notes"] == ["only 1 of 4 questions: the deck has no more cards for them"]


def test_markdown_to_a_file_and_to_standard_output(db, capsys, tmp_path):
    target = tmp_path / "test.md"
    code, out, _ = call(
        capsys, "--db", db, "test", "Quiz", "--count", "4", "--seed", "3", "--markdown", str(target)
    )
    assert code == 0 and "4 questions with the answer key (seed 3)" in out
    page = target.read_text(encoding="utf-8")
    assert page.startswith("# Practice test: Quiz\n")
    questions, key = page.split("## Answer key")
    for number in range(1, 5):
        assert f"## {number}. " in questions and f"\n{number}. " in key
    code, out, _ = call(capsys, "--db", db, "test", "Quiz", "--count", "4", "--seed", "3", "--markdown")
    assert code == 0 and out == page


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["test", "Nope", "--json"], "flashapp: unknown deck 'Nope'"),
        (
            ["test", "Quiz", "--types", "mc,essay", "--json"],
            "flashapp: --types: unknown question type 'essay'",
        ),
        (["test", "Quiz", "--count", "0", "--json"], "flashapp: --count must be 1 or more, got 0"),
        (["test", "Single", "--types", "mc", "--json"], "flashapp: deck 'Single' has no cards for questions"),
        (["match", "Nope"], "flashapp: unknown deck 'Nope'"),
        (["match", "Single"], "flashapp: deck 'Single' needs at least 2 cards"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(db, capsys, tmp_path, argv, message):
    code, out, err = call(capsys, "--db", db, *argv)
    assert code == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1
    if argv[0] == "test":  # the same with --markdown FILE: nothing written
        target = tmp_path / "never.md"
        markdown = [arg for arg in argv if arg != "--json"] + ["--markdown", str(target)]
        assert call(capsys, "--db", db, *markdown)[0] == 2
        assert not target.exists()


def test_without_json_or_markdown_the_tui_opens_on_the_test_or_the_game(db, capsys, monkeypatch):
    opened = []
    monkeypatch.setattr("flashapp.tui.run.run_tui", lambda db, start=None: opened.append((db, start)) or 0)
    assert (
        main(["--db", db, "test", "Quiz", "--count", "7", "--types", "written,mc", "--timer", "--seed", "2"])
        == 0
    )
    assert main(["--db", db, "match", "Quiz"]) == 0
    (_, test), (_, match) = opened
    assert (test.mode, test.deck) == ("test", "Quiz")
    assert test.settings.to_json() == {
        "count": 7, "kinds": ["written", "multiple_choice"], "answer_with": "answer", "timer": True,
        "seed": 2,
    }  # fmt: skip
    assert (match.mode, match.deck, match.settings) == ("match", "Quiz", None)


def test_computed_questions_from_the_shipped_predict_cards(tmp_path, capsys):
    db = str(tmp_path / "shipped.db")
    argv = [
        "--db",
        db,
        "test",
        "Attention and Transformers",
        "--types",
        "computed",
        "--count",
        "3",
        "--seed",
        "5",
    ]
    code, out, err = call(capsys, *argv, "--json")
    assert code == 0, err
    test = json.loads(out)
    assert [q["kind"] for q in test["questions"]] == ["computed"] * 3
    for question in test["questions"]:
        assert "{" not in question["prompt"] and question["answer"] and question["truth"]
        assert question["answer_kind"] in ("int", "float", "shape", "choice", "vector")
    assert call(capsys, *argv, "--json")[1] == out  # the engine is deterministic: same seed, same test
    code, out, _ = call(capsys, *argv, "--markdown")
    assert code == 0 and all(f"{q['number']}. {q['answer']}" in out for q in test["questions"])
