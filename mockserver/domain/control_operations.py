"""Operations only the control plane performs: jump a status, complete a step now, set a
case's plan, add cases, wait for a status. Each runs inside ``observing`` like the vendor
operations, so due steps settle first and waiters wake afterwards."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import datetime

from .. import fidelity
from . import signoff, status_changes
from .clock import Clock
from .errors import AlreadyExists, Conflict, InvalidRequest, NotFound, Timeout
from .events import Cause, case_event
from .ingestion.steps import INGESTION
from .lifecycle.plans import Pending, Plan
from .models import Case, Transition, Upload
from .operations import case_or_404, upload_or_404
from .processing import PROCESSING
from .statuses import REPORT_STATUSES, UI_LABELS, CaseStatus
from .workgroup import Workgroup


def set_case_status(wg: Workgroup, case_id: str, status: CaseStatus, now: datetime) -> Case:
    """Any status at once; PROCESSING starts a step under the case's plan. A jump to
    REPORTS_SIGNED_OFF is a sign-off by the case's default approver."""
    with wg.observing(now):
        case = case_or_404(wg, case_id)
        approver = signoff.default_approver(wg, case) if status is signoff.SIGNED_OFF else None
        return status_changes.set_status(wg, case, status, now, Cause.CONTROL, "set by the control plane", approver)


def sign_off(wg: Workgroup, case_id: str, now: datetime, approver: str | None = None,
             at: datetime | None = None) -> Case:
    """Sign the case's report off as ``approver`` (an e-mail of the workgroup's users; by
    default one drawn from the case) at ``at`` (default now; not later)."""
    with wg.observing(now):
        case = case_or_404(wg, case_id)
        if case.status is not CaseStatus.READY_FOR_INTERPRETATION:
            raise Conflict(
                f"Case {case_id} is in status {case.status.value} ({UI_LABELS[case.status]}); only a case "
                f"READY_FOR_INTERPRETATION can have its report signed off.",
                [{"field": "status", "message": f"{case.status.value} has no draft report to sign off"}])
        when = at or now
        if when > now:
            raise InvalidRequest(f"at: {when.isoformat()} is later than the mock's clock ({now.isoformat()}).",
                                 [{"field": "at", "message": "in the future"}])
        if approver is None:
            return signoff.signed_off(wg, case, when, Cause.CONTROL, signoff.default_approver(wg, case))
        user = wg.users.by_email(approver)
        if user is None:
            known = ", ".join(u.email for u in wg.users.all)
            raise InvalidRequest(f"approver: {approver} is not a user of workgroup {wg.id} (its users: {known}).",
                                 [{"field": "approver", "message": "unknown user"}])
        return signoff.signed_off(wg, case, when, Cause.CONTROL, user.email)


def advance_case(wg: Workgroup, case_id: str, now: datetime) -> Case:
    with wg.observing(now):
        case_or_404(wg, case_id)
        wg.steps.complete_now(PROCESSING, case_id, now)
        return case_or_404(wg, case_id)


def advance_upload(wg: Workgroup, upload_id: str, now: datetime) -> Upload:
    with wg.observing(now):
        upload_or_404(wg, upload_id)
        wg.steps.complete_now(INGESTION, upload_id, now)
        return upload_or_404(wg, upload_id)


def set_case_plans(wg: Workgroup, case_id: str, plans: Mapping[str, Plan | None],
                   now: datetime) -> tuple[dict[str, Plan | None], Pending | None]:
    """Give a case its own plans, by kind (None: back to the default); a step already under
    way follows the new plan from its start time."""
    with wg.observing(now):
        case_or_404(wg, case_id)
        for kind, plan in plans.items():
            wg.steps.set_own_plan(kind, case_id, plan)
        wg.steps.settle(now)
        return _case_plans(wg, case_id)


def case_plans(wg: Workgroup, case_id: str, now: datetime) -> tuple[dict[str, Plan | None], Pending | None]:
    """The case's own plans (None: it follows the default), by each kind a case may have one
    for; and its pending step of those kinds, if any."""
    with wg.observing(now):
        case_or_404(wg, case_id)
        return _case_plans(wg, case_id)


def _case_plans(wg: Workgroup, case_id: str) -> tuple[dict[str, Plan | None], Pending | None]:
    kinds = wg.kinds.case_planned
    pending = next((p for kind in kinds if (p := wg.steps.pending(kind, case_id)) is not None), None)
    return {kind: wg.steps.own_plan(kind, case_id) for kind in kinds}, pending


def add_cases(wg: Workgroup, cases: Sequence[Case], now: datetime) -> list[Case]:
    """Store new cases, all or none: an id used twice, or already in the workgroup, refuses all."""
    with wg.observing(now):
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
            wg.record(case_event(fidelity.EVENT_CASE_ADDED, case, now, Cause.CONTROL, "created by the control plane",
                                 new=case.status))
            if case.status in REPORT_STATUSES:
                wg.record(status_changes.report_added(case, now, Cause.CONTROL, None))
            status_changes.start_for_status(wg, case, now)
        return [case_or_404(wg, c.id) for c in cases]


def wait_for_case_status(wg: Workgroup, case_id: str, status: CaseStatus, timeout: float, clock: Clock) -> Case:
    """Block until the case has ``status`` or ``timeout`` seconds pass, without busy waiting:
    sleep until the next due step or until something changes (a request, the clock)."""
    deadline = time.monotonic() + timeout
    with wg.lock:
        while True:
            wg.steps.settle(clock.now())
            case = wg.cases.get(case_id)
            if case is None:
                raise NotFound(f"Case {case_id} was not found in workgroup {wg.id}.")
            if case.status is status:
                return case
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Timeout(
                    f"Case {case_id} did not reach {status.value} within {timeout:g} s; "
                    f"it is {case.status.value}."
                )
            next_due = wg.steps.next_due()
            until_due = clock.seconds_until(next_due) if next_due is not None else None
            wg.changed.wait(remaining if until_due is None else max(0.001, min(remaining, until_due)))


def case_history(wg: Workgroup, case_id: str, now: datetime) -> list[Transition]:
    with wg.observing(now):
        case_or_404(wg, case_id)
        return wg.history_of(case_id)
