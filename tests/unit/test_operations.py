"""Domain operations and their records, checked where the mutation run found them unchecked:
what a deletion logs, a sign-off step that finds its case moved on, a workgroup id taken
twice, an event bound kept through a restore, and the seeded history's rounding and users.
Without HTTP."""

from __future__ import annotations

from fractions import Fraction

import pytest
from conftest import T0, at, workgroup
from hypothesis import example, given
from hypothesis import strategies as st

from mockserver import fidelity
from mockserver.datagen.world import build_workgroup
from mockserver.domain import control_operations, operations
from mockserver.domain.case_table import NewCases
from mockserver.domain.clock import Clock
from mockserver.domain.errors import AlreadyExists
from mockserver.domain.event_search import event_ids
from mockserver.domain.events import Cause, EventQuery, case_event
from mockserver.domain.ingestion.csv_file import parse_csv
from mockserver.domain.lifecycle.plans import Pending, Plan
from mockserver.domain.mock_state import MockState
from mockserver.domain.seeded_history import _divided
from mockserver.domain.signoff import SIGN_OFF, SignOffSteps
from mockserver.domain.statuses import CaseStatus
from mockserver.domain.step_kinds import SHIPPED_KINDS
from mockserver.domain.workgroup import Workgroup


@pytest.fixture
def wg() -> Workgroup:
    return workgroup(4, 60)


def a_case(wg: Workgroup, status: CaseStatus):  # noqa: ANN201 - a Case
    return next(c for c in wg.cases.seeded if c.status is status)


def test_a_deletion_logs_the_status_the_case_had_who_deleted_it_and_why(wg: Workgroup) -> None:
    case = a_case(wg, CaseStatus.HAS_ISSUE)
    operations.delete_case(wg, case.id, at(1), user="a@lab.org")
    [event] = wg.events.of_entity(case.id)
    assert (event.name, event.old, event.new, event.user) == (fidelity.EVENT_CASE_DELETED, "HAS_ISSUE", None, "a@lab.org")
    assert (event.cause, event.reason, event.at) == (Cause.VENDOR, "case deleted", at(1))


def test_a_sign_off_step_signs_a_ready_case_off_as_the_lifecycle_and_leaves_a_moved_one(wg: Workgroup) -> None:
    steps = SignOffSteps()
    ready, moved = a_case(wg, CaseStatus.READY_FOR_INTERPRETATION), a_case(wg, CaseStatus.HAS_ISSUE)
    for case in (ready, moved):
        steps.complete(wg, Pending(SIGN_OFF, case.id, Plan("immediate"), at(0), 1), at(2))
    assert wg.cases.get(moved.id) == moved and wg.events.of_entity(moved.id) == []
    assert wg.cases.get(ready.id).status is CaseStatus.REPORTS_SIGNED_OFF  # type: ignore[union-attr]
    [event] = wg.events.of_entity(ready.id)
    assert event.cause is Cause.LIFECYCLE and event.reason == "report signed off" and event.user


def test_a_workgroup_id_is_taken_once() -> None:
    first = workgroup(1, 2)
    mock = MockState(clock=Clock(), workgroups=[first], qc_overview=lambda case: [], report_variants=lambda case: [],
                     default_workgroup_id=first.id, step_kinds=SHIPPED_KINDS)
    with pytest.raises(AlreadyExists, match="already exists"):
        mock.add_workgroup(workgroup(2, 2))  # the same id, "wg"
    assert mock.workgroup(first.id) is first


def test_a_restored_log_keeps_the_workgroups_event_bound(wg: Workgroup) -> None:
    case = a_case(wg, CaseStatus.HAS_ISSUE)
    wg.keep_events(20)
    events = [case_event(fidelity.EVENT_CASE_STATUS_UPDATED, case, at(n), Cause.CONTROL, "") for n in range(40)]
    wg.restore_progress([], 0, events)
    kept = [e.at for e in wg.events]
    assert 20 <= len(kept) <= 22 and kept[-1] == at(39)  # the bound, and a tenth of it as slack


@given(st.integers(0, 10**15), st.integers(1, 10**9))
@example(3, 2).via("a half rounds up to an even 2")
@example(5, 2).via("a half rounds down to an even 2")
@example(2, 5).via("under a half rounds down")
def test_seeded_times_divide_rounding_half_to_even(a: int, b: int) -> None:
    assert _divided(a, b) == round(Fraction(a, b))


def test_the_seeded_history_names_every_user_of_the_workgroup() -> None:
    wg = workgroup(4, 300)
    named = {e.user for e in wg.seeded_history.matching(EventQuery(), None)}
    assert named == {u.email for u in wg.users.all} | {None}
    assert T0 > max(e.at for e in wg.seeded_history.matching(EventQuery(), None))


def test_a_control_sign_off_is_logged_as_the_control_planes(wg: Workgroup) -> None:
    case = a_case(wg, CaseStatus.READY_FOR_INTERPRETATION)
    control_operations.sign_off(wg, case.id, at(1), approver=wg.users.all[0].email)
    [event] = wg.events.of_entity(case.id)
    assert (event.cause, event.reason, event.user) == (Cause.CONTROL, "report signed off", wg.users.all[0].email)


def test_an_upload_logs_each_status_its_job_takes_and_why(wg: Workgroup) -> None:
    wg.defaults.set("ingestion", Plan("time", seconds=10))
    [upload] = operations.upload_custom_case_data(wg, [parse_csv("m.csv", b"Sample_ID,Case_ID\nS1,NEW-1\n")], at(0))
    with wg.lock:
        wg.steps.settle(at(20))
    logged = [(e.old, e.new, e.reason, e.cause) for e in wg.events.of_entity(upload.id)
              if e.name == fidelity.EVENT_UPLOAD_STATUS_UPDATED]
    assert logged == [("QUEUED", "IN_PROGRESS", "ingestion started", Cause.LIFECYCLE),
                          ("IN_PROGRESS", "COMPLETED", "ingestion finished", Cause.LIFECYCLE)]


def test_event_ids_differ_between_workgroups_for_the_same_event() -> None:
    one, other = workgroup(4, 3), build_workgroup("wg-2", "Other", seed=4, cases=3)
    case = next(iter(one.cases.seeded))
    event = case_event(fidelity.EVENT_CASE_STATUS_UPDATED, case, at(0), Cause.CONTROL, "")
    assert event_ids(one, [event]) == event_ids(workgroup(4, 3), [event])
    assert event_ids(one, [event]) != event_ids(other, [event])


def test_a_reset_moves_the_tables_version_on_so_a_batch_merged_before_it_is_refused() -> None:
    wg = workgroup(4, 3)
    merged = wg.cases.merged_with(NewCases.of([]))
    wg.reset()
    assert not wg.cases.swap_in(merged)


def test_a_reset_keeps_the_event_bound_and_the_name(wg: Workgroup) -> None:
    case = a_case(wg, CaseStatus.HAS_ISSUE)
    wg.keep_events(20)
    wg.reset()
    for n in range(40):
        wg.record(case_event(fidelity.EVENT_CASE_STATUS_UPDATED, case, at(n), Cause.CONTROL, ""))
    assert 20 <= len(wg.events) <= 22 and wg.name == "Workgroup"


def test_only_a_case_events_display_id_names_a_case(wg: Workgroup) -> None:
    [upload] = operations.upload_custom_case_data(wg, [parse_csv("m.csv", b"Sample_ID,Case_ID\nS1,NEW-1\n")], at(0))
    assert "m.csv" not in wg.events.case_by_display_id and wg.events.of_entity(upload.id)
