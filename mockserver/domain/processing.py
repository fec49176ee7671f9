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
from .status_changes import set_status
from .statuses import UI_LABELS, CaseStatus, status_after_disease_set

if TYPE_CHECKING:
    from .workgroup import Workgroup

PROCESSING = "processing"
PROCESSING_FAILURE = CaseStatus.HAS_ISSUE


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
    return set_status(wg, case, new_status, at, cause, "disease set", user, subjects)


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


class ProcessingSteps(StepKind["Workgroup"]):
    """A case in PROCESSING until its plan completes it, in READY_FOR_INTERPRETATION or the
    plan's outcome (HAS_ISSUE when a seeded draw makes it fail)."""

    name = PROCESSING
    events = (PROCESSING,)
    default_plan = Plan("time", seconds=fidelity.PROCESSING_SECONDS, outcome=fidelity.PROCESSING_OUTCOME)
    outcomes = (CaseStatus.READY_FOR_INTERPRETATION.value, CaseStatus.HAS_ISSUE.value)
    unspecified_outcome = fidelity.PROCESSING_OUTCOME
    starts_on = (CaseStatus.PROCESSING.value,)
    case_plans = True

    def complete(self, wg: Workgroup, pending: Pending, at: datetime) -> None:
        case = wg.cases.get(pending.target)
        if case is None or case.status is not CaseStatus.PROCESSING:
            return
        outcome = pending.plan.outcome or CaseStatus.READY_FOR_INTERPRETATION.value
        if pending.plan.fails(wg.seed, wg.id, PROCESSING, case.id, pending.attempt):
            outcome = PROCESSING_FAILURE.value
        set_status(wg, case, CaseStatus(outcome), at, Cause.LIFECYCLE, f"processing completed ({pending.plan.mode} plan)")

    def without_step(self, wg: Workgroup, target: str, now: datetime) -> Pending:
        case = wg.cases.get(target)
        assert case is not None  # the caller found it
        status = case.status
        if status is not CaseStatus.PROCESSING:
            raise Conflict(f"Case {target} has no pending step: it is {status.value}, not PROCESSING.")
        # A seeded case in PROCESSING has no step yet: it waits as under a manual plan.
        return Pending(PROCESSING, target, wg.steps.plan_for(PROCESSING, target), now, 1)
