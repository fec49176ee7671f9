"""The history a seeded case had before the server started, derived from what it is now.

A seeded case was added at its creation date and went through the service's own transitions
(``statuses.TRANSITIONS``), by the shortest path, to its seeded status, the last change at its
update date and the others evenly between; a case still in its first status but updated since
had its metadata updated then. Nothing is stored at start-up: one case's history
is derived when asked for, and the whole base's only when a query needs all of it (then once).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from functools import cache

from .. import fidelity
from .events import Cause, Event, EventQuery, at_of, case_event, within
from .models import Case
from .statuses import TRANSITIONS, CaseStatus

FIRST_STATUS = CaseStatus.AWAITING_MOLECULAR_DATA


@cache
def path_to(status: CaseStatus) -> tuple[CaseStatus, ...]:
    """The statuses after the first, by the shortest path of the service's own transitions."""
    came_from: dict[CaseStatus, CaseStatus | None] = {FIRST_STATUS: None}
    todo = deque([FIRST_STATUS])
    while todo:
        current = todo.popleft()
        for following in sorted(TRANSITIONS[current]):
            if following not in came_from:
                came_from[following] = current
                todo.append(following)
    path: list[CaseStatus] = []
    step: CaseStatus | None = status
    while step is not None and step is not FIRST_STATUS:
        path.append(step)
        step = came_from.get(step)
    return tuple(reversed(path))


def derive(case: Case) -> list[Event]:
    """The seeded case's events, oldest first."""
    added = case_event(fidelity.EVENT_CASE_ADDED, case.id, case.created_date, Cause.SEEDED, "seeded case",
                       new=FIRST_STATUS)
    steps = path_to(case.status)
    span = case.updated_date - case.created_date
    events = [added]
    old = FIRST_STATUS
    for number, new in enumerate(steps, 1):
        at = case.created_date + span * number / len(steps)
        events.append(case_event(fidelity.EVENT_CASE_STATUS_UPDATED, case.id, at, Cause.SEEDED,
                                 "seeded history", old=old, new=new))
        old = new
    if not steps and case.updated_date > case.created_date:  # changed, but not its status
        events.append(case_event(fidelity.EVENT_CASE_METADATA_UPDATED, case.id, case.updated_date, Cause.SEEDED,
                                 "seeded history"))
    return events


class SeededHistory:
    """The derived events of a workgroup's seeded cases (which never change)."""

    def __init__(self, cases: Sequence[Case]) -> None:
        self._cases = cases
        self._lock = threading.Lock()
        self._all: list[Event] | None = None
        self._by_name: dict[str, list[Event]] = {}

    def of_case(self, case: Case) -> list[Event]:
        return derive(case)

    def matching(self, q: EventQuery, seeded_case: Case | None) -> Sequence[Event]:
        """The seeded events ``q`` admits, oldest first. ``seeded_case``: the seeded case ``q``
        names, if it names one (then only that case's history is derived)."""
        if q.case_id is not None or q.entity_id is not None:
            return [e for e in derive(seeded_case) if q.admits(e)] if seeded_case is not None else []
        if q.entity_type not in (None, fidelity.ENTITY_CASE):
            return []
        name = q.names[0] if len(q.names) == 1 else None
        found = within(self._built_by_name(name) if name else self._built(), q.since, q.until)
        if q.only_by(name=name, entity_type=fidelity.ENTITY_CASE):  # every seeded event is a case's
            return found
        return [e for e in found if q.admits(e)]

    def _built(self) -> list[Event]:
        with self._lock:
            if self._all is None:
                every = [e for case in self._cases for e in derive(case)]
                every.sort(key=at_of)
                by_name: dict[str, list[Event]] = {}
                for event in every:
                    by_name.setdefault(event.name, []).append(event)
                self._by_name = by_name
                self._all = every
            return self._all

    def _built_by_name(self, name: str) -> list[Event]:
        self._built()
        return self._by_name.get(name, [])
