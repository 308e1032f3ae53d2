"""The style sheets' parsed rules, kept across the apps of a test process.

Every new Textual `App` parses every TCSS source it meets again (the app's `app.tcss`, each widget
class's `DEFAULT_CSS`), through a fresh `Stylesheet` whose own cache starts empty: 12-14% of the CPU
of a FlashApp start, and more on each screen first opened in an app. A parse is a pure function of
the source and its place (`Stylesheet._parse_rules`'s arguments) and of the CSS variables it
substitutes (`Stylesheet._variables`, the theme's), and Textual never changes a parsed `RuleSet`
(its own cache already hands the same rule sets to each later parse of one style sheet). So the rule
sets parsed once are handed to every later app with the same source and variables.

This relies on a private method, `Stylesheet._parse_rules(css, read_from, is_default_rules,
tie_breaker, scope)`: installing fails at once if it is gone, and test_css_parse_cache fails if its
parameters change, if a style sheet stops parsing through it, or if the rules an app ends up with
differ from those an app parses on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet

# What `_parse_rules` takes, after `self` (test_css_parse_cache checks this against Textual's).
PARSE_RULES_PARAMETERS = ("css", "read_from", "is_default_rules", "tie_breaker", "scope")
# Textual's own, as this module was imported (by conftest, before any cache was installed).
TEXTUAL_PARSE_RULES = Stylesheet._parse_rules


class SharedParseCache:
    """Parsed rule sets by (source, place, defaults, tie breaker, scope, CSS variables)."""

    def __init__(self) -> None:
        self.rules: dict[tuple, list[RuleSet]] = {}
        self.hits = 0
        self.misses = 0

    @contextmanager
    def installed(self) -> Iterator[SharedParseCache]:
        parse_rules = Stylesheet._parse_rules
        cache = self.rules

        def shared_parse_rules(
            stylesheet: Stylesheet,
            css: str,
            read_from: tuple[str, str],
            is_default_rules: bool = False,
            tie_breaker: int = 0,
            scope: str = "",
        ) -> list[RuleSet]:
            key = (css, read_from, is_default_rules, tie_breaker, scope, tuple(stylesheet._variables.items()))
            try:
                rules = cache[key]
            except KeyError:
                self.misses += 1
                rules = parse_rules(stylesheet, css, read_from, is_default_rules, tie_breaker, scope)
                cache[key] = rules  # only a parse that raised nothing: an error is raised again each time
            else:
                self.hits += 1
            return rules

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Stylesheet, "_parse_rules", shared_parse_rules)  # raises if Textual has none
            yield self
