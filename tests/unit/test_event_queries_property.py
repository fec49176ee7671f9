"""The event log and the seeded history answer every query as a plain filter over all their
events would (Hypothesis): their indexes, bisections and shortcuts are only ways to get there
faster. The oracle below reads each event's fields one by one and knows nothing of indexes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from conftest import T0, workgroup
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.domain.events import Cause, Event, EventLog, EventQuery
from mockserver.domain.seeded_history import derive

#: Deterministic and without a stored database: the same examples on every run and machine
#: (the mutation run forks workers that must agree on what a test does).
SETTINGS = settings(max_examples=150, derandomize=True, database=None, deadline=None)

NAMES = ("case.added", "case.status.updated", "case.metadata.added", "custom-case-data.status.updated")
TYPES = ("case", "custom-case-data")
USERS = (None, "ann@lab.example.org", "Bob@lab.example.org")
#: Cases the log has, and the upload (custom case data) it has: its events may go on while a
#: bulk of new cases' events is merged ahead. New cases' ids are new to the log.
OLD_CASES, NEW_CASES, UPLOAD = ("c1", "c2"), ("n1", "n2"), "u1"
ALL_IDS = (*OLD_CASES, *NEW_CASES, UPLOAD, "absent")


def plain_filter(events: list[Event], q: EventQuery) -> list[Event]:
    """What ``q`` admits, each condition checked on its own field."""
    found = []
    for e in events:
        checks = [
            q.case_id in (None, e.case_id),
            q.entity_type in (None, e.entity_type),
            q.entity_id in (None, e.entity_id),
            e.name in q.names if q.names else True,
            q.user is None or q.user.casefold() == (e.user or "").casefold(),
            q.since is None or q.since <= e.at,
            q.until is None or e.at <= q.until,
        ]
        if all(checks):
            found.append(e)
    return found


def events_of(cases: tuple[str, ...], times: st.SearchStrategy[int]) -> st.SearchStrategy[Event]:
    """A case's own event, or the upload's (about one of the cases, or none)."""
    def made(name: str, of_case: bool, case: str, upload_on_case: bool, user: str | None, second: int) -> Event:
        at = T0 + timedelta(seconds=second)
        if of_case:
            return Event(at, name, "case", case, case, Cause.VENDOR, "test", user=user)
        return Event(at, name, "custom-case-data", UPLOAD, case if upload_on_case else None, Cause.UPLOAD, "test",
                     user=user)

    return st.builds(made, st.sampled_from(NAMES), st.booleans(), st.sampled_from(cases), st.booleans(),
                     st.sampled_from(USERS), times)


def queries(entity_ids: tuple[str, ...], names: tuple[str, ...], types: tuple[str, ...],
            users: tuple[str | None, ...]) -> st.SearchStrategy[EventQuery]:
    """Queries whose each field is more often absent than set (so that most reach the wide
    indexes), a user's e-mail in either letter case."""
    moment = st.none() | st.integers(-1, 12).map(lambda s: T0 + timedelta(seconds=s))

    def mostly_absent(values: tuple[Any, ...]) -> st.SearchStrategy[Any]:
        return st.sampled_from((None,) * len(values) * 2 + values)

    return st.builds(
        EventQuery,
        case_id=mostly_absent(entity_ids),
        entity_type=mostly_absent(types),
        entity_id=mostly_absent(entity_ids),
        names=st.lists(st.sampled_from(names), max_size=3, unique=True).map(tuple),
        user=mostly_absent(tuple(u for u in users if u) + tuple(u.upper() for u in users if u)),
        since=moment,
        until=moment,
    )


