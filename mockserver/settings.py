"""Server settings: defaults < config file (``--config``) < MOCKSERVER_* variables < CLI flags.

Run-time settings of the control plane (clock, lifecycle plans, latency, faults, extra
workgroups) can be given at start in the same JSON shapes as their endpoints take.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from . import fidelity

ENV_PREFIX = "MOCKSERVER_"
INT_FIELDS = ("port", "seed", "cases", "threads", "journal_size", "connection_limit", "channel_timeout", "header_timeout",
              "event_log_size")
FLOAT_FIELDS = ("state_save_seconds", "client_poll_interval")
JSON_FIELDS = ("clock", "lifecycle", "latency", "faults", "overrides", "workgroups")
PATH_FIELDS = ("fixtures", "state_file", "url_file")
#: The servers ``serve --server`` runs, each with the worker threads it gets by default. waitress
#: gets many, for the delays and waits it may hold at once (24): only a quarter of them run at
#: rest, the others are lent to held requests (``serving.lending``).
#: granian holds idle and waiting connections in Rust, and each Python thread it adds contends
#: for the GIL: at 16 connections (access log and journal on) 2 threads served GET case at 5,360
#: req/s and a search page at 2,490, 4 threads 0.9x and 0.6x that, 8 threads 0.64x and 0.72x
#: (bench/bench_servers.py, interleaved rounds; a semaphore letting 2 of 8 run did not win it
#: back). So 2, of which a delay or a wait may hold 1; --threads raises both.
DEFAULT_THREADS = {"waitress": 32, "granian": 2}
SERVERS = tuple(DEFAULT_THREADS)


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
    #: The HTTP server (SERVERS): waitress carries out every behaviour; granian is the fast mode.
    server: str = "waitress"
    #: Worker threads running the app; a delayed request (simulated latency) holds one while it
    #: waits. None: the server's own default (DEFAULT_THREADS).
    threads: int | None = None
    #: Open connections at once; past it, new ones wait in the listen queue until one closes.
    #: Idle and slow connections are closed (below), so a shared CI backend is never locked
    #: out by forgotten keep-alive pools: waitress's own defaults (100 connections, idle ones
    #: kept 120 s, no bound on reading headers) let about 100 idle sockets stop every client.
    connection_limit: int = 1000
    #: Seconds a connection may sit idle (no request in progress) before it is closed.
    channel_timeout: int = 15
    #: Seconds a request's headers may take to arrive in full, from their first byte: a client
    #: that trickles them is cut off.
    header_timeout: int = 10
    access_log: bool = True
    journal_size: int = 1000
    #: Seconds a client should leave between reads of a case or an upload status it waits on;
    #: the client report's ``poll-too-fast`` rule counts reads sooner than that.
    client_poll_interval: float = 1.0
    #: Logged events (the audit log since seeding) each workgroup keeps; past it the oldest are
    #: dropped, as an audit log's retention drops its oldest entries.
    event_log_size: int = 100_000
    #: When set, every /_mock/ call but health needs ``Authorization: Bearer <token>``.
    admin_token: str | None = None
    clock: dict[str, Any] | None = None
    lifecycle: dict[str, Any] | None = None
    latency: dict[str, Any] | None = None
    faults: list[Any] | None = None
    overrides: list[Any] | None = None
    #: Extra workgroups at start: ``[{"id"?, "name"?, "cases"?, "seed"?}, ...]``.
    workgroups: list[Any] | None = None
    #: Load the state from this file at start, save it there periodically and on shutdown.
    state_file: Path | None = None
    state_save_seconds: float = 5.0
    #: Write the server's URL here once it listens (``mockserver health`` reads it back).
    url_file: Path | None = None
    #: Check every response against the OpenAPI document; a mismatch is a 500 naming the field.
    validate_responses: bool = False

    def __post_init__(self) -> None:
        # Here rather than only where text is parsed: create_app(server=...) and MockServer(...)
        # give their settings directly.
        _server(self.server, "server")

    @property
    def worker_threads(self) -> int:
        return self.threads if self.threads is not None else DEFAULT_THREADS[self.server]

    def key_workgroups(self) -> dict[str, frozenset[str] | None]:
        """Allowed keys, each with the workgroups it may use (None: all of them)."""
        allowed: dict[str, frozenset[str] | None] = {}
        for entry in self.api_keys:
            key, equals, groups = entry.partition("=")
            named = frozenset(g.strip() for g in groups.split(",") if g.strip())
            if not key:
                raise ValueError(f"api key '{entry}' has no key before '='")
            if equals and not named:
                # Fail closed: an empty list must not read as "every workgroup".
                raise ValueError(f"api key '{entry}' names no workgroup after '='; give '{key}' alone for every "
                                 f"workgroup, or '{key}=WORKGROUP[,WORKGROUP...]'")
            allowed[key] = named if equals else None
        return allowed

    def with_env(self, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(self):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = parse_setting(f.name, raw, f"{ENV_PREFIX}{f.name.upper()}")
        return replace(self, **values)

    def with_file(self, path: Path) -> Settings:
        """Values from a YAML (or JSON) file whose keys are the camelCase setting names."""
        import yaml

        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValueError(f"cannot read the config file {path}: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            raise ValueError(f"the config file {path} is not valid YAML: {exc}") from None
        if doc is None:
            return self
        if not isinstance(doc, dict):
            raise ValueError(f"the config file {path} must hold a mapping of settings")
        names = {_camel(f.name): f.name for f in fields(self)}
        values: dict[str, Any] = {}
        for key, value in doc.items():
            if key not in names:
                raise ValueError(f"{path}: unknown setting '{key}'; known: {', '.join(sorted(names))}")
            name = names[key]
            values[name] = parse_setting(name, value, f"{path}: {key}") if isinstance(value, str) else _typed(name, value, f"{path}: {key}")
        return replace(self, **values)

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _typed(name: str, value: object, where: str) -> object:
    if name == "api_keys":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{where} must be a list of keys")
        return tuple(value)
    if name in PATH_FIELDS:
        return Path(str(value))
    if name in INT_FIELDS and (not isinstance(value, int) or isinstance(value, bool)):
        raise ValueError(f"{where} must be a whole number, not {value!r}")
    if name in FLOAT_FIELDS and (not isinstance(value, int | float) or isinstance(value, bool)):
        raise ValueError(f"{where} must be a number of seconds, not {value!r}")
    if name in ("access_log", "validate_responses") and not isinstance(value, bool):
        raise ValueError(f"{where} must be true or false")
    if name == "server":
        return _server(value, where)
    return value


def _server(value: object, where: str) -> str:
    if value not in SERVERS:
        raise ValueError(f"{where} must be one of {', '.join(SERVERS)}, not {value!r}")
    return str(value)


def parse_setting(name: str, raw: str, where: str) -> object:
    """A setting from text (a variable, a flag, a string in the file)."""
    if name in INT_FIELDS:
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{where} must be a whole number, not {raw!r}") from None
    if name in PATH_FIELDS:
        return Path(raw)
    if name in FLOAT_FIELDS:
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"{where} must be a number of seconds, not {raw!r}") from None
    if name == "api_keys":
        return tuple(raw.replace(";", " ").split())
    if name in ("access_log", "validate_responses"):
        return raw.strip().lower() not in ("0", "false", "no", "off")
    if name == "server":
        return _server(raw.strip().lower(), where)
    if name in JSON_FIELDS:
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where} must be JSON: {exc}") from None
    return raw
