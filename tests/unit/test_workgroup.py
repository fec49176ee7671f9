"""A workgroup owns its state: writes go through its methods, and what it shows is read-only."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest
from conftest import T0, workgroup

from mockserver.domain.case_table import NewCases
from mockserver.domain.errors import NotFound
from mockserver.domain.events import Cause, Event, case_event
from mockserver.domain.models import Transition, Upload
from mockserver.domain.overview import case_counts, latest_uploads, watched_case
from mockserver.domain.statuses import CaseStatus
from mockserver.domain.workgroup import Workgroup


def ref(case_id: str) -> SimpleNamespace:
    """What an event needs of a case: its id and displayId."""
    return SimpleNamespace(id=case_id, display_id=case_id.upper())


@pytest.fixture
def wg() -> Workgroup:
    return workgroup(3, 5)


def test_ids_are_the_same_for_the_same_seed_and_sequence(wg: Workgroup) -> None:
    again = workgroup(3, 5)
    assert [wg.new_id("case"), wg.new_id("case")] == [again.new_id("case"), again.new_id("case")]
    assert wg.new_id("case") != wg.new_id("case")
    assert wg.minted == 4


def test_a_failed_transaction_puts_the_id_counter_back(wg: Workgroup) -> None:
    wg.new_id("case")
    with pytest.raises(ValueError), wg.transaction():
        wg.new_id("case")
        wg.next_serial()
        raise ValueError("refused")
    assert wg.minted == 1
    with wg.transaction():
        wg.new_id("case")
    assert wg.minted == 2


def test_uploads_are_shown_read_only_and_reset_forgets_them(wg: Workgroup) -> None:
    upload = Upload(id="u1", file_name="a.csv", size_bytes=1, header=("Sample_ID", "Case_ID"), text="",
                    total_rows=0, status="QUEUED", created_date=T0, updated_date=T0)
    wg.put_upload(upload)
    assert wg.uploads["u1"] is upload
    with pytest.raises(TypeError):
        wg.uploads["u2"] = upload  # type: ignore[index]
    wg.reset()
    assert dict(wg.uploads) == {}


def test_a_history_is_the_status_events_of_the_case(wg: Workgroup) -> None:
    wg.record(case_event("case.added", ref("c1"), T0, Cause.CONTROL, "created", new=CaseStatus.PROCESSING))
    wg.record(case_event("case.disease.added", ref("c1"), T0, Cause.VENDOR, "disease set"))
    wg.record(case_event("case.status.updated", ref("c2"), T0, Cause.VENDOR, "other case",
                         old=CaseStatus.PROCESSING, new=CaseStatus.HAS_ISSUE))
    wg.record(case_event("case.status.updated", ref("c1"), T0, Cause.LIFECYCLE, "done",
                         old=CaseStatus.PROCESSING, new=CaseStatus.READY_FOR_INTERPRETATION))
    assert wg.history_of("c1") == [Transition(T0, None, CaseStatus.PROCESSING, "created"),
                                   Transition(T0, CaseStatus.PROCESSING, CaseStatus.READY_FOR_INTERPRETATION, "done")]
    wg.history_of("c1").clear()
    assert len(wg.history_of("c1")) == 2
    wg.reset()
    assert wg.history_of("c1") == [] and len(wg.events) == 0


def test_new_cases_merged_ahead_are_added_again_once_the_cases_changed(wg: Workgroup) -> None:
    seeded = next(iter(wg.cases.ordered()))
    new = NewCases.of([replace(seeded, id="new-1", display_id="NEW-1")])
    created = case_event("case.added", ref("new-1"), T0, Cause.UPLOAD, "created", new=CaseStatus.AWAITING_MOLECULAR_DATA)
    merged = (wg.cases.merged_with(new), wg.events.index_snapshot().with_new([created]))
    wg.cases.put(replace(seeded, tags=("changed",)))  # the merge made ahead is now stale
    wg.record(case_event("case.metadata.updated", seeded, T0, Cause.UPLOAD, "changed"))
    wg.add_new_cases(new, [created], merged)
    assert "new-1" in wg.cases and wg.cases.get(seeded.id).tags == ("changed",)  # type: ignore[union-attr]
    assert [e.name for e in wg.events] == ["case.metadata.updated", "case.added"]
    assert wg.history_of("new-1") == [created.transition()]


def test_new_cases_merged_ahead_keep_what_was_logged_meanwhile(wg: Workgroup) -> None:
    seeded = next(iter(wg.cases.ordered()))
    new = NewCases.of([replace(seeded, id="new-1", display_id="NEW-1")])
    created = case_event("case.added", ref("new-1"), T0, Cause.UPLOAD, "created", new=CaseStatus.AWAITING_MOLECULAR_DATA)
    merged = (wg.cases.merged_with(new), wg.events.index_snapshot().with_new([created]))
    upload_event = Event(T0, "custom-case-data.status.updated", "custom-case-data", "u1", None, Cause.LIFECYCLE,
                         "started", "QUEUED", "IN_PROGRESS")
    wg.record(upload_event)  # an event of a new entity, logged after the snapshot
    wg.add_new_cases(new, [created], merged)
    assert wg.events.of_entity("u1") == [upload_event]
    assert wg.events.of_entity("new-1") == [created]


def test_newest_uploads_come_newest_first_and_at_most_the_limit(wg: Workgroup) -> None:
    for n in range(4):
        wg.put_upload(Upload(id=f"u{n}", file_name="a.csv", size_bytes=1, header=("Sample_ID",), text="",
                             total_rows=0, status="QUEUED", created_date=T0, updated_date=T0))
    assert [u.id for u in wg.newest_uploads(3)] == ["u3", "u2", "u1"]
    assert [u.id for u in latest_uploads(wg, T0, 10)] == ["u3", "u2", "u1", "u0"]


def test_case_counts_match_a_recount_and_the_token_moves_only_with_a_change(wg: Workgroup) -> None:
    first = case_counts(wg, T0)
    cases = wg.cases.ordered()
    assert first.by_status == {s.value: sum(c.status == s for c in cases) for s in CaseStatus}
    assert case_counts(wg, T0) == first and watched_case(wg, cases[0].id, T0) is cases[0]
    wg.cases.put(replace(cases[0], status=CaseStatus.HAS_ISSUE))
    second = case_counts(wg, T0)
    assert second.changes != first.changes
    assert second.by_status["HAS_ISSUE"] == first.by_status["HAS_ISSUE"] + (cases[0].status != CaseStatus.HAS_ISSUE)
    wg.record(case_event("case.updated", cases[1], T0, Cause.VENDOR, "touched"))
    assert case_counts(wg, T0).changes != second.changes
    with pytest.raises(NotFound):
        watched_case(wg, "nope", T0)


def test_each_operation_drops_for_good_a_few_of_the_events_retention_owes(
        wg: Workgroup, monkeypatch: pytest.MonkeyPatch) -> None:
    from mockserver.domain import workgroup as workgroup_module

    monkeypatch.setattr(workgroup_module, "EVENTS_DROPPED_AT_ONCE", 7)
    wg.keep_events(10)
    case = next(iter(wg.cases.ordered()))
    logged = [case_event("case.updated", case, T0, Cause.VENDOR, f"change {n}") for n in range(40)]
    with wg.observing(T0):
        for e in logged:
            wg.record(e)
        assert wg.events.owed == 30  # dropped in name only so far
        assert list(wg.events) == logged[-len(wg.events):] and len(wg.events) == 10
    owed = [wg.events.owed]
    while owed[-1]:
        with wg.observing(T0):
            pass
        owed.append(wg.events.owed)
    assert owed == [23, 16, 9, 2, 0]
    assert [e.reason for e in wg.events.of_entity(case.id)] == [e.reason for e in logged[-10:]]


def test_what_an_operation_lets_go_of_is_freed_once_the_lock_is_released(wg: Workgroup) -> None:
    import weakref

    class Job:
        pass

    job = Job()
    freed = weakref.ref(job)
    with wg.observing(T0):
        wg.let_go(job)
        del job
        assert freed() is not None  # kept while the lock is held
    assert freed() is None
