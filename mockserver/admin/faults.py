"""Fault rules: an ordered list, first match wins; ``times`` counts down, ``probability`` is
drawn from a seeded generator so that a run can be repeated."""

from __future__ import annotations

import random
import threading
from typing import Any


class Faults:
    def __init__(self, seed: int) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(f"{seed}:faults")
        self._rules: list[dict[str, Any]] = []
        self._next_id = 0

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._rules]

    def add(self, rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
        with self._lock:
            added = []
            for rule in rules:
                self._next_id += 1
                stored = {**rule, "id": self._next_id, "matched": 0}
                self._rules.append(stored)
                added.append(dict(stored))
            return added

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r["id"] != rule_id]
            return len(self._rules) != before

    def forget_workgroup(self, workgroup_id: str) -> None:
        """Drop the rules scoped to a workgroup that no longer exists."""
        with self._lock:
            self._rules = [r for r in self._rules if r.get("workgroup") != workgroup_id]

    def match(self, operation: str | None, workgroup: str | None) -> dict[str, Any] | None:
        """The first rule for this request that fires now; it counts down and may expire."""
        with self._lock:
            for rule in self._rules:
                if rule["operation"] not in ("*", operation):
                    continue
                if rule.get("workgroup") not in (None, workgroup):
                    continue
                if rule["probability"] < 1.0 and self._rng.random() >= rule["probability"]:
                    continue
                rule["matched"] += 1
                if rule["times"] is not None:
                    rule["times"] -= 1
                    if rule["times"] == 0:
                        self._rules.remove(rule)
                return dict(rule)
            return None
