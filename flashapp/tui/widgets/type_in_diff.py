"""The typed answer next to the expected one, character by character (Anki's type-in comparison)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from flashapp.core.typed_answer import DiffPart, Mark, TypedAnswer, Verdict

STYLES = {
    Mark.SAME: "$text-success",
    Mark.WRONG: "$text-error strike",
    Mark.EXTRA: "$text-error strike",
    Mark.MISSING: "bold $text-warning underline",
}


def _line(parts: list[DiffPart]) -> Content:
    # Typed and expected text are data: Content pieces with a style, never markup.
    return Content.assemble(*((part.text, STYLES[part.mark]) for part in parts))


def diff_content(result: TypedAnswer) -> Content:
    if result.verdict is Verdict.RIGHT:
        verdict = Content.styled("✓ Right: 3 (Good) or 4 (Easy)", "bold $text-success")
    elif result.verdict is Verdict.ALMOST:
        why = "close spelling" if result.grade.reason == "spelling" else result.grade.reason
        verdict = Content.styled(f"≈ Almost ({why}): 2 (Hard) suggested", "bold $text-warning")
    else:
        verdict = Content.styled("✗ Wrong: 1 (Again) suggested", "bold $text-error")
    typed = _line(result.typed_parts()) if result.typed else Content.styled("(nothing typed)", "dim")
    return Content("\n").join(
        [
            Content.assemble(("You typed  ", "dim"), typed),
            Content.assemble(("Expected   ", "dim"), _line(result.expected_parts())),
            verdict,
        ]
    )


class TypeInDiff(Static):
    DEFAULT_CSS = """
    TypeInDiff { height: auto; padding: 0 1; margin: 1 0 0 0; border-left: thick $accent; }
    """

    def show_result(self, result: TypedAnswer) -> None:
        self.update(diff_content(result))
