"""The kinds of asynchronous step a server runs as shipped. A new kind: a ``StepKind`` in its
own module, and one entry here; the control plane, per-case plans and the state file derive
theirs from this registry (or from the one a server is given: ``create_app(step_kinds=...)``)."""

from __future__ import annotations

from .ingestion.steps import IngestionSteps
from .lifecycle.kinds import StepKinds
from .processing import ProcessingSteps
from .signoff import SignOffSteps
from .workgroup import Workgroup

SHIPPED_KINDS: StepKinds[Workgroup] = StepKinds(ProcessingSteps(), IngestionSteps(), SignOffSteps())
