"""Lifecycle plans: how and when an asynchronous step (processing, ingestion) completes.

A plan's mode says when: ``immediate`` (the next request sees it done), ``time`` (after
``seconds`` on the mock's clock), ``polls`` (after the case, or the upload status, has been
read ``count`` times: the next read sees it done) or ``manual`` (only when told). Its outcome
says how it ends; ``failureRate`` makes a seeded share of steps fail instead.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from .. import fidelity
from .statuses import CaseStatus

PROCESSING = "processing"
INGESTION = "ingestion"
MODES = ("immediate", "time", "polls", "manual")
PROCESSING_OUTCOMES = (CaseStatus.READY_FOR_INTERPRETATION.value, CaseStatus.HAS_ISSUE.value)
PROCESSING_FAILURE = CaseStatus.HAS_ISSUE.value
INGESTION_OUTCOMES = (
    fidelity.UPLOAD_STATUS_COMPLETED,
    fidelity.UPLOAD_STATUS_PARTIALLY_COMPLETED,
    fidelity.UPLOAD_STATUS_FAILED,
)
INGESTION_FAILURE = fidelity.UPLOAD_STATUS_FAILED


@dataclass(frozen=True, slots=True)
class Plan:
    mode: str
    seconds: float = 0.0
    count: int = 0
    #: Processing: the status it ends in. Ingestion: the terminal status to report, or None
    #: for the one the rows give (COMPLETED, PARTIALLY_COMPLETED or FAILED).
    outcome: str | None = None
    failure_rate: float = 0.0

    def due(self, started: datetime) -> datetime | None:
        """When a step started at ``started`` completes by time alone (None: not by time)."""
        if self.mode == "immediate":
            return started
        if self.mode == "time":
            return started + timedelta(seconds=self.seconds)
        return None

    def fails(self, seed: int, workgroup_id: str, kind: str, target: str, attempt: int) -> bool:
        """A seeded draw, the same for the same step whatever order requests come in."""
        if self.failure_rate <= 0:
            return False
        draw = random.Random(f"{seed}:{workgroup_id}:{kind}:{target}:{attempt}").random()
        return draw < self.failure_rate


DEFAULT_PROCESSING = Plan(
    "time", seconds=fidelity.PROCESSING_SECONDS, outcome=fidelity.PROCESSING_OUTCOME
)
DEFAULT_INGESTION = Plan(
    "time", seconds=fidelity.UPLOAD_QUEUED_SECONDS + fidelity.UPLOAD_IN_PROGRESS_SECONDS
)


@dataclass(slots=True)
class Pending:
    """A step that has started and not yet completed."""

    kind: str
    target: str
    plan: Plan
    started: datetime
    attempt: int
    reads: int = 0


class DefaultPlans:
    """The plans new steps follow unless a case has its own; shared by every workgroup."""

    def __init__(self, processing: Plan = DEFAULT_PROCESSING, ingestion: Plan = DEFAULT_INGESTION) -> None:
        self.processing = processing
        self.ingestion = ingestion

    def for_kind(self, kind: str) -> Plan:
        return self.processing if kind == PROCESSING else self.ingestion
