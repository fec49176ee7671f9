"""Searching a workgroup's events: the log since seeding and the seeded cases' derived history,
newest first, a page at a time. What an audit log reads."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from .events import Event, EventQuery, at_of
from .workgroup import Workgroup


@dataclass(frozen=True, slots=True)
class EventPage:
    content: list[Event]
    total_elements: int
    page_number: int
    page_size: int


def search_events(wg: Workgroup, q: EventQuery, now: datetime) -> EventPage:
    """The events ``q`` admits, newest first (ties: the later in the log first), page
    ``q.page_number``. Reads only the indexes the query narrows to."""
    named = q.case_id or q.entity_id
    # The seeded cases never change: their history is read (and, the first time, derived:
    # seconds at 100,000 cases) without holding the workgroup's lock.
    seeded = wg.seeded_history.matching(q, wg.cases.seeded_case(named) if named else None)
    with wg.observing(now):
        live = wg.events.matching(q)
        start = q.page_number * q.page_size
        newest = heapq.merge(reversed(live), reversed(seeded), key=at_of, reverse=True)
        content = list(islice(newest, start, start + q.page_size))
        return EventPage(content, len(seeded) + len(live), q.page_number, q.page_size)
