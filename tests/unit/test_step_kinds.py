"""The two shipped kinds of step, processing and ingestion, through a workgroup's operations,
without HTTP, on explicit times."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import at, workgroup

from mockserver.domain import control_operations, operations
from mockserver.domain.errors import Conflict
from mockserver.domain.ingestion.csv_file import parse_csv
from mockserver.domain.lifecycle.plans import Plan
from mockserver.domain.statuses import CaseStatus
from mockserver.domain.workgroup import Workgroup


@pytest.fixture
def wg() -> Workgroup:
    return workgroup(7, 30)


def case_in(wg: Workgroup, status: CaseStatus) -> str:
    case = next(c for c in wg.cases.ordered() if c.samples)
    wg.cases.put(replace(case, status=status))
    return case.id


def a_disease(wg: Workgroup) -> str:
    return next(iter(wg.diseases))


def test_processing_runs_three_seconds_from_the_disease_being_set(wg: Workgroup) -> None:
    case_id = case_in(wg, CaseStatus.READY_FOR_PROCESSING)
    operations.update_case_diseases(wg, case_id, a_disease(wg), "SNOMEDCT", at(0))
    assert operations.get_case(wg, case_id, at(2.999)).status is CaseStatus.PROCESSING
    assert operations.get_case(wg, case_id, at(3)).status is CaseStatus.READY_FOR_INTERPRETATION
    history = control_operations.case_history(wg, case_id, at(10))
    assert [(t.at, t.to_status) for t in history] == [(at(0), CaseStatus.PROCESSING),
                                               (at(3), CaseStatus.READY_FOR_INTERPRETATION)]


def test_a_disease_set_again_while_processing_restarts_the_step(wg: Workgroup) -> None:
    case_id = case_in(wg, CaseStatus.READY_FOR_PROCESSING)
    operations.update_case_diseases(wg, case_id, a_disease(wg), "SNOMEDCT", at(0))
    operations.update_case_diseases(wg, case_id, a_disease(wg), "SNOMEDCT", at(2))
    assert operations.get_case(wg, case_id, at(4.999)).status is CaseStatus.PROCESSING
    assert operations.get_case(wg, case_id, at(5)).status is CaseStatus.READY_FOR_INTERPRETATION
    assert wg.steps.pending("processing", case_id) is None


def test_a_seeded_processing_case_waits_until_advanced(wg: Workgroup) -> None:
    case_id = case_in(wg, CaseStatus.PROCESSING)
    assert operations.get_case(wg, case_id, at(10_000)).status is CaseStatus.PROCESSING
    assert control_operations.advance_case(wg, case_id, at(1)).status is CaseStatus.READY_FOR_INTERPRETATION


def test_advancing_a_case_outside_processing_is_refused(wg: Workgroup) -> None:
    case_id = case_in(wg, CaseStatus.AWAITING_MOLECULAR_DATA)
    with pytest.raises(Conflict, match="it is AWAITING_MOLECULAR_DATA, not PROCESSING"):
        control_operations.advance_case(wg, case_id, at(0))


def test_ingestion_is_queued_then_in_progress_then_applies_its_rows(wg: Workgroup) -> None:
    parsed = parse_csv("cases.csv", b"Sample_ID,Case_ID\nS-1,NEW-CASE-1\n")
    [upload] = operations.upload_custom_case_data(wg, [parsed], at(0))
    statuses = [operations.get_custom_case_data_status(wg, upload.id, at(s)).status for s in (0.999, 1, 1.999, 2)]
    assert statuses == ["QUEUED", "IN_PROGRESS", "IN_PROGRESS", "COMPLETED"]
    assert wg.cases.find_by_display_id("NEW-CASE-1") is not None
    with pytest.raises(Conflict, match=f"Custom case data file {upload.id} has no pending step: it is COMPLETED"):
        control_operations.advance_upload(wg, upload.id, at(3))


def test_ingestion_under_a_polls_plan_starts_on_the_second_read(wg: Workgroup) -> None:
    wg.defaults.set("ingestion", Plan("polls", count=3))
    [upload] = operations.upload_custom_case_data(wg, [parse_csv("a.csv", b"Sample_ID,Case_ID\nS,C\n")], at(0))
    statuses = [operations.get_custom_case_data_status(wg, upload.id, at(0)).status for _ in range(4)]
    assert statuses == ["QUEUED", "IN_PROGRESS", "IN_PROGRESS", "COMPLETED"]
