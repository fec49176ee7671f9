"""The history a seeded case had before the server started, derived from what it is now.

A seeded case was added at its creation date and went through the service's own transitions
(``statuses.TRANSITIONS``), by the shortest path, to its seeded status, the last change at its
update date and the others evenly between; a case still in its first status but updated since
had its metadata updated then. Nothing is stored at start-up: one case's history
is derived when asked for, and the whole base's only when a query needs all of it (then once,
as compact columns of times and owners: an event is made only when a page shows it).
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Sequence
from datetime import datetime
from functools import cache, lru_cache

from .. import fidelity
from .events import Cause, Event, EventQuery, case_event
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


def _timeline(case: Case) -> list[tuple[datetime, str, CaseStatus | None, CaseStatus | None]]:
    """(time, event name, status before, status after) of each of the seeded case's events."""
    steps = path_to(case.status)
    span = case.updated_date - case.created_date
    found: list[tuple[datetime, str, CaseStatus | None, CaseStatus | None]] = [
        (case.created_date, fidelity.EVENT_CASE_ADDED, None, FIRST_STATUS)]
    old = FIRST_STATUS
    for number, new in enumerate(steps, 1):
        found.append((case.created_date + span * number / len(steps), fidelity.EVENT_CASE_STATUS_UPDATED, old, new))
        old = new
    if not steps and case.updated_date > case.created_date:  # changed, but not its status
        found.append((case.updated_date, fidelity.EVENT_CASE_METADATA_UPDATED, None, None))
    return found


def derive(case: Case) -> list[Event]:
    """The seeded case's events, oldest first."""
    return [case_event(name, case.id, at, Cause.SEEDED,
                       "seeded case" if name == fidelity.EVENT_CASE_ADDED else "seeded history", old=old, new=new)
            for at, name, old, new in _timeline(case)]


class _Columns:
    """Every seeded event as a position into parallel arrays (time, owning case, step), in time
    order overall and by name."""

    def __init__(self, cases: Sequence[Case]) -> None:
        self.names = (fidelity.EVENT_CASE_ADDED, fidelity.EVENT_CASE_STATUS_UPDATED, fidelity.EVENT_CASE_METADATA_UPDATED)
        code = {name: n for n, name in enumerate(self.names)}
        self.times, self.owners, self.steps, names = array("d"), array("i"), array("b"), array("b")
        for index, case in enumerate(cases):
            for step, (at, name, _, _) in enumerate(_timeline(case)):
                self.times.append(at.timestamp())
                self.owners.append(index)
                self.steps.append(step)
                names.append(code[name])
        self.order = array("i", sorted(range(len(self.times)), key=self.times.__getitem__))
        self.by_name = {name: array("i", (p for p in self.order if names[p] == n)) for n, name in enumerate(self.names)}


class LazyEvents(Sequence[Event]):
    """Seeded events at some positions, each made when read."""

    def __init__(self, history: SeededHistory, columns: _Columns, positions: Sequence[int]) -> None:
        self._history, self._columns, self._positions = history, columns, positions

    def __len__(self) -> int:
        return len(self._positions)

    def __getitem__(self, index):  # type: ignore[no-untyped-def,override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        position = self._positions[index]
        return self._history.events_of(self._columns.owners[position])[self._columns.steps[position]]

    def timestamp(self, index: int) -> float:
        """The POSIX time of the event at ``index``, without making the event."""
        return self._columns.times[self._positions[index]]



class SeededHistory:
    """The derived events of a workgroup's seeded cases (which never change)."""

    def __init__(self, cases: Sequence[Case]) -> None:
        self.cases = cases
        self._lock = threading.Lock()
        self._columns: _Columns | None = None
        #: Pages through the whole base read a case's history once for each of its events.
        self.events_of = lru_cache(maxsize=4096)(self._events_of)

    def _events_of(self, index: int) -> list[Event]:
        return derive(self.cases[index])

    def matching(self, q: EventQuery, seeded_case: Case | None) -> Sequence[Event]:
        """The seeded events ``q`` admits, oldest first. ``seeded_case``: the seeded case ``q``
        names, if it names one (then only that case's history is derived)."""
        if q.case_id is not None or q.entity_id is not None:
            return [e for e in derive(seeded_case) if q.admits(e)] if seeded_case is not None else []
        if q.entity_type not in (None, fidelity.ENTITY_CASE):
            return []
        columns = self._built()
        name = q.names[0] if len(q.names) == 1 else None
        positions: Sequence[int] = columns.by_name.get(name, array("i")) if name else columns.order
        times = columns.times.__getitem__
        lo = bisect_left(positions, q.since.timestamp(), key=times) if q.since is not None else 0
        hi = bisect_right(positions, q.until.timestamp(), key=times) if q.until is not None else len(positions)
        found = LazyEvents(self, columns, positions[lo:hi])
        if q.only_by(name=name, entity_type=fidelity.ENTITY_CASE):  # every seeded event is a case's
            return found
        return [e for e in found if q.admits(e)]

    def _built(self) -> _Columns:
        with self._lock:
            if self._columns is None:
                self._columns = _Columns(self.cases)
            return self._columns
