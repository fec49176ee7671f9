"""A case's draft report, as its history made it: created when the case was first processed
(``case.report.added``), signed off and reopened by its status changes. Nothing is stored
beside the case and its events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .. import fidelity
from .errors import Conflict
from .events import Event, EventQuery
from .models import Case
from .operations import case_or_404
from .statuses import REPORT_STATUSES, UI_LABELS, CaseStatus
from .workgroup import Workgroup


@dataclass(frozen=True, slots=True)
class SignOff:
    at: datetime
    approver: str | None
    version: int


@dataclass(frozen=True, slots=True)
class DraftReport:
    case: Case
    created: datetime
    created_by: str | None
    sign_offs: tuple[SignOff, ...]
    #: Signed off once and sent back to READY_FOR_INTERPRETATION since.
    reopened: bool

    @property
    def final(self) -> bool:
        return self.case.status is CaseStatus.REPORTS_SIGNED_OFF

    @property
    def updated(self) -> datetime:
        return max(self.case.updated_date, self.created)

    @property
    def updated_by(self) -> str | None:
        return self.sign_offs[-1].approver if self.sign_offs else self.created_by


def case_events(wg: Workgroup, case: Case) -> list[Event]:
    """Everything that happened to a case, oldest first: its seeded history, then the log's."""
    seeded = wg.cases.seeded_case(case.id)
    found = list(wg.seeded_history.matching(EventQuery(case_id=case.id), seeded)) if seeded is not None else []
    return found + [e for e in wg.events.of_entity(case.id) if e.case_id == case.id]


def draft_report(wg: Workgroup, case_id: str, now: datetime) -> DraftReport:
    """The case's report; Conflict when the case has none yet (or no longer)."""
    with wg.observing(now):
        case = case_or_404(wg, case_id)
        if case.status not in REPORT_STATUSES:
            allowed = " or ".join(s.value for s in sorted(REPORT_STATUSES))
            raise Conflict(
                f"Case {case_id} has no report yet: it is {case.status.value} ({UI_LABELS[case.status]}); a draft "
                f"report exists once the case is processed ({allowed}).",
                [{"field": "status", "message": f"{case.status.value} has no report"}])
        return report_of(case, case_events(wg, case))


def report_of(case: Case, events: list[Event]) -> DraftReport:
    """The report a case's events made: the last one created, its sign-offs and reopenings."""
    added = [i for i, e in enumerate(events) if e.name == fidelity.EVENT_CASE_REPORT_ADDED]
    start = added[-1] if added else 0
    created = events[start] if added else None
    sign_offs: list[SignOff] = []
    reopened = False
    for event in events[start:]:
        if event.name != fidelity.EVENT_CASE_STATUS_UPDATED:
            continue
        if event.new == CaseStatus.REPORTS_SIGNED_OFF.value and event.old != event.new:
            sign_offs.append(SignOff(event.at, event.user, len(sign_offs) + 1))
        elif event.old == CaseStatus.REPORTS_SIGNED_OFF.value:
            reopened = True
    return DraftReport(case, created.at if created else case.updated_date, created.user if created else None,
                       tuple(sign_offs), reopened)
