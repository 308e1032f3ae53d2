"""Shared decks' cards shown as Anki shows them: a note type built with the `anki` library whose
template opens with a hidden block of MathJax definitions, hides a field with its CSS, and carries a
hint, with fields holding `<sup>`/`<sub>`, code indented by non-breaking spaces, display math with an
environment, and a `[$]` whose PNG the package ships. Anki's own HTML for each card, made into text,
must equal ours; and the things that used to go wrong are checked by name."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest
from anki.import_export_pb2 import ExportAnkiPackageOptions
from anki_client import import_into_anki, new_collection, png_bytes
from anki_compare import assert_same, flashapp_view

from flashapp.store.collection import Collection

FRONT = (
    '<div style="display:none">\\(\\newcommand{\\E}{\\operatorname{E}} \\def\\R{\\mathbb{R}}\\)</div>'
    '{{Front}}<div class="secret">{{Back}}</div>{{hint:Hint}}'
)
BACK = "{{FrontSide}}<hr id=answer>{{Back}}<br>{{Extra}}"
CSS = ".card { font-family: arial; } .secret { display: none; }"
NOTES = [
    {
        "Front": "\\(\\E[X^2]\\) in \\(\\R\\), P(A<sup>c</sup>), R<sup>2</sup>, L<sub>1</sub>",
        "Back": "<div>def f(x):</div><div>&nbsp;&nbsp;&nbsp;&nbsp;return x</div>",
        "Hint": "a square",
        "Extra": "\\[\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}\\] and [$]x^2[/$]",
    },
    {
        "Front": "\\(X_n \\stackrel{m\\rightarrow\\infty}{\\longrightarrow} X\\)",
        "Back": "<span class=chip>अ</span><span class=chip>इ</span>",
        "Hint": "",
        "Extra": "\\[f(x) = \\begin{cases} 1 & x > 0 \\\\ 0 & \\text{else} \\end{cases}\\]",
    },
]
LATEX_PNG = "latex-76b2878564ab19b80abb21ba964abe90fe120846.png"  # Anki's name for [$]x^2[/$]


@pytest.fixture(scope="module")
def fidelity_package(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fidelity")
    col = new_collection(folder / "source")
    models = col.models
    model = models.new("Shared deck type")
    for name in ("Front", "Back", "Hint", "Extra"):
        models.add_field(model, models.new_field(name))
    template = models.new_template("Card 1")
    template["qfmt"], template["afmt"] = FRONT, BACK
    models.add_template(model, template)
    model["css"] = CSS
    models.add(model)
    for values in NOTES:
        note = col.new_note(models.by_name("Shared deck type"))
        for name, value in values.items():
            note[name] = value
        col.add_note(note, col.decks.id("Fidelity"))
    (Path(col.media.dir()) / LATEX_PNG).write_bytes(png_bytes(6, 2, (0, 0, 0)))
    path = folder / "fidelity.apkg"
    col.export_anki_package(
        out_path=str(path),
        options=ExportAnkiPackageOptions(with_scheduling=True, with_media=True),
        limit=None,
    )
    col.close()
    return path


def test_cards_read_as_anki_shows_them(fidelity_package, tmp_path, empty_collection_file):
    anki = import_into_anki(fidelity_package, tmp_path / "anki")
    with Collection.open(empty_collection_file(tmp_path / "c.db"), shipped_decks=False, tz=UTC) as collection:
        collection.import_package(fidelity_package)
        ours = flashapp_view(collection)
        assert_same(anki, ours, crt=anki.crt)
        assert LATEX_PNG in ours.media  # the rendered image came with the package, and is shown
        cards = sorted(ours.cards.values(), key=lambda card: card["front"])
    first, second = cards
    assert "newcommand" not in first["front"] and "def" not in first["front"].split(",")[0]
    assert first["front"].startswith("E[X²] in ℝ, P(Aᶜ), R², L₁")
    assert "return x" not in first["front"]  # the CSS-hidden field stays hidden on the question
    assert "\n    return x" in first["back"]  # indentation by non-breaking spaces kept
    assert "a = b\nc = d" in first["back"]  # a display environment, one row a line
    assert f"({LATEX_PNG})" in first["answer"]
    assert second["front"] == "Xₙ ⟶^(m→∞) X"
    assert "अ इ" in second["back"]
    assert "{ 1  x > 0" in second["back"]
