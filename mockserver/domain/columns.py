"""Column views of a workgroup's seeded cases, for searching 100,000 cases quickly.

The seeded base never changes, so each column is built once, on the first search that filters
on it, from the cases' summaries (no case is made for it, and a generated summary works out
only the field read). A filter runs as C-level ``map``/``compress`` over a column instead of one
Python call per case, and creation dates are in order, so date bounds are a bisection. Changed
and added cases (the overlay) are few and are checked one by one, each value read by the same
getter that built its column (the columns and their getters are the search filters':
``query.FILTERS``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from .models import Summary
from .seeded_cases import SeededCases


class Columns:
    def __init__(self, cases: SeededCases, readers: Mapping[str, Callable[[Summary], Any]]) -> None:
        self.cases = cases
        self._readers = readers
        self._values: dict[str, list[Any]] = {}
        self._indexes: dict[str, dict[Any, list[int]]] = {}
        self._lock = threading.Lock()

    def column(self, name: str) -> list[Any]:
        """The values of column ``name``, one per seeded case, in order."""
        values = self._values.get(name)
        if values is None:
            with self._lock:
                values = self._values.get(name)
                if values is None:
                    values = self._values[name] = list(map(self._readers[name], self.cases.summaries()))
        return values

    def positions_by_value(self, name: str) -> dict[Any, list[int]]:
        """Column ``name`` as an index: each value's positions, ascending (for columns of few
        values, such as the status)."""
        index = self._indexes.get(name)
        if index is None:
            built: dict[Any, list[int]] = {}
            for position, value in enumerate(self.column(name)):
                built.setdefault(value, []).append(position)
            with self._lock:
                index = self._indexes.setdefault(name, built)
        return index
