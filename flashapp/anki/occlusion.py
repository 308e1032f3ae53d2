"""Image Occlusion masks, found in a card's HTML and drawn onto its image as Anki's reviewer draws them.

Two kinds of cards carry masks:
- Anki's built-in Image Occlusion note type: the `{{cloze:Occlusion}}` field renders one hidden
  `<div data-shape=...>` per shape (`cloze` on the question: the active one; `cloze-highlight` on the
  answer: the active one revealed; `cloze-inactive` the others, drawn only when `data-occludeInactive`
  is set: "hide all, guess one"), beside the image in `#image-occlusion-container`; coordinates are
  fractions of the image's size (older notes: pixels).
- The Image Occlusion Enhanced add-on: an SVG of the masks (`-Q.svg` on the question, `-A.svg` on the
  answer) in `#io-overlay`, laid over the image in `#io-original`; coordinates in the SVG's own units.

`occlusion_masks(html)` returns, for each image that carries masks, a short code (`Mask.encode`) that
travels with the image reference in the card's Markdown; the widget that draws the image decodes it
and calls `draw_mask`. Only numbers, colours from a fixed palette and a media file name ever go into a
code: nothing of the card's text can reach the screen through it.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flashapp.anki import svg_geometry as geometry

if TYPE_CHECKING:
    from PIL.Image import Image

# Anki's colours (`#image-occlusion-canvas` CSS variables of the stock note type).
ACTIVE_FILL = (0xFF, 0x8E, 0x8E, 255)
INACTIVE_FILL = (0xFF, 0xEB, 0xA2, 255)
BORDER = (0x21, 0x21, 0x21, 255)
HIGHLIGHT_BORDER = (0xFF, 0x8E, 0x8E, 255)
ROLES = {"cloze": "active", "cloze-inactive": "inactive", "cloze-highlight": "highlight"}
_NUMBER = re.compile(r"^-?(?:\d+\.?\d*|\.\d+)$")
_CONTAINERS = {"image-occlusion-container": "image", "io-original": "image", "io-overlay": "overlay"}
_SVG_SHAPES = {"rect", "ellipse", "circle", "polygon", "polyline", "path"}
MASK_PREFIX = "occlusion:"


@dataclass(frozen=True)
class Shape:
    """One occlusion shape: `kind` rect, ellipse or polygon; `role` active, inactive or highlight."""

    kind: str
    role: str
    numbers: dict[str, float] = field(default_factory=dict)  # left, top, width, height, rx, ry
    points: tuple[tuple[float, float], ...] = ()
    occlude_inactive: bool = False


@dataclass(frozen=True)
class Mask:
    """The masks over one image: Anki's shapes, or an Enhanced add-on SVG file's name."""

    shapes: tuple[Shape, ...] = ()
    svg: str = ""

    def encode(self) -> str:
        data: dict[str, Any] = {"svg": self.svg} if self.svg else {}
        data["shapes"] = [
            [s.kind, s.role, s.numbers, [list(p) for p in s.points], s.occlude_inactive] for s in self.shapes
        ]
        return MASK_PREFIX + urllib.parse.quote(json.dumps(data, separators=(",", ":")), safe="")

    @classmethod
    def decode(cls, code: str) -> Mask | None:
        """The mask a code stands for; None for anything else (a damaged or foreign code)."""
        if not code.startswith(MASK_PREFIX):
            return None
        try:
            data = json.loads(urllib.parse.unquote(code[len(MASK_PREFIX) :]))
            shapes = tuple(
                Shape(
                    str(kind),
                    str(role),
                    {str(k): float(v) for k, v in numbers.items()},
                    tuple((float(x), float(y)) for x, y in points),
                    bool(occlude),
                )
                for kind, role, numbers, points, occlude in data.get("shapes", [])
            )
            return cls(shapes, str(data.get("svg", "")))
        except (ValueError, TypeError, AttributeError):
            return None


class _Finder(HTMLParser):
    """Collects the shapes and, per container (`#image-occlusion-container`, `#io-original`,
    `#io-overlay`), the images inside it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.shapes: list[Shape] = []
        self.open: list[tuple[str, str | None]] = []  # (tag, container role or None)
        self.images: dict[str, list[str]] = {"image": [], "overlay": []}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if "data-shape" in attributes:
            shape = _shape(attributes)
            if shape is not None:
                self.shapes.append(shape)
        role = _CONTAINERS.get(attributes.get("id", ""))
        if tag == "img":
            inside = next((r for _, r in reversed(self.open) if r is not None), None)
            src = attributes.get("src", "").strip()
            if inside is not None and src and "://" not in src and not src.startswith("data:"):
                self.images[inside].append(src)
            return
        if tag not in ("br", "hr", "input", "meta", "link", "source", "wbr", "area", "col"):
            self.open.append((tag, role))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                return


