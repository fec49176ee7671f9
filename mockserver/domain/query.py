"""Case search: the filters of ``GET /cases/search``, their matching rules, and paging."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from .. import fidelity
from .models import Case
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


def partial_matcher(value: str) -> Callable[[str | None], bool]:
    """Case-insensitive "contains", where ``%`` stands for any run of characters (SQL LIKE)."""
    needle = value.lower()
    if fidelity.LIKE_WILDCARD not in needle:
        return lambda text: text is not None and needle in text.lower()
    parts = (re.escape(p) for p in needle.split(fidelity.LIKE_WILDCARD))
    pattern = re.compile(".*".join(parts), re.IGNORECASE | re.DOTALL)
    return lambda text: text is not None and pattern.search(text) is not None


def _any_of(matchers: list[Callable[[str | None], bool]], texts: Iterable[str]) -> bool:
    return any(m(t) for t in texts for m in matchers)


def predicates(q: CaseQuery) -> list[Predicate]:
    """One predicate per given parameter; a case must satisfy all of them (AND)."""
    preds: list[Predicate] = []
    if q.statuses:
        wanted = frozenset(q.statuses)
        preds.append(lambda c: c.status in wanted)
    if q.display_id is not None:
        if q.is_exact_match:
            exact = q.display_id
            preds.append(lambda c: c.display_id == exact)
        else:
            m_display = partial_matcher(q.display_id)
            preds.append(lambda c: m_display(c.display_id))
    if q.id is not None:
        m_id = partial_matcher(q.id)
        preds.append(lambda c: m_id(c.id))
    if q.external_sample_id is not None:
        m_sample = partial_matcher(q.external_sample_id)
        preds.append(lambda c: any(m_sample(s.external_sample_id) for s in c.samples))
    if q.analysis_id is not None:
        analysis = q.analysis_id
        preds.append(lambda c: c.analysis_id == analysis)
    if q.tags:
        tag_matchers = [partial_matcher(t) for t in q.tags]
        if fidelity.TAGS_MATCH_ALL:
            preds.append(lambda c: all(any(m(t) for t in c.tags) for m in tag_matchers))
        else:
            preds.append(lambda c: _any_of(tag_matchers, c.tags))
    if q.disease_name is not None:
        m_disease = partial_matcher(q.disease_name)
        preds.append(lambda c: any(m_disease(d.name) for d in c.diseases))
    inclusive = fidelity.DATE_BOUNDS_INCLUSIVE
    if q.created_before is not None:
        before = q.created_before
        if inclusive:
            preds.append(lambda c: c.created_date <= before)
        else:
            preds.append(lambda c: c.created_date < before)
    if q.created_after is not None:
        after = q.created_after
        if inclusive:
            preds.append(lambda c: c.created_date >= after)
        else:
            preds.append(lambda c: c.created_date > after)
    return preds


def run_query(ordered: Iterator[Case], total: int, q: CaseQuery) -> Page:
    """Filter cases already in the requested order, then cut out the requested page."""
    start = q.page_number * q.page_size
    preds = predicates(q)
    if not preds:
        content = list(islice(ordered, start, start + q.page_size))
        return Page(content, total, q.page_number, q.page_size, q.descending)
    matched = 0
    content = []
    end = start + q.page_size
    for case in ordered:
        if all(p(case) for p in preds):
            if start <= matched < end:
                content.append(case)
            matched += 1
    return Page(content, matched, q.page_number, q.page_size, q.descending)
