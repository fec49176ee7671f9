"""Case processing: setting a disease starts it, and it completes at its due time."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from .. import fidelity
from .errors import Conflict
from .models import Case, Disease
from .statuses import CaseStatus, UI_LABELS, status_after_disease_set
from .workgroup import Workgroup

KIND = "processing"


def set_disease(wg: Workgroup, case: Case, disease: Disease, at: datetime) -> Case:
    """Record the disease on every sample and move the case as the status table says.

    Raises Conflict, changing nothing, when the case's status does not allow a new disease.
    """
    new_status = status_after_disease_set(case.status)
    if new_status is None:
        raise Conflict(
            f"Case {case.id} is in status {case.status.value} "
            f"({UI_LABELS[case.status]}); its disease cannot be changed.",
            [{"field": "status", "message": f"{case.status.value} does not allow a disease change"}],
        )
    if not case.samples:
        raise Conflict(f"Case {case.id} has no sample to carry a disease.")
    subjects = tuple(
        replace(
            subject,
            samples=tuple(replace(s, tumor_type=(disease,)) for s in subject.samples),
        )
        for subject in case.subjects
    )
    updated = replace(case, subjects=subjects, status=new_status, updated_date=at)
    wg.cases.put(updated)
    if new_status is CaseStatus.PROCESSING:
        wg.schedule.add(KIND, case.id, at + timedelta(seconds=fidelity.PROCESSING_SECONDS))
    return updated


def complete(wg: Workgroup, case_id: str, at: datetime) -> None:
    case = wg.cases.get(case_id)
    if case is None or case.status is not CaseStatus.PROCESSING:
        return
    outcome = CaseStatus(fidelity.PROCESSING_OUTCOME)
    wg.cases.put(replace(case, status=outcome, updated_date=at))


def forget(wg: Workgroup, case_id: str) -> None:
    wg.schedule.cancel(KIND, case_id)