def _shape(attributes: dict[str, str]) -> Shape | None:
    kind = attributes.get("data-shape", "")
    role = next((ROLES[c] for c in attributes.get("class", "").split() if c in ROLES), None)
    if kind not in ("rect", "ellipse", "polygon") or role is None:
        return None  # text labels and unknown shapes are not masks
    numbers = {}
    for name in ("left", "top", "width", "height", "rx", "ry", "angle"):
        value = attributes.get(f"data-{name.lower()}", "").strip()
        if _NUMBER.match(value):
            numbers[name] = float(value)
    points: list[tuple[float, float]] = []
    for pair in attributes.get("data-points", "").split():
        x, _, y = pair.partition(",")
        if _NUMBER.match(x.strip()) and _NUMBER.match(y.strip()):
            points.append((float(x), float(y)))
    occlude = attributes.get("data-occludeinactive", "") not in ("", "0", "false")
    return Shape(kind, role, numbers, tuple(points), occlude)


def occlusion_masks(html: str) -> dict[str, Mask | None]:
    """Image name -> its mask for the images of `html` that carry one; an Enhanced add-on's overlay SVG
    maps to None (drawn onto the image under it, not shown by itself)."""
    if "data-shape" not in html and "io-overlay" not in html:
        return {}
    finder = _Finder()
    finder.feed(html)
    finder.close()
    images, overlays = finder.images["image"], finder.images["overlay"]
    if not images:
        return {}
    masks: dict[str, Mask | None] = {}
    svg = next((name for name in overlays if name.lower().endswith(".svg")), "")
    if svg:
        masks[images[0]] = Mask(svg=svg)
        for name in overlays:
            masks[name] = None
    elif finder.shapes:
        masks[images[0]] = Mask(shapes=tuple(finder.shapes))
    return masks


# --- drawing -------------------------------------------------------------------------------------------


def draw_mask(image: Image, mask: Mask, find_file: Callable[[str], Path | None] | None = None) -> Image:
    """`image` (a PIL image) with the masks drawn on it, as a new RGB image."""
    from PIL import ImageDraw

    picture = image.convert("RGBA")
    draw = ImageDraw.Draw(picture)
    width, height = picture.size
    # Lines thick enough to survive the scaling down to terminal cells.
    line = max(2, round(min(width, height) / 60))
    if mask.svg:
        path = find_file(mask.svg) if find_file is not None else None
        if path is not None:
            _draw_svg(draw, path, (width, height), line)
    for shape in mask.shapes:
        _draw_shape(draw, shape, (width, height), line)
    return picture.convert("RGB")


def _colours(shape: Shape) -> tuple[tuple[int, ...] | None, tuple[int, ...]] | None:
    """(fill, outline) of a shape as Anki draws it, or None when Anki leaves it undrawn."""
    if shape.role == "active":
        return ACTIVE_FILL, BORDER
    if shape.role == "highlight":
        return None, HIGHLIGHT_BORDER
    return (INACTIVE_FILL, BORDER) if shape.occlude_inactive else None


def _draw_shape(draw: Any, shape: Shape, size: tuple[int, int], line: int) -> None:
    colours = _colours(shape)
    if colours is None:
        return
    fill, outline = colours
    if fill is None:
        line *= 2  # a revealed shape is only its outline: make it show
    values = [v for k, v in shape.numbers.items() if k != "angle"]
    values += [v for point in shape.points for v in point]
    # Anki stores fractions of the image's size; notes made before it did, pixels.
    sx, sy = size if all(abs(v) <= 1 for v in values) else (1, 1)
    n = shape.numbers
    left, top = n.get("left", 0) * sx, n.get("top", 0) * sy
    if shape.kind == "rect":
        points = geometry.rectangle(left, top, n.get("width", 0) * sx, n.get("height", 0) * sy)
    elif shape.kind == "ellipse":
        rx, ry = n.get("rx", 0) * sx, n.get("ry", 0) * sy
        points = geometry.ellipse(left + rx, top + ry, rx, ry)
    else:  # polygons carry no angle in Anki
        points = [(x * sx, y * sy) for x, y in shape.points]
    # Anki stores a turn as 10,000 steps; its editor turns a shape about its top-left corner.
    degrees = n.get("angle", 0) % 10_000 / 10_000 * 360 if shape.kind != "polygon" else 0
    if degrees:
        turn = geometry.parse_transform(f"rotate({degrees} {left} {top})")
        points = [geometry.apply(turn, point) for point in points]
    if shape.kind == "rect" and not degrees:
        draw.rectangle(_ordered((*points[0], *points[2])), fill=fill, outline=outline, width=line)
    elif shape.kind == "ellipse" and not degrees:
        box = (left, top, left + 2 * rx, top + 2 * ry)
        draw.ellipse(_ordered(box), fill=fill, outline=outline, width=line)
    elif len(points) >= 3:
        draw.polygon(points, fill=fill, outline=outline, width=line)


