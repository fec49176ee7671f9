"""Case processing: setting a disease starts it; its plan says when and how it ends."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from .. import fidelity
from .errors import Conflict
from .events import Cause, Event, case_event
from .lifecycle.kinds import StepKind
from .lifecycle.plans import Pending, Plan
from .models import Case, Disease
from .statuses import REPORT_STATUSES, UI_LABELS, CaseStatus, status_after_disease_set

if TYPE_CHECKING:
    from .workgroup import Workgroup

PROCESSING = "processing"
SIGN_OFF = "signOff"
PROCESSING_FAILURE = CaseStatus.HAS_ISSUE
#: The step a case starts on entering a status: processing, and then the report's sign-off.
CASE_STEPS = {CaseStatus.PROCESSING: PROCESSING, CaseStatus.READY_FOR_INTERPRETATION: SIGN_OFF}


def set_disease(wg: Workgroup, case: Case, disease: Disease, at: datetime, cause: Cause,
                user: str | None = None) -> Case:
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
    wg.record(disease_event(case, at, cause, user))
    return set_status(wg, replace(case, subjects=subjects), new_status, at, cause, "disease set", user)


def disease_event(case: Case, at: datetime, cause: Cause, user: str | None = None) -> Event:
    """A disease given to a case: added if it had none, else updated."""
    name = fidelity.EVENT_CASE_DISEASE_UPDATED if case.diseases else fidelity.EVENT_CASE_DISEASE_ADDED
    return case_event(name, case, at, cause, "disease set", user=user)


def disease_refused(case_id: str, status: CaseStatus) -> Conflict:
    """The refusal of a disease change in a status that does not allow one."""
    return Conflict(
        f"Case {case_id} is in status {status.value} ({UI_LABELS[status]}); its disease cannot be changed.",
        [{"field": "status", "message": f"{status.value} does not allow a disease change"}],
    )


def set_status(wg: Workgroup, case: Case, status: CaseStatus, at: datetime, cause: Cause, reason: str,
               user: str | None = None) -> Case:
    """Store the case in ``status``, with its events (a first report when it gets one); the
    status's step (``CASE_STEPS``) starts under the case's plan."""
    updated = replace(case, status=status, updated_date=at)
    wg.cases.put(updated)
    if status is not case.status or status is CaseStatus.PROCESSING:
        wg.record(case_event(fidelity.EVENT_CASE_STATUS_UPDATED, updated, at, cause, reason,
                             old=case.status, new=status, user=user))
    if status in REPORT_STATUSES and case.status not in REPORT_STATUSES:
        wg.record(report_added(updated, at, cause, user))
    restart(wg, case.id, at)
    return updated


def report_added(case: Case, at: datetime, cause: Cause, user: str | None) -> Event:
    return case_event(fidelity.EVENT_CASE_REPORT_ADDED, case, at, cause, "report created", user=user)


def restart(wg: Workgroup, case_id: str, at: datetime) -> None:
    """Stop the case's step, and start the one of its status (now): a disease set again
    restarts processing."""
    for kind in CASE_STEPS.values():
        wg.steps.cancel(kind, case_id)
    kind = CASE_STEPS.get(wg.cases.get(case_id).status)  # type: ignore[union-attr]  # callers hold it
    if kind is not None:
        wg.steps.start(kind, case_id, at)


class ProcessingSteps(StepKind):
    """A case in PROCESSING until its plan completes it, in READY_FOR_INTERPRETATION or the
    plan's outcome (HAS_ISSUE when a seeded draw makes it fail)."""

    name = PROCESSING
    events = (PROCESSING,)
    default_plan = Plan("time", seconds=fidelity.PROCESSING_SECONDS, outcome=fidelity.PROCESSING_OUTCOME)
    outcomes = (CaseStatus.READY_FOR_INTERPRETATION.value, CaseStatus.HAS_ISSUE.value)
    unspecified_outcome = fidelity.PROCESSING_OUTCOME

    def complete(self, wg: Workgroup, pending: Pending, at: datetime) -> None:
        case = wg.cases.get(pending.target)
        if case is None or case.status is not CaseStatus.PROCESSING:
            return
        outcome = pending.plan.outcome or CaseStatus.READY_FOR_INTERPRETATION.value
        if pending.plan.fails(wg.seed, wg.id, PROCESSING, case.id, pending.attempt):
            outcome = PROCESSING_FAILURE.value
        set_status(wg, case, CaseStatus(outcome), at, Cause.LIFECYCLE, f"processing completed ({pending.plan.mode} plan)")

    def without_step(self, wg: Workgroup, target: str, now: datetime) -> Pending:
        status = wg.cases.get(target).status  # type: ignore[union-attr]  # the caller found it
        if status is not CaseStatus.PROCESSING:
            raise Conflict(f"Case {target} has no pending step: it is {status.value}, not PROCESSING.")
        # A seeded case in PROCESSING has no step yet: it waits as under a manual plan.
        return Pending(PROCESSING, target, wg.steps.plan_for(PROCESSING, target), now, 1)


def forget(wg: Workgroup, case_id: str) -> None:
    """Drop everything pending for a case that is going away."""
    for kind in CASE_STEPS.values():
        wg.steps.forget(kind, case_id)
