"""The event log, the seeded cases' derived history and event search, without HTTP."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import at, workgroup
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.datagen.world import build_workgroup
from mockserver.domain import control_operations, operations
from mockserver.domain.event_search import newest_first, search_events
from mockserver.domain.events import Cause, Event, EventLog, EventQuery
from mockserver.domain.ingestion.csv_file import parse_csv
from mockserver.domain.seeded_history import derive, path_to
from mockserver.domain.statuses import TRANSITIONS, CaseStatus
from mockserver.domain.workgroup import Workgroup


def event(name: str, entity: str, seconds: float) -> Event:
    return Event(at(seconds), name, "case", entity, entity, Cause.VENDOR, "test")


@pytest.fixture(scope="module")
def seeded() -> Workgroup:
    return workgroup(11, 200)


@pytest.fixture
def wg() -> Workgroup:
    return workgroup(11, 200)


# -- the log -------------------------------------------------------------------------------
def test_the_log_narrows_by_entity_name_and_window() -> None:
    log = EventLog([event("case.added", "a", 0), event("case.added", "b", 1), event("case.deleted", "a", 2),
                    event("case.added", "c", 3)])
    assert [e.entity_id for e in log.matching(EventQuery(names=("case.added",)))] == ["a", "b", "c"]
    assert [e.name for e in log.matching(EventQuery(case_id="a"))] == ["case.added", "case.deleted"]
    window = EventQuery(names=("case.added",), since=at(1), until=at(3))
    assert [e.entity_id for e in log.matching(window)] == ["b", "c"]  # both bounds included
    assert [e.entity_id for e in log.matching(EventQuery(since=at(2), until=at(2)))] == ["a"]
    assert log.matching(EventQuery(entity_type="custom-case-data")) == []


def test_a_clock_moved_back_still_gives_every_event_in_the_window() -> None:
    log = EventLog([event("case.added", "a", 10), event("case.added", "b", 0), event("case.added", "c", 5)])
    assert [e.entity_id for e in log.matching(EventQuery(since=at(4), until=at(10)))] == ["a", "c"]


# -- seeded history ------------------------------------------------------------------------
@pytest.mark.parametrize("status", list(CaseStatus))
def test_the_derived_path_follows_the_service_transitions(status: CaseStatus) -> None:
    path = (CaseStatus.AWAITING_MOLECULAR_DATA, *path_to(status))
    assert path[-1] is status
    assert all(after in TRANSITIONS[before] for before, after in zip(path, path[1:], strict=False))


def test_a_seeded_case_history_runs_from_its_creation_to_its_last_update(seeded: Workgroup) -> None:
    for case in seeded.cases.seeded:
        events = derive(case, seeded.users)
        assert events[0].name == "case.added" and events[0].at == case.created_date
        assert [e.new for e in events if e.new][-1] == case.status.value
        assert events[-1].at == max(case.created_date, case.updated_date)
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert all(e.cause is Cause.SEEDED and e.case_id == case.id for e in events)
        assert events == derive(case, seeded.users)  # the same every time


# -- search --------------------------------------------------------------------------------
def test_a_search_of_everything_pages_newest_first_through_seeded_and_live_events(wg: Workgroup) -> None:
    every = sum(len(derive(c, wg.users)) for c in wg.cases.seeded)
    case = wg.cases.seeded[-1]
    operations.delete_case(wg, case.id, at(0))
    first = search_events(wg, EventQuery(page_size=50), at(1))
    assert first.total_elements == every + 1
    assert first.content[0].name == "case.deleted"
    pages = [search_events(wg, EventQuery(page_number=n, page_size=50), at(1)).content
             for n in range(-(-(every + 1) // 50) + 1)]
    assert pages[-1] == [] and all(len(page) == 50 for page in pages[:-2])
    flat = [e for page in pages for e in page]
    assert len(flat) == every + 1 and len(set(map(id, flat))) == every + 1
    assert [e.at for e in flat] == sorted((e.at for e in flat), reverse=True)


def test_a_changed_seeded_case_has_its_seeded_history_then_what_happened_since(wg: Workgroup) -> None:
    case = next(c for c in wg.cases.seeded if c.status is CaseStatus.READY_FOR_INTERPRETATION and c.samples)
    operations.update_case_diseases(wg, case.id, next(iter(wg.diseases)), "SNOMEDCT", at(0))
    found = search_events(wg, EventQuery(case_id=case.id, page_size=100), at(5)).content
    live = ["case.report.added", "case.status.updated", "case.status.updated", "case.disease.updated"]
    assert [e.name for e in found[:4]] == live
    assert [(e.old, e.new, e.cause) for e in found[:3]] == [
        (None, None, Cause.LIFECYCLE),  # processing again made a new draft report
        ("PROCESSING", "READY_FOR_INTERPRETATION", Cause.LIFECYCLE),
        ("READY_FOR_INTERPRETATION", "PROCESSING", Cause.VENDOR),
    ]
    assert found[4:] == list(reversed(derive(case, wg.users)))


def test_filters_by_name_window_and_entity_type(wg: Workgroup) -> None:
    [upload] = operations.upload_custom_case_data(wg, [parse_csv("a.csv", b"Sample_ID,Case_ID\nS,NEW-1\n")], at(0))
    operations.get_custom_case_data_status(wg, upload.id, at(2))
    uploads = search_events(wg, EventQuery(entity_type="custom-case-data", since=at(0)), at(3)).content
    assert [(e.name, e.old, e.new, e.cause) for e in uploads] == [
        ("custom-case-data.status.updated", "IN_PROGRESS", "COMPLETED", Cause.LIFECYCLE),
        ("case.metadata.added", None, None, Cause.UPLOAD),  # the new case's custom case data
        ("custom-case-data.status.updated", "QUEUED", "IN_PROGRESS", Cause.LIFECYCLE),
        ("custom-case-data.added", None, "QUEUED", Cause.VENDOR),
    ]
    assert [e.at for e in uploads] == [at(2), at(2), at(1), at(0)]
    added = search_events(wg, EventQuery(names=("case.added",), since=at(0)), at(3))
    assert [(e.reason, e.cause) for e in added.content] == [("created by a metadata upload", Cause.UPLOAD)]
    seeded_added = search_events(wg, EventQuery(names=("case.added",), until=at(-1)), at(3))
    assert seeded_added.total_elements == 200


def test_reset_rewinds_the_log_and_keeps_the_seeded_history(wg: Workgroup) -> None:
    before = search_events(wg, EventQuery(), at(0)).total_elements
    operations.delete_case(wg, wg.cases.seeded[0].id, at(0))
    assert search_events(wg, EventQuery(), at(0)).total_elements == before + 1
    wg.reset()
    assert search_events(wg, EventQuery(), at(0)).total_elements == before


# -- what each change records --------------------------------------------------------------
def test_an_upload_records_its_cases_creation_metadata_and_disease(wg: Workgroup) -> None:
    """Every change a job makes is the uploader's, at the job's end; custom case data is
    under the upload (its entity), the rest under the case."""
    existing = next(c for c in wg.cases.seeded if c.status is CaseStatus.READY_FOR_PROCESSING and c.diseases)
    disease = next(iter(wg.diseases))
    csv = f"Sample_ID,Case_ID,Tumor_Type\nS1,NEW-9,{disease}\nS2,{existing.display_id},{disease}\n".encode()
    [upload] = operations.upload_custom_case_data(wg, [parse_csv("b.csv", csv)], at(0), "up@lab.example.org")
    operations.get_custom_case_data_status(wg, upload.id, at(2))
    new_id = wg.cases.find_by_display_id("NEW-9").id  # type: ignore[union-attr]

    def recorded(case_id: str) -> list[tuple]:
        return [(e.name, e.entity_type, "upload" if e.entity_id == upload.id else "case" if e.entity_id == case_id
                 else e.entity_id, e.case_id == case_id, e.cause, e.reason, e.old, e.new, e.user, e.at)
                for e in wg.events.of_entity(case_id)]

    by, when = "up@lab.example.org", at(2)
    assert recorded(new_id) == [
        ("case.added", "case", "case", True, Cause.UPLOAD, "created by a metadata upload", None,
         "AWAITING_MOLECULAR_DATA", by, when),
        ("case.metadata.added", "custom-case-data", "upload", True, Cause.UPLOAD, "metadata uploaded", None, None, by,
         when),
        ("case.disease.added", "case", "case", True, Cause.UPLOAD, "disease set", None, None, by, when),
    ]
    assert recorded(existing.id) == [
        ("case.metadata.updated", "custom-case-data", "upload", True, Cause.UPLOAD, "metadata uploaded", None, None,
         by, when),
        ("case.disease.updated", "case", "case", True, Cause.UPLOAD, "disease set", None, None, by, when),
        ("case.status.updated", "case", "case", True, Cause.UPLOAD, "disease set", "READY_FOR_PROCESSING",
         "PROCESSING", by, when),
    ]


def test_the_control_plane_records_its_changes_as_its_own(wg: Workgroup) -> None:
    case = wg.cases.seeded[3]
    control_operations.set_case_status(wg, case.id, CaseStatus.HAS_ISSUE, at(0))
    added = replace(case, id="added-1", display_id="ADDED-1", status=CaseStatus.PROCESSING)
    control_operations.add_cases(wg, [added], at(1))
    assert [(e.name, e.cause, e.reason) for e in wg.events] == [
        ("case.status.updated", Cause.CONTROL, "set by the control plane"),
        ("case.added", Cause.CONTROL, "created by the control plane"),
    ]


def test_newest_first_skips_to_the_page_and_puts_live_events_first_at_equal_times() -> None:
    live = [event("case.added", "l0", 0), event("case.added", "l5", 5)]
    seeded = [event("case.added", "s1", 1), event("case.added", "s5", 5), event("case.added", "s9", 9)]
    order = [e.entity_id for e in newest_first(live, seeded, 0, 10)]
    assert order == ["s9", "l5", "s5", "s1", "l0"]
    assert [e.entity_id for e in newest_first(live, seeded, 2, 2)] == ["s5", "s1"]
    assert newest_first(live, seeded, 5, 2) == []


def test_the_seeded_history_columns_time_each_event_as_its_event_does() -> None:
    """The columns reckon event times in integer microseconds; each must be the very instant of
    the event made from them (a window's bounds are compared with both)."""
    wg = build_workgroup("wg-times", "Times", seed=3, cases=3000)
    derived = [(e.at.timestamp(), e.name, e.entity_id) for case in wg.cases.seeded for e in derive(case, wg.users)]
    history = wg.seeded_history.matching(EventQuery(), None)
    shown = sorted((history.timestamp(i), e.name, e.entity_id) for i, e in enumerate(history))
    assert shown == sorted(derived) and len(derived) > 3 * 3000
    assert all(history.timestamp(i) == e.at.timestamp() for i, e in enumerate(history))


def test_event_ids_tell_twins_apart_without_the_lock_and_without_scanning(wg: Workgroup) -> None:
    """A busy case's page of 2,000 entries: each id is O(1), so the page never holds (or waits
    for) the lock that every other request of the workgroup needs."""
    import threading

    from mockserver.domain.event_search import event_ids

    twins = [event("case.disease.updated", "busy", 1) for _ in range(2000)]
    with wg.lock:
        for e in twins:
            wg.events.append(e)
    assert [e.place for e in twins] == list(range(2000))
    assert twins[0] == twins[1]  # their place in the log is not part of what happened

    found: list[list[str]] = []
    with wg.lock:  # another request holds the workgroup's lock meanwhile
        reader = threading.Thread(target=lambda: found.append(event_ids(wg, twins)))
        reader.start()
        reader.join(timeout=30)
    assert found and len(set(found[0])) == 2000
    assert event_ids(wg, twins) == found[0]  # stable


def test_an_upload_stamps_each_event_with_its_place_in_the_log(wg: Workgroup) -> None:
    log = EventLog([event("case.added", "a", 0)])
    bulk = [event("case.added", f"n{n}", n) for n in range(1, 4)]
    log.add_new(bulk)
    assert [e.place for e in log] == [0, 1, 2, 3]


def test_a_batch_merged_ahead_is_stamped_ahead_and_placed_when_appended() -> None:
    """Stamped away from the lock with their places in the batch; appended after events logged
    meanwhile, they take the places after them."""
    log = EventLog([event("case.added", "a", 0)])
    bulk = [event("case.added", f"n{n}", n) for n in range(1, 4)]
    merged = log.index_snapshot().with_new(bulk)
    log.append(event("case.deleted", "a", 0.5))
    log.add_new(bulk, merged)
    assert [e.place for e in log] == [0, 1, 2, 3, 4]
    assert [e.entity_id for e in log] == ["a", "a", "n1", "n2", "n3"]


def test_the_log_keeps_the_newest_events_and_its_indexes_agree() -> None:
    """Retention: past the bound (plus a tenth of it) the oldest go, from the log and from every
    index; ``seq`` keeps counting from the first event ever appended."""
    log = EventLog(max_events=100)
    appended = [event("case.added" if n % 3 else "case.deleted", f"c{n % 7}", n) for n in range(1000)]
    for e in appended:
        log.append(e)
    kept = list(log)
    assert 100 <= len(kept) <= 110 and kept == appended[-len(kept):] and len(log) == len(kept)
    assert log.appended == 1000 and kept[-1].place == 999
    assert log.owed == 1000 - len(kept)  # dropped in name only so far
    for _owed_or_dropped in ("owed", "dropped for good"):
        for n in range(7):
            assert log.of_entity(f"c{n}") == [e for e in kept if e.entity_id == f"c{n}"]
        assert list(log.matching(EventQuery(names=("case.deleted",)))) == [e for e in kept if e.name == "case.deleted"]
        assert list(log.matching(EventQuery(entity_type="case"))) == kept
        assert list(log.matching(EventQuery(since=kept[0].at))) == kept
        while log.drop_owed(7):
            pass
    assert log.owed == 0 and log.appended == 1000
    log.keep(10)
    assert list(log) == appended[-10:]


def test_retention_while_an_upload_merges_its_index_loses_no_event() -> None:
    """An entity whose list retention dropped, and that had events again, between an upload's
    index snapshot and its swap, keeps them in the index."""
    log = EventLog(max_events=10)
    for n in range(10):
        log.append(event("case.added", "old", n))
    merged = log.index_snapshot()
    for n in range(10, 22):  # "old"'s list is emptied and dropped, then "again" and "old" come back
        log.append(event("case.added", "again" if n < 20 else "old", n))
    assert log.drop_owed(5)  # some for good: the merged copy may hold lists the log let go of
    bulk = [event("case.added", f"new{n}", 30 + n) for n in range(3)]
    log.add_new(bulk, merged.with_new(bulk))
    while log.drop_owed(5):
        pass
    assert [e.entity_id for e in log.of_entity("old")] == ["old", "old"]
    assert log.of_entity("new1") == [bulk[1]]
    assert sum(len(log.of_entity(k)) for k in ("old", "again", "new0", "new1", "new2")) == len(list(log))
    assert [e.place for e in log] == list(range(log.appended - len(log), log.appended))


def test_a_list_dropped_for_good_while_an_upload_merged_its_index_stays_dropped() -> None:
    log = EventLog(max_events=10)
    for n in range(10):
        log.append(event("case.added", "gone", n))
    merged = log.index_snapshot()
    for n in range(10, 22):
        log.append(event("case.added", "again", n))
    while log.drop_owed(100):  # every event of "gone", for good
        pass
    bulk = [event("case.added", f"new{n}", 30 + n) for n in range(3)]
    log.add_new(bulk, merged.with_new(bulk))
    while log.drop_owed(100):
        pass
    assert log.of_entity("gone") == []
    assert [e.place for e in log] == list(range(log.appended - len(log), log.appended))


def test_seeded_events_are_ordered_by_time_then_position_a_day_at_a_time() -> None:
    """The same order as one sort of every time (stable), made of a day's sorts at a time."""
    import random
    from array import array

    from mockserver.domain.pacing import Pacer
    from mockserver.domain.seeded_history import _time_order

    rng = random.Random(5)
    micros = [1_700_006_400 * 10**6 + rng.choice([rng.randrange(40 * 86400 * 10**6), 86400 * 10**6 * rng.randint(0, 40)])
              for _ in range(20_000)]  # many on a day's first instant, ties included
    times = array("d", [micro / 10**6 for micro in micros])
    days: dict[int, list[int]] = {}
    for position, micro in enumerate(micros):
        days.setdefault(micro // (86400 * 10**6), []).append(position)
    assert list(_time_order(times, days, Pacer())) == sorted(range(len(times)), key=times.__getitem__)
    assert days == {}  # each day's positions freed as they are sorted


@pytest.mark.parametrize(("query", "by", "alone"), [
    (EventQuery(), {"name": "CaseAdded"}, True),
    (EventQuery(names=("CaseAdded",)), {"name": "CaseAdded"}, True),
    (EventQuery(names=("CaseAdded",)), {"name": "CaseStatusUpdated"}, False),
    (EventQuery(names=("CaseAdded", "CaseStatusUpdated")), {"name": "CaseAdded"}, False),
    (EventQuery(entity_type="Case"), {"entity_type": "Case"}, True),
    (EventQuery(entity_type="Case"), {"name": "CaseAdded"}, False),
    (EventQuery(case_id="c1"), {"name": "CaseAdded"}, False),
    (EventQuery(entity_id="e1"), {}, False),
    (EventQuery(user="a@b.c"), {}, False),
    (EventQuery(since=at(0), until=at(1)), {}, True),  # the time window is the narrowing's own
])
def test_only_by_says_when_narrowing_leaves_nothing_to_check(query: EventQuery, by: dict, alone: bool) -> None:
    assert query.only_by(**by) is alone


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["case.added", "upload.added", "case.deleted"]),
                          st.sampled_from(["case", "upload"]), st.sampled_from(["e0", "e1", "e2", "c0"]),
                          st.sampled_from([None, "c0", "c1", "e1"])), max_size=80),
       st.integers(1, 20), st.integers(0, 40), st.booleans(), st.integers(0, 30), st.integers(1, 9))
