"""The kinds of asynchronous step the engine runs. A new kind: a ``StepKind`` in its own module,
and one entry here."""

from __future__ import annotations

from .ingestion import IngestionSteps
from .lifecycle.kinds import registry, shipped_plans
from .lifecycle.plans import DefaultPlans
from .processing import ProcessingSteps
from .signoff import SignOffSteps

STEP_KINDS = registry(ProcessingSteps(), IngestionSteps(), SignOffSteps())


def shipped_defaults() -> DefaultPlans:
    """The default plans as the kinds ship them."""
    return DefaultPlans(shipped_plans(STEP_KINDS.values()))
