"""An upload's job is worked out in the uploading request, ahead of its due time, so that the
request that finishes it only publishes the result; the result is the same as working it out
then, whatever happens meanwhile. Without HTTP."""

from __future__ import annotations

import gc
from datetime import datetime, timedelta
from typing import Any

import pytest
from conftest import T0, workgroup

from mockserver.domain import control_operations, operations
from mockserver.domain.ingestion import ahead, job
from mockserver.domain.ingestion.csv_file import parse_csv
from mockserver.domain.ingestion.prepared import DUE_WHILE_PREPARING, Prepared
from mockserver.domain.ingestion.steps import INGESTION
from mockserver.domain.lifecycle.plans import Plan
from mockserver.domain.statuses import CaseStatus
from mockserver.domain.workgroup import Workgroup

#: The shipped ingestion plan: two seconds from upload to the end of the job.
DUE = T0 + timedelta(seconds=2)
UPLOADER = "uploader@lab.example.org"


def a_workgroup() -> Workgroup:
    return workgroup(5, 30)


def open_case(wg: Workgroup) -> Any:
    """A seeded case a disease may be set on."""
    return next(c for c in wg.cases.seeded if c.status is CaseStatus.AWAITING_MOLECULAR_DATA and c.samples)


def csv_of(wg: Workgroup, new_cases: int = 2) -> bytes:
    disease = next(iter(wg.diseases))
    lines = ["Sample_ID,Case_ID,Tumor_Type,Site", f"S-old,{open_case(wg).display_id},{disease},left"]
    lines += [f"S-{n},NEW-{n},,right" for n in range(new_cases)]
    return ("\n".join(lines) + "\n").encode()


def uploaded(wg: Workgroup, data: bytes) -> str:
    [upload] = operations.upload_custom_case_data(wg, [parse_csv("meta.csv", data)], T0, UPLOADER)
    return upload.id


def finished_at(wg: Workgroup, now: datetime) -> None:
    with wg.lock:
        wg.steps.settle(now)


def outcome(wg: Workgroup, upload_id: str) -> tuple[Any, ...]:
    """What a client can see of a finished job: the upload, the cases, the events."""
    upload = wg.uploads[upload_id]
    cases = [wg.cases.get(case_id) for case_id in (*upload.cases_created, *upload.cases_updated)]
    return upload, cases, list(wg.events)


def no_preparing_now(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_: Any) -> Prepared:
        raise AssertionError("the job was worked out again when it finished")
    monkeypatch.setattr(job, "prepare", refused)


def test_the_job_is_worked_out_ahead_for_its_due_time_and_finishing_only_publishes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wg, plain = a_workgroup(), a_workgroup()
    upload_id = uploaded(wg, csv_of(wg))
    assert uploaded(plain, csv_of(plain)) == upload_id
    ahead.prepare_jobs_ahead(wg, [wg.uploads[upload_id]])()
    prepared = wg.prepared_job(upload_id)
    assert isinstance(prepared, Prepared)
    assert (prepared.at, prepared.applied, prepared.failed, len(prepared.created), len(prepared.updated)) == (
        DUE, 3, 0, 2, 1)
    assert prepared.merged is None  # small jobs are merged when published
    finished_at(plain, DUE)
    no_preparing_now(monkeypatch)
    finished_at(wg, DUE - timedelta(microseconds=1))
    assert wg.uploads[upload_id].status == "IN_PROGRESS"
    finished_at(wg, DUE)
    assert wg.uploads[upload_id].status == "COMPLETED"
    assert wg.prepared_job(upload_id) is None  # dropped with the file
    assert outcome(wg, upload_id) == outcome(plain, upload_id)


@pytest.mark.parametrize("plan", [Plan("polls", count=2), Plan("manual")])
def test_nothing_is_worked_out_ahead_when_the_due_time_is_not_known(plan: Plan) -> None:
    wg = a_workgroup()
    wg.defaults.set(INGESTION, plan)
    upload_id = uploaded(wg, csv_of(wg))
    ahead.prepare_ahead(wg, upload_id)
    assert wg.prepared_job(upload_id) is None


def test_nothing_is_worked_out_for_an_unknown_or_finished_upload() -> None:
    wg = a_workgroup()
    ahead.prepare_ahead(wg, "no-such-upload")
    assert wg.prepared_job("no-such-upload") is None
    upload_id = uploaded(wg, csv_of(wg))
    finished_at(wg, DUE)
    ahead.prepare_ahead(wg, upload_id)
    assert wg.prepared_job(upload_id) is None
    assert wg.uploads[upload_id].status == "COMPLETED"


