"""Column views of a workgroup's seeded cases, for searching 100,000 cases quickly.

The seeded base never changes, so its columns are built once. A filter runs as C-level
``map``/``compress`` over a column instead of one Python call per case, and creation dates
are in order, so date bounds are a bisection. Changed and added cases (the overlay) are few and
are checked one by one, each value read by the same getter that built its column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from .models import Case

#: Each searchable column and how a case's value in it is read.
COLUMNS: dict[str, Callable[[Case], Any]] = {
    "created": attrgetter("created_date"),
    "status": attrgetter("status"),
    "analysis_id": attrgetter("analysis_id"),
    "display_id": attrgetter("display_id"),
    "display_id_lower": attrgetter("search_keys.display_id"),
    "id_lower": attrgetter("search_keys.id"),
    "external_sample_ids": attrgetter("search_keys.external_sample_ids"),
    "tags": attrgetter("search_keys.tags"),
    "disease_names": attrgetter("search_keys.disease_names"),
}
#: Columns in ascending order (the seeded cases are in creation order).
SORTED = frozenset({"created"})


@dataclass(frozen=True, slots=True)
class Columns:
    cases: tuple[Case, ...]
    values: dict[str, list[Any]]

    @classmethod
    def of(cls, cases: tuple[Case, ...]) -> Columns:
        return cls(cases, {name: list(map(read, cases)) for name, read in COLUMNS.items()})
