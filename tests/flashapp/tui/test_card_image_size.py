"""Images sized to the pane: never larger than their own size on a card (a formula stays small), as wide
as the pane allows otherwise, keeping their shape; the full-screen viewer enlarges them."""

from __future__ import annotations

from flashapp.tui.widgets.card_image import fit_cells, natural_cells


def test_images_fit_the_pane_keeping_their_shape():
    screenshot = natural_cells((1600, 800))  # a code screenshot: 200 x 50 cells at its own size
    assert screenshot == (200, 50)
    assert fit_cells(screenshot, 96, 40) == (96, 24)  # as wide as the pane, shape kept
    assert fit_cells(screenshot, 96, 12) == (48, 12)  # the rows the screen leaves limit it
    formula = natural_cells((80, 32))
    assert fit_cells(formula, 96, 40) == formula == (10, 2)  # never enlarged on the card
    assert fit_cells(formula, 96, 40, enlarge=True) == (96, 19)  # full-screen: as large as it fits