def test_a_job_ahead_is_worked_out_again_if_a_case_it_read_changed_meanwhile() -> None:
    wg, plain = a_workgroup(), a_workgroup()
    upload_id = uploaded(wg, csv_of(wg))
    uploaded(plain, csv_of(plain))
    ahead.prepare_ahead(wg, upload_id)
    for each in (wg, plain):  # the case the file names is signed off meanwhile: no disease on it now
        with each.lock:
            control_operations.set_case_status(each, open_case(each).id, CaseStatus.REPORTS_SIGNED_OFF, T0 + timedelta(seconds=1))
    finished_at(wg, DUE)
    finished_at(plain, DUE)
    upload = wg.uploads[upload_id]
    assert (upload.status, upload.applied_rows, [e.line for e in upload.errors]) == ("PARTIALLY_COMPLETED", 2, [2])
    assert outcome(wg, upload_id) == outcome(plain, upload_id)


def test_a_job_ahead_stays_valid_when_only_other_cases_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    wg = a_workgroup()
    upload_id = uploaded(wg, csv_of(wg))
    ahead.prepare_ahead(wg, upload_id)
    other = next(c for c in wg.cases.seeded if c.status is not CaseStatus.HAS_ISSUE and c.id != open_case(wg).id)
    with wg.lock:
        control_operations.set_case_status(wg, other.id, CaseStatus.HAS_ISSUE, T0 + timedelta(seconds=1))
    no_preparing_now(monkeypatch)
    finished_at(wg, DUE)
    assert wg.uploads[upload_id].status == "COMPLETED"


def test_a_job_that_comes_due_while_it_is_worked_out_is_finished_by_the_request_working_it_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another request reaches the due time first: it neither waits nor works the job out
    again; the uploading request publishes it as soon as it is ready, at the due time."""
    wg, plain = a_workgroup(), a_workgroup()
    upload_id = uploaded(wg, csv_of(wg))
    uploaded(plain, csv_of(plain))
    finished_at(plain, DUE)
    original = job.prepare
    seen: list[tuple[str, object]] = []

    def meanwhile(*args: Any) -> Prepared:
        prepared = original(*args)
        finished_at(wg, DUE + timedelta(seconds=5))  # another request, past the due time
        seen.append((wg.uploads[upload_id].status, wg.prepared_job(upload_id)))
        assert wg.steps.pending(INGESTION, upload_id) is not None
        return prepared

    monkeypatch.setattr(job, "prepare", meanwhile)
    ahead.prepare_ahead(wg, upload_id)
    assert seen == [("IN_PROGRESS", DUE_WHILE_PREPARING)]
    assert wg.steps.pending(INGESTION, upload_id) is None
    assert wg.prepared_job(upload_id) is None
    assert outcome(wg, upload_id) == outcome(plain, upload_id)
    assert wg.uploads[upload_id].updated_date == DUE


def test_a_job_whose_upload_went_while_it_was_worked_out_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    wg = a_workgroup()
    upload_id = uploaded(wg, csv_of(wg))
    original = job.prepare

    def reset_meanwhile(*args: Any) -> Prepared:
        prepared = original(*args)
        with wg.lock:
            wg.reset()
        return prepared

    monkeypatch.setattr(job, "prepare", reset_meanwhile)
    ahead.prepare_ahead(wg, upload_id)
    assert wg.prepared_job(upload_id) is None
    assert upload_id not in wg.uploads


def test_a_large_job_is_merged_ahead_and_publishes_the_same_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = ahead.LARGE_JOB_ROWS
    wg, plain = a_workgroup(), a_workgroup()
    upload_id = uploaded(wg, csv_of(wg, new_cases=rows))
    uploaded(plain, csv_of(plain, new_cases=rows))
    later = ahead.prepare_jobs_ahead(wg, [wg.uploads[upload_id]])
    assert wg.prepared_job(upload_id) is None  # a large file's job waits until the answer is sent
    later()
    assert gc.isenabled()
    prepared = wg.prepared_job(upload_id)
    assert isinstance(prepared, Prepared) and prepared.merged is not None
    assert len(prepared.created) == rows
    finished_at(plain, DUE)
    no_preparing_now(monkeypatch)
    finished_at(wg, DUE)
    assert outcome(wg, upload_id) == outcome(plain, upload_id)
    assert wg.cases.find_by_display_id(f"NEW-{rows - 1}") is not None
    assert len(wg.events.of_entity(upload_id)) == len(plain.events.of_entity(upload_id))
