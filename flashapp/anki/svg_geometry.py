"""The geometry of the SVG shapes an occlusion mask is made of, as polygons: `<path>` data (lines,
Bézier curves and arcs flattened to points), `transform` lists (translate, scale, rotate, skewX,
skewY, matrix) composed into one affine matrix, rectangles and ellipses as corner or outline points.

Pure functions of numbers and strings; drawing them is `occlusion.py`'s job. Anything malformed
ends the shape where it went wrong (what came before it is kept), as browsers do.
"""

from __future__ import annotations

import math
import re

Point = tuple[float, float]
# An affine matrix (a, b, c, d, e, f): x' = a·x + c·y + e, y' = b·x + d·y + f (SVG's order).
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

CURVE_SEGMENTS = 12  # straight pieces per Bézier curve or arc: finer than a terminal cell shows
ELLIPSE_POINTS = 48
MAX_POINTS = 20_000  # a hostile path is cut here, not followed for ever
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PATH_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_NOT_PATH = re.compile(r"[^MmLlHhVvCcSsQqTtAaZzEe\d\s,.+-]")
_TRANSFORM = re.compile(r"(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)")
_ARGUMENTS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """The matrix that applies `n` first, then `m`."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + c * q, b * p + d * q, a * r + c * s, b * r + d * s, a * t + c * u + e, b * t + d * u + f)


def apply(m: Matrix, point: Point) -> Point:
    a, b, c, d, e, f = m
    x, y = point
    return a * x + c * y + e, b * x + d * y + f


def parse_transform(text: str) -> Matrix:
    """The matrix of an SVG `transform` list, applied right to left as SVG does; IDENTITY for
    nothing or nonsense."""
    result = IDENTITY
    for name, arguments in _TRANSFORM.findall(text or ""):
        values = [float(v) for v in _NUMBER.findall(arguments)]
        step = _transform_step(name, values)
        if step is not None:
            result = multiply(result, step)
    return result


def _transform_step(name: str, v: list[float]) -> Matrix | None:
    if name == "matrix" and len(v) == 6:
        return (v[0], v[1], v[2], v[3], v[4], v[5])
    if name == "translate" and v:
        return (1.0, 0.0, 0.0, 1.0, v[0], v[1] if len(v) > 1 else 0.0)
    if name == "scale" and v:
        return (v[0], 0.0, 0.0, v[1] if len(v) > 1 else v[0], 0.0, 0.0)
    if name == "rotate" and v:
        cos, sin = math.cos(math.radians(v[0])), math.sin(math.radians(v[0]))
        turn = (cos, sin, -sin, cos, 0.0, 0.0)
        if len(v) >= 3:  # rotate(angle, cx, cy): about that centre
            return multiply(
                multiply((1.0, 0.0, 0.0, 1.0, v[1], v[2]), turn), (1.0, 0.0, 0.0, 1.0, -v[1], -v[2])
            )
        return turn
    if name == "skewX" and v:
        return (1.0, 0.0, math.tan(math.radians(v[0])), 1.0, 0.0, 0.0)
    if name == "skewY" and v:
        return (1.0, math.tan(math.radians(v[0])), 0.0, 1.0, 0.0, 0.0)
    return None


def rectangle(x: float, y: float, width: float, height: float) -> list[Point]:
    return [(x, y), (x + width, y), (x + width, y + height), (x, y + height)]


def ellipse(cx: float, cy: float, rx: float, ry: float) -> list[Point]:
    return [
        (
            cx + rx * math.cos(2 * math.pi * k / ELLIPSE_POINTS),
            cy + ry * math.sin(2 * math.pi * k / ELLIPSE_POINTS),
        )
        for k in range(ELLIPSE_POINTS)
    ]


def path_polygons(data: str) -> list[list[Point]]:
    """The subpaths of an SVG path's `d` data, each flattened to its points (absolute coordinates)."""
    data = data or ""
    if (wrong := _NOT_PATH.search(data)) is not None:
        data = data[: wrong.start()]  # a browser draws the path up to its first error
    tokens = _PATH_TOKEN.findall(data)
    polygons: list[list[Point]] = []
    current: list[Point] = []
    x = y = start_x = start_y = 0.0
    control: tuple[str, Point] | None = None  # the last curve's family (C or Q) and second control point
    command = ""
    index = 0
    total = 0
    while index < len(tokens) and total < MAX_POINTS:
        if tokens[index].isalpha():
            command = tokens[index]
            index += 1
        elif not command or command in "Zz":
            break  # numbers with no command before them
        upper = command.upper()
        count = _ARGUMENTS[upper]
        values = tokens[index : index + count]
        if len(values) < count or any(v.isalpha() for v in values):
            break
        index += count
        numbers = [float(v) for v in values]
        relative = command.islower()
        if upper == "Z":
            if len(current) > 1:
                polygons.append(current)
            current, (x, y), control = [], (start_x, start_y), None
            continue
        if upper == "M":
            if len(current) > 1:
                polygons.append(current)
            x, y = (x + numbers[0], y + numbers[1]) if relative else (numbers[0], numbers[1])
            start_x, start_y, current, control = x, y, [(x, y)], None
            command = "l" if relative else "L"  # further pairs after a move are lines
            continue
        if not current:
            current = [(x, y)]
        new_points, (x, y), control = _segment(upper, relative, numbers, (x, y), control)
        current.extend(new_points)
        total += len(new_points)
    if len(current) > 1:
        polygons.append(current)
    return polygons