@SETTINGS
@given(
    before=st.lists(events_of(OLD_CASES, st.integers(0, 10)), max_size=8),
    meanwhile=st.lists(events_of(OLD_CASES, st.integers(0, 10)), max_size=3),
    added=st.lists(events_of(NEW_CASES, st.integers(0, 10)), max_size=8),
    ahead=st.booleans(),
    clock=st.sampled_from(["forward", "back for the bulk", "back and forth"]),
    q=queries(ALL_IDS, NAMES, TYPES, USERS),
)
def test_the_log_answers_as_a_plain_filter_whatever_the_way_events_came_in(
    before: list[Event], meanwhile: list[Event], added: list[Event], ahead: bool, clock: str, q: EventQuery,
) -> None:
    """Events appended one by one, then a bulk of new entities' events merged in, either with
    its index built ahead from a snapshot (while other events were appended) or at once; with
    a clock that only went forward (bisection), went back when the bulk came, or went back and forth."""
    if clock != "back and forth":
        before, meanwhile, added = sorted(before, key=at), sorted(meanwhile, key=at), sorted(added, key=at)
        meanwhile = [_not_before(e, before) for e in meanwhile]
        if clock == "forward":
            added = [_not_before(e, before + meanwhile) for e in added]
    before = [Event(T0, "custom-case-data.added", "custom-case-data", UPLOAD, None, Cause.VENDOR, "uploaded"), *before]
    log = EventLog(before)
    snapshot = log.index_snapshot()
    for e in meanwhile:
        log.append(e)
    merged = snapshot.with_new(added) if ahead else None
    log.add_new(added, merged)
    everything = before + meanwhile + added
    assert list(log) == everything
    assert list(log.matching(q)) == plain_filter(everything, q)
    for entity in ALL_IDS:
        assert log.of_entity(entity) == [e for e in everything if entity in (e.entity_id, e.case_id)]


def at(event: Event) -> datetime:
    return event.at


def _not_before(event: Event, earlier: list[Event]) -> Event:
    last = max((e.at for e in earlier), default=event.at)
    return event if event.at >= last else replace(event, at=last)


def _fields(event: Event) -> tuple[Any, ...]:
    return (event.at, event.name, event.entity_type, event.entity_id, event.case_id, event.cause, event.reason,
            event.old, event.new, event.display_id, event.user)


SEEDED = workgroup(21, 40)
SEEDED_EVENTS = sorted((e for case in SEEDED.cases.seeded for e in derive(case, SEEDED.users)), key=at)
SEEDED_NAMES = ("case.added", "case.status.updated", "case.metadata.updated", "case.report.added", "case.deleted")
SEEDED_USERS = (None, *(u.email for u in SEEDED.users.all[:3]), "nobody@lab.example.org")
SEEDED_IDS = tuple(c.id for c in SEEDED.cases.seeded[:4])
SEEDED_TIMES = sorted({e.at for e in SEEDED_EVENTS})


@SETTINGS
@given(q=queries(SEEDED_IDS, SEEDED_NAMES, ("case", "custom-case-data", "upload"), SEEDED_USERS),
       since=st.none() | st.sampled_from(SEEDED_TIMES), until=st.none() | st.sampled_from(SEEDED_TIMES))
def test_the_seeded_history_answers_as_a_plain_filter_over_every_derived_event(
    q: EventQuery, since: datetime | None, until: datetime | None,
) -> None:
    """Its columns (by name, by entity type, by user; time bisection on each) give, oldest
    first, exactly the derived events a plain filter keeps; windows bounded at event times."""
    q = EventQuery(q.case_id, q.entity_type, q.entity_id, q.names, q.user, since or q.since, until or q.until)
    named = q.entity_id or q.case_id  # as event search picks the one case to derive
    case = SEEDED.cases.seeded_case(named) if named else None
    history = SEEDED.seeded_history
    expected = plain_filter(SEEDED_EVENTS, q)
    assert sorted(_fields(e) for e in history.matching(q, case)) == sorted(_fields(e) for e in expected)
    assert [e.at for e in history.matching(q, case)] == [e.at for e in expected]


def test_a_bulk_older_than_the_last_event_still_gives_every_event_in_a_window() -> None:
    """The clock was set back before an upload's cases were merged in: a window can no longer
    be found by bisection, with or without the index merged ahead."""
    for ahead in (False, True):
        log = EventLog([Event(T0, "case.added", "case", "c1", "c1", Cause.VENDOR, "test"),
                        Event(T0 + timedelta(seconds=5), "case.added", "case", "c2", "c2", Cause.VENDOR, "test")])
        bulk = [Event(T0 + timedelta(seconds=1), "case.added", "case", "n1", "n1", Cause.UPLOAD, "test")]
        log.add_new(bulk, log.index_snapshot().with_new(bulk) if ahead else None)
        one_second = EventQuery(since=T0 + timedelta(seconds=1), until=T0 + timedelta(seconds=1))
        assert [e.entity_id for e in log.matching(one_second)] == ["n1"]
        assert [e.entity_id for e in log.matching(EventQuery(names=("case.added",), since=one_second.since))] == [
            "c2", "n1"]
