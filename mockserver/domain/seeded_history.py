"""The history a seeded case had before the server started, derived from what it is now.

A seeded case was added at its creation date and went through the service's own transitions
(``statuses.TRANSITIONS``), by the shortest path, to its seeded status, the last change at its
update date and the others evenly between; a case still in its first status but updated since
had its metadata updated then. A case that reached READY_FOR_INTERPRETATION got its draft report
then. Each event names a user drawn from the case and the step. Nothing is stored at start-up: one case's history
is derived when asked for, and the whole base's only when a query needs all of it (then once,
as compact columns of times and owners: an event is made only when a page shows it).
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache, lru_cache
from typing import overload

from .. import fidelity
from .events import Cause, Event, EventQuery, case_event
from .models import Case, Summary
from .pacing import Pacer
from .seeded_cases import SeededCases
from .statuses import TRANSITIONS, CaseStatus
from .users import Users

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


#: One event of a seeded history: when (0: at creation, k > 0: the k-th of the path's steps,
#: -1: at the last update), its name, and the statuses before and after.
Slot = tuple[int, str, CaseStatus | None, CaseStatus | None]


@cache
def _shape(status: CaseStatus, changed: bool) -> tuple[Slot, ...]:
    """The events of a seeded case in ``status`` (``changed``: updated after its creation)."""
    steps = path_to(status)
    found: list[Slot] = [(0, fidelity.EVENT_CASE_ADDED, None, FIRST_STATUS)]
    old = FIRST_STATUS
    for number, new in enumerate(steps, 1):
        found.append((number, fidelity.EVENT_CASE_STATUS_UPDATED, old, new))
        if new is CaseStatus.READY_FOR_INTERPRETATION:
            found.append((number, fidelity.EVENT_CASE_REPORT_ADDED, None, None))
        old = new
    if not steps and changed:  # changed, but not its status
        found.append((-1, fidelity.EVENT_CASE_METADATA_UPDATED, None, None))
    return tuple(found)


def _slots(case: Case | Summary) -> tuple[Slot, ...]:
    return _shape(case.status, case.updated_date > case.created_date)


def _at(case: Case | Summary, when: int) -> datetime:
    """The time of a slot: the path's steps evenly between creation and the last update."""
    if when == 0:
        return case.created_date
    if when < 0:
        return case.updated_date
    return case.created_date + (case.updated_date - case.created_date) * when / len(path_to(case.status))


def _timeline(case: Case | Summary) -> list[tuple[int, str, CaseStatus | None, CaseStatus | None]]:
    """(time, event name, status before, status after) of each of the seeded case's events, each
    time in whole microseconds since the epoch: the instants ``_at`` gives (its timedelta
    division rounds half to even, as ``_divided`` does), in integers rather than a datetime per
    event (100,000 cases have about 460,000 events)."""
    created, updated = case.dates_micros
    status = case.status
    steps = len(path_to(status))
    return [(created if when == 0 else updated if when < 0 else created + _divided((updated - created) * when, steps),
             name, old, new) for when, name, old, new in _shape(status, updated > created)]


def _divided(a: int, b: int) -> int:
    """``a / b`` rounded to the nearest integer, half to even (``timedelta / int`` rounds so)."""
    q, r = divmod(a, b)
    if 2 * r > b or (2 * r == b and q % 2 == 1):
        q += 1
    return q


#: Reasons and entities of the seeded events, by name.
_REASONS = {fidelity.EVENT_CASE_ADDED: "seeded case", fidelity.EVENT_CASE_REPORT_ADDED: "report created"}


def derive(case: Case, users: Users) -> list[Event]:
    """The seeded case's events, oldest first."""
    return [derive_one(case, users, step) for step in range(len(_slots(case)))]


def derive_one(case: Case | Summary, users: Users, step: int, user: int | None = None) -> Event:
    """The seeded case's ``step``-th event alone (a page shows one event of each of many
    cases); ``user``: its user's index, when known already."""
    when, name, old, new = _slots(case)[step]
    if user is None:
        user = user_of(users, case, step, name, old)
    return case_event(name, case, _at(case, when), Cause.SEEDED, _REASONS.get(name, "seeded history"), old=old,
                      new=new, user=users.all[user].email if user >= 0 else None, entity=(entity_type_of(name), case.id))


def user_of(users: Users, case: Case | Summary, step: int, name: str, old: CaseStatus | None) -> int:
    """The index of the user who made a seeded case's ``step``-th event; -1 for the service
    itself (processing ending, and the report it creates)."""
    if name == fidelity.EVENT_CASE_REPORT_ADDED or old is CaseStatus.PROCESSING:
        return -1
    return users.drawn_index("seeded", case.id, step)


def entity_type_of(name: str) -> str:
    """The entity type of a seeded event: its custom case data for a metadata change, else the case."""
    return fidelity.ENTITY_UPLOAD if name == fidelity.EVENT_CASE_METADATA_UPDATED else fidelity.ENTITY_CASE


