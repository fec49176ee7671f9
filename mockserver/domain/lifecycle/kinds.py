"""What one kind of asynchronous step does: its events, its due and read-time actions, its plans.

The engine knows no kind by name: it schedules the events a kind's ``timeline`` gives, and
calls the kind back when one comes due, when its target is read and when the step completes.
A new kind is a subclass in its own module, listed once in ``domain.step_kinds``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from ..errors import Conflict
from .plans import Pending, Plan

if TYPE_CHECKING:
    from ..workgroup import Workgroup


class StepKind:
    #: The name steps, plans and exported state know this kind by.
    name: str
    #: The names of its schedule entries, each unique across kinds; the last one completes it.
    events: tuple[str, ...]
    #: The plan its steps follow unless changed.
    default_plan: Plan
    #: The outcomes a plan may name; and the one a plan naming none is given when loaded.
    outcomes: tuple[str, ...]
    unspecified_outcome: str | None = None

    def timeline(self, pending: Pending, due: datetime) -> tuple[tuple[str, datetime], ...]:
        """The schedule entries (event, when) of a step whose plan makes it due at ``due``."""
        return ((self.events[-1], due),)

    def on_event(self, wg: Workgroup, event: str, target: str, at: datetime) -> None:
        """An event before the last came due."""

    def on_read(self, wg: Workgroup, pending: Pending, now: datetime) -> None:
        """The target of a step under a ``polls`` plan was read (``pending.reads`` counts it)."""

    def complete(self, wg: Workgroup, pending: Pending, at: datetime) -> None:
        """The step ends: change its target as the plan says."""
        raise NotImplementedError

    def without_step(self, wg: Workgroup, target: str, now: datetime) -> Pending:
        """Asked to complete a target's step when none is pending: the step to complete
        instead, or Conflict."""
        raise Conflict(f"{target} has no pending {self.name} step.")


def registry(*kinds: StepKind) -> Mapping[str, StepKind]:
    """The kinds by name, refusing two kinds with one name or one event."""
    by_name = {kind.name: kind for kind in kinds}
    events = [event for kind in kinds for event in kind.events]
    if len(by_name) != len(kinds) or len(set(events)) != len(events):
        raise ValueError("step kinds need distinct names and distinct events")
    return by_name


def shipped_plans(kinds: Iterable[StepKind]) -> dict[str, Plan]:
    return {kind.name: kind.default_plan for kind in kinds}
