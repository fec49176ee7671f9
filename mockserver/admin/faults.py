"""Fault rules: an ordered list, first match wins; ``times`` counts down, ``probability`` is
drawn from a seeded generator so that a run can be repeated."""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError


class Faults:
    def __init__(self, seed: int, not_carried_out: Mapping[str, str] | None = None) -> None:
        #: Kinds the server cannot carry out, each with the reason a rule of that kind is refused.
        self.not_carried_out = dict(not_carried_out or {})
        self._lock = threading.Lock()
        self._rng = random.Random(f"{seed}:faults")
        self._rules: list[dict[str, Any]] = []
        self._next_id = 0

    def __bool__(self) -> bool:
        """Whether any rule is set (one that matches no request counts)."""
        return bool(self._rules)

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._rules]

    def check(self, rules: list[dict[str, Any]], listed: bool = True) -> None:
        """A ValidationError naming the first rule whose kind the server cannot carry out: such a
        rule is refused, never answered some other way."""
        for index, rule in enumerate(rules):
            reason = self.not_carried_out.get(rule["kind"])
            if reason is not None:
                raise ValidationError({index: {"kind": [reason]}} if listed else {"kind": [reason]})

    def add(self, rules: list[dict[str, Any]], listed: bool = True) -> list[dict[str, Any]]:
        """Append the rules, or none of them (``check``)."""
        self.check(rules, listed)
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
        if not self._rules:  # no lock when there is nothing to match (most servers, most of the time)
            return None
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
