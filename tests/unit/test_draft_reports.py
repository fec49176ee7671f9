"""Reports, sign-off, users and generated variants in the domain and the generator, without HTTP."""

from __future__ import annotations

import pytest
from conftest import at, workgroup

from mockserver import fidelity
from mockserver.datagen.users import make_users
from mockserver.datagen.variants import report_variants
from mockserver.domain import control_operations, operations
from mockserver.domain.errors import Conflict, InvalidRequest
from mockserver.domain.event_search import case_uuid, event_ids
from mockserver.domain.events import Cause, Event, case_event
from mockserver.domain.reports import draft_report, report_of
from mockserver.domain.statuses import CaseStatus
from mockserver.domain.workgroup import Workgroup


@pytest.fixture
def wg() -> Workgroup:
    return workgroup(4, 60)


def a_case(wg: Workgroup, status: CaseStatus):  # noqa: ANN201 - a Case
    return next(c for c in wg.cases.seeded if c.status is status and c.samples)


def test_users_are_the_same_for_the_same_seed_and_a_key_is_always_the_same_user() -> None:
    users = make_users(4, "wg")
    assert [u.email for u in users.all] == [u.email for u in make_users(4, "wg").all]
    assert [u.email for u in users.all] != [u.email for u in make_users(5, "wg").all]
    assert users.for_key("abc") == users.for_key("abc")
    assert users.by_email(users.all[0].email.upper()) == users.all[0]
    assert users.by_email("someone@else.org") is None


def test_a_report_exists_only_once_the_case_is_processed(wg: Workgroup) -> None:
    waiting = a_case(wg, CaseStatus.READY_FOR_PROCESSING)
    with pytest.raises(Conflict, match="has no report yet"):
        draft_report(wg, waiting.id, at(0))
    control_operations.set_case_status(wg, waiting.id, CaseStatus.PROCESSING, at(0))
    wg.steps.settle(at(10))
    found = draft_report(wg, waiting.id, at(10))
    assert found.created == at(3) and found.created_by is None  # processing made it
    assert found.sign_offs == () and not found.final and not found.reopened


def test_sign_offs_and_reopening_are_read_from_the_history(wg: Workgroup) -> None:
    case = a_case(wg, CaseStatus.READY_FOR_INTERPRETATION)
    approver = wg.users.all[2].email
    control_operations.sign_off(wg, case.id, at(5), approver=approver, at=at(4))
    first = draft_report(wg, case.id, at(5))
    assert first.final and [(s.at, s.approver, s.version) for s in first.sign_offs] == [(at(4), approver, 1)]
    assert first.updated == at(4) and first.updated_by == approver
    control_operations.set_case_status(wg, case.id, CaseStatus.READY_FOR_INTERPRETATION, at(6))
    reopened = draft_report(wg, case.id, at(6))
    assert reopened.reopened and not reopened.final and len(reopened.sign_offs) == 1
    control_operations.sign_off(wg, case.id, at(7))
    assert [s.version for s in draft_report(wg, case.id, at(7)).sign_offs] == [1, 2]


def test_processing_again_starts_a_new_report(wg: Workgroup) -> None:
    case = a_case(wg, CaseStatus.REPORTS_SIGNED_OFF)
    control_operations.set_case_status(wg, case.id, CaseStatus.PROCESSING, at(0))
    control_operations.advance_case(wg, case.id, at(1))
    found = draft_report(wg, case.id, at(1))
    assert found.created == at(1) and found.sign_offs == () and not found.reopened


def test_a_sign_off_is_refused_unless_ready_and_never_in_the_future(wg: Workgroup) -> None:
    ready = a_case(wg, CaseStatus.READY_FOR_INTERPRETATION)
    with pytest.raises(InvalidRequest, match="later than"):
        control_operations.sign_off(wg, ready.id, at(0), at=at(1))
    with pytest.raises(InvalidRequest, match="not a user"):
        control_operations.sign_off(wg, ready.id, at(0), approver="x@y.org")
    with pytest.raises(Conflict, match="READY_FOR_INTERPRETATION"):
        control_operations.sign_off(wg, a_case(wg, CaseStatus.HAS_ISSUE).id, at(0))
    assert wg.cases.get(ready.id).status is CaseStatus.READY_FOR_INTERPRETATION  # type: ignore[union-attr]
    assert len(wg.events) == 0


