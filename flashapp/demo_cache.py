"""Demo results kept in memory while the app runs, so reopening a demo with the same parameters is
instant. Keyed by (concept, validated params with the seed, device, engine version); least recently
used results go first. No Textual, no torch: values are whatever the caller stores."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

DemoKey = tuple[str, tuple[tuple[str, Any], ...], Any, str, str]


def demo_key(concept: str, params: Mapping[str, Any], device: str, engine_version: str) -> DemoKey:
    """`params` are the validated parameters (the seed among them, also kept apart for clarity)."""
    return (concept, tuple(sorted(params.items())), params.get("seed"), device, engine_version)


class DemoCache:
    def __init__(self, capacity: int = 16) -> None:
        self.capacity = capacity
        self._items: OrderedDict[DemoKey, Any] = OrderedDict()

    def get(self, key: DemoKey) -> Any | None:
        if key not in self._items:
            return None
        self._items.move_to_end(key)
        return self._items[key]

    def put(self, key: DemoKey, value: Any) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)
