"""A workgroup: an isolated partition of cases, uploads and steps, with its own lock."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from types import MappingProxyType

from .case_table import CaseTable, MergedOverlay, NewCases
from .events import STATUS_EVENTS, Event, EventLog, MergedIndex
from .ids import stable_uuid
from .ingestion.prepared import PreparedJob
from .lifecycle.engine import Steps
from .lifecycle.kinds import StepKinds
from .lifecycle.plans import DefaultPlans
from .models import Case, Disease, TestDefinition, Transition, Upload
from .pacing import free_for_a_while
from .seeded_cases import SeededCases
from .seeded_history import SeededHistory
from .users import Users

#: Owed events dropped for good under one hold of the lock (a few milliseconds' work).
EVENTS_DROPPED_AT_ONCE = 5000


@dataclass(frozen=True, slots=True)
class Origin:
    """What the workgroup was seeded from: enough to build the same seeded state again."""

    seed: int
    generated_cases: int
    fixture_cases: tuple[Case, ...] = ()
    #: The diseases it was configured with (a fixture folder's); None: the shipped catalogue.
    diseases: tuple[Disease, ...] | None = None


class Workgroup:
    """Its cases (a ``CaseTable``), uploads, steps, case histories and id counter. Everything
    that changes is written through its methods, under its lock; the mappings it shows are
    read-only views."""

    def __init__(
        self,
        id: str,
        name: str,
        *,
        origin: Origin,
        seeded_cases: SeededCases | Iterable[Case] = (),
        test_definitions: Iterable[TestDefinition] = (),
        diseases: Mapping[str, Disease],
        kinds: StepKinds[Workgroup],
        defaults: DefaultPlans | None = None,
        users: Users,
    ) -> None:
        self.id = id
        self.name = name
        self.origin = origin
        self.lock = threading.RLock()
        #: Notified after every operation, so waiters re-check without polling.
        self.changed = threading.Condition(self.lock)
        self.cases = CaseTable(seeded_cases)
        self.users = users
        self.seeded_history = SeededHistory(self.cases.seeded, self.users)
        self.test_definitions = tuple(test_definitions)
        self.diseases = diseases
        #: The kinds of step it runs (its server's registry, ``domain.step_kinds`` as shipped).
        self.kinds = kinds
        self._defaults = defaults or kinds.shipped_defaults()
        #: How many logged events it keeps (None: all); its server's ``--event-log-size``.
        self.max_events: int | None = None
        #: What operations let go of, freed a part at a time after the next ones (``let_go``).
        self._let_go: list[object] = []
        self.reset()

    @property
    def seed(self) -> int:
        return self.origin.seed

    @property
    def defaults(self) -> DefaultPlans:
        """The default plans its new steps follow."""
        return self._defaults

    def follow(self, defaults: DefaultPlans) -> None:
        """Follow these default plans from now on (a server's, shared by its workgroups)."""
        self._defaults = defaults

    def reset(self) -> None:
        """Back to the seeded state: cases as seeded, no uploads, no steps, no case plans, no
        events since seeding."""
        with self.lock:
            self.cases.reset()
            self._uploads: dict[str, Upload] = {}
            #: The asynchronous steps under way (processing, ingestion) and their schedule.
            self.steps = Steps(self, self.kinds)
            #: Every change since seeding, in order (the newest ``max_events`` of them).
            self.events = EventLog(max_events=self.max_events)
            #: Upload jobs worked out ahead of their due time (``ingestion.ahead``).
            self._prepared: dict[str, PreparedJob] = {}
            self._minted = 0
            self.changed.notify_all()

    # -- uploads -------------------------------------------------------------------------
    @property
    def uploads(self) -> Mapping[str, Upload]:
        return MappingProxyType(self._uploads)

    def newest_uploads(self, limit: int) -> list[Upload]:
        """The ``limit`` newest uploads, newest first."""
        return list(islice(reversed(self._uploads.values()), limit))  # kept in the order they were made

    def put_upload(self, upload: Upload) -> None:
        self._uploads[upload.id] = upload

    def prepared_job(self, upload_id: str) -> PreparedJob | None:
        return self._prepared.get(upload_id)

    def keep_prepared_job(self, upload_id: str, job: PreparedJob | None) -> None:
        """Keep what was worked out ahead for an upload (None: forget it)."""
        if job is None:
            self._prepared.pop(upload_id, None)
        else:
            self._prepared[upload_id] = job

    # -- events and case histories --------------------------------------------------------
    def keep_events(self, max_events: int | None) -> None:
        """Keep the newest ``max_events`` logged events from now on (None: all)."""
        with self.lock:
            self.max_events = max_events
            self.events.keep(max_events)

    def let_go(self, value: object) -> None:
        """Free ``value``, large and no longer needed, a part at a time after this operation
        and the next ones, each time once the lock is released (``pacing.free_for_a_while``)."""
        self._let_go.append(value)

    def record(self, event: Event) -> None:
        self.events.append(event)

    def history_of(self, case_id: str) -> list[Transition]:
        """The case's status changes since seeding."""
        return [e.transition() for e in self.events.of_entity(case_id) if e.name in STATUS_EVENTS]

    def add_new_cases(self, cases: NewCases, events: Sequence[Event],
                      merged: tuple[MergedOverlay, MergedIndex] | None = None) -> None:
        """Cases new to the workgroup and their events; with the overlay and the event index
        merged ahead (away from the lock) when given and the cases did not change since."""
        if merged is not None and self.cases.swap_in(merged[0]):
            self.events.add_new(events, merged[1])
        else:
            self.cases.add_new(cases)
            self.events.add_new(events)

    # -- ids -----------------------------------------------------------------------------
    @property
    def minted(self) -> int:
        """How many ids and serials were drawn since the seeded state."""
        return self._minted

    def next_serial(self) -> int:
        self._minted += 1
        return self._minted

    def new_id(self, kind: str) -> str:
        """A fresh UUID, the same for the same seed and the same sequence of requests."""
        return stable_uuid(self.seed, self.id, kind, self.next_serial())

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Under the lock; a request that fails leaves the id counter where it was."""
        with self.lock:
            minted = self._minted
            try:
                yield
            except BaseException:
                self._minted = minted
                raise

    # -- the state file ------------------------------------------------------------------
    def restore_progress(self, uploads: Iterable[Upload], minted: int, events: Iterable[Event]) -> None:
        """Uploads, the id counter and the events as exported from another server."""
        with self.lock:
            self._uploads = {u.id: u for u in uploads}
            self._minted = minted
            self.events = EventLog(events, self.max_events)

    @contextmanager
    def observing(self, now: datetime) -> Iterator[None]:
        """Run an operation under the lock: what is due settles first, and waiters wake after.
        Each also drops for good a few thousand of the events retention dropped in name only
        (``EventLog.drop_owed``): an upload's 100,000 at once held the lock 80 ms, every other
        request of the workgroup waiting. Then, the lock released, it frees for a moment what
        operations let go of (``let_go``)."""
        with self.lock:
            self.steps.settle(now)
            try:
                yield
            finally:
                self.events.drop_owed(EVENTS_DROPPED_AT_ONCE)
                self.changed.notify_all()
        if self._let_go:  # list operations are atomic: two requests may free parts at once
            free_for_a_while(self._let_go)

    def wake_waiters(self) -> None:
        """Make everyone waiting on this workgroup look again (clock moved, workgroup gone)."""
        with self.lock:
            self.changed.notify_all()

    def test_definition_named(self, name: str) -> TestDefinition | None:
        wanted = name.strip().lower()
        return next((t for t in self.test_definitions if t.name.lower() == wanted), None)
