"""The one lenient checker of typed answers, graded as a teacher would: right, almost, or wrong.

Every place that grades a typed answer calls it: study type-in cards (`check_typed_answer`, with the
character diff the study screen colours), written questions of practice tests and Learn
(`grade_answer`), and the choice answers of predict cards (`match_option`).

Right (the same answer, written differently): case, spacing, punctuation, accents, Unicode forms
(`QKᵀ` = `QKT`, `√dₖ` = `sqrt d_k`), ×, x, * and "by" between sizes (`4 x 6` = `4×6` = `4x6`),
numbers written as words (`ten` = `10`), equal numbers (`0.5` = `1/2`; a different number is
wrong), "the"/"an"/"a" before a word, hyphens between words.
Almost (accepted, shown as "almost"): a plural for a singular or the reverse (`rows` ~ `row`), a
common abbreviation (`concat` ~ `concatenation`), or a close misspelling of a word of 5 letters or
more (rapidfuzz's optimal-string-alignment distance: one typo up to 9 letters, two from 10), never in
its first letter, in a number or in a symbol (`encoder` vs `decoder`, `64` vs `65` stay wrong).

Pure: no Textual, no database. The user still picks the rating (we only suggest one), as in Anki.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from flashapp.core.scheduling import Rating
from flashapp.core.text import to_plain

_SPACES = re.compile(r"\s+")
# Numbers, words, and the symbols that change a formula's meaning; other punctuation is dropped.
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+|[+\-=/<>≤≥≈→←]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_HYPHEN_IN_WORDS = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
# Unicode math typed in ASCII: × and * between sizes read as x, the middle dot as a product.
_SYMBOLS = {"×": " x ", "*": " x ", "✕": " x ", "·": " ", "⋅": " ", "√": " sqrt ", "−": "-", "–": "-"}
_ARTICLES = frozenset({"the", "an"})  # "a" only before a word: it is also a variable name
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
# Common abbreviations in this field, each mapped to the word it stands for (compared as "almost").
ABBREVIATIONS = {
    "concat": "concatenation", "attn": "attention", "dim": "dimension", "dims": "dimensions",
    "seq": "sequence", "pos": "position", "conv": "convolution", "convs": "convolutions",
    "enc": "encoder", "dec": "decoder", "param": "parameter", "params": "parameters",
    "emb": "embedding", "embed": "embedding", "img": "image", "imgs": "images", "avg": "average",
    "approx": "approximate", "prob": "probability", "probs": "probabilities", "eq": "equation",
    "info": "information", "max": "maximum", "min": "minimum", "norm": "normalization",
    "pe": "positional encoding", "ffn": "feed forward",
    "mlp": "feed forward", "mha": "multi head attention", "vs": "versus", "res": "residual",
    "tok": "token", "toks": "tokens", "ce": "cross entropy", "kl": "kullback leibler",
}  # fmt: skip
FIRST_TYPO_LENGTH = 5  # words shorter than this must be spelled right
SECOND_TYPO_LENGTH = 10  # words this long may have two typos


class Verdict(Enum):
    RIGHT = "right"  # the same answer, written differently at most
    ALMOST = "almost"  # accepted: a plural, an abbreviation or a close misspelling
    WRONG = "wrong"


@dataclass(frozen=True)
class Grade:
    verdict: Verdict
    typos: int = 0  # misspelt letters forgiven (optimal string alignment distance)
    reason: str = ""  # why it is only almost: "spelling", "abbreviation", "singular or plural"

    @property
    def accepted(self) -> bool:
        return self.verdict is not Verdict.WRONG


def _plain_tokens(text: str) -> list[str]:
    """The answer as comparable tokens: the "right" level of leniency."""
    text = "".join(_SYMBOLS.get(char, char) for char in text)
    text = unicodedata.normalize("NFKC", text).casefold()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = _HYPHEN_IN_WORDS.sub(" ", text)
    tokens = _TOKEN.findall(text)
    kept = []
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token in _ARTICLES or (token == "a" and len(following) > 1 and following.isalpha()):
            continue
        kept.append(token)
    tokens = _numbers_from_words(kept)
    # "4 by 6" is "4 x 6"
    return [
        "x" if t == "by" and 0 < i < len(tokens) - 1 and tokens[i - 1].isdigit() else t
        for i, t in enumerate(tokens)
    ]


def _numbers_from_words(tokens: list[str]) -> list[str]:
    """`twenty four` as `24`, `one hundred and five` as `105`; other tokens unchanged."""
    out: list[str] = []
    index = 0
    while index < len(tokens):
        if tokens[index] not in _UNITS and tokens[index] not in _SCALES:
            out.append(tokens[index])
            index += 1
            continue
        total, current = 0, 0
        while index < len(tokens):
            token = tokens[index]
            if token in _UNITS:
                current += _UNITS[token]
            elif token in _SCALES:
                scale = _SCALES[token]
                if scale == 100:
                    current = max(current, 1) * 100
                else:
                    total += max(current, 1) * scale
                    current = 0
            elif token == "and" and index + 1 < len(tokens) and tokens[index + 1] in _UNITS:
                pass
            else:
                break
            index += 1
        out.append(str(total + current))
    return out


def _singular(word: str) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _loose_tokens(tokens: list[str]) -> list[str]:
    """Abbreviations spelt out (`concat`, `concats`) and plurals made singular: the "almost" level."""
    words = []
    for token in tokens:
        words += (ABBREVIATIONS.get(token) or ABBREVIATIONS.get(_singular(token)) or token).split()
    return [_singular(word) for word in words]


def _allowed_typos(word: str) -> int:
    if len(word) < FIRST_TYPO_LENGTH or not word.isalpha():
        return 0
    return 1 if len(word) < SECOND_TYPO_LENGTH else 2


def _spelling_typos(given: list[str], expected: list[str]) -> int | None:
    """Typos when the answers differ only by close misspellings of long words, word for word."""
    if len(given) != len(expected):
        given_word, expected_word = "".join(given), "".join(expected)
        if not (given_word.isalpha() and expected_word.isalpha()):
            return None
        given, expected = [given_word], [expected_word]
    from rapidfuzz.distance import OSA  # only when a spelling is in question: off the start-up path

    typos = 0
    for typed, wanted in zip(given, expected, strict=True):
        if typed == wanted:
            continue
        limit = _allowed_typos(wanted)
        if limit == 0 or typed[:1] != wanted[:1]:
            return None
        distance = OSA.distance(typed, wanted, score_cutoff=limit)
        if distance > limit:
            return None
        typos += distance
    return typos


def _as_number(tokens: list[str]) -> float | None:
    """A single number (`0.5`, `-3`) or fraction (`1/2`), else None."""
    sign = -1.0 if tokens[:1] == ["-"] else 1.0
    body = tokens[1:] if sign < 0 else tokens
    numeric = [_NUMBER.fullmatch(token) is not None for token in body]
    if len(body) == 1 and numeric[0]:
        return sign * float(body[0])
    if len(body) == 3 and numeric[0] and body[1] == "/" and numeric[2] and float(body[2]) != 0:
        return sign * float(body[0]) / float(body[2])
    return None


def _grade_one(given: list[str], expected_text: str) -> Grade:
    expected = _plain_tokens(expected_text)
    if not given or not expected:
        return Grade(Verdict.WRONG)
    if "".join(given) == "".join(expected):
        return Grade(Verdict.RIGHT)
    given_number, expected_number = _as_number(given), _as_number(expected)
    if given_number is not None and expected_number is not None:  # 0.5 = 1/2 = 2/4; never "almost"
        same = abs(given_number - expected_number) <= 1e-9 * max(1.0, abs(expected_number))
        return Grade(Verdict.RIGHT if same else Verdict.WRONG)
    loose_given, loose_expected = _loose_tokens(given), _loose_tokens(expected)
    if "".join(loose_given) == "".join(loose_expected):
        number_only = "".join(map(_singular, given)) == "".join(map(_singular, expected))
        return Grade(Verdict.ALMOST, reason="singular or plural" if number_only else "abbreviation")
    typos = _spelling_typos(loose_given, loose_expected)
    if typos is not None:
        return Grade(Verdict.ALMOST, typos=typos, reason="spelling")
    return Grade(Verdict.WRONG)


def grade_answer(given: str, expected: str | Sequence[str]) -> Grade:
    """Grade `given` against the expected plain-text answer (or the best of several accepted ones)."""
    candidates = [expected] if isinstance(expected, str) else list(expected)
    tokens = _plain_tokens(given)
    rank = {Verdict.RIGHT: 0, Verdict.ALMOST: 1, Verdict.WRONG: 2}
    grades = [_grade_one(tokens, candidate) for candidate in candidates] or [Grade(Verdict.WRONG)]
    return min(grades, key=lambda grade: (rank[grade.verdict], grade.typos))


def match_option(typed: str, options: Sequence[str]) -> str | None:
    """The option `typed` names (right beats almost), or None when none or several fit equally."""
    grades = [(grade_answer(typed, option), option) for option in options]
    for verdict in (Verdict.RIGHT, Verdict.ALMOST):
        fitting = [option for grade, option in grades if grade.verdict is verdict]
        if len(fitting) == 1:
            return fitting[0]
        if fitting:
            return None
    return None


# --- the study screen's type-in comparison -----------------------------------------------------------


class Mark(Enum):
    """How one run of characters compares."""

    SAME = "same"  # typed and expected agree
    WRONG = "wrong"  # typed, but the expected answer has something else here
    EXTRA = "extra"  # typed, and the expected answer has nothing here
    MISSING = "missing"  # expected, not typed


@dataclass(frozen=True)
class DiffPart:
    mark: Mark
    text: str


SUGGESTED_RATING = {Verdict.RIGHT: Rating.GOOD, Verdict.ALMOST: Rating.HARD, Verdict.WRONG: Rating.AGAIN}


@dataclass(frozen=True)
class TypedAnswer:
    typed: str  # what was typed, whitespace collapsed
    expected: str  # the expected answer as plain text (Markdown and $math$ rendered)
    grade: Grade
    parts: tuple[DiffPart, ...]  # typed vs expected, in reading order

    @property
    def verdict(self) -> Verdict:
        return self.grade.verdict

    @property
    def correct(self) -> bool:
        """Right, or almost right (accepted)."""
        return self.grade.accepted

    @property
    def suggested_rating(self) -> Rating:
        return SUGGESTED_RATING[self.grade.verdict]

    def typed_parts(self) -> list[DiffPart]:
        """The line of what was typed: SAME, WRONG and EXTRA runs."""
        return [part for part in self.parts if part.mark is not Mark.MISSING]

    def expected_parts(self) -> list[DiffPart]:
        """The line of what was expected: SAME and MISSING runs (MISSING also covers replaced text)."""
        return [part for part in self.parts if part.mark in (Mark.SAME, Mark.MISSING)]


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def check_typed_answer(typed: str, expected_markdown: str) -> TypedAnswer:
    """Compare `typed` with a card's expected answer (Markdown, as in `RenderedCard.expected`)."""
    typed = collapse_spaces(typed)
    expected = collapse_spaces(to_plain(expected_markdown))
    matcher = difflib.SequenceMatcher(None, typed, expected, autojunk=False)
    parts: list[DiffPart] = []
    for op, t1, t2, e1, e2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(DiffPart(Mark.SAME, typed[t1:t2]))
            continue
        if t2 > t1:
            parts.append(DiffPart(Mark.WRONG if op == "replace" else Mark.EXTRA, typed[t1:t2]))
        if e2 > e1:
            parts.append(DiffPart(Mark.MISSING, expected[e1:e2]))
    grade = grade_answer(typed, expected)
    return TypedAnswer(typed=typed, expected=expected, grade=grade, parts=tuple(parts))
