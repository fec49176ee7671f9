"""Column views of a workgroup's seeded cases, for searching 100,000 cases quickly.

The seeded base never changes, so its columns are built once, on the first search that filters,
from the cases' summaries (no case is made for it). A filter runs as C-level ``map``/``compress``
over a column instead of one Python call per case, and creation dates are in order, so date
bounds are a bisection. Changed and added cases (the overlay) are few and are checked one by
one, each value read by the same getter that built its column (the columns and their getters
are the search filters': ``query.FILTERS``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

from .models import CaseSummary
from .seeded_cases import SeededCases

#: Summaries are read this many at a time, so only that many exist at once.
_SLICE = 5000


@dataclass(frozen=True, slots=True)
class Columns:
    cases: SeededCases
    values: dict[str, list[Any]]

    @classmethod
    def of(cls, cases: SeededCases, readers: Mapping[str, Callable[[CaseSummary], Any]]) -> Columns:
        values: dict[str, list[Any]] = {name: [] for name in readers}
        summaries = cases.summaries()
        while chunk := list(islice(summaries, _SLICE)):
            for name, read in readers.items():
                values[name].extend(map(read, chunk))
        return cls(cases, values)
