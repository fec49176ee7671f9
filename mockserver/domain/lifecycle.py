"""Starting, re-planning and cancelling asynchronous steps (completion is in ``steps``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from .plans import PROCESSING, Pending
from .workgroup import Workgroup

INGESTION_START = "ingestion.start"
INGESTION_FINISH = "ingestion.finish"


def start(wg: Workgroup, kind: str, target: str, at: datetime) -> Pending:
    """Start (or restart) a step under the plan in force for it now."""
    attempt = wg.attempts.get((kind, target), 0) + 1
    wg.attempts[(kind, target)] = attempt
    pending = Pending(kind, target, wg.plan_for(kind, target), at, attempt)
    wg.pending[(kind, target)] = pending
    _schedule(wg, pending)
    return pending


def restore(wg: Workgroup, pending: Pending) -> None:
    """Put back a step exported from another server, due when it was due there."""
    wg.pending[(pending.kind, pending.target)] = pending
    _schedule(wg, pending)


def replan(wg: Workgroup, kind: str, target: str) -> None:
    """Apply the plan now in force to a step already under way, from its start time."""
    pending = wg.pending.get((kind, target))
    if pending is not None:
        pending.plan = wg.plan_for(kind, target)
        _schedule(wg, pending)


def cancel(wg: Workgroup, kind: str, target: str) -> None:
    wg.pending.pop((kind, target), None)
    unschedule(wg, kind, target)


def unschedule(wg: Workgroup, kind: str, target: str) -> None:
    """Remove the schedule entries of a step (it stays pending)."""
    for step_kind in (PROCESSING,) if kind == PROCESSING else (INGESTION_START, INGESTION_FINISH):
        wg.schedule.cancel(step_kind, target)


def _schedule(wg: Workgroup, pending: Pending) -> None:
    unschedule(wg, pending.kind, pending.target)
    due = pending.plan.due(pending.started)
    if due is None:
        return
    if pending.kind == PROCESSING:
        wg.schedule.add(PROCESSING, pending.target, due)
        return
    # Ingestion spends the first half of its time QUEUED and the second IN_PROGRESS.
    midway = pending.started + timedelta(seconds=pending.plan.seconds / 2)
    wg.schedule.add(INGESTION_START, pending.target, min(midway, due))
    wg.schedule.add(INGESTION_FINISH, pending.target, due)
