"""A workgroup: an isolated partition of cases, uploads and due steps, with its own lock."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterable, Mapping

from .case_table import CaseTable
from .models import Case, Disease, TestDefinition, Upload
from .schedule import Schedule


class Workgroup:
    def __init__(
        self,
        id: str,
        name: str,
        *,
        seed: int,
        seeded_cases: Iterable[Case] = (),
        test_definitions: Iterable[TestDefinition] = (),
        diseases: Mapping[str, Disease],
    ) -> None:
        self.id = id
        self.name = name
        self.seed = seed
        self.lock = threading.RLock()
        self.cases = CaseTable(seeded_cases)
        self.test_definitions = tuple(test_definitions)
        self.diseases = diseases
        self.reset()

    def reset(self) -> None:
        """Back to the seeded state: cases as seeded, no uploads, nothing pending."""
        with self.lock:
            self.cases.reset()
            self.uploads: dict[str, Upload] = {}
            self.schedule = Schedule()
            self._minted = 0

    def new_id(self, kind: str) -> str:
        """A fresh UUID, the same for the same seed and the same sequence of requests."""
        self._minted += 1
        digest = hashlib.sha256(f"{self.seed}:{self.id}:{kind}:{self._minted}".encode()).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def test_definition_named(self, name: str) -> TestDefinition | None:
        wanted = name.strip().lower()
        return next((t for t in self.test_definitions if t.name.lower() == wanted), None)
