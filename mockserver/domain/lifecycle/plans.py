"""Lifecycle plans: how and when an asynchronous step (processing, ingestion) completes.

A plan's mode says when: ``immediate`` (the next request sees it done), ``time`` (after
``seconds`` on the mock's clock), ``polls`` (after the case, or the upload status, has been
read ``count`` times: the next read sees it done) or ``manual`` (only when told). Its outcome
says how it ends; ``failureRate`` makes a seeded share of steps fail instead.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

MODES = ("immediate", "time", "polls", "manual")


@dataclass(frozen=True, slots=True)
class Plan:
    mode: str
    seconds: float = 0.0
    count: int = 0
    #: The outcome its kind of step ends in, or None for the kind's own (for ingestion: the
    #: one the rows give).
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
    """The plans new steps follow, by kind, unless their target has its own; one set shared by
    every workgroup of a server."""

    def __init__(self, shipped: Mapping[str, Plan]) -> None:
        self._shipped = dict(shipped)
        self._plans = dict(shipped)

    def for_kind(self, kind: str) -> Plan:
        return self._plans[kind]

    def set(self, kind: str, plan: Plan) -> None:
        if kind not in self._shipped:
            raise KeyError(kind)
        self._plans[kind] = plan

    def reset(self) -> None:
        """Back to the plans the kinds ship with."""
        self._plans = dict(self._shipped)
