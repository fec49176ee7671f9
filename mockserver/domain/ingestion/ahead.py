"""Jobs worked out ahead of their due time, in the uploading request and away from the
workgroup's lock, so that the request that finishes a job only publishes its result."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from ..models import Upload
from ..pacing import collector_set_aside
from ..workgroup import Workgroup
from . import job
from .prepared import PREPARING, Preparing
from .steps import INGESTION, finish


def prepare_ahead(wg: Workgroup, upload_id: str) -> None:
    """Prepare an upload's job now, in the uploading request and outside the lock, for the time
    its plan says it will finish; the request that finishes it then only publishes the result.
    Nothing is prepared when that time is not known yet (polls and manual plans)."""
    with wg.lock:
        upload = wg.uploads.get(upload_id)
        pending = wg.steps.pending(INGESTION, upload_id)
        at = pending.plan.due(pending.started) if pending is not None else None
        if upload is None or upload.text is None or at is None:
            return
        wg.keep_prepared_job(upload_id, PREPARING)
    prepared = None
    try:
        with collector_set_aside(upload.total_rows >= LARGE_JOB_ROWS):
            prepared = job.prepare(wg, upload, at)
            if len(prepared.new.by_id) >= LARGE_JOB_ROWS:
                with wg.lock:
                    snapshot = wg.events.index_snapshot()
                index = snapshot.with_new(prepared.new_events)
                prepared = replace(prepared, merged=(wg.cases.merged_with(prepared.new), index))
    finally:
        with wg.lock:
            marker = wg.prepared_job(upload_id)
            if isinstance(marker, Preparing) and wg.uploads.get(upload_id) is not None:
                wg.keep_prepared_job(upload_id, prepared)
                deferred = wg.steps.cancel(INGESTION, upload_id) if marker.due_meanwhile else None
                if deferred is not None:
                    finish(wg, deferred, at)
                    wg.changed.notify_all()


def prepare_jobs_ahead(wg: Workgroup, uploads: Sequence[Upload]) -> Callable[[], None]:
    """Work out the jobs of uploads just accepted, away from the workgroup's lock: a small
    file's now, before the answer (so the next request finds it ready); a large file's in the
    function returned, to run after the answer is sent."""
    large = [u.id for u in uploads if u.total_rows >= LARGE_JOB_ROWS]
    for upload in uploads:
        if upload.id not in large:
            prepare_ahead(wg, upload.id)

    def prepare_large() -> None:
        for upload_id in large:
            prepare_ahead(wg, upload_id)

    return prepare_large


#: From this many rows, a job keeps Python's cyclic collector out of its way
#: (``pacing.collector_set_aside``).
LARGE_JOB_ROWS = 5000