def _segment(
    upper: str, relative: bool, n: list[float], at: Point, control: tuple[str, Point] | None
) -> tuple[list[Point], Point, tuple[str, Point] | None]:
    """The points one path command adds from `at`, where it ends, and its control point for a following
    S (after C or S) or T (after Q or T); after any other command S and T start from `at`."""
    x, y = at

    def point(i: int) -> Point:
        return (x + n[i], y + n[i + 1]) if relative else (n[i], n[i + 1])

    if upper == "L":
        end = point(0)
        return [end], end, None
    if upper == "H":
        end = (x + n[0] if relative else n[0], y)
        return [end], end, None
    if upper == "V":
        end = (x, y + n[0] if relative else n[0])
        return [end], end, None
    family = "C" if upper in "CS" else "Q"
    previous = control[1] if control is not None and control[0] == family else at
    reflected = (2 * x - previous[0], 2 * y - previous[1])
    if upper == "C":
        c1, c2, end = point(0), point(2), point(4)
        return _cubic(at, c1, c2, end), end, (family, c2)
    if upper == "S":
        c2, end = point(0), point(2)
        return _cubic(at, reflected, c2, end), end, (family, c2)
    if upper == "Q":
        c, end = point(0), point(2)
        return _quadratic(at, c, end), end, (family, c)
    if upper == "T":
        end = point(0)
        return _quadratic(at, reflected, end), end, (family, reflected)
    end = (x + n[5], y + n[6]) if relative else (n[5], n[6])  # A
    return _arc(at, n[0], n[1], n[2], n[3] != 0, n[4] != 0, end), end, None


def _cubic(p0: Point, p1: Point, p2: Point, p3: Point) -> list[Point]:
    points = []
    for k in range(1, CURVE_SEGMENTS + 1):
        t = k / CURVE_SEGMENTS
        s = 1 - t
        points.append(
            (
                s**3 * p0[0] + 3 * s * s * t * p1[0] + 3 * s * t * t * p2[0] + t**3 * p3[0],
                s**3 * p0[1] + 3 * s * s * t * p1[1] + 3 * s * t * t * p2[1] + t**3 * p3[1],
            )
        )
    return points


def _quadratic(p0: Point, p1: Point, p2: Point) -> list[Point]:
    points = []
    for k in range(1, CURVE_SEGMENTS + 1):
        t = k / CURVE_SEGMENTS
        s = 1 - t
        points.append(
            (
                s * s * p0[0] + 2 * s * t * p1[0] + t * t * p2[0],
                s * s * p0[1] + 2 * s * t * p1[1] + t * t * p2[1],
            )
        )
    return points


def _arc(
    start: Point, rx: float, ry: float, rotation: float, large: bool, sweep: bool, end: Point
) -> list[Point]:
    """An elliptical arc as SVG defines it (endpoint form, implementation notes F.6), flattened."""
    rx, ry = abs(rx), abs(ry)
    if rx == 0 or ry == 0 or start == end:
        return [end]
    phi = math.radians(rotation)
    cos, sin = math.cos(phi), math.sin(phi)
    dx, dy = (start[0] - end[0]) / 2, (start[1] - end[1]) / 2
    x1, y1 = cos * dx + sin * dy, -sin * dx + cos * dy
    grow = (x1 * x1) / (rx * rx) + (y1 * y1) / (ry * ry)
    if grow > 1:  # radii too small to reach: scaled up, as SVG says
        rx, ry = rx * math.sqrt(grow), ry * math.sqrt(grow)
    numerator = rx * rx * ry * ry - rx * rx * y1 * y1 - ry * ry * x1 * x1
    denominator = rx * rx * y1 * y1 + ry * ry * x1 * x1
    factor = math.sqrt(max(0.0, numerator / denominator)) if denominator else 0.0
    if large == sweep:
        factor = -factor
    cx1, cy1 = factor * rx * y1 / ry, -factor * ry * x1 / rx
    cx = cos * cx1 - sin * cy1 + (start[0] + end[0]) / 2
    cy = sin * cx1 + cos * cy1 + (start[1] + end[1]) / 2
    theta = math.atan2((y1 - cy1) / ry, (x1 - cx1) / rx)
    delta = math.atan2((-y1 - cy1) / ry, (-x1 - cx1) / rx) - theta
    if sweep and delta < 0:
        delta += 2 * math.pi
    elif not sweep and delta > 0:
        delta -= 2 * math.pi
    points = []
    for k in range(1, CURVE_SEGMENTS + 1):
        angle = theta + delta * k / CURVE_SEGMENTS
        ex, ey = rx * math.cos(angle), ry * math.sin(angle)
        points.append((cos * ex - sin * ey + cx, sin * ex + cos * ey + cy))
    points[-1] = end
    return points
