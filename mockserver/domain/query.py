"""Case search: the filters of ``GET /cases/search``, their matching rules, and paging."""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import compress, filterfalse, islice, repeat
from operator import attrgetter, contains, eq
from typing import Any

from .. import fidelity
from .case_table import CaseTable
from .columns import Columns
from .models import SEPARATOR, Case
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


def like_search(needle: str) -> Callable[[str], re.Match[str] | None]:
    """``search`` for a lower-cased ``%`` pattern over SEPARATOR-joined values, in time linear in
    the text for each of the pattern's parts: each part is taken at its earliest place after the
    previous one (atomic groups, so a failed attempt never backtracks into earlier choices), and
    an attempt starts only at the start of a value. A greedy first match is right for "contains"
    with only ``%`` wildcards: if any placement of the parts fits, the earliest ones do."""
    any_run = f"[^{SEPARATOR}]*?"
    parts = (re.escape(p) for p in needle.split(fidelity.LIKE_WILDCARD))
    return re.compile(f"(?:^|{SEPARATOR})" + "".join(f"(?>{any_run}{p})" for p in parts)).search


def partial_matcher(value: str) -> Callable[[str], bool]:
    """Case-insensitive "contains" over a lower-cased text of one or more SEPARATOR-joined
    values, where ``%`` stands for any run of characters within one value (SQL LIKE)."""
    needle = value.lower()
    if fidelity.LIKE_WILDCARD not in needle:
        return lambda text: needle in text
    search = like_search(needle)
    return lambda text: search(text) is not None


def _keys(attribute: str, match: Callable[[str], bool]) -> Predicate:
    getter = attrgetter(f"search_keys.{attribute}")
    return lambda c: match(getter(c))


def predicates(q: CaseQuery) -> list[Predicate]:
    """One predicate per given parameter, cheapest and most selective first; a case must
    satisfy all of them (AND)."""
    preds: list[Predicate] = []
    if q.statuses:
        wanted = frozenset(q.statuses)
        preds.append(lambda c: c.status in wanted)
    if q.analysis_id is not None:
        analysis = q.analysis_id
        preds.append(lambda c: c.analysis_id == analysis)
    if q.display_id is not None:
        if q.is_exact_match:
            exact = q.display_id
            preds.append(lambda c: c.display_id == exact)
        else:
            preds.append(_keys("display_id", partial_matcher(q.display_id)))
    if q.id is not None:
        preds.append(_keys("id", partial_matcher(q.id)))
    inclusive = fidelity.DATE_BOUNDS_INCLUSIVE
    if q.created_before is not None:
        before = q.created_before
        preds.append((lambda c: c.created_date <= before) if inclusive else (lambda c: c.created_date < before))
    if q.created_after is not None:
        after = q.created_after
        preds.append((lambda c: c.created_date >= after) if inclusive else (lambda c: c.created_date > after))
    if q.external_sample_id is not None:
        preds.append(_keys("external_sample_ids", partial_matcher(q.external_sample_id)))
    if q.disease_name is not None:
        preds.append(_keys("disease_names", partial_matcher(q.disease_name)))
    if q.tags:
        tag_matchers = [partial_matcher(t) for t in q.tags]
        if fidelity.TAGS_MATCH_ALL:
            preds.append(lambda c: all(m(c.search_keys.tags) for m in tag_matchers))
        elif len(tag_matchers) == 1:
            preds.append(_keys("tags", tag_matchers[0]))
        else:
            preds.append(lambda c: any(m(c.search_keys.tags) for m in tag_matchers))
    return preds


ColumnTest = Callable[[Iterable[Any]], Iterable[Any]]


def _contains(needle: str) -> ColumnTest:
    """Column form of partial_matcher: truthy where the lower-cased value matches."""
    needle = needle.lower()
    if fidelity.LIKE_WILDCARD not in needle:
        return lambda values: map(contains, values, repeat(needle))
    search = like_search(needle)
    return lambda values: map(search, values)


def _equals(wanted: object) -> ColumnTest:
    return lambda values: map(eq, values, repeat(wanted))


def column_tests(q: CaseQuery, cols: Columns) -> list[tuple[list[Any], ColumnTest]]:
    """The query's filters (other than dates) as (column, test), most selective first."""
    tests: list[tuple[list[Any], ColumnTest]] = []
    if q.statuses:
        wanted = frozenset(q.statuses)
        tests.append((cols.status, lambda values: map(wanted.__contains__, values)))
    if q.analysis_id is not None:
        tests.append((cols.analysis_id, _equals(q.analysis_id)))
    if q.display_id is not None:
        if q.is_exact_match:
            tests.append((cols.display_id, _equals(q.display_id)))
        else:
            tests.append((cols.display_id_lower, _contains(q.display_id)))
    if q.id is not None:
        tests.append((cols.id_lower, _contains(q.id)))
    if q.external_sample_id is not None:
        tests.append((cols.external_sample_ids, _contains(q.external_sample_id)))
    if q.disease_name is not None:
        tests.append((cols.disease_names, _contains(q.disease_name)))
    if q.tags:
        matchers = [partial_matcher(t) for t in q.tags]
        if len(matchers) == 1:
            tests.append((cols.tags, _contains(q.tags[0])))
        elif fidelity.TAGS_MATCH_ALL:
            tests.append((cols.tags, lambda values: (all(m(v) for m in matchers) for v in values)))
        else:
            tests.append((cols.tags, lambda values: (any(m(v) for m in matchers) for v in values)))
    return tests


def _base_matches(cols: Columns, q: CaseQuery) -> Sequence[int]:
    """Positions of the seeded cases that match, in creation order."""
    lo, hi = 0, len(cols.cases)
    inclusive = fidelity.DATE_BOUNDS_INCLUSIVE
    if q.created_after is not None:
        lo = (bisect_left if inclusive else bisect_right)(cols.created, q.created_after)
    if q.created_before is not None:
        hi = (bisect_right if inclusive else bisect_left)(cols.created, q.created_before)
    positions: Sequence[int] = range(lo, max(lo, hi))
    for column, test in column_tests(q, cols):
        if not positions:
            break
        if isinstance(positions, range):  # still contiguous: a slice beats a look-up per case
            values: Iterable[Any] = column[positions.start : positions.stop]
        else:
            values = map(column.__getitem__, positions)
        positions = list(compress(positions, test(values)))
    return positions


def run_query(table: CaseTable, q: CaseQuery) -> Page:
    """Filter the workgroup's cases, order them, and cut out the requested page."""
    start, stop = q.page_number * q.page_size, (q.page_number + 1) * q.page_size
    preds = predicates(q)
    if not preds:
        content = list(islice(table.ordered(q.descending), start, stop))
        return Page(content, len(table), q.page_number, q.page_size, q.descending)
    cols = table.base_columns()
    positions = _base_matches(cols, q)
    hidden = table.hidden_base_positions()
    if hidden:
        positions = list(filterfalse(hidden.__contains__, positions))
    extra = sorted((c for c in table.overlay() if all(p(c) for p in preds)), key=_sort_key)
    total = len(positions) + len(extra)
    if q.descending:
        positions = positions[::-1]
        extra.reverse()
    if not extra:
        content = [cols.cases[i] for i in positions[start:stop]]
    else:
        merged = heapq.merge(map(cols.cases.__getitem__, positions), extra, key=_sort_key, reverse=q.descending)
        content = list(islice(merged, start, stop))
    return Page(content, total, q.page_number, q.page_size, q.descending)


def _sort_key(case: Case) -> tuple[datetime, str, str]:
    return case.sort_key
