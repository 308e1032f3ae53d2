"""Occlusion masks made of SVG paths, transforms and rotated shapes: the geometry (`svg_geometry`) and
the masks drawn where a browser draws them (`occlusion.draw_mask`)."""

from __future__ import annotations

import math

import pytest
from PIL import Image

from flashapp.anki import svg_geometry as geometry
from flashapp.anki.occlusion import ACTIVE_FILL, Mask, Shape, draw_mask

WHITE = (255, 255, 255)
RED = ACTIVE_FILL[:3]
MASK = (0xFF, 0xEB, 0xA2)


def close(points, expected, places=6):
    assert len(points) == len(expected)
    for (x, y), (ex, ey) in zip(points, expected, strict=True):
        assert x == pytest.approx(ex, abs=10**-places) and y == pytest.approx(ey, abs=10**-places)


def test_lines_absolute_relative_and_closed_subpaths():
    assert geometry.path_polygons("M10 10 L50 10 L50 40 Z") == [[(10, 10), (50, 10), (50, 40)]]
    # relative commands, implicit lines after a move, H and V, a second subpath after Z
    polygons = geometry.path_polygons("m10,10 40,0 v30 h-40 z m100 0 l5 5 l-5 5 z")
    assert polygons[0] == [(10, 10), (50, 10), (50, 40), (10, 40)]
    assert polygons[1] == [(110, 10), (115, 15), (110, 20)]
    assert geometry.path_polygons("M1e1 -.5L2E1-.5 20 5") == [[(10, -0.5), (20, -0.5), (20, 5)]]


def test_curves_end_where_they_should_and_bend_the_right_way():
    (cubic,) = geometry.path_polygons("M0 0 C0 10 10 10 10 0")
    assert cubic[-1] == (10, 0) and len(cubic) == 1 + geometry.CURVE_SEGMENTS
    middle = cubic[geometry.CURVE_SEGMENTS // 2]
    close([middle], [(5, 7.5)])  # a cubic's midpoint: (p0 + 3 p1 + 3 p2 + p3) / 8
    (smooth,) = geometry.path_polygons("M0 0 C0 10 10 10 10 0 S20 -10 20 0")
    close([smooth[-1 - geometry.CURVE_SEGMENTS // 2]], [(15, -7.5)])  # S reflects the control point
    (quadratic,) = geometry.path_polygons("M0 0 Q5 10 10 0 T20 0")
    close([quadratic[geometry.CURVE_SEGMENTS // 2]], [(5, 5)])
    close([quadratic[-1 - geometry.CURVE_SEGMENTS // 2]], [(15, -5)])  # T mirrors it
    (mixed,) = geometry.path_polygons("M0 0 C0 10 10 10 10 0 T20 0")
    assert all(y == 0 for _, y in mixed[-geometry.CURVE_SEGMENTS :])  # T mirrors only a Q or T


@pytest.mark.parametrize(("sweep", "y"), [(1, -10), (0, 10)])
def test_arcs_follow_the_sweep_flag(sweep, y):
    (arc,) = geometry.path_polygons(f"M0 0 A10 10 0 0 {sweep} 20 0")
    close([arc[geometry.CURVE_SEGMENTS // 2]], [(10, y)])
    assert arc[-1] == (20, 0)
    assert all(math.dist(point, (10, 0)) == pytest.approx(10) for point in arc)
    # radii too small to reach the end point are scaled up until they do
    (small,) = geometry.path_polygons("M0 0 a1 1 0 0 1 20 0")
    assert all(math.dist(point, (10, 0)) == pytest.approx(10) for point in small)


def test_malformed_and_hostile_paths_stop_without_error():
    assert geometry.path_polygons("") == []
    assert geometry.path_polygons("10 10 L 20 20") == []  # no command first
    assert geometry.path_polygons("M0 0 L10 0 L10") == [[(0, 0), (10, 0)]]  # cut where it breaks
    assert geometry.path_polygons("M0 0 L10 0 X 5 5 L10 10") == [[(0, 0), (10, 0)]]
    huge = "M0 0" + " l1 1" * (geometry.MAX_POINTS * 2)
    (polygon,) = geometry.path_polygons(huge)
    assert len(polygon) <= geometry.MAX_POINTS + geometry.CURVE_SEGMENTS


def test_transforms_compose_right_to_left():
    turn = geometry.parse_transform("rotate(90)")
    close([geometry.apply(turn, (1, 0))], [(0, 1)])
    about = geometry.parse_transform("rotate(90 10 10)")
    close([geometry.apply(about, (20, 10))], [(10, 20)])
    both = geometry.parse_transform("translate(10) scale(2)")  # scale first, then translate
    close([geometry.apply(both, (1, 1))], [(12, 2)])
    close([geometry.apply(geometry.parse_transform("matrix(1 0 0 1 3 4)"), (0, 0))], [(3, 4)])
    close([geometry.apply(geometry.parse_transform("skewX(45)"), (0, 1))], [(1, 1)])
    assert geometry.parse_transform("nonsense(1) rotate()") == geometry.IDENTITY


def _masked(svg: str, tmp_path) -> Image.Image:
    (tmp_path / "m.svg").write_text(svg)
    return draw_mask(Image.new("RGB", (200, 100), WHITE), Mask(svg="m.svg"), lambda name: tmp_path / name)


def test_an_enhanced_add_on_mask_drawn_as_a_path_inside_transformed_groups(tmp_path):
    picture = _masked(
        '<svg width="200" height="100"><g transform="translate(100 0)"><g transform="scale(0.5)">'
        '<path d="M20 20 h100 v100 h-100 z" fill="#FFEBA2" stroke="#2D2D2D"/></g></g>'
        '<rect x="10" y="60" width="30" height="20" transform="rotate(90 10 60)" style="fill: #FFEBA2"/>'
        "</svg>",
        tmp_path,
    )
    assert picture.getpixel((135, 35)) == MASK  # (20..120)/2 + 100 across, (20..120)/2 down
    assert picture.getpixel((60, 35)) == WHITE  # where the path would be without its groups
    assert picture.getpixel((0, 75)) == MASK  # the rect turned a quarter about its corner
    assert picture.getpixel((30, 70)) == WHITE  # where it would be unturned


def test_an_anki_shape_turned_by_its_stored_angle(tmp_path):
    # Anki stores a turn as 10,000 steps and turns about the shape's top-left corner: 2,500 is 90°.
    shape = Shape("rect", "active", {"left": 0.5, "top": 0.2, "width": 0.3, "height": 0.2, "angle": 2500})
    picture = draw_mask(Image.new("RGB", (200, 100), WHITE), Mask(shapes=(shape,)))
    # unturned it covers x 100..160, y 20..40; turned, x 80..100, y 20..80
    assert picture.getpixel((90, 50)) == RED
    assert picture.getpixel((130, 30)) == WHITE