class _Columns:
    """Every seeded event as a position into parallel arrays (time, owning case, step), in time
    order overall and by name. Each event's user is a column of its own, drawn only when a query
    first asks by user (a hash per event: 40% of the first audit query's cost otherwise)."""

    def __init__(self, cases: Iterable[Summary]) -> None:
        self.names = (fidelity.EVENT_CASE_ADDED, fidelity.EVENT_CASE_STATUS_UPDATED, fidelity.EVENT_CASE_METADATA_UPDATED,
                      fidelity.EVENT_CASE_REPORT_ADDED)
        code = {name: n for n, name in enumerate(self.names)}
        self.times, self.owners, self.steps, names = array("d"), array("i"), array("b"), array("b")
        self.users: array[int] | None = None
        days: dict[int, list[int]] = {}  # each event's position, by the day it happened
        pacer = Pacer()
        position = 0
        for index, case in enumerate(cases):
            pacer.tick()
            for step, (at, name, _, _) in enumerate(_timeline(case)):
                self.times.append(at / 10**6)  # what ``datetime.timestamp`` gives for the same instant
                self.owners.append(index)
                self.steps.append(step)
                names.append(code[name])
                days.setdefault(at // _DAY_MICROSECONDS, []).append(position)
                position += 1
        self.order = _time_order(self.times, days, pacer)
        # One pass over the order fills both indexes (a pass per name and per type took longer
        # than the rest of the build).
        by_name = [array("i") for _ in self.names]
        types = [entity_type_of(name) for name in self.names]
        self.by_type = {t: array("i") for t in set(types)}
        by_type_of_name = [self.by_type[t] for t in types]
        for positions in pacer.slices(self.order, _PACED_POSITIONS):
            for position in positions:
                n = names[position]
                by_name[n].append(position)
                by_type_of_name[n].append(position)
        self.by_name = dict(zip(self.names, by_name, strict=True))


_DAY_MICROSECONDS = 86_400 * 10**6
#: Positions filed between two ticks of the pacer (a few hundred microseconds' work).
_PACED_POSITIONS = 2048


def _time_order(times: array[float], days: dict[int, list[int]], pacer: Pacer) -> array[int]:
    """Positions by time, ties by position, sorted a day at a time (``days``: each day's
    positions, in order): one sort of 4.6 million times (1,000,000 cases) is one call that
    holds the GIL for over a second, and every other request waits on it; a day's sort takes
    milliseconds, and the loop between lets them run. Each day's list is taken out of ``days``
    (emptied) as it is sorted: 4.6 million positions freed at once, when the build ended, held
    the GIL for 100 ms."""
    order = array("i")
    for day in sorted(days):
        pacer.tick()
        order.extend(sorted(days.pop(day), key=times.__getitem__))
    return order


class LazyEvents(Sequence[Event]):
    """Seeded events at some positions, each made when read."""

    def __init__(self, history: SeededHistory, columns: _Columns, positions: Sequence[int]) -> None:
        self._history, self._columns, self._positions = history, columns, positions

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> list[Event]: ...

    def __getitem__(self, index: int | slice) -> Event | list[Event]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        position = self._positions[index]
        return self._history.event_at(self._columns.owners[position], self._columns.steps[position])

    def timestamp(self, index: int) -> float:
        """The POSIX time of the event at ``index``, without making the event."""
        return self._columns.times[self._positions[index]]



class SeededHistory:
    """The derived events of a workgroup's seeded cases (which never change), read from their
    summaries: no seeded case is made for its history."""

    def __init__(self, cases: SeededCases, users: Users) -> None:
        self.cases = cases
        self.users = users
        self._lock = threading.Lock()
        self._columns: _Columns | None = None
        #: One event of the ``index``-th seeded case, made when a page shows it.
        self.event_at = lru_cache(maxsize=8192)(self._event_at)

    def _event_at(self, index: int, step: int) -> Event:
        return derive_one(self.cases.summary(index), self.users, step)

    def matching(self, q: EventQuery, seeded_case: Case | None) -> Sequence[Event]:
        """The seeded events ``q`` admits, oldest first. ``seeded_case``: the seeded case ``q``
        names, if it names one (then only that case's history is derived)."""
        if q.case_id is not None or q.entity_id is not None:
            return [e for e in derive(seeded_case, self.users) if q.admits(e)] if seeded_case is not None else []
        columns = self._built()
        names = tuple(n for n in (q.names or columns.names)
                      if n in columns.names and q.entity_type in (None, entity_type_of(n)))
        if not names:
            return []
        # The narrowest positions; ``exact`` when they leave only the user and the window to check.
        exact = True
        if len(names) == 1:
            positions: Sequence[int] = columns.by_name[names[0]]
        elif q.names:
            positions, exact = columns.order, False
        else:
            positions = columns.by_type[q.entity_type] if q.entity_type else columns.order
        if q.user is not None:  # a column scan: no event is made
            wanted = self.users.by_email(q.user)
            if wanted is None:
                return []
            code = self.users.all.index(wanted)
            users = self._user_column(columns)
            positions = array("i", (p for p in positions if users[p] == code))
        times = columns.times.__getitem__
        lo = bisect_left(positions, q.since.timestamp(), key=times) if q.since is not None else 0
        hi = bisect_right(positions, q.until.timestamp(), key=times) if q.until is not None else len(positions)
        found = LazyEvents(self, columns, positions[lo:hi])
        if exact:
            return found
        return [e for e in found if q.admits(e)]

    def _built(self) -> _Columns:
        with self._lock:
            if self._columns is None:
                self._columns = _Columns(self.cases.summaries())
            return self._columns

    def _user_column(self, columns: _Columns) -> array[int]:
        """The index of each event's user (-1: the service), by position; drawn once."""
        with self._lock:
            if columns.users is None:
                users = array("b")
                pacer = Pacer()
                for case in self.cases.summaries():
                    pacer.tick()
                    users.extend(user_of(self.users, case, step, name, old)
                                 for step, (_, name, old, _) in enumerate(_slots(case)))
                columns.users = users
            return columns.users
