"""Server settings: defaults, overridden by MOCKSERVER_* variables, overridden by CLI flags."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from . import fidelity

ENV_PREFIX = "MOCKSERVER_"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    seed: int = fidelity.DEFAULT_SEED
    cases: int = fidelity.DEFAULT_CASES
    #: Folder of hand-written fixture cases; None means the shipped ``fixtures/cases``.
    fixtures: Path | None = None
    #: Empty: any well-formed key is accepted. Otherwise ``KEY`` (every workgroup) or
    #: ``KEY=WORKGROUP[,WORKGROUP...]`` (only those).
    api_keys: tuple[str, ...] = field(default=())
    #: waitress worker threads; a delayed request (simulated latency) holds one while it waits.
    threads: int = 32
    access_log: bool = True
    journal_size: int = 1000
    #: When set, every /_mock/ call but health needs ``Authorization: Bearer <token>``.
    admin_token: str | None = None

    def key_workgroups(self) -> dict[str, frozenset[str] | None]:
        """Allowed keys, each with the workgroups it may use (None: all of them)."""
        allowed: dict[str, frozenset[str] | None] = {}
        for entry in self.api_keys:
            key, _, groups = entry.partition("=")
            allowed[key] = frozenset(g for g in groups.split(",") if g) if groups else None
        return allowed

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(f.name, raw)
        return cls(**values)

    def with_overrides(self, **overrides: object) -> Settings:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _convert(name: str, raw: str) -> object:
    if name in ("port", "seed", "cases", "threads", "journal_size"):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{ENV_PREFIX}{name.upper()} must be a whole number, not {raw!r}") from None
    if name == "fixtures":
        return Path(raw)
    if name == "api_keys":
        return tuple(raw.replace(";", " ").split())
    if name == "access_log":
        return raw.strip().lower() not in ("0", "false", "no", "off")
    return raw
