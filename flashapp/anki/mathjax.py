"""MathJax as Anki shows it, in terminal text: `\\(...\\)` inline and `\\[...\\]` display math.

On top of `flashapp.core.mathtext` (symbols, fractions, roots, Unicode super/subscripts), this adds what
shared decks lean on: `\\newcommand`, `\\renewcommand`, `\\def` and `\\DeclareMathOperator` definitions,
applied to the math that follows on the card and never printed (a template often opens with a hidden
block of them); `\\stackrel`, `\\overset`, `\\underset`; and the display environments (`aligned`,
`align*`, `gather`, `array`, `cases`, the matrices), laid out as one line per row.

Measured before choosing (14 formulas from shared decks): pylatexenc's `LatexNodes2Text` loses grouping
(`\\frac{a+b}{c^2}` -> "a+b/c^2", `\\sum_{i=1}^{n}` -> "∑_i=1^n") and takes 1.4 ms a formula against
0.04 ms for mathtext, which keeps the grouping and writes scripts in Unicode; so the conversion stays
mathtext's and this module only rewrites the constructs above into what it reads.
"""

from __future__ import annotations

import re

from flashapp.core.mathtext import latex_to_unicode

MAX_EXPANSIONS = 200  # macro expansions per formula: a recursive definition cannot hang the screen
MAX_LENGTH = 20_000
_DEFINITION = re.compile(
    r"\\(?:re)?newcommand\*?\s*\{?\s*\\(?P<name>[A-Za-z]+)\s*\}?\s*(?:\[(?P<args>\d)\])?\s*(?=\{)"
    r"|\\def\s*\\(?P<def_name>[A-Za-z]+)\s*(?P<def_args>(?:#\d)*)\s*(?=\{)"
    r"|\\DeclareMathOperator\*?\s*\{\s*\\(?P<op_name>[A-Za-z]+)\s*\}\s*(?=\{)"
)
_ENVIRONMENT = re.compile(
    r"\\begin\{(?P<env>[A-Za-z]+\*?)\}(?P<body>(?:(?!\\begin\{).)*?)\\end\{(?P=env)\}", re.DOTALL
)
_OVER = re.compile(r"\\(stackrel|overset|underset)\s*(?=\{)")
_COMMAND = re.compile(r"\\([A-Za-z]+)")
# Arrows and relations mathtext leaves as names.
EXTRA_SYMBOLS = {
    "longrightarrow": "⟶", "Longrightarrow": "⟹", "longleftarrow": "⟵", "Longleftarrow": "⟸",
    "longleftrightarrow": "⟷", "Longleftrightarrow": "⟺", "longmapsto": "⟼", "hookrightarrow": "↪",
    "uparrow": "↑", "downarrow": "↓", "Uparrow": "⇑", "Downarrow": "⇓", "rightleftharpoons": "⇌",
    "nexists": "∄", "varnothing": "∅", "setminus": "∖", "land": "∧", "lor": "∨", "lnot": "¬",
    "neg": "¬", "wedge": "∧", "vee": "∨", "supset": "⊃", "supseteq": "⊇", "perp": "⊥",
    "parallel": "∥", "angle": "∠", "triangle": "△", "therefore": "∴", "because": "∵",
    "cong": "≅", "lesssim": "≲", "gtrsim": "≳", "prec": "≺", "succ": "≻", "aleph": "ℵ",
}  # fmt: skip
# Every character Unicode has a superscript or subscript form of (mathtext knows a few of them).
SUPERSCRIPTS = dict(
    zip(
        "0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWαβγδθφχ",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵅᵝᵞᵟᶿᵠᵡ",
        strict=True,
    )
)
SUBSCRIPTS = dict(
    zip("0123456789+-=()aehijklmnoprstuvxβγρφχ", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ", strict=True)
)
_SCRIPT = re.compile(r"(?<!\\)([\^_])(?:\{([^{}\\]*)\}|([A-Za-z0-9]))")
_MATRIX_BRACKETS = {
    "matrix": ("", ""), "pmatrix": ("(", ")"), "bmatrix": ("[", "]"), "Bmatrix": ("{", "}"),
    "vmatrix": ("|", "|"), "Vmatrix": ("‖", "‖"), "smallmatrix": ("", ""),
}  # fmt: skip


def _braced(text: str, start: int) -> tuple[str, int] | None:
    """The `{...}` group opening at `start` (balanced), and the index after it."""
    if start >= len(text) or text[start] != "{":
        return None
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char == "\\":
            continue
        if char == "{" and (index == 0 or text[index - 1] != "\\"):
            depth += 1
        elif char == "}" and text[index - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[start + 1 : index], index + 1
    return None


class MathJax:
    """Converts the math of one card, in order: definitions carry over to the formulas after them."""

    def __init__(self) -> None:
        self.macros: dict[str, tuple[int, str]] = {}  # name -> (argument count, body)

    def convert(self, tex: str, *, display: bool) -> str:
        """Terminal text for one formula; display environments give one line per row ("\\n")."""
        tex = self._take_definitions(tex)
        if not tex.strip():
            return ""
        tex = self._expand(tex)[:MAX_LENGTH]
        tex = self._over_under(tex)
        if "\\begin{" in tex:
            return self._environments(tex)
        return _unicode(tex)

    # --- definitions ------------------------------------------------------------------------------

    def _take_definitions(self, tex: str) -> str:
        out, position = [], 0
        for match in _DEFINITION.finditer(tex):
            if match.start() < position:
                continue
            body = _braced(tex, match.end())
            if body is None:
                continue
            if match.group("name"):
                name, count = match.group("name"), int(match.group("args") or 0)
                self.macros[name] = (count, body[0])
            elif match.group("def_name"):
                name, count = match.group("def_name"), len(match.group("def_args") or "") // 2
                self.macros[name] = (count, body[0])
            else:
                self.macros[match.group("op_name")] = (0, f"\\operatorname{{{body[0]}}}")
            out.append(tex[position : match.start()])
            position = body[1]
        out.append(tex[position:])
        return "".join(out)

    def _expand(self, tex: str) -> str:
        if not self.macros:
            return tex
        for _ in range(MAX_EXPANSIONS):
            match = next((m for m in _COMMAND.finditer(tex) if m.group(1) in self.macros), None)
            if match is None:
                break
            count, body = self.macros[match.group(1)]
            end = match.end()
            for number in range(1, count + 1):
                while end < len(tex) and tex[end] == " ":
                    end += 1
                argument = _braced(tex, end)
                if argument is None:  # a single token as the argument
                    value, end = tex[end : end + 1], end + 1
                else:
                    value, end = argument
                body = body.replace(f"#{number}", value)
            tex = tex[: match.start()] + "{" + body + "}" + tex[end:]
            if len(tex) > MAX_LENGTH:
                break
        return tex

    # --- constructs mathtext does not read --------------------------------------------------------

    def _over_under(self, tex: str) -> str:
        for _ in range(MAX_EXPANSIONS):
            match = _OVER.search(tex)
            if match is None:
                break
            first = _braced(tex, match.end())
            second = _braced(tex, first[1]) if first else None
            if first is None or second is None:
                tex = tex[: match.start()] + tex[match.end() :]
                continue
            script = "_" if match.group(1) == "underset" else "^"
            tex = (
                tex[: match.start()]
                + "{"
                + second[0]
                + "}"
                + script
                + "{"
                + first[0]
                + "}"
                + tex[second[1] :]
            )
        return tex

    def _environments(self, tex: str) -> str:
        lines: list[str] = []
        position = 0
        for match in _ENVIRONMENT.finditer(tex):
            before = tex[position : match.start()].strip()
            rows = self._environment(match.group("env"), match.group("body"))
            if before and rows:
                prefix = _unicode(before) + " "
                rows = [prefix + rows[0]] + [" " * len(prefix) + row for row in rows[1:]]
            elif before:
                lines.append(_unicode(before))
            lines += rows
            position = match.end()
        after = tex[position:].strip()
        if after:
            if lines:
                lines[-1] += " " + _unicode(after)
            else:
                lines.append(_unicode(after))
        return "\n".join(line.rstrip() for line in lines)

    def _environment(self, env: str, body: str) -> list[str]:
        name = env.rstrip("*")
        if name == "array":  # the column specification is not content
            spec = _braced(body.lstrip(), 0)
            if spec is not None:
                body = body.lstrip()[spec[1] :]
        rows = [row for row in re.split(r"\\\\(?:\[[^\]]*\])?", body) if row.strip()]
        cells = [[_unicode(cell.strip()) for cell in re.split(r"(?<!\\)&", row)] for row in rows]
        if not cells:
            return []
        if name in _MATRIX_BRACKETS or name == "array":
            left, right = _MATRIX_BRACKETS.get(name, ("", ""))
            widths = [max(len(row[i]) for row in cells if i < len(row)) for i in range(max(map(len, cells)))]
            out = []
            for row in cells:
                padded = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
                out.append(f"{left}{' ' if left else ''}{padded}{' ' if right else ''}{right}".rstrip())
            return out
        if name == "cases":
            return [("{ " if index == 0 else "  ") + "  ".join(row) for index, row in enumerate(cells)]
        # aligned, align, gather, split, eqnarray...: each row, its alignment points as plain joins
        return [" ".join(cell for cell in row if cell) for row in cells]


def _unicode(tex: str) -> str:
    tex = _COMMAND.sub(lambda m: EXTRA_SYMBOLS.get(m.group(1), m.group(0)), tex)
    return latex_to_unicode(_SCRIPT.sub(_script, tex))


def _script(match: re.Match[str]) -> str:
    """`^c`, `_{ij}`: Unicode characters where every one has a form mathtext lacks, else untouched."""
    text = match.group(2) if match.group(2) is not None else match.group(3)
    table = SUPERSCRIPTS if match.group(1) == "^" else SUBSCRIPTS
    if text and all(char in table for char in text):
        return "".join(table[char] for char in text)
    return match.group(0)
