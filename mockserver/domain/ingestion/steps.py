"""The ingestion step kind: an upload QUEUED, then IN_PROGRESS, then its job's result published
and the upload in its terminal status."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ... import fidelity
from .. import status_changes
from ..errors import Conflict
from ..events import Cause, Event
from ..lifecycle.kinds import StepKind
from ..lifecycle.plans import Pending, Plan
from ..models import RowError, Upload
from . import job
from .csv_file import ParsedCsv
from .prepared import DUE_WHILE_PREPARING, Prepared, Preparing

if TYPE_CHECKING:
    from ..workgroup import Workgroup

INGESTION = "ingestion"
INGESTION_STARTS = "ingestion.start"
INGESTION_FINISHES = "ingestion.finish"
INGESTION_FAILURE = fidelity.UPLOAD_STATUS_FAILED


def create_upload(wg: Workgroup, parsed: ParsedCsv, now: datetime, user: str | None = None) -> Upload:
    upload = Upload(
        id=wg.new_id("upload"),
        file_name=parsed.file_name,
        size_bytes=parsed.size_bytes,
        header=parsed.header,
        text=parsed.text,
        total_rows=parsed.total_rows,
        status=fidelity.UPLOAD_STATUS_QUEUED,
        created_date=now,
        updated_date=now,
        created_by=user,
    )
    wg.put_upload(upload)
    wg.record(_upload_event(fidelity.EVENT_UPLOAD_ADDED, upload, now, Cause.VENDOR, f"{upload.file_name} uploaded"))
    wg.steps.start(INGESTION, upload.id, now)
    return upload


def _upload_event(name: str, upload: Upload, at: datetime, cause: Cause, reason: str, old: str | None = None) -> Event:
    """An upload's event: its creation by the uploading user, its job's progress by the service."""
    user = upload.created_by if name == fidelity.EVENT_UPLOAD_ADDED else None
    return Event(at, name, fidelity.ENTITY_UPLOAD, upload.id, None, cause, reason, old, upload.status, upload.file_name, user)


def _set_upload(wg: Workgroup, upload: Upload, reason: str) -> None:
    """Store an upload whose job moved on, and the event of its new status."""
    old = wg.uploads[upload.id].status
    wg.put_upload(upload)
    wg.record(_upload_event(fidelity.EVENT_UPLOAD_STATUS_UPDATED, upload, upload.updated_date, Cause.LIFECYCLE,
                            reason, old))


def start(wg: Workgroup, upload_id: str, at: datetime) -> None:
    """QUEUED -> IN_PROGRESS (nothing if it already moved on)."""
    upload = wg.uploads.get(upload_id)
    if upload is not None and upload.status == fidelity.UPLOAD_STATUS_QUEUED:
        _set_upload(wg, replace(upload, status=fidelity.UPLOAD_STATUS_IN_PROGRESS, updated_date=at), "ingestion started")


def finish(wg: Workgroup, pending: Pending, at: datetime) -> None:
    """Apply every row (a row that fails is reported and changes nothing), unless the plan
    makes the job fail; report the plan's outcome if it names one. The file is dropped after:
    only its result is kept."""
    upload_id = pending.target
    upload = wg.uploads.get(upload_id)
    if upload is None or upload.status != fidelity.UPLOAD_STATUS_IN_PROGRESS:
        return
    prepared = wg.prepared_job(upload_id)
    wg.keep_prepared_job(upload_id, None)
    if isinstance(prepared, Preparing):  # the uploading request finishes it when done
        wg.keep_prepared_job(upload_id, DUE_WHILE_PREPARING)
        wg.steps.defer(pending)
        return
    plan = pending.plan
    if plan.outcome == INGESTION_FAILURE or plan.fails(wg.seed, wg.id, INGESTION, upload_id, pending.attempt):
        failure = RowError(0, "Ingestion failed (simulated by the mock's lifecycle plan); no row was applied.")
        _set_upload(wg, replace(
            upload, status=INGESTION_FAILURE, updated_date=at, errors=(failure,), applied_rows=0, text=None
        ), "ingestion failed (simulated by the lifecycle plan)")
        return
    if prepared is None or not prepared.still_valid(wg.cases, at):
        prepared = job.prepare(wg, upload, at)
    _publish(wg, prepared)
    if plan.outcome is not None:
        status = plan.outcome
    elif not prepared.failed:
        status = fidelity.UPLOAD_STATUS_COMPLETED
    elif prepared.applied:
        status = fidelity.UPLOAD_STATUS_PARTIALLY_COMPLETED
    else:
        status = fidelity.UPLOAD_STATUS_FAILED
    _set_upload(wg, replace(
        upload,
        text=None,
        status=status,
        updated_date=at,
        errors=prepared.errors,
        applied_rows=prepared.applied,
        cases_created=prepared.created,
        cases_updated=prepared.updated,
    ), "ingestion finished")
    wg.let_go(prepared)  # 100,000 new cases' worth of containers: freed a part per operation


def _publish(wg: Workgroup, prepared: Prepared) -> None:
    """Store the job's result: a step per changed case, and one merge for all the new ones."""
    at = prepared.at
    # Many new cases: merged in beforehand, away from the lock, and swapped in here at once.
    wg.add_new_cases(prepared.new, prepared.new_events, prepared.merged)
    for case in prepared.changed:
        wg.cases.put(case)
    for event in prepared.events:
        wg.record(event)
    restarted = set(prepared.disease_set)
    for case in prepared.changed:  # in the order the rows first touched them
        if case.id in restarted:
            status_changes.restart(wg, case, at)


class IngestionSteps(StepKind["Workgroup"]):
    """An upload QUEUED for the first half of its plan's time and IN_PROGRESS for the second
    (or from its second status read, under a polls plan); then its rows apply."""

    name = INGESTION
    events = (INGESTION_STARTS, INGESTION_FINISHES)
    default_plan = Plan("time", seconds=fidelity.UPLOAD_QUEUED_SECONDS + fidelity.UPLOAD_IN_PROGRESS_SECONDS)
    outcomes = (fidelity.UPLOAD_STATUS_COMPLETED, fidelity.UPLOAD_STATUS_PARTIALLY_COMPLETED, INGESTION_FAILURE)

    def timeline(self, pending: Pending, due: datetime) -> tuple[tuple[str, datetime], ...]:
        midway = pending.started + timedelta(seconds=pending.plan.seconds / 2)
        return ((INGESTION_STARTS, min(midway, due)), (INGESTION_FINISHES, due))

    def on_event(self, wg: Workgroup, event: str, target: str, at: datetime) -> None:
        start(wg, target, at)

    def on_read(self, wg: Workgroup, pending: Pending, now: datetime) -> None:
        if pending.reads >= 2:
            start(wg, pending.target, now)

    def complete(self, wg: Workgroup, pending: Pending, at: datetime) -> None:
        start(wg, pending.target, at)  # no-op once IN_PROGRESS: keeps the order of statuses
        finish(wg, pending, at)

    def without_step(self, wg: Workgroup, target: str, now: datetime) -> Pending:
        raise Conflict(f"Custom case data file {target} has no pending step: it is {wg.uploads[target].status}.")
