"""Searching a workgroup's events: the log since seeding and the seeded cases' derived history,
newest first, a page at a time. What an audit log reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from .. import fidelity
from .events import Cause, Event, EventQuery
from .ids import stable_uuid
from .seeded_history import LazyEvents
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
        content = newest_first(live, seeded, q.page_number * q.page_size, q.page_size)
        return EventPage(content, len(seeded) + len(live), q.page_number, q.page_size)


def newest_first(live: Sequence[Event], seeded: Sequence[Event], start: int, count: int) -> list[Event]:
    """Items ``start`` to ``start + count`` of both (each oldest first) merged newest first, a
    live event before a seeded one of the same time. Skipped events compare by time only: a
    seeded one is never made unless it is on the page."""
    seeded_time = seeded.timestamp if isinstance(seeded, LazyEvents) else (lambda k: seeded[k].at.timestamp())
    i, j, page = len(live) - 1, len(seeded) - 1, []
    for position in range(start + count):
        if i < 0 and j < 0:
            break
        take_live = i >= 0 and (j < 0 or live[i].at.timestamp() >= seeded_time(j))
        if position >= start:
            page.append(live[i] if take_live else seeded[j])
        if take_live:
            i -= 1
        else:
            j -= 1
    return page


def search_audit_log(wg: Workgroup, q: EventQuery, now: datetime) -> EventPage:
    """``search_events`` with ``q.case_id`` given as the vendor's ``caseId``: a case's UUID or
    its displayId (a deleted case's too)."""
    if q.case_id is not None:
        with wg.observing(now):  # what is due first: an upload's job may create the case named
            q = replace(q, case_id=case_uuid(wg, q.case_id))
    return search_events(wg, q, now)


def case_uuid(wg: Workgroup, case_id: str) -> str:
    """The UUID of the case a ``caseId`` names (itself when it names none: nothing matches)."""
    if case_id in wg.cases:
        return case_id
    found = wg.cases.find_by_display_id(case_id)
    if found is not None:
        return found.id
    with wg.lock:  # a deleted case's displayId is in its events
        return wg.events.case_by_display_id.get(case_id, case_id)


def event_ids(wg: Workgroup, events: Sequence[Event]) -> list[str]:
    """A stable id for each event: the same for the same seed and the same requests. O(1) an
    event, without the lock: a seeded case's events all differ, and a logged event's place in
    the log tells apart events equal in every field."""
    prefix = f"{wg.seed}:{wg.id}:"
    return [stable_uuid(f"{prefix}{e.entity_type}:{e.entity_id}:{e.name}:{e.at.timestamp()}:{e.old}:{e.new}:"
                   f"{0 if e.cause is Cause.SEEDED else e.place}") for e in events]




@dataclass(frozen=True, slots=True)
class AuditEntry:
    """An event as the audit log shows it: its stable id, its user's name and its message."""

    id: str
    event: Event
    user_name: str
    message: str

    @property
    def case_id(self) -> str | None:
        return self.event.case_id

    @property
    def case_display_id(self) -> str | None:
        return self.event.display_id if self.event.case_id else None

    @property
    def event_name(self) -> str:
        return self.event.name

    @property
    def entity_type(self) -> str:
        return self.event.entity_type

    @property
    def entity_id(self) -> str:
        return self.event.entity_id

    @property
    def user_display_id(self) -> str | None:
        return self.event.user

    @property
    def created_date(self) -> datetime:
        return self.event.at


def audit_entries(wg: Workgroup, events: Sequence[Event]) -> list[AuditEntry]:
    """The events as audit entries (users named, messages in the vendor's wording)."""
    return [AuditEntry(entry_id, e, wg.users.name_of(e.user),
                       fidelity.EVENT_MESSAGES[e.name].format(display_id=e.display_id, old=e.old, new=e.new))
            for e, entry_id in zip(events, event_ids(wg, events), strict=True)]
