"""Anki note type definitions as plain values: what rendering a note's cards needs.

Stored in the collection's `note_types` table (fields and templates as JSON) and read back with
`from_row`; built from a package's schema-11 JSON or schema-18 tables by `collection_reader`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KIND_STANDARD = "standard"
KIND_CLOZE = "cloze"
# Anki's `OriginalStockKind` numbers (notetypes.proto): which stock type a note type was made from.
STOCK_BASIC = 1
STOCK_BASIC_AND_REVERSED = 2
STOCK_BASIC_OPTIONAL_REVERSED = 3
STOCK_BASIC_TYPING = 4
STOCK_CLOZE = 5
STOCK_IMAGE_OCCLUSION = 6


@dataclass(frozen=True)
class TemplateDef:
    name: str
    front: str  # Anki's qfmt
    back: str  # Anki's afmt


@dataclass(frozen=True)
class NoteTypeDef:
    name: str
    kind: str  # KIND_STANDARD or KIND_CLOZE (cloze: one template, one card per deletion number)
    fields: tuple[str, ...]
    templates: tuple[TemplateDef, ...]
    css: str = ""
    # Anki's own id for the type (its creation time in ms), and the rest of what an export needs.
    anki_id: int | None = None
    properties: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_cloze(self) -> bool:
        return self.kind == KIND_CLOZE

    @property
    def is_image_occlusion(self) -> bool:
        return self.properties.get("original_stock_kind") == STOCK_IMAGE_OCCLUSION

    def template_for(self, ord_: int) -> TemplateDef | None:
        """The template card `ord_` uses: the only one for cloze types (ord is the deletion number - 1)."""
        if not self.templates:
            return None
        if self.is_cloze:
            return self.templates[0]
        return self.templates[ord_] if 0 <= ord_ < len(self.templates) else None

    def templates_json(self) -> list[dict[str, str]]:
        return [{"name": t.name, "front": t.front, "back": t.back} for t in self.templates]

    def signature(self) -> str:
        """What makes two versions of an Anki note type the same type for us: its id, kind and fields."""
        return f"{self.anki_id}:{self.kind}:" + "\x1f".join(self.fields)

    @classmethod
    def from_row(
        cls,
        *,
        name: str,
        kind: str,
        fields: list[Any],
        templates: list[Any],
        css: str,
        properties: dict[str, Any],
    ) -> NoteTypeDef:
        return cls(
            name=name,
            kind=kind,
            fields=tuple(str(f) for f in fields),
            templates=tuple(
                TemplateDef(str(t.get("name", "")), str(t.get("front", "")), str(t.get("back", "")))
                for t in templates
                if isinstance(t, dict)
            ),
            css=css,
            anki_id=properties.get("anki_id"),
            properties=dict(properties),
        )
