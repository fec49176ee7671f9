"""What happened in a workgroup, as data: every state change appended as a typed, timestamped
event with its cause, to a per-workgroup log that reset rewinds and the state file carries.

The log is what case histories are a view of, and what an audit log reads: events by case, by
entity, by name and by time window, newest first, a page at a time. Seeded cases have a history
too, derived from their status and dates when first asked for (``seeded_history``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from itertools import islice
from operator import attrgetter

from .. import fidelity
from .case_table import merged_updates
from .models import Case, Summary, Transition
from .pacing import Pacer
from .statuses import CaseStatus

#: The events that change a case's status, and so make up its history.
STATUS_EVENTS = frozenset({fidelity.EVENT_CASE_ADDED, fidelity.EVENT_CASE_STATUS_UPDATED})


class Cause(StrEnum):
    """Who or what made a change."""

    VENDOR = "vendor call"
    LIFECYCLE = "lifecycle step"
    CONTROL = "control plane"
    UPLOAD = "upload"
    SEEDED = "seeded"


@dataclass(slots=True)
class Batch:
    """Events appended at once (an upload's new cases): each knows its place in the batch,
    stamped away from the lock while the job is worked out, and the batch its first place in
    the log, set when it is appended (stamping 200,000 events there held the lock 60 ms)."""

    first: int = -1


@dataclass(frozen=True, slots=True)
class Event:
    at: datetime
    name: str
    entity_type: str
    entity_id: str
    #: The case it concerns (its UUID), if any.
    case_id: str | None
    cause: Cause
    #: Short and human: "disease set", "processing completed (time plan)".
    reason: str
    #: A status before and after, for events that change one.
    old: str | None = None
    new: str | None = None
    #: How people know the entity: a case's displayId, an upload's file name.
    display_id: str | None = None
    #: The e-mail of the user who made the change; None when the service made it.
    user: str | None = None
    #: Its place in its workgroup's log (0, 1, ...), stamped when appended, or, in a ``batch``,
    #: its place in the batch: read ``place``. Not part of what happened, so two events equal in
    #: every other field (one request made twice at one frozen instant) still compare equal, and
    #: their audit ids differ by it.
    seq: int = field(default=-1, compare=False)
    #: The batch it was appended in (an upload's new cases), stamped ahead of the append.
    batch: Batch | None = field(default=None, compare=False)

    @property
    def place(self) -> int:
        """Its place among every event its log was ever given (0, 1, ...)."""
        return self.seq if self.batch is None else self.batch.first + self.seq

    def transition(self) -> Transition:
        old = CaseStatus(self.old) if self.old else None
        return Transition(self.at, old, CaseStatus(self.new or ""), self.reason)


def case_event(name: str, case: Case | Summary, at: datetime, cause: Cause, reason: str,
               old: CaseStatus | None = None, new: CaseStatus | None = None, user: str | None = None,
               entity: tuple[str, str] | None = None) -> Event:
    """An event of a case; ``entity``: (type, id) when it is about something of the case's
    (custom case data from an upload) rather than the case itself."""
    entity_type, entity_id = entity or (fidelity.ENTITY_CASE, case.id)
    return Event(at, name, entity_type, entity_id, case.id, cause, reason,
                 old.value if old else None, new.value if new else None, case.display_id, user)


@dataclass(frozen=True, slots=True)
class EventQuery:
    case_id: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    names: tuple[str, ...] = ()
    #: A user's e-mail, compared case-insensitively.
    user: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    page_number: int = 0
    page_size: int = fidelity.DEFAULT_PAGE_SIZE

    def only_by(self, *, name: str | None = None, entity_type: str | None = None) -> bool:
        """Whether, once narrowed to one name's or one entity type's events and to the time
        window, nothing else is left to check (an entity's few events are always checked)."""
        return (self.case_id is None and self.entity_id is None and self.user is None
                and self.entity_type in (None, entity_type)
                and (not self.names or (len(self.names) == 1 and self.names[0] == name)))

    def admits(self, event: Event) -> bool:
        return ((self.case_id is None or event.case_id == self.case_id)
                and (self.entity_type is None or event.entity_type == self.entity_type)
                and (self.entity_id is None or event.entity_id == self.entity_id)
                and (not self.names or event.name in self.names)
                and (self.user is None or (event.user or "").lower() == self.user.lower())
                and (self.since is None or event.at >= self.since)
                and (self.until is None or event.at <= self.until))


@dataclass(frozen=True, slots=True)
class MergedIndex:
    """A copy of a log's entity index as of its first ``as_of`` events (each entity's list
    shared with the log's own), with new entities merged in."""

    log: EventLog
    as_of: int
    #: The log's count of events dropped for good (``EventLog.drop_owed``) as of the copy: if
    #: it moved, the copy may hold lists the log has since let go of.
    dropped: int
    index: dict[str, list[Event]]
    #: What the new events were stamped with.
    batch: Batch = field(default_factory=Batch)
    #: The new events grouped by name and by entity type, ready to extend the log's indexes.
    by_name: dict[str, list[Event]] = field(default_factory=dict)
    by_type: dict[str, list[Event]] = field(default_factory=dict)
    existing: dict[str, list[Event]] = field(default_factory=dict)

    def with_new(self, events: Sequence[Event]) -> MergedIndex:
        """Add the events of entities new to the log; lock-free (the copy is this one's). The
        events of entities the log has (an upload's) wait in ``existing`` for ``add_new``, as
        their lists are shared with the log."""
        batch = Batch()
        grouped: dict[str, list[Event]] = {}
        by_name: dict[str, list[Event]] = {}
        by_type: dict[str, list[Event]] = {}
        pacer = Pacer()  # a second of Python for 200,000 events: other requests keep their GIL
        stamped = 0
        for part in pacer.slices(events, _PACED_EVENTS):
            _stamp_each(part, stamped, batch)
            stamped += len(part)
            _by_entity(part, grouped)
            _grouped(part, "name", by_name)
            _grouped(part, "entity_type", by_type)
        existing: dict[str, list[Event]] = {}
        added: dict[str, list[Event]] = {}
        for key, found in grouped.items():
            pacer.tick()
            (existing if key in self.index else added)[key] = found
        merged_updates(self.index, added)
        return replace(self, batch=batch, by_name=by_name, by_type=by_type, existing=existing)


class EventLog:
    """Events in the order they happened, with an index by entity (cases and uploads: a case's
    events are also under its id) and one by name. Appending is O(1); a query reads only the
    index it narrows to. Call under the workgroup's lock.

    Retention: with ``max_events``, the log keeps the newest ``max_events`` events and drops
    the oldest, as an audit log's retention drops its oldest entries. It drops them a tenth of
    the bound at a time, so appending stays O(1) on average, and in two steps: at once in name
    only (every read skips them: they are owed), then for good by ``drop_owed``, a few thousand
    at a time (``Workgroup.observing``: each operation drops some; an upload of 100,000 new
    cases drops as many events at once, 80 ms of work under the lock)."""

    def __init__(self, events: Iterable[Event] = (), max_events: int | None = None) -> None:
        self.max_events = max_events
        #: Events dropped for good so far: ``_events[i]`` is at place ``_dropped + i``.
        self._dropped = 0
        #: How many of the oldest in ``_events`` are dropped in name only (still in the indexes).
        self._owed = 0
        self._events: list[Event] = []
        self._by_entity: dict[str, list[Event]] = {}
        self._by_name: dict[str, list[Event]] = {}
        self._by_type: dict[str, list[Event]] = {}
        #: The case a displayId named, for cases that may have gone since (a deletion is
        #: appended on its own; cases added in bulk are found in the case table while they exist).
        self.case_by_display_id: dict[str, str] = {}
        #: True while every event is at or after the one before (the clock never went back):
        #: then a time window is a bisection.
        self._in_time_order = True
        for event in events:
            self.append(event)

    def __len__(self) -> int:
        return len(self._events) - self._owed

    def __iter__(self) -> Iterator[Event]:
        return islice(self._events, self._owed, None)

    @property
    def appended(self) -> int:
        """How many events were ever appended (those dropped included)."""
        return self._dropped + len(self._events)

    @property
    def owed(self) -> int:
        """How many events retention dropped in name only, waiting for ``drop_owed``."""
        return self._owed

    def append(self, event: Event) -> None:
        if self._events and event.at < self._events[-1].at:
            self._in_time_order = False
        _stamp(event, self.appended)
        self._events.append(event)
        for key in _index_keys(event):
            self._by_entity.setdefault(key, []).append(event)
        self._by_name.setdefault(event.name, []).append(event)
        self._by_type.setdefault(event.entity_type, []).append(event)
        if event.case_id is not None and event.display_id is not None:
            self.case_by_display_id[event.display_id] = event.case_id
        self._keep_bound()

    def keep(self, max_events: int | None) -> None:
        """Keep at most ``max_events`` from now on (None: every event)."""
        self.max_events = max_events
        self._keep_bound(slack=0)

    def _keep_bound(self, slack: int | None = None) -> None:
        """Drop the oldest events past the bound (plus a tenth of it, so this runs once every
        tenth of the bound's appends), in name only: they are owed to ``drop_owed``."""
        bound = self.max_events
        if bound is not None and len(self) > bound + (max(1, bound // 10) if slack is None else slack):
            self._owed += len(self) - bound

    def drop_owed(self, at_most: int) -> bool:
        """Drop for good up to ``at_most`` of the owed events, from the log and from every index
        (each index holds a dropped event's entries first). Whether some are still owed."""
        if not self._owed:
            return False
        excess = min(self._owed, at_most)
        gone = self._events[:excess]
        del self._events[:excess]
        self._dropped += excess
        self._owed -= excess
        for index, counts in ((self._by_entity, _entity_counts(gone)), (self._by_name, Counter(map(_NAME, gone))),
                              (self._by_type, Counter(map(_ENTITY_TYPE, gone)))):
            for key, n in counts.items():
                kept = index[key]
                if len(kept) == n:
                    del index[key]
                else:
                    del kept[:n]
        return self._owed > 0

    def _kept(self, events: list[Event]) -> list[Event]:
        """An index's list without the owed events it starts with (as it is when none are owed)."""
        if not self._owed:
            return events
        return events[bisect_left(events, self._dropped + self._owed, key=place_of):]

    def of_entity(self, entity_id: str) -> list[Event]:
        return list(self._kept(self._by_entity.get(entity_id, [])))

    # -- many new entities at once (an upload creating 100,000 cases) ----------------------
    def index_snapshot(self) -> MergedIndex:
        """A copy of the entity index as of now, to merge new entities' events into away from
        the lock (``MergedIndex.with_new``) and swap in with ``add_new``. Call under the lock."""
        return MergedIndex(self, self.appended, self._dropped, dict(self._by_entity))

    def add_new(self, events: Sequence[Event], merged: MergedIndex | None = None) -> None:
        """Append the events of entities new to the log; with their index merged ahead
        (``index_snapshot``) and stamped there, only entities that appeared since the snapshot
        are looked at here. The merged index is of no use once events were dropped for good
        since the snapshot: it may hold lists the log let go of."""
        if events and self._events and events[0].at < self._events[-1].at:
            self._in_time_order = False
        by_name, by_type = None, None
        if merged is not None and merged.log is self and merged.dropped == self._dropped:
            merged.batch.first = self.appended
            index = merged.index
            by_name, by_type = merged.by_name, merged.by_type
            for key in {key for event in self._events[merged.as_of - self._dropped:] for key in _index_keys(event)}:
                # The indexes share each entity's list; the log's own is the one to keep where
                # the entity is new since, followed by the batch's events of it, if any.
                own, batch_part = self._by_entity[key], index.get(key)
                if batch_part is not None and batch_part is not own:
                    own.extend(batch_part)
                index[key] = own
            for key, found in merged.existing.items():
                index[key].extend(found)
            self._by_entity = index
        else:
            grouped = _by_entity(events)
            for key in grouped.keys() & self._by_entity.keys():
                self._by_entity[key].extend(grouped.pop(key))
            merged_updates(self._by_entity, grouped)
            _stamp_each(events, self.appended)
        self._events.extend(events)
        for index, grouped_now in ((self._by_name, by_name if by_name is not None else _grouped(events, "name")),
                                   (self._by_type, by_type if by_type is not None else _grouped(events, "entity_type"))):
            for key, found in grouped_now.items():
                kept = index.get(key)
                if kept is None:
                    index[key] = found  # the batch's own list, new to the log: no copy
                else:
                    kept.extend(found)
        self._keep_bound()

    # -- queries -------------------------------------------------------------------------
    def _narrowed(self, q: EventQuery) -> tuple[Sequence[Event], bool]:
        """The smallest indexed list holding every event ``q`` admits, in the log's order, and
        whether that index leaves nothing but the time window to check."""
        key = q.entity_id or q.case_id
        if key is not None:
            return self._kept(self._by_entity.get(key, [])), False
        if len(q.names) == 1:
            return self._kept(self._by_name.get(q.names[0], [])), q.only_by(name=q.names[0])
        if q.entity_type is not None:
            return self._kept(self._by_type.get(q.entity_type, [])), q.only_by(entity_type=q.entity_type)
        return self._events[self._owed:] if self._owed else self._events, q.only_by()

    def matching(self, q: EventQuery) -> Sequence[Event]:
        """The events ``q`` admits, oldest first (in log order)."""
        found, exact = self._narrowed(q)
        if not self._in_time_order:
            return [e for e in found if q.admits(e)]
        found = within(found, q.since, q.until)
        return found if exact else [e for e in found if q.admits(e)]


def _stamp(event: Event, seq: int) -> None:
    """Give a new event its place in the log. Events are frozen for everyone else; the log sets
    this once, on the object it was handed, so that stamping costs no copy."""
    object.__setattr__(event, "seq", seq)


def _stamp_each(events: Sequence[Event], first: int, batch: Batch | None = None) -> None:
    """``_stamp`` for a batch, from ``first`` on (in ``batch``, if given), without a call per
    event (an upload stamps 100,000 at once)."""
    stamp = object.__setattr__
    for seq, event in enumerate(events, first):
        stamp(event, "seq", seq)
        stamp(event, "batch", batch)


def within(events: Sequence[Event], since: datetime | None, until: datetime | None) -> Sequence[Event]:
    """The events of a time-ordered list inside a window (bounds included), by bisection."""
    if since is None and until is None:
        return events
    lo = bisect_left(events, since, key=at_of) if since is not None else 0
    hi = bisect_right(events, until, key=at_of) if until is not None else len(events)
    return events[lo:hi]


def at_of(event: Event) -> datetime:
    return event.at


def place_of(event: Event) -> int:
    return event.place


def _index_keys(event: Event) -> set[str]:
    """The entity index keys of an event: its entity and the case it concerns."""
    return {event.entity_id} if event.case_id is None else {event.entity_id, event.case_id}


#: Events stamped and grouped between two ticks of the pacer.
_PACED_EVENTS = 2000
_NAME = attrgetter("name")
_ENTITY_TYPE = attrgetter("entity_type")
_ENTITY_ID = attrgetter("entity_id")


def _entity_counts(events: Sequence[Event]) -> Counter[str]:
    """How many entries of the entity index ``events`` hold, by key (``_index_keys``): counted
    in C where it can be, as retention runs under the workgroup's lock and an upload of 100,000
    new cases drops as many events at once (retention took 160 ms of that publish counting with
    ``_index_keys``, 92 ms counting this way; in process)."""
    counts = Counter(map(_ENTITY_ID, events))
    counts.update(e.case_id for e in events if e.case_id is not None and e.case_id != e.entity_id)
    return counts


def _by_entity(events: Iterable[Event], index: dict[str, list[Event]] | None = None) -> dict[str, list[Event]]:
    """The events by entity index key (``_index_keys``), added to ``index`` if given."""
    index = {} if index is None else index
    for event in events:
        for key in _index_keys(event):
            index.setdefault(key, []).append(event)
    return index


def _grouped(events: Iterable[Event], attribute: str, index: dict[str, list[Event]] | None = None) -> dict[str, list[Event]]:
    """The events by the value of one of their attributes, added to ``index`` if given."""
    index = {} if index is None else index
    for event in events:
        index.setdefault(getattr(event, attribute), []).append(event)
    return index
