"""The control plane's own state: latency, faults and the request journal."""

from __future__ import annotations

from flask import Flask

from .client_report import ClientRuleSettings
from .faults import Faults
from .holding import HoldingSlots
from .journal import Journal
from .latency import Latency

EXTENSION = "mockserver.control"


class ControlPlane:
    def __init__(self, seed: int, journal_size: int, admin_token: str | None, threads: int,
                 client_rules: ClientRuleSettings | None = None) -> None:
        self.seed = seed
        self.start_client_rules = client_rules or ClientRuleSettings()
        #: Replaced whole (a frozen value), so a report being judged sees one setting.
        self.client_rules = self.start_client_rules
        self.holding = HoldingSlots(threads)
        self.latency = Latency(seed)
        self.faults = Faults(seed)
        self.journal = Journal(journal_size)
        self.admin_token = admin_token

    def reset(self) -> None:
        """No latency, no fault rules (their ids and draws start again), an empty journal, the
        client rules as the server started."""
        self.client_rules = self.start_client_rules
        self.latency = Latency(self.seed)
        self.faults = Faults(self.seed)
        self.journal.clear()


def install(app: Flask, plane: ControlPlane) -> None:
    app.extensions[EXTENSION] = plane
