"""What a person watching the mock sees at a glance: each workgroup's cases per status, its
latest uploads, and a token that changes whenever the workgroup does.

These reads settle what is due first, like every operation, but never count as a vendor read:
a polls plan does not see them, so watching a case does not move it on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .models import Case, Upload
from .operations import case_or_404
from .query import COLUMNS, status_counts
from .workgroup import Workgroup


@dataclass(frozen=True, slots=True)
class CaseCounts:
    #: Cases per status (API value), every status, zero included.
    by_status: dict[str, int]
    #: Equal tokens: nothing in the workgroup changed in between (cases, events, uploads, ids).
    changes: str


def case_counts(wg: Workgroup, now: datetime) -> CaseCounts:
    # The seeded cases' status index is built once, away from the lock (seconds at a million).
    wg.cases.base_columns(COLUMNS).positions_by_value("status")
    with wg.observing(now):
        token = f"{wg.cases.version}.{wg.events.appended}.{len(wg.uploads)}.{wg.minted}"
        return CaseCounts(status_counts(wg.cases), token)


def latest_uploads(wg: Workgroup, now: datetime, limit: int) -> list[Upload]:
    """The ``limit`` newest uploads, newest first."""
    with wg.observing(now):
        return wg.newest_uploads(limit)


def watched_case(wg: Workgroup, case_id: str, now: datetime) -> Case:
    with wg.observing(now):
        return case_or_404(wg, case_id)
