"""The taxonomy figure follows CS231n 2025's tree, and its property table is labelled."""

from __future__ import annotations

from engine.concepts.taxonomy import FAMILIES, NODES, PROPERTY_HEADERS, PROPERTY_TABLE, PROPERTY_WORDS


def test_the_tree_is_the_courses():
    parent = {key: up for key, up, *_ in NODES}
    assert parent["explicit"] == parent["implicit"] == "root"
    assert parent["tractable"] == parent["approximate"] == "explicit"
    assert parent["direct"] == parent["indirect"] == "implicit"
    assert (parent["ar"], parent["vae"], parent["gan"], parent["diffusion"]) == (
        "tractable",
        "approximate",
        "direct",
        "indirect",
    )


def test_the_property_table_is_drawn_with_its_labels(default_run):
    assert PROPERTY_TABLE.shape == (len(FAMILIES), len(PROPERTY_HEADERS)) == (len(PROPERTY_WORDS), 4)
    result = default_run("generative.taxonomy")
    (table,) = (t for ax in result.figures["taxonomy"].axes for t in ax.tables)
    texts = {cell.get_text().get_text() for cell in table.get_celld().values()}
    assert set(PROPERTY_HEADERS) <= texts
    assert {"vae", "gan", "rectified flow"} <= texts
    assert "ELBO view" in result.explanation and "continuous-flow view" in result.explanation
