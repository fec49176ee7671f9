"""Simulated latency: a delay per operation (or a default), drawn from a seeded generator."""

from __future__ import annotations

import math
import random
import threading
from typing import Any

#: The longest simulated delay, whatever its source (setting or X-Mock-Delay-Ms), in ms.
MAX_DELAY_MS = 600_000


class Latency:
    def __init__(self, seed: int) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(f"{seed}:latency")
        self.setting: dict[str, Any] = {"default": None, "operations": {}}

    def replace(self, setting: dict[str, Any]) -> None:
        with self._lock:
            self.setting = setting

    def draw_ms(self, operation: str | None) -> float:
        delay = self._delay(operation)
        if not delay:
            return 0.0
        with self._lock:
            return sample_ms(delay, self._rng)

    def applies(self, operation: str | None) -> bool:
        """Whether ``draw_ms`` would draw a delay for the operation (without drawing one)."""
        return bool(self._delay(operation))

    def _delay(self, operation: str | None) -> dict[str, Any] | None:
        setting = self.setting  # replaced whole: one read sees one setting
        return (setting["operations"].get(operation) if operation else None) or setting["default"]


def sample_ms(delay: dict[str, Any], rng: random.Random) -> float:
    if "fixedMs" in delay:
        return float(delay["fixedMs"])
    if "uniform" in delay:
        return rng.uniform(delay["uniform"]["minMs"], delay["uniform"]["maxMs"])
    spec = delay["lognormal"]
    # exp() of a large draw overflows; every delay is capped at the documented maximum anyway.
    exponent = min(rng.gauss(0.0, spec["sigma"]), math.log(MAX_DELAY_MS + 1) + 1)
    value = spec["medianMs"] * math.exp(exponent)
    return min(value, spec["maxMs"] if spec.get("maxMs") is not None else MAX_DELAY_MS, MAX_DELAY_MS)
