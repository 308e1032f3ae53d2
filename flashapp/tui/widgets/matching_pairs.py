"""A matching question of a practice test: terms numbered 1-6, definitions lettered A-F.

Up and down pick a term, a letter pairs it with that definition (and moves to the next term),
backspace clears it, Enter hands in the pairs. With the mouse: click a term, then a definition.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from flashapp.core.practice.questions import Question
from flashapp.tui.widgets.choice_option import card_text

LETTERS = "ABCDEF"
PAIR_KEYS = Binding.Group("Pair")


class _Row(Horizontal):
    """A term (`side` "term") or a definition ("choice") row; clicks go to the MatchingPairs."""

    def __init__(self, side: str, index: int) -> None:
        super().__init__(classes=f"pair-row {side}-row")
        self.side = side
        self.index = index

    def on_click(self) -> None:
        matching = self.query_ancestor(MatchingPairs)
        if self.side == "term":
            matching.cursor = self.index
        else:
            matching.assign(self.index)


class MatchingPairs(Vertical, can_focus=True):
    DEFAULT_CSS = """
    MatchingPairs { height: auto; }
    MatchingPairs .pair-title { color: $text-muted; margin: 1 0 0 0; }
    MatchingPairs .pair-row { height: auto; padding: 0 1; }
    MatchingPairs .pair-row:hover { background: $boost; }
    MatchingPairs .pair-key { width: 4; text-style: bold; color: $text-primary; }
    MatchingPairs .pair-slot { width: 6; text-style: bold; }
    MatchingPairs .pair-row > CardText, MatchingPairs .pair-row > .plain-text { width: 1fr; }
    MatchingPairs .term-row.-cursor { background: $primary 20%; }
    MatchingPairs:focus .term-row.-cursor { background: $primary 35%; }
    """
    BINDINGS = [
        Binding("up", "move(-1)", "Previous term", show=False),
        Binding("down", "move(1)", "Next term", show=False),
        *(
            Binding(letter.lower(), f"assign({i})", "Pair with", group=PAIR_KEYS)
            for i, letter in enumerate(LETTERS)
        ),
        Binding("backspace,delete", "clear", "Clear pair", show=False),
        Binding("enter", "submit", "Hand in", id="submit-pairs"),
    ]

    @dataclass
    class Submitted(Message):
        matches: dict[int, int]  # term index -> choice index

    def __init__(
        self, question: Question, markdown: dict[str, str], matches: dict[int, int] | None = None
    ) -> None:
        super().__init__()
        self.question = question
        self.markdown = markdown
        self.matches: dict[int, int] = dict(matches or {})
        self._cursor = 0

    def compose(self) -> ComposeResult:
        title = "Terms: pick one, then press the letter of its definition"
        yield Static(Content(title), classes="pair-title")
        for index, (prompt, _) in enumerate(self.question.pairs):
            with _Row("term", index):
                yield Static(Content(f"{index + 1}."), classes="pair-key")
                yield card_text(prompt, self.markdown.get(prompt))
                yield Static(classes="pair-slot", id=f"slot-{index}")
        yield Static(Content("Definitions"), classes="pair-title")
        for index, choice in enumerate(self.question.choices):
            with _Row("choice", index):
                yield Static(Content(f"{LETTERS[index]}."), classes="pair-key")
                yield card_text(choice, self.markdown.get(choice))

    def on_mount(self) -> None:
        self._show()

    @property
    def cursor(self) -> int:
        return self._cursor

    @cursor.setter
    def cursor(self, value: int) -> None:
        self._cursor = max(0, min(len(self.question.pairs) - 1, value))
        self._show()

    def _show(self) -> None:
        for row in self.query(".term-row").results(_Row):
            row.set_class(row.index == self._cursor, "-cursor")
            choice = self.matches.get(row.index)
            slot = Content("→ ?") if choice is None else Content.assemble("→ ", (LETTERS[choice], "bold"))
            self.query_one(f"#slot-{row.index}", Static).update(slot)
        rows = list(self.query(".term-row").results(_Row))
        if rows:
            rows[self._cursor].scroll_visible(animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "assign":
            return int(parameters[0]) < len(self.question.choices)  # type: ignore[call-overload]
        return True

    def action_move(self, step: int) -> None:
        self.cursor = self._cursor + step

    def assign(self, choice: int) -> None:
        """Pair the term under the cursor with definition `choice` (a definition goes to one term)."""
        if not 0 <= choice < len(self.question.choices):
            return
        for term, chosen in list(self.matches.items()):
            if chosen == choice:
                del self.matches[term]
        self.matches[self._cursor] = choice
        unpaired = [i for i in range(len(self.question.pairs)) if i not in self.matches]
        following = [i for i in unpaired if i > self._cursor] or unpaired
        self.cursor = following[0] if following else self._cursor

    def action_assign(self, choice: int) -> None:
        self.assign(choice)

    def action_clear(self) -> None:
        self.matches.pop(self._cursor, None)
        self._show()

    def action_submit(self) -> None:
        self.post_message(self.Submitted(dict(self.matches)))
