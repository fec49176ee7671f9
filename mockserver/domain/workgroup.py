"""A workgroup: an isolated partition of cases, uploads and steps, with its own lock."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from .case_table import CaseTable
from .lifecycle.engine import Steps
from .lifecycle.plans import DefaultPlans
from .models import Case, Disease, TestDefinition, Transition, Upload
from .statuses import CaseStatus
from .step_kinds import STEP_KINDS, shipped_defaults


@dataclass(frozen=True, slots=True)
class Origin:
    """What the workgroup was seeded from: enough to build the same seeded state again."""

    seed: int
    generated_cases: int
    fixture_cases: tuple[Case, ...] = ()


class Workgroup:
    def __init__(
        self,
        id: str,
        name: str,
        *,
        origin: Origin,
        seeded_cases: Iterable[Case] = (),
        test_definitions: Iterable[TestDefinition] = (),
        diseases: Mapping[str, Disease],
        defaults: DefaultPlans | None = None,
    ) -> None:
        self.id = id
        self.name = name
        self.origin = origin
        self.lock = threading.RLock()
        #: Notified after every operation, so waiters re-check without polling.
        self.changed = threading.Condition(self.lock)
        self.cases = CaseTable(seeded_cases)
        self.test_definitions = tuple(test_definitions)
        self.diseases = diseases
        self.defaults = defaults or shipped_defaults()
        self.reset()

    @property
    def seed(self) -> int:
        return self.origin.seed

    def reset(self) -> None:
        """Back to the seeded state: cases as seeded, no uploads, no steps, no case plans."""
        with self.lock:
            self.cases.reset()
            self.uploads: dict[str, Upload] = {}
            #: The asynchronous steps under way (processing, ingestion) and their schedule.
            self.steps = Steps(self, STEP_KINDS)
            self.history: dict[str, list[Transition]] = {}
            #: Upload jobs worked out ahead of their due time (``ingestion.prepare_ahead``).
            self.prepared: dict[str, object] = {}
            self.minted = 0
            self.changed.notify_all()

    @contextmanager
    def observing(self, now: datetime) -> Iterator[None]:
        """Run an operation under the lock: what is due settles first, and waiters wake after."""
        with self.lock:
            self.steps.settle(now)
            try:
                yield
            finally:
                self.changed.notify_all()

    def wake_waiters(self) -> None:
        """Make everyone waiting on this workgroup look again (clock moved, workgroup gone)."""
        with self.lock:
            self.changed.notify_all()

    def new_id(self, kind: str) -> str:
        """A fresh UUID, the same for the same seed and the same sequence of requests."""
        self.minted += 1
        digest = hashlib.sha256(f"{self.seed}:{self.id}:{kind}:{self.minted}".encode()).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def record_transition(
        self, case_id: str, old: CaseStatus | None, new: CaseStatus, at: datetime, cause: str
    ) -> None:
        """Remember a status change (kept for cases changed since seeding; reset forgets)."""
        self.history.setdefault(case_id, []).append(Transition(at, old, new, cause))

    def test_definition_named(self, name: str) -> TestDefinition | None:
        wanted = name.strip().lower()
        return next((t for t in self.test_definitions if t.name.lower() == wanted), None)
