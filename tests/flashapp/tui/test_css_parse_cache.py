"""css_parse_cache, which every TUI test runs under: the Textual internals it relies on are still
there, style sheets still parse through them, and an app gets the rules it would parse on its own."""

from __future__ import annotations

import inspect

import pytest
from css_parse_cache import PARSE_RULES_PARAMETERS, TEXTUAL_PARSE_RULES, SharedParseCache
from textual.css.stylesheet import Stylesheet, StylesheetParseError

from flashapp.tui.app import make_app


def test_textual_parses_rules_where_the_cache_expects():
    parameters = list(inspect.signature(Stylesheet._parse_rules).parameters)
    assert tuple(parameters[1:]) == PARSE_RULES_PARAMETERS, (
        "Textual's Stylesheet._parse_rules changed: css_parse_cache must follow it"
    )


async def test_a_second_app_parses_nothing_and_gets_the_same_rules(study_collection):
    cache = SharedParseCache()
    with cache.installed():
        for start in ("first", "second"):
            misses, hits = cache.misses, cache.hits
            app = make_app(study_collection)
            async with app.run_test(size=(100, 32)) as pilot:
                await pilot.pause()
                sources = len(app.stylesheet.source)
            if start == "first":
                assert cache.misses - misses >= sources, "the style sheets no longer parse through the cache"
            else:
                assert cache.misses == misses, f"the second app parsed {cache.misses - misses} sources again"
                assert cache.hits - hits >= sources, "the second app's style sheets bypassed the cache"
    # The same sources, parsed by Textual alone (no cache installed).
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Stylesheet, "_parse_rules", TEXTUAL_PARSE_RULES)
        alone = app.stylesheet.copy()
        alone.parse()
    assert not {id(rule) for rule in alone.rules} & {id(rule) for rule in app.stylesheet.rules}

    def described(sheet: Stylesheet) -> list[tuple]:  # a layout compares by identity: its repr instead
        return [
            (rule.selectors, repr(rule.styles), rule.is_default_rules, rule.tie_breaker)
            for rule in sheet.rules
        ]

    assert described(alone) == described(app.stylesheet)


def test_each_variable_set_and_each_error_is_its_own():
    """A source parsed with other CSS variables (another theme) is parsed again; invalid CSS is
    reported each time it is parsed, as Textual reports it."""
    cache = SharedParseCache()
    with cache.installed():
        sheets = []
        for colour in ("red", "blue", "red"):
            sheet = Stylesheet(variables={"accent": colour})
            sheet.add_source("Static { color: $accent; }", read_from=("test", "accent"))
            sheet.parse()
            sheets.append(sheet.rules[0].styles.color)
        assert sheets[0] != sheets[1] and sheets[0] == sheets[2]
        assert (cache.misses, cache.hits) == (2, 1)
        for _ in range(2):
            sheet = Stylesheet()
            sheet.add_source("Static { colour: red; }", read_from=("test", "invalid"))
            with pytest.raises(StylesheetParseError):
                sheet.parse()
