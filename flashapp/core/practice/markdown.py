"""A practice test as a printable Markdown page, with its answer key at the end."""

from __future__ import annotations

from flashapp.core.practice.questions import KIND_TITLES, PracticeTest


def _item(label: str, text: str) -> str:
    """A list item whose later lines stay inside it (indented under the label)."""
    first, *rest = text.splitlines() or [""]
    return "\n".join([f"- {label}. {first}", *(f"     {line}" if line else "" for line in rest)])


def render_test_markdown(test: PracticeTest) -> str:
    lines = [f"# Practice test: {test.deck}", "", f"{len(test.questions)} questions · seed {test.seed}", ""]
    for question in test.questions:
        lines.append(f"## {question.number}. {KIND_TITLES[question.kind]}")
        lines.append("")
        lines.append(question.prompt)
        lines.append("")
        if question.kind == "multiple_choice":
            lines += [_item("ABCD"[i], option) for i, option in enumerate(question.options)]
        elif question.kind == "true_false":
            lines += [f"> {line}" for line in question.shown.splitlines()] + ["", "True / False"]
        elif question.kind in ("written", "computed"):
            if question.computed is not None:
                lines += [question.computed.hint(), ""]
            lines.append("Answer: ____________________")
        else:
            lines += [f"{i + 1}. {prompt}" for i, (prompt, _) in enumerate(question.pairs)]
            lines.append("")
            lines += [_item("ABCDEF"[i], choice) for i, choice in enumerate(question.choices)]
        lines.append("")
    lines += ["---", "", "## Answer key", ""]
    for question in test.questions:
        if question.kind == "multiple_choice":
            key = f"{'ABCD'[question.correct_option]}. {question.answer}"
        elif question.kind == "true_false":
            key = question.answer.capitalize()
        elif question.kind in ("written", "computed"):
            key = question.answer
        else:
            key = ", ".join(
                f"{i + 1}-{'ABCDEF'[question.choices.index(answer)]}"
                for i, (_, answer) in enumerate(question.pairs)
            )
        lines.append(f"{question.number}. {key.splitlines()[0] if key else ''}")
    return "\n".join(lines) + "\n"
