"""What one kind of asynchronous step does: its events, its due and read-time actions, its plans;
and ``StepKinds``, the kinds a server runs, by name.

The engine knows no kind by name: it schedules the events a kind's ``timeline`` gives, and
calls the kind back when one comes due, when its target is read and when the step completes.
A kind is told the owner of its steps (a workgroup) as the type parameter ``OwnerT``, so this
module imports nothing that imports it. A new kind is a subclass in its own module, registered
once in ``domain.step_kinds``; everything else (the control plane's plans, per-case plans, the
state file) is derived from the registry.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Generic, TypeVar

from ..errors import Conflict
from .plans import DefaultPlans, Pending, Plan

OwnerT = TypeVar("OwnerT")


class StepKind(Generic[OwnerT]):
    #: The name steps, plans and exported state know this kind by.
    name: str
    #: The names of its schedule entries, each unique across kinds; the last one completes it.
    events: tuple[str, ...]
    #: The plan its steps follow unless changed.
    default_plan: Plan
    #: The outcomes a plan may name; and the one a plan naming none is given when loaded.
    outcomes: tuple[str, ...]
    unspecified_outcome: str | None = None
    #: The case statuses that start a step of this kind on the case entering them (none: the
    #: kind starts its steps itself, as ingestion does on an upload).
    starts_on: tuple[str, ...] = ()
    #: A case may have its own plan for this kind (``PUT /_mock/cases/{id}/lifecycle``).
    case_plans: bool = False

    def timeline(self, pending: Pending, due: datetime) -> tuple[tuple[str, datetime], ...]:
        """The schedule entries (event, when) of a step whose plan makes it due at ``due``."""
        return ((self.events[-1], due),)

    def on_event(self, owner: OwnerT, event: str, target: str, at: datetime) -> None:
        """An event before the last came due."""

    def on_read(self, owner: OwnerT, pending: Pending, now: datetime) -> None:
        """The target of a step under a ``polls`` plan was read (``pending.reads`` counts it)."""

    def complete(self, owner: OwnerT, pending: Pending, at: datetime) -> None:
        """The step ends: change its target as the plan says."""
        raise NotImplementedError

    def without_step(self, owner: OwnerT, target: str, now: datetime) -> Pending:
        """Asked to complete a target's step when none is pending: the step to complete
        instead, or Conflict."""
        raise Conflict(f"{target} has no pending {self.name} step.")


class StepKinds(Mapping[str, StepKind[OwnerT]]):
    """The kinds a server runs, by name, in the order given: distinct names, distinct events,
    at most one kind started by each case status."""

    def __init__(self, *kinds: StepKind[OwnerT]) -> None:
        self._by_name = {kind.name: kind for kind in kinds}
        events = [event for kind in kinds for event in kind.events]
        statuses = [status for kind in kinds for status in kind.starts_on]
        if len(self._by_name) != len(kinds) or len(set(events)) != len(events):
            raise ValueError("step kinds need distinct names and distinct events")
        if len(set(statuses)) != len(statuses):
            raise ValueError("a case status may start one step kind at most")
        self._started_by = {status: kind.name for kind in kinds for status in kind.starts_on}

    def __getitem__(self, name: str) -> StepKind[OwnerT]:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def __hash__(self) -> int:  # a registry is itself: derived schemas are cached by it
        return id(self)

    def __eq__(self, other: object) -> bool:
        return other is self

    def started_by(self, status: str) -> str | None:
        """The kind a case entering ``status`` starts, if any."""
        return self._started_by.get(status)

    @property
    def case_kinds(self) -> tuple[str, ...]:
        """The kinds whose steps case statuses start (and whose steps a case change stops)."""
        return tuple(name for name, kind in self._by_name.items() if kind.starts_on)

    @property
    def case_planned(self) -> tuple[str, ...]:
        """The kinds a case may have its own plan for."""
        return tuple(name for name, kind in self._by_name.items() if kind.case_plans)

    def shipped_defaults(self) -> DefaultPlans:
        """Default plans as the kinds ship them."""
        return DefaultPlans({name: kind.default_plan for name, kind in self._by_name.items()})
