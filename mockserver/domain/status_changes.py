"""A case changing status: the case stored, its events, and the step its new status starts.

Which step a status starts is the step kinds' to say (``StepKind.starts_on``): a case entering
PROCESSING starts processing, one entering READY_FOR_INTERPRETATION the report's sign-off.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from .. import fidelity
from .events import Cause, Event, case_event
from .models import Case, Subject
from .statuses import REPORT_STATUSES, CaseStatus
from .workgroup import Workgroup


def set_status(wg: Workgroup, case: Case, status: CaseStatus, at: datetime, cause: Cause, reason: str,
               user: str | None = None, subjects: tuple[Subject, ...] | None = None) -> Case:
    """Store the case in ``status`` (with new ``subjects`` if given: one record made, not two),
    with its events (a first report when it gets one); the step its status starts begins under
    the case's plan."""
    updated = replace(case, status=status, updated_date=at, subjects=case.subjects if subjects is None else subjects)
    wg.cases.put(updated)
    if status is not case.status or status is CaseStatus.PROCESSING:
        wg.record(case_event(fidelity.EVENT_CASE_STATUS_UPDATED, updated, at, cause, reason,
                             old=case.status, new=status, user=user))
    if status in REPORT_STATUSES and case.status not in REPORT_STATUSES:
        wg.record(report_added(updated, at, cause, user))
    restart(wg, updated, at)
    return updated


def report_added(case: Case, at: datetime, cause: Cause, user: str | None) -> Event:
    return case_event(fidelity.EVENT_CASE_REPORT_ADDED, case, at, cause, "report created", user=user)


def restart(wg: Workgroup, case: Case, at: datetime) -> None:
    """Stop the case's step, and start the one of its status (now): a disease set again
    restarts processing."""
    for kind in wg.kinds.case_kinds:
        wg.steps.cancel(kind, case.id)
    start_for_status(wg, case, at)


def start_for_status(wg: Workgroup, case: Case, at: datetime) -> None:
    """Start the step the case's status starts, if any (a case added in that status)."""
    kind = wg.kinds.started_by(case.status.value)
    if kind is not None:
        wg.steps.start(kind, case.id, at)


def forget(wg: Workgroup, case_id: str) -> None:
    """Drop everything pending for a case that is going away, and its own plans."""
    for kind in wg.kinds:
        wg.steps.forget(kind, case_id)