def _ordered(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = box
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


_SVG_LENGTH = re.compile(r"^\s*(-?[\d.]+)")
_HEX_COLOUR = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_MAX_SVG_BYTES = 2_000_000


def _length(value: str | None, default: float = 0.0) -> float:
    match = _SVG_LENGTH.match(value or "")
    try:
        return float(match.group(1)) if match else default
    except ValueError:
        return default


def _colour(value: str | None) -> tuple[int, int, int, int] | None:
    match = _HEX_COLOUR.match((value or "").strip())
    if match is None:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), 255)


def svg_shapes(text: str) -> tuple[tuple[float, float], list[tuple[str, dict[str, str], geometry.Matrix]]]:
    """An Enhanced add-on mask SVG: ((width, height) of its coordinate space, [(element, attributes,
    the transform from the shape's coordinates to the SVG's)]) of its shapes. Read with a plain tag
    scanner, never an XML parser (no entities, no DTDs)."""
    scanner = _SvgScanner()
    scanner.feed(text)
    scanner.close()
    return scanner.size, scanner.shapes


class _SvgScanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.size = (0.0, 0.0)
        self.shapes: list[tuple[str, dict[str, str], geometry.Matrix]] = []
        self.groups: list[geometry.Matrix] = []  # the transforms of the open <g> elements, composed

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name.lower(): value or "" for name, value in attrs}
        outer = self.groups[-1] if self.groups else geometry.IDENTITY
        if tag == "svg" and self.size == (0.0, 0.0):
            view_box = attributes.get("viewbox", "").replace(",", " ").split()
            if len(view_box) == 4:
                self.size = (_length(view_box[2]), _length(view_box[3]))
            else:
                self.size = (_length(attributes.get("width")), _length(attributes.get("height")))
        elif tag == "g":
            self.groups.append(
                geometry.multiply(outer, geometry.parse_transform(attributes.get("transform", "")))
            )
        elif tag in _SVG_SHAPES:
            own = geometry.parse_transform(attributes.get("transform", ""))
            self.shapes.append((tag, attributes, geometry.multiply(outer, own)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "g" and self.groups:
            self.groups.pop()


def _svg_polygons(tag: str, a: dict[str, str]) -> list[list[geometry.Point]]:
    """One SVG shape's outlines, in its own coordinates."""
    if tag == "rect":
        width, height = _length(a.get("width")), _length(a.get("height"))
        return [geometry.rectangle(_length(a.get("x")), _length(a.get("y")), width, height)]
    if tag in ("ellipse", "circle"):
        rx, ry = _length(a.get("rx", a.get("r"))), _length(a.get("ry", a.get("r")))
        return [geometry.ellipse(_length(a.get("cx")), _length(a.get("cy")), rx, ry)]
    if tag == "path":
        return geometry.path_polygons(a.get("d", ""))
    numbers = [_length(v) for v in a.get("points", "").replace(",", " ").split()]
    return [[(numbers[i], numbers[i + 1]) for i in range(0, len(numbers) - 1, 2)]]


def _style(attributes: dict[str, str], name: str) -> str | None:
    """A presentation attribute, or the same property in the `style` attribute."""
    for declaration in attributes.get("style", "").split(";"):
        key, _, value = declaration.partition(":")
        if key.strip().lower() == name:
            return value.strip()
    return attributes.get(name)


def _draw_svg(draw: Any, path: Path, size: tuple[int, int], line: int) -> None:
    try:
        if path.stat().st_size > _MAX_SVG_BYTES:
            return
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    (svg_width, svg_height), shapes = svg_shapes(text)
    sx = size[0] / svg_width if svg_width > 0 else 1.0
    sy = size[1] / svg_height if svg_height > 0 else 1.0
    to_image = (sx, 0.0, 0.0, sy, 0.0, 0.0)
    for tag, a, matrix in shapes:
        fill = _colour(_style(a, "fill"))
        outline = _colour(_style(a, "stroke"))
        if fill is None and outline is None:
            continue
        whole = geometry.multiply(to_image, matrix)
        for outline_points in _svg_polygons(tag, a):
            points = [geometry.apply(whole, point) for point in outline_points]
            if len(points) >= 3:
                draw.polygon(points, fill=fill, outline=outline, width=line)
