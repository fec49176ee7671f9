"""Apply every step that is due, in due-time order, stamping each with its due time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from . import ingestion, processing
from .workgroup import Workgroup

_HANDLERS: dict[str, Callable[[Workgroup, str, datetime], None]] = {
    processing.KIND: processing.complete,
    ingestion.START: ingestion.start,
    ingestion.FINISH: ingestion.finish,
}


def settle(wg: Workgroup, now: datetime) -> None:
    """Call with ``wg.lock`` held."""
    while (step := wg.schedule.pop_due(now)) is not None:
        _HANDLERS[step.kind](wg, step.target, step.due)
