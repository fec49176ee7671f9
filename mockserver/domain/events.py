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
from operator import attrgetter

from .. import fidelity
from .case_table import merged_updates
from .models import Case, Summary, Transition
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
    #: Its place in its workgroup's log (0, 1, ...), stamped when appended; not part of what
    #: happened, so two events equal in every other field (one request made twice at one frozen
    #: instant) still compare equal, and their audit ids differ by it.
    seq: int = field(default=-1, compare=False)

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
    index: dict[str, list[Event]]
    #: The new events grouped by name and by entity type, ready to extend the log's indexes.
    by_name: dict[str, list[Event]] = field(default_factory=dict)
    by_type: dict[str, list[Event]] = field(default_factory=dict)
    existing: dict[str, list[Event]] = field(default_factory=dict)

    def with_new(self, events: Sequence[Event]) -> MergedIndex:
        """Add the events of entities new to the log; lock-free (the copy is this one's). The
        events of entities the log has (an upload's) wait in ``existing`` for ``add_new``, as
        their lists are shared with the log."""
        grouped = _by_entity(events)
        existing = {key: found for key, found in grouped.items() if key in self.index}
        merged_updates(self.index, {key: found for key, found in grouped.items() if key not in existing})
        return replace(self, by_name=_grouped(events, "name"), by_type=_grouped(events, "entity_type"),
                       existing=existing)


class EventLog:
    """Events in the order they happened, with an index by entity (cases and uploads: a case's
    events are also under its id) and one by name. Appending is O(1); a query reads only the
    index it narrows to. Call under the workgroup's lock.

    Retention: with ``max_events``, the log keeps the newest ``max_events`` events and drops
    the oldest, as an audit log's retention drops its oldest entries. It drops them a tenth of
    the bound at a time, so appending stays O(1) on average."""

    def __init__(self, events: Iterable[Event] = (), max_events: int | None = None) -> None:
        self.max_events = max_events
        #: Events dropped so far: an event's ``seq`` is its place among all those appended.
        self._dropped = 0
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
        return len(self._events)

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events)

    @property
    def appended(self) -> int:
        """How many events were ever appended (those dropped included)."""
        return self._dropped + len(self._events)

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
        tenth of the bound's appends); each index holds a dropped event's entries first."""
        bound = self.max_events
        if bound is None:
            return
        if len(self._events) <= bound + (max(1, bound // 10) if slack is None else slack):
            return
        excess = len(self._events) - bound
        gone = self._events[:excess]
        del self._events[:excess]
        self._dropped += excess
        for index, counts in ((self._by_entity, _entity_counts(gone)), (self._by_name, Counter(map(_NAME, gone))),
                              (self._by_type, Counter(map(_ENTITY_TYPE, gone)))):
            for key, n in counts.items():
                kept = index[key]
                if len(kept) == n:
                    del index[key]
                else:
                    del kept[:n]

    def of_entity(self, entity_id: str) -> list[Event]:
        return list(self._by_entity.get(entity_id, ()))

    # -- many new entities at once (an upload creating 100,000 cases) ----------------------
    def index_snapshot(self) -> MergedIndex:
        """A copy of the entity index as of now, to merge new entities' events into away from
        the lock (``MergedIndex.with_new``) and swap in with ``add_new``. Call under the lock."""
        return MergedIndex(self, self.appended, dict(self._by_entity))

    def add_new(self, events: Sequence[Event], merged: MergedIndex | None = None) -> None:
        """Append the events of entities new to the log; with their index merged ahead
        (``index_snapshot``), only entities that appeared since the snapshot are looked at here."""
        if events and self._events and events[0].at < self._events[-1].at:
            self._in_time_order = False
        by_name, by_type = None, None
        if merged is not None and merged.log is self:
            index = merged.index
            by_name, by_type = merged.by_name, merged.by_type
            since = max(0, merged.as_of - self._dropped)  # dropped events are in no index
            for key in {key for event in self._events[since:] for key in _index_keys(event)}:
                # The indexes share each entity's list; the log's own is the one to keep where
                # the entity is new, or its list was dropped by retention and made anew since.
                index[key] = self._by_entity[key]
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
        for name, named in (by_name if by_name is not None else _grouped(events, "name")).items():
            self._by_name.setdefault(name, []).extend(named)
        for entity_type, typed in (by_type if by_type is not None else _grouped(events, "entity_type")).items():
            self._by_type.setdefault(entity_type, []).extend(typed)
        self._keep_bound()

    # -- queries -------------------------------------------------------------------------
    def _narrowed(self, q: EventQuery) -> tuple[Sequence[Event], bool]:
        """The smallest indexed list holding every event ``q`` admits, in the log's order, and
        whether that index leaves nothing but the time window to check."""
        key = q.entity_id or q.case_id
        if key is not None:
            return self._by_entity.get(key, []), False
        if len(q.names) == 1:
            return self._by_name.get(q.names[0], []), q.only_by(name=q.names[0])
        if q.entity_type is not None:
            return self._by_type.get(q.entity_type, []), q.only_by(entity_type=q.entity_type)
        return self._events, q.only_by()

    def matching(self, q: EventQuery) -> Sequence[Event]:
        """The events ``q`` admits, oldest first (in log order)."""
        found, exact = self._narrowed(q)
        if not self._in_time_order:
            return [e for e in found if q.admits(e)]
        found = within(found, q.since, q.until)
        return found if exact else [e for e in found if q.admits(e)]


def _stamp(event: Event, seq: int) -> None:
    """Give a new event its place in the log. Events are frozen for everyone else; the log sets
    this once, on the object it was handed, so that stamping costs no copy (an upload appends
    100,000 events at once)."""
    object.__setattr__(event, "seq", seq)


def _stamp_each(events: Sequence[Event], first: int) -> None:
    """``_stamp`` for a batch, from ``first`` on, without a call per event (an upload stamps
    100,000 at once, under the workgroup's lock)."""
    stamp = object.__setattr__
    for seq, event in enumerate(events, first):
        stamp(event, "seq", seq)


def within(events: Sequence[Event], since: datetime | None, until: datetime | None) -> Sequence[Event]:
    """The events of a time-ordered list inside a window (bounds included), by bisection."""
    if since is None and until is None:
        return events
    lo = bisect_left(events, since, key=at_of) if since is not None else 0
    hi = bisect_right(events, until, key=at_of) if until is not None else len(events)
    return events[lo:hi]


def at_of(event: Event) -> datetime:
    return event.at


def _index_keys(event: Event) -> set[str]:
    """The entity index keys of an event: its entity and the case it concerns."""
    return {event.entity_id} if event.case_id is None else {event.entity_id, event.case_id}


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


def _by_entity(events: Iterable[Event]) -> dict[str, list[Event]]:
    index: dict[str, list[Event]] = {}
    for event in events:
        for key in _index_keys(event):
            index.setdefault(key, []).append(event)
    return index


def _grouped(events: Iterable[Event], attribute: str) -> dict[str, list[Event]]:
    index: dict[str, list[Event]] = {}
    for event in events:
        index.setdefault(getattr(event, attribute), []).append(event)
    return index
