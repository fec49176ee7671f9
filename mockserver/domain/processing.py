"""Case processing: setting a disease starts it; its plan says when and how it ends."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from . import lifecycle
from .errors import Conflict
from .models import Case, Disease
from .plans import PROCESSING, PROCESSING_FAILURE, Pending
from .statuses import UI_LABELS, CaseStatus, status_after_disease_set
from .workgroup import Workgroup


def set_disease(wg: Workgroup, case: Case, disease: Disease, at: datetime) -> Case:
    """Record the disease on every sample and move the case as the status table says.

    Raises Conflict, changing nothing, when the case's status does not allow a new disease.
    """
    new_status = status_after_disease_set(case.status)
    if new_status is None:
        raise disease_refused(case.id, case.status)
    if not case.samples:
        raise Conflict(f"Case {case.id} has no sample to carry a disease.")
    subjects = tuple(
        replace(subject, samples=tuple(replace(s, tumor_type=(disease,)) for s in subject.samples))
        for subject in case.subjects
    )
    return set_status(wg, replace(case, subjects=subjects), new_status, at, "disease set")


def disease_refused(case_id: str, status: CaseStatus) -> Conflict:
    """The refusal of a disease change in a status that does not allow one."""
    return Conflict(
        f"Case {case_id} is in status {status.value} ({UI_LABELS[status]}); its disease cannot be changed.",
        [{"field": "status", "message": f"{status.value} does not allow a disease change"}],
    )


def set_status(wg: Workgroup, case: Case, status: CaseStatus, at: datetime, cause: str) -> Case:
    """Store the case in ``status``; entering PROCESSING starts a step under the case's plan."""
    updated = replace(case, status=status, updated_date=at)
    wg.cases.put(updated)
    if status is not case.status or status is CaseStatus.PROCESSING:
        wg.record_transition(case.id, case.status, status, at, cause)
    lifecycle.cancel(wg, PROCESSING, case.id)
    if status is CaseStatus.PROCESSING:
        lifecycle.start(wg, PROCESSING, case.id, at)
    return updated


def complete(wg: Workgroup, pending: Pending, at: datetime) -> None:
    case = wg.cases.get(pending.target)
    if case is None or case.status is not CaseStatus.PROCESSING:
        return
    outcome = pending.plan.outcome or CaseStatus.READY_FOR_INTERPRETATION.value
    if pending.plan.fails(wg.seed, wg.id, PROCESSING, case.id, pending.attempt):
        outcome = PROCESSING_FAILURE
    set_status(wg, case, CaseStatus(outcome), at, f"processing completed ({pending.plan.mode} plan)")


def forget(wg: Workgroup, case_id: str) -> None:
    """Drop everything pending for a case that is going away."""
    lifecycle.cancel(wg, PROCESSING, case_id)
    wg.case_plans.pop(case_id, None)