def test_retention_leaves_every_index_as_a_rebuild_from_the_kept_events(
        specs: list[tuple[str, str, str, str | None]], bound: int, split: int, merged_ahead: bool, drop_at: int,
        at_once: int) -> None:
    """Events of another entity than their case, of a case that is their entity, and of no
    case; appended one at a time and as an upload's batch (merged ahead or not, owed events
    dropped for good meanwhile or not): the indexes hold exactly the kept, whether the owed
    events are dropped for good or not yet, and every event's place is its position."""
    made = [Event(at(n), name, kind, entity, case, Cause.VENDOR, "test") for n, (name, kind, entity, case) in enumerate(specs)]
    log = EventLog(max_events=bound)
    snapshot = None
    for n, e in enumerate(made[:split]):
        if n == drop_at:
            while log.drop_owed(at_once):
                pass
        if merged_ahead and n == split // 2:
            snapshot = log.index_snapshot()
        log.append(e)
    batch = made[split:]
    log.add_new(batch, snapshot.with_new(batch) if snapshot is not None else None)
    kept = list(log)
    assert kept == made[len(made) - len(kept):]
    assert len(kept) == len(made) if len(made) <= bound + max(1, bound // 10) else bound <= len(kept) <= bound + bound // 10 + 1
    for dropping in (True, False):
        assert list(log) == kept and len(log) == len(kept)
        assert [e.place for e in kept] == list(range(len(made) - len(kept), len(made)))
        for key in {"e0", "e1", "e2", "c0", "c1"}:
            assert log.of_entity(key) == [e for e in kept if key in (e.entity_id, e.case_id)]
        for name in ("case.added", "upload.added", "case.deleted"):
            assert list(log.matching(EventQuery(names=(name,)))) == [e for e in kept if e.name == name]
        for kind in ("case", "upload"):
            assert list(log.matching(EventQuery(entity_type=kind))) == [e for e in kept if e.entity_type == kind]
        assert list(log.matching(EventQuery())) == kept
        while dropping and log.drop_owed(at_once):
            pass
    assert log.owed == 0
