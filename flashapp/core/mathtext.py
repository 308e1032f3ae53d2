"""A small LaTeX-to-Unicode renderer for the math that flashcards use ($QK^\\top/\\sqrt{d_k}$ -> QKᵀ/√dₖ).

It covers Greek letters, common operators and relations, \\mathbb, \\mathrm and friends, \\frac,
\\sqrt, and super/subscripts (as Unicode where every character has a form, else `^(...)` / `_(...)`).
Unknown commands are kept as their name, so nothing is silently lost.
"""

from __future__ import annotations

import re
from functools import lru_cache

# fmt: off
SYMBOLS = {
    # Greek
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    # operators and relations
    "cdot": "·", "times": "×", "div": "÷", "pm": "±", "mp": "∓", "circ": "∘", "odot": "⊙",
    "otimes": "⊗", "oplus": "⊕", "ast": "∗", "star": "⋆",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈",
    "sim": "∼", "simeq": "≃", "equiv": "≡", "propto": "∝", "ll": "≪", "gg": "≫",
    "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩",
    "to": "→", "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒", "Leftarrow": "⇐",
    "leftrightarrow": "↔", "iff": "⇔", "mapsto": "↦", "implies": "⇒",
    "infty": "∞", "partial": "∂", "nabla": "∇", "forall": "∀", "exists": "∃", "emptyset": "∅",
    "sum": "Σ", "prod": "Π", "int": "∫", "oint": "∮",
    "lVert": "‖", "rVert": "‖", "Vert": "‖", "lvert": "|", "rvert": "|", "mid": "|",
    "langle": "⟨", "rangle": "⟩", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉",
    "top": "ᵀ", "intercal": "ᵀ", "dagger": "†", "prime": "′", "ldots": "…", "cdots": "⋯",
    "dots": "…", "vdots": "⋮", "ddots": "⋱", "quad": "  ", "qquad": "    ", ",": " ", ";": " ",
    "!": "", ":": " ", " ": " ", "{": "{", "}": "}", "_": "_", "%": "%", "$": "$", "&": "&",
    "#": "#", "ell": "ℓ", "hbar": "ℏ", "Re": "ℜ", "Im": "ℑ",
    # named functions keep their name
    "exp": "exp", "log": "log", "ln": "ln", "sin": "sin", "cos": "cos", "tan": "tan",
    "max": "max", "min": "min", "arg": "arg", "det": "det", "dim": "dim", "lim": "lim",
    "sup": "sup", "inf": "inf", "Pr": "Pr", "argmax": "argmax", "argmin": "argmin",
    # spacing and sizing that have no terminal meaning
    "left": "", "right": "", "big": "", "Big": "", "bigg": "", "Bigg": "", "displaystyle": "",
    "limits": "", "nolimits": "",
}
BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ", "1": "𝟙"}
CALLIGRAPHIC = {"L": "ℒ", "N": "𝒩", "D": "𝒟", "X": "𝒳", "Z": "𝒵", "O": "𝒪", "F": "ℱ", "H": "ℋ"}
SUPERSCRIPT = dict(zip("0123456789+-=()nijkTtdmx", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱʲᵏᵀᵗᵈᵐˣ", strict=True))
SUBSCRIPT = dict(zip("0123456789+-=()aeijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))
# Commands whose one argument is shown as-is (fonts and text).
TEXT_COMMANDS = {"mathrm", "text", "textrm", "mathit", "mathbf", "boldsymbol", "bm", "operatorname",
                 "mathsf", "texttt", "textbf", "textit", "emph", "mathtt", "underline"}
# Accents as combining characters after each character of their argument (x̂, x̄, x̃, v⃗).
ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305",
           "tilde": "\u0303", "widetilde": "\u0303", "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308"}

# fmt: on
OPENING = {"lVert", "lvert", "langle", "lfloor", "lceil"}
CLOSING = {"rVert", "rvert", "rangle", "rfloor", "rceil"}

# A token is (command, special, space, char): one of them non-empty.
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([{}^_])|(\s+)|(.)", re.DOTALL)
_SPACES = re.compile(r"[ ]{2,}")
Token = tuple[str, str, str, str]
# No command, group or space: characters and scripts of one character (`x_i`, `x^2`, `W_q`).
_SCRIPTS_ONLY = re.compile(r"[^\\{}\s]*")


# Formulas rendered lately: a deck's cards repeat theirs ($QK^\top$, $\sqrt{d_k}$, $x_i$). A plain dict,
# emptied when full: a formula not in it costs less than `lru_cache`'s bookkeeping of a miss, and a big
# import may give every card its own ($x_{12345}$).
_RENDERED: dict[str, str] = {}
RENDERED_MAX = 4096


def latex_to_unicode(source: str) -> str:
    rendered = _RENDERED.get(source)
    if rendered is None:
        rendered = _render_scripts(source) if _SCRIPTS_ONLY.fullmatch(source) else _render_tokens(source)
        if len(_RENDERED) >= RENDERED_MAX:
            _RENDERED.clear()
        _RENDERED[source] = rendered
    return rendered


def _render_tokens(source: str) -> str:
    out, _ = _render(_TOKEN.findall(source), 0, stop_at_brace=False)
    if "  " in out:
        out = _SPACES.sub(" ", out)
    return out.strip()


def _render_scripts(source: str) -> str:
    """`_render_tokens` of a formula that `_SCRIPTS_ONLY` matches, without tokens: each `^` or `_`
    takes the one character after it (none at the end), as `_argument` would; nothing to strip.
    tests/flashapp/core/test_card_text.py holds the two to the same text."""
    return _SCRIPT_PAIR.sub(_pair_of, source) if "^" in source or "_" in source else source


_SCRIPT_PAIR = re.compile(r"[\^_].?", re.DOTALL)


def _pair_of(match: re.Match[str]) -> str:
    return _script_pair(match[0])


@lru_cache(maxsize=1024)
def _script_pair(pair: str) -> str:
    """`^2` -> `²`, `_i` -> `ᵢ`, `^@` -> `^@`."""
    return _script(pair[1:], SUPERSCRIPT if pair[0] == "^" else SUBSCRIPT, pair[0])


def _render(tokens: list[Token], i: int, *, stop_at_brace: bool) -> tuple[str, int]:
    parts: list[str] = []
    while i < len(tokens):
        command, special, space, char = tokens[i]
        if special == "}" and stop_at_brace:
            return "".join(parts), i + 1
        if special == "{":
            text, i = _render(tokens, i + 1, stop_at_brace=True)
            parts.append(text)
            continue
        if special in ("^", "_"):
            argument, i = _argument(tokens, i + 1)
            parts.append(_script(argument, SUPERSCRIPT if special == "^" else SUBSCRIPT, special))
            continue
        i += 1
        if space:
            parts.append(" ")
        elif char:
            parts.append(char)
        elif special == "}":
            continue  # a stray closing brace
        elif command in ("frac", "dfrac", "tfrac"):
            numerator, i = _argument(tokens, i)
            denominator, i = _argument(tokens, i)
            parts.append(f"{_group(numerator)}/{_group(denominator)}")
        elif command == "sqrt":
            radicand, i = _argument(tokens, i)
            parts.append("√" + _group(radicand))
        elif command in ("mathbb", "mathcal"):
            argument, i = _argument(tokens, i)
            table = BLACKBOARD if command == "mathbb" else CALLIGRAPHIC
            parts.append("".join(table.get(c, c) for c in argument))
        elif command in ACCENTS:
            argument, i = _argument(tokens, i)
            parts.append("".join(c + ACCENTS[command] for c in argument))
        elif command in TEXT_COMMANDS:
            argument, i = _argument(tokens, i)
            parts.append(argument)
        elif command in CLOSING:
            parts[-1:] = [parts[-1].rstrip()] if parts else []
            parts.append(SYMBOLS[command])
        elif command in SYMBOLS:
            parts.append(SYMBOLS[command])
            if command in OPENING:
                while i < len(tokens) and tokens[i][2]:  # no space inside ‖x‖, ⟨q, k⟩
                    i += 1
        else:
            parts.append(command + " ")  # unknown: keep its name, apart from what follows
    return "".join(parts), i


def _argument(tokens: list[Token], i: int) -> tuple[str, int]:
    """One argument: a braced group, a command, or a single character (spaces skipped)."""
    while i < len(tokens) and tokens[i][2]:
        i += 1
    if i >= len(tokens):
        return "", i
    command, special, _space, char = tokens[i]
    if special == "{":
        return _render(tokens, i + 1, stop_at_brace=True)
    if command:
        # A command as an argument (`^\top`, `_\theta`) stands for itself.
        return _render(tokens[i : i + 1], 0, stop_at_brace=False)[0], i + 1
    return (char or special or ""), i + 1


def _group(text: str) -> str:
    """Parenthesise a fraction part or radicand that is more than one symbol."""
    simple = text.removeprefix("√")
    return text if len(simple) <= 1 or simple.isalnum() and len(simple) <= 3 else f"({text})"


def _script(text: str, table: dict[str, str], marker: str) -> str:
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    if text in ("ᵀ", "′", "†", "*", "∗"):
        return text
    return f"{marker}{text}" if len(text) == 1 else f"{marker}({text})"
