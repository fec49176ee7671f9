"""Completing steps: at their due time, after enough reads, or on demand; and waiting.

Every operation runs inside ``observing``: under the workgroup's lock it first applies what
is due (in due order, each stamped with its due time), and afterwards wakes anyone waiting
for a change. So each transition happens once, whichever request sees it first.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from . import ingestion, processing
from .clock import Clock
from .errors import Conflict, NotFound, Timeout
from .lifecycle import INGESTION_FINISH, INGESTION_START, unschedule
from .models import Case
from .plans import INGESTION, PROCESSING, Pending
from .statuses import CaseStatus
from .workgroup import Workgroup


@contextmanager
def observing(wg: Workgroup, now: datetime) -> Iterator[None]:
    with wg.lock:
        settle(wg, now)
        try:
            yield
        finally:
            wg.changed.notify_all()


def settle(wg: Workgroup, now: datetime) -> None:
    """Apply every step due at or before ``now``. Call with ``wg.lock`` held."""
    while (step := wg.schedule.pop_due(now)) is not None:
        if step.kind == PROCESSING:
            _finish(wg, PROCESSING, step.target, step.due)
        elif step.kind == INGESTION_START:
            ingestion.start(wg, step.target, step.due)
        elif step.kind == INGESTION_FINISH:
            _finish(wg, INGESTION, step.target, step.due)


def _finish(wg: Workgroup, kind: str, target: str, at: datetime) -> None:
    pending = wg.pending.pop((kind, target), None)
    if pending is None:
        return
    if kind == PROCESSING:
        processing.complete(wg, pending, at)
    else:
        ingestion.start(wg, target, at)  # no-op once IN_PROGRESS: keeps the order of statuses
        ingestion.finish(wg, pending, at)


def on_read(wg: Workgroup, kind: str, target: str, now: datetime) -> None:
    """Count a client's read of a case (GET case) or of an upload's status for ``polls`` plans."""
    pending = wg.pending.get((kind, target))
    if pending is None or pending.plan.mode != "polls":
        return
    pending.reads += 1
    if kind == INGESTION and pending.reads >= 2:
        ingestion.start(wg, target, now)
    if pending.reads > pending.plan.count:
        unschedule(wg, kind, target)
        _finish(wg, kind, target, now)


def complete_now(wg: Workgroup, kind: str, target: str, now: datetime) -> None:
    """Complete the pending step of an existing case or upload at once (the control plane's
    advance); Conflict when there is none."""
    if (kind, target) not in wg.pending:
        if kind == PROCESSING:
            status = wg.cases.get(target).status  # type: ignore[union-attr]  # the caller found it
            if status is not CaseStatus.PROCESSING:
                raise Conflict(f"Case {target} has no pending step: it is {status.value}, not PROCESSING.")
            # A seeded case in PROCESSING has no step yet: it waits as under a manual plan.
            wg.pending[(kind, target)] = Pending(kind, target, wg.plan_for(kind, target), now, 1)
        else:
            status_text = wg.uploads[target].status
            raise Conflict(f"Custom case data file {target} has no pending step: it is {status_text}.")
    unschedule(wg, kind, target)
    _finish(wg, kind, target, now)


def wait_for_status(wg: Workgroup, case_id: str, status: CaseStatus, timeout: float, clock: Clock) -> Case:
    """Block until the case has ``status`` or ``timeout`` seconds pass, without busy waiting:
    sleep until the next due step or until something changes (a request, the clock)."""
    deadline = time.monotonic() + timeout
    with wg.lock:
        while True:
            settle(wg, clock.now())
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
            next_due = wg.schedule.next_due()
            until_due = clock.seconds_until(next_due) if next_due is not None else None
            wg.changed.wait(remaining if until_due is None else max(0.001, min(remaining, until_due)))
