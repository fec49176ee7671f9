"""The control plane's own state: latency, faults, overrides and the request journal."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..serving.connection_faults import NOT_CARRIED_OUT
from .client_report import ClientRuleSettings
from .faults import Faults
from .holding import HoldingSlots
from .journal import Journal
from .latency import Latency
from .overrides import Overrides

EXTENSION = "mockserver.control"


class ControlPlane:
    def __init__(self, seed: int, journal_size: int, admin_token: str | None, threads: int,
                 client_rules: ClientRuleSettings | None = None, server: str = "waitress") -> None:
        self.seed = seed
        self.not_carried_out = NOT_CARRIED_OUT.get(server, {})
        self.start_client_rules = client_rules or ClientRuleSettings()
        #: Replaced whole (a frozen value), so a report being judged sees one setting.
        self.client_rules = self.start_client_rules
        self.holding = HoldingSlots(threads)
        self.latency = Latency(seed)
        self.faults = Faults(seed, self.not_carried_out)
        self.overrides = Overrides()
        #: Overrides the server starts with (settings, fixture folders): a reset puts them back.
        self.start_overrides: list[dict[str, Any]] = []
        self.journal = Journal(journal_size)
        self.admin_token = admin_token

    def reset(self) -> None:
        """No latency, no fault rules (their ids and draws start again), the start-up overrides
        only, an empty journal, the client rules as the server started."""
        self.client_rules = self.start_client_rules
        self.latency = Latency(self.seed)
        self.faults = Faults(self.seed, self.not_carried_out)
        self.overrides = Overrides()
        self.overrides.add(self.start_overrides)
        self.journal.clear()

    def reset_overrides(self, workgroup: str | None = None) -> None:
        """Every override (or one workgroup's) gone, the start-up ones back."""
        self.overrides.clear(workgroup)
        self.overrides.add([o for o in self.start_overrides if workgroup is None or o["workgroup"] == workgroup])


def install(app: Flask, plane: ControlPlane) -> None:
    app.extensions[EXTENSION] = plane
