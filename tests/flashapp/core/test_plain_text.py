"""`is_plain`: the one-scan test that lets a listing skip `to_plain` for fields without markup."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashapp.core.text import is_plain, to_plain


@settings(max_examples=400)
@given(st.text(alphabet="ab #$`*_-+\n\r\t \x0c\xa0\u2003\x1b\x9b\u202e\\^{}<&", max_size=40))
def test_plain_text_is_what_to_plain_makes_of_it(text):
    if is_plain(text):
        assert to_plain(text) == text.strip()


# Pieces that make markup when they meet (a bullet after a newline, emphasis around a word).
PIECES = ["a", "bc", " ", "\n", "\t", "\xa0", "-", "+", "#", "_", "__", "*", "$", "`", "\x1b", "- ", "\n- "]


@settings(max_examples=400)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_plain_pieces_are_what_to_plain_makes_of_them(text):
    if is_plain(text):
        assert to_plain(text) == text.strip()


@pytest.mark.parametrize(
    "text",
    ["Question 0-1: what is snake_case?", "C# and a+b, x - y, 3-4", "a - b", "tab\there\nnext line", "ünï ✓"],
)
def test_common_text_is_plain(text):
    assert is_plain(text) and to_plain(text) == text.strip()


@pytest.mark.parametrize(
    "text",
    [
        "$x$",
        "  - ",
        "`code`",
        "**bold**",
        "*it*",
        "__under__",
        "# heading",
        "a\n- item",
        "a\n  + item",
        "esc\x1b[31m",
    ],
)
def test_markup_is_not_plain(text):
    assert not is_plain(text)
