"""Signing a case's report off: by the control plane (``control.sign_off``: an approver and a
time), or by a lifecycle plan that carries a case on from READY_FOR_INTERPRETATION (the third
step kind)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .errors import Conflict
from .events import Cause
from .lifecycle.kinds import StepKind
from .lifecycle.plans import Pending, Plan
from .models import Case
from .status_changes import set_status
from .statuses import CaseStatus

if TYPE_CHECKING:
    from .workgroup import Workgroup

SIGN_OFF = "signOff"
SIGNED_OFF = CaseStatus.REPORTS_SIGNED_OFF


def default_approver(wg: Workgroup, case: Case) -> str:
    """Who signs a case off when nobody is named: a user drawn from the case."""
    return wg.users.drawn("sign-off", case.id).email


def signed_off(wg: Workgroup, case: Case, at: datetime, cause: Cause, approver: str) -> Case:
    return set_status(wg, case, SIGNED_OFF, at, cause, "report signed off", approver)


class SignOffSteps(StepKind["Workgroup"]):
    """A case READY_FOR_INTERPRETATION until its plan signs its report off (by a user drawn
    from the case). Ships manual: cases wait for a person, as in the real service."""

    name = SIGN_OFF
    events = (SIGN_OFF,)
    default_plan = Plan("manual", outcome=SIGNED_OFF.value)
    outcomes = (SIGNED_OFF.value,)
    unspecified_outcome = SIGNED_OFF.value
    starts_on = (CaseStatus.READY_FOR_INTERPRETATION.value,)

    def complete(self, wg: Workgroup, pending: Pending, at: datetime) -> None:
        case = wg.cases.get(pending.target)
        if case is None or case.status is not CaseStatus.READY_FOR_INTERPRETATION:
            return
        if pending.plan.fails(wg.seed, wg.id, SIGN_OFF, case.id, pending.attempt):
            return  # a failed draw: the report waits for a person
        signed_off(wg, case, at, Cause.LIFECYCLE, default_approver(wg, case))

    def without_step(self, wg: Workgroup, target: str, now: datetime) -> Pending:
        raise Conflict(f"Case {target} has no pending sign-off.")