def test_a_deleted_case_is_found_by_its_display_id(wg: Workgroup) -> None:
    case = wg.cases.seeded[5]
    assert case_uuid(wg, case.display_id) == case.id
    operations.delete_case(wg, case.id, at(0))
    assert case_uuid(wg, case.display_id) == case.id
    assert case_uuid(wg, "NOT-A-CASE") == "NOT-A-CASE"


def test_twin_events_get_their_own_ids(wg: Workgroup) -> None:
    case = a_case(wg, CaseStatus.READY_FOR_INTERPRETATION)
    disease = next(iter(wg.diseases))
    operations.update_case_diseases(wg, case.id, disease, "SNOMEDCT", at(0))
    operations.update_case_diseases(wg, case.id, disease, "SNOMEDCT", at(0))  # the same call, the same instant
    twins = [e for e in wg.events if e.name == "case.disease.updated"]
    assert len(twins) == 2 and twins[0] == twins[1]
    first, second = event_ids(wg, twins)
    assert first != second and event_ids(wg, twins) == [first, second]


def test_variants_are_drawn_from_the_case_alone(wg: Workgroup) -> None:
    for case in wg.cases.seeded[:30]:
        variants = report_variants(case)
        assert variants == report_variants(case)
        genes = {g for d in case.diseases for g in d.key_genes}
        assert 1 <= len(variants) <= 4 and len({v["gene"] for v in variants}) == len(variants)
        assert not genes or {v["gene"] for v in variants} <= genes


def test_a_refusal_names_the_statuses_with_a_report_and_the_field(wg: Workgroup) -> None:
    waiting = a_case(wg, CaseStatus.HAS_ISSUE)
    with pytest.raises(Conflict) as refused:
        draft_report(wg, waiting.id, at(0))
    assert refused.value.message.endswith(
        "a draft report exists once the case is processed (READY_FOR_INTERPRETATION or REPORTS_SIGNED_OFF).")
    assert refused.value.details == [{"field": "status", "message": "HAS_ISSUE has no report"}]


def test_a_report_is_made_by_its_last_report_added_event_and_counts_the_sign_offs_after_it(wg: Workgroup) -> None:
    case = a_case(wg, CaseStatus.READY_FOR_INTERPRETATION)

    def status(old: CaseStatus, new: CaseStatus, seconds: float, user: str | None = None) -> Event:
        return case_event(fidelity.EVENT_CASE_STATUS_UPDATED, case, at(seconds), Cause.CONTROL, "", old, new, user)

    added = [case_event(fidelity.EVENT_CASE_REPORT_ADDED, case, at(n), Cause.LIFECYCLE, "", user=f"u{n}@lab.org") for n in (1, 5)]
    signed = status(CaseStatus.READY_FOR_INTERPRETATION, CaseStatus.REPORTS_SIGNED_OFF, 3, "a@lab.org")
    again = status(CaseStatus.READY_FOR_INTERPRETATION, CaseStatus.REPORTS_SIGNED_OFF, 7, "b@lab.org")
    found = report_of(case, [added[0], signed, added[1], again])
    assert (found.created, found.created_by) == (at(5), "u5@lab.org")
    assert [(s.at, s.approver, s.version) for s in found.sign_offs] == [(at(7), "b@lab.org", 1)] and not found.reopened
    # No report.added in the history (seeded before reports were recorded): the case's own date.
    bare = report_of(case, [signed])
    assert (bare.created, bare.created_by, len(bare.sign_offs)) == (case.updated_date, None, 1)
