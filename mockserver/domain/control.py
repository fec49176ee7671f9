"""Operations only the control plane performs: jump a status, complete a step now, set a
case's plan, add cases, wait for a status. Each runs inside ``observing`` like the vendor
operations, so due steps settle first and waiters wake afterwards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from . import lifecycle, processing, steps
from .clock import Clock
from .errors import AlreadyExists, InvalidRequest
from .models import Case, Transition, Upload
from .operations import case_or_404, upload_or_404
from .plans import INGESTION, PROCESSING, Pending, Plan
from .statuses import CaseStatus
from .workgroup import Workgroup


def set_case_status(wg: Workgroup, case_id: str, status: CaseStatus, now: datetime) -> Case:
    """Any status at once; PROCESSING starts a step under the case's plan."""
    with steps.observing(wg, now):
        return processing.set_status(wg, case_or_404(wg, case_id), status, now, "set by the control plane")


def advance_case(wg: Workgroup, case_id: str, now: datetime) -> Case:
    with steps.observing(wg, now):
        case_or_404(wg, case_id)
        steps.complete_now(wg, PROCESSING, case_id, now)
        return case_or_404(wg, case_id)


def advance_upload(wg: Workgroup, upload_id: str, now: datetime) -> Upload:
    with steps.observing(wg, now):
        upload_or_404(wg, upload_id)
        steps.complete_now(wg, INGESTION, upload_id, now)
        return upload_or_404(wg, upload_id)


def set_case_plan(wg: Workgroup, case_id: str, plan: Plan | None, now: datetime) -> Pending | None:
    """Give a case its own processing plan (None: back to the default); a step already under
    way follows the new plan from its start time."""
    with steps.observing(wg, now):
        case_or_404(wg, case_id)
        if plan is None:
            wg.case_plans.pop(case_id, None)
        else:
            wg.case_plans[case_id] = plan
        lifecycle.replan(wg, PROCESSING, case_id)
        steps.settle(wg, now)
        return wg.pending.get((PROCESSING, case_id))


def case_plan(wg: Workgroup, case_id: str, now: datetime) -> tuple[Plan | None, Pending | None]:
    with steps.observing(wg, now):
        case_or_404(wg, case_id)
        return wg.case_plans.get(case_id), wg.pending.get((PROCESSING, case_id))


def add_cases(wg: Workgroup, cases: Sequence[Case], now: datetime) -> list[Case]:
    """Store new cases, all or none: an id used twice, or already in the workgroup, refuses all."""
    with steps.observing(wg, now):
        seen: set[str] = set()
        for index, case in enumerate(cases):
            if case.id in seen or case.id in wg.cases:
                raise AlreadyExists(
                    f"[{index}].id: case id {case.id} is already used in workgroup {wg.id}.",
                    [{"field": f"[{index}].id", "message": "already used"}],
                )
            seen.add(case.id)
        if not cases:
            raise InvalidRequest("No case given: send one case or a non-empty list.")
        for case in cases:
            wg.cases.put(case)
            wg.record_transition(case.id, None, case.status, now, "created by the control plane")
            if case.status is CaseStatus.PROCESSING:
                lifecycle.start(wg, PROCESSING, case.id, now)
        return [case_or_404(wg, c.id) for c in cases]


def wait_for_case_status(wg: Workgroup, case_id: str, status: CaseStatus, timeout: float, clock: Clock) -> Case:
    return steps.wait_for_status(wg, case_id, status, timeout, clock)


def case_history(wg: Workgroup, case_id: str, now: datetime) -> list[Transition]:
    with steps.observing(wg, now):
        case_or_404(wg, case_id)
        return list(wg.history.get(case_id, ()))
