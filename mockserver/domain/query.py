"""Case search: the filters of ``GET /cases/search``, their matching rules, and paging."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from itertools import compress, filterfalse
from operator import attrgetter
from typing import Any

from .. import fidelity
from .case_table import CaseTable, merged_slice
from .columns import Columns
from .matching import Bound, Contains, Equals, Match, OneOf, each_of
from .models import Case, Summary
from .statuses import CaseStatus

Predicate = Callable[[Case], bool]


@dataclass(frozen=True, slots=True)
class CaseQuery:
    statuses: tuple[CaseStatus, ...] = ()
    display_id: str | None = None
    is_exact_match: bool = False
    id: str | None = None
    external_sample_id: str | None = None
    analysis_id: str | None = None
    tags: tuple[str, ...] = ()
    disease_name: str | None = None
    created_before: datetime | None = None
    created_after: datetime | None = None
    page_number: int = 0
    page_size: int = fidelity.DEFAULT_PAGE_SIZE
    descending: bool = fidelity.DEFAULT_ORDER == "DESC"


@dataclass(frozen=True, slots=True)
class Page:
    content: list[Case]
    total_elements: int
    page_number: int
    page_size: int
    descending: bool

    @property
    def total_pages(self) -> int:
        return -(-self.total_elements // self.page_size)


@dataclass(frozen=True, slots=True)
class Filter:
    """One search parameter: the column it tests, and its test given the query (None when the
    query does not use it). The same row filters the seeded columns and the changed cases."""

    column: str
    #: How a case's value in the column is read.
    read: Callable[[Summary], Any]
    match: Callable[[CaseQuery], Match | None]


def _given(value: Any, match: Callable[[Any], Match]) -> Match | None:
    return None if value is None else match(value)


#: The filters, cheapest and most selective first; a case must pass all that apply (AND).
FILTERS: tuple[Filter, ...] = (
    Filter("status", attrgetter("status"), lambda q: OneOf(q.statuses) if q.statuses else None),
    Filter("analysis_id", attrgetter("analysis_id"), lambda q: _given(q.analysis_id, Equals)),
    Filter("display_id", attrgetter("display_id"),
           lambda q: _given(q.display_id, Equals) if q.is_exact_match else None),
    Filter("display_id_lower", attrgetter("search_keys.display_id"),
           lambda q: None if q.is_exact_match else _given(q.display_id, Contains)),
    Filter("id_lower", attrgetter("search_keys.id"), lambda q: _given(q.id, Contains)),
    Filter("created", attrgetter("created_date"),
           lambda q: _given(q.created_before, lambda limit: Bound(limit, upper=True))),
    Filter("created", attrgetter("created_date"),
           lambda q: _given(q.created_after, lambda limit: Bound(limit, upper=False))),
    Filter("external_sample_ids", attrgetter("search_keys.external_sample_ids"),
           lambda q: _given(q.external_sample_id, Contains)),
    Filter("disease_names", attrgetter("search_keys.disease_names"), lambda q: _given(q.disease_name, Contains)),
    Filter("tags", attrgetter("search_keys.tags"), lambda q: each_of(q.tags) if q.tags else None),
)
#: Each column the filters test, with how a case's value in it is read.
COLUMNS: dict[str, Callable[[Summary], Any]] = {f.column: f.read for f in FILTERS}
#: The seeded cases are in creation order, so their creation dates are a sorted column: a bound
#: on it is a bisection.
SORTED = frozenset({"created"})
#: Columns of a few values, searched through an index of each value's positions.
INDEXED = frozenset({"status"})


def _applying(q: CaseQuery) -> list[tuple[str, Match]]:
    return [(f.column, match) for f in FILTERS if (match := f.match(q)) is not None]


def predicates(q: CaseQuery) -> list[Predicate]:
    """One predicate per given parameter, in the order of ``FILTERS``."""
    return [partial(_passes, COLUMNS[column], match) for column, match in _applying(q)]


def _passes(read: Callable[[Summary], Any], match: Match, case: Case) -> bool:
    return match.one(read(case))


def _base_matches(cols: Columns, q: CaseQuery) -> Sequence[int]:
    """Positions of the seeded cases that match, in creation order: bounds on a sorted column
    first (bisections), then an indexed column's positions within them, then each other filter
    over what is left."""
    applying = _applying(q)
    lo, hi = 0, len(cols.cases)
    for column, match in applying:
        if column in SORTED:
            lo, hi = match.narrow(cols.column(column), lo, hi)  # type: ignore[attr-defined]
    positions: Sequence[int] = range(lo, max(lo, hi))
    for column, match in applying:
        if column in INDEXED:
            positions = match.within(cols.positions_by_value(column), lo, hi)  # type: ignore[attr-defined]
    for column, match in applying:
        if not positions:
            break
        if column in SORTED or column in INDEXED:
            continue
        values = cols.column(column)
        if isinstance(positions, range):  # still contiguous: a slice beats a look-up per case
            window: Iterable[Any] = values[positions.start : positions.stop]
        else:
            window = map(values.__getitem__, positions)
        positions = list(compress(positions, match.many(window)))
    return positions


def run_query(table: CaseTable, q: CaseQuery) -> Page:
    """Filter the workgroup's cases, order them, and cut out the requested page."""
    start, stop = q.page_number * q.page_size, (q.page_number + 1) * q.page_size
    preds = predicates(q)
    if not preds:
        return Page(table.page(start, stop, q.descending), len(table), q.page_number, q.page_size, q.descending)
    cols = table.base_columns(COLUMNS)
    positions = _base_matches(cols, q)
    hidden = table.hidden_base_positions()
    if hidden:
        positions = list(filterfalse(hidden.__contains__, positions))
    extra = sorted((c for c in table.overlay() if all(p(c) for p in preds)), key=_sort_key)
    seeded = cols.cases
    picked = merged_slice(len(positions), lambda k: seeded.sort_key(positions[k]), [c.sort_key for c in extra],
                          start, stop, q.descending)
    content = [seeded[positions[i]] if from_base else extra[i] for from_base, i in picked]
    return Page(content, len(positions) + len(extra), q.page_number, q.page_size, q.descending)


def _sort_key(case: Case) -> tuple[datetime, str, str]:
    return case.sort_key


def status_counts(table: CaseTable) -> dict[str, int]:
    """How many cases are in each status (API value, every status, zero included): the seeded
    cases counted once through the status column's index, then the changes since seeding."""
    seeded = table.base_columns(COLUMNS).positions_by_value("status")
    changes = table.status_changes()
    return {s.value: len(seeded.get(s, ())) + changes.get(s.value, 0) for s in CaseStatus}
