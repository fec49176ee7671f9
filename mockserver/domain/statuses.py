"""The case statuses the vendor shows, their UI labels, and which transitions are allowed.

This table is the single source for status behaviour: a fidelity correction is a one-line
change here.
"""

from __future__ import annotations

from enum import StrEnum

from .. import fidelity


class CaseStatus(StrEnum):
    """API value of a case status (upper-snake form of the seven UI statuses)."""

    AWAITING_MOLECULAR_DATA = "AWAITING_MOLECULAR_DATA"
    MISSING_REQUIRED_DATA = "MISSING_REQUIRED_DATA"
    READY_FOR_PROCESSING = "READY_FOR_PROCESSING"
    PROCESSING = "PROCESSING"
    HAS_ISSUE = "HAS_ISSUE"
    READY_FOR_INTERPRETATION = "READY_FOR_INTERPRETATION"
    REPORTS_SIGNED_OFF = "REPORTS_SIGNED_OFF"


S = CaseStatus

UI_LABELS: dict[CaseStatus, str] = {
    S.AWAITING_MOLECULAR_DATA: "Awaiting Molecular Data",
    S.MISSING_REQUIRED_DATA: "Missing Required Data",
    S.READY_FOR_PROCESSING: "Ready for Processing",
    S.PROCESSING: "Processing",
    S.HAS_ISSUE: "Has Issue",
    S.READY_FOR_INTERPRETATION: "Ready for Interpretation",
    S.REPORTS_SIGNED_OFF: "Report(s) Signed Off",
}

#: Transitions the service itself makes (the control plane may jump anywhere).
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.AWAITING_MOLECULAR_DATA: frozenset({S.MISSING_REQUIRED_DATA, S.READY_FOR_PROCESSING}),
    S.MISSING_REQUIRED_DATA: frozenset({S.READY_FOR_PROCESSING, S.PROCESSING}),
    S.READY_FOR_PROCESSING: frozenset({S.PROCESSING}),
    S.PROCESSING: frozenset({S.READY_FOR_INTERPRETATION, S.HAS_ISSUE}),
    S.HAS_ISSUE: frozenset({S.PROCESSING}),
    S.READY_FOR_INTERPRETATION: frozenset({S.PROCESSING, S.REPORTS_SIGNED_OFF}),
    S.REPORTS_SIGNED_OFF: frozenset({S.READY_FOR_INTERPRETATION}),
}

#: What setting a disease (PUT diseases, or Tumor_Type in a metadata CSV) does from each
#: status: the status the case moves to, or None when the change is refused. A case still
#: awaiting molecular data records the disease and keeps waiting (there is nothing to process);
#: a case in PROCESSING starts processing again; signed-off reports must be reopened first.
ON_DISEASE_SET: dict[CaseStatus, CaseStatus | None] = {
    S.AWAITING_MOLECULAR_DATA: S.AWAITING_MOLECULAR_DATA,
    S.MISSING_REQUIRED_DATA: S.PROCESSING,
    S.READY_FOR_PROCESSING: S.PROCESSING,
    S.PROCESSING: S.PROCESSING,
    S.HAS_ISSUE: S.PROCESSING,
    S.READY_FOR_INTERPRETATION: S.PROCESSING,
    S.REPORTS_SIGNED_OFF: None,
}

#: The statuses in which a case has a draft report.
REPORT_STATUSES: frozenset[CaseStatus] = frozenset(CaseStatus(s) for s in fidelity.REPORT_STATUSES)

#: Seeded status mix (weights), roughly what a working lab's case list looks like.
SEED_WEIGHTS: dict[CaseStatus, int] = {
    S.AWAITING_MOLECULAR_DATA: 6,
    S.MISSING_REQUIRED_DATA: 8,
    S.READY_FOR_PROCESSING: 4,
    S.PROCESSING: 4,
    S.HAS_ISSUE: 5,
    S.READY_FOR_INTERPRETATION: 45,
    S.REPORTS_SIGNED_OFF: 28,
}

_BY_NAME = {s.value.lower(): s for s in CaseStatus} | {
    label.lower(): s for s, label in UI_LABELS.items()
}


def parse_status(text: str) -> CaseStatus | None:
    """The status named by an API value or, leniently, a UI label (any case); else None."""
    return _BY_NAME.get(text.strip().lower())


def status_after_disease_set(current: CaseStatus) -> CaseStatus | None:
    return ON_DISEASE_SET[current]
