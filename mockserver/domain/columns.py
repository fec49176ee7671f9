"""Column views of a workgroup's seeded cases, for searching 100,000 cases quickly.

The seeded base never changes, so its columns are built once. A filter runs as C-level
``map``/``compress`` over a column instead of one Python call per case, and creation dates
are in order, so date bounds are a bisection. Changed and added cases (the overlay) are few and
are checked one by one, each value read by the same getter that built its column (the columns
and their getters are the search filters': ``query.FILTERS``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .models import Case


@dataclass(frozen=True, slots=True)
class Columns:
    cases: tuple[Case, ...]
    values: dict[str, list[Any]]

    @classmethod
    def of(cls, cases: tuple[Case, ...], readers: Mapping[str, Callable[[Case], Any]]) -> Columns:
        return cls(cases, {name: list(map(read, cases)) for name, read in readers.items()})
