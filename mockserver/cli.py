"""``mockserver serve``: flags override MOCKSERVER_* variables, which override defaults."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from pathlib import Path

from . import __version__
from .settings import ENV_PREFIX, JSON_FIELDS, Settings, parse_setting


def _parser(defaults: Settings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockserver", description="Mock of the ICI Case APIs.")
    parser.add_argument("--version", action="version", version=f"mockserver {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the vendor API from seeded in-memory data")
    env = ENV_PREFIX
    serve.add_argument("--host", help=f"address to bind (default {defaults.host}; {env}HOST)")
    serve.add_argument("--port", type=int, help=f"port, 0 for any free one (default {defaults.port}; {env}PORT)")
    serve.add_argument("--seed", type=int, help=f"data seed (default {defaults.seed}; {env}SEED)")
    serve.add_argument("--cases", type=int, help=f"generated cases in the default workgroup (default {defaults.cases}; {env}CASES)")
    serve.add_argument("--fixtures", type=Path, help=f"folder of fixture case JSON files (default: the shipped ones; {env}FIXTURES)")
    serve.add_argument("--api-key", dest="api_keys", action="append", metavar="KEY[=WORKGROUP,...]",
                       help=f"accept only these keys, optionally limited to workgroups; repeatable ({env}API_KEYS, space-separated)")
    serve.add_argument("--threads", type=int, help=f"worker threads (default {defaults.threads}; {env}THREADS)")
    serve.add_argument("--no-access-log", dest="access_log", action="store_const", const=False,
                       help=f"do not log one line per request ({env}ACCESS_LOG=false)")
    serve.add_argument("--validate-responses", action="store_const", const=True,
                       help=f"check each response against the OpenAPI document; a mismatch is a 500 ({env}VALIDATE_RESPONSES)")
    serve.add_argument("--config", type=Path, help=f"YAML or JSON file of settings, camelCase keys ({env}CONFIG)")
    serve.add_argument("--journal-size", type=int,
                       help=f"requests kept in the journal, 0 to keep none (default {defaults.journal_size}; {env}JOURNAL_SIZE)")
    serve.add_argument("--admin-token", help=f"require 'Authorization: Bearer TOKEN' on /_mock/ ({env}ADMIN_TOKEN)")
    serve.add_argument("--state-file", type=Path,
                       help=f"load the state from PATH at start, save it there periodically and on shutdown ({env}STATE_FILE)")
    serve.add_argument("--state-save-seconds", type=float,
                       help=f"seconds between saves of --state-file (default {defaults.state_save_seconds}; {env}STATE_SAVE_SECONDS)")
    for name, shape in (("clock", '{"mode": "frozen", "now": "2026-01-01T00:00:00Z"}'),
                        ("lifecycle", '{"processing": {"mode": "time", "seconds": 5}}'),
                        ("latency", '{"default": {"fixedMs": 50}}'),
                        ("faults", '[{"operation": "searchCases", "status": 503, "times": 1}]'),
                        ("workgroups", '[{"name": "Lab 2", "cases": 20}]')):
        serve.add_argument(f"--{name}", metavar="JSON", help=f"as PUT /_mock/{name} takes it, e.g. '{shape}' ({env}{name.upper()})")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser(Settings()).parse_args(argv)
    try:
        settings = resolve_settings(vars(args))
    except ValueError as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 2
    if settings.state_save_seconds <= 0:
        print("mockserver: --state-save-seconds must be more than 0", file=sys.stderr)
        return 2
    for name in ("port", "cases", "threads", "journal_size"):
        value = getattr(settings, name)
        if value < (1 if name == "threads" else 0) or (name == "port" and value > 65535):
            print(f"mockserver: --{name} {value} is out of range", file=sys.stderr)
            return 2
    return serve(settings)


def resolve_settings(flags: dict[str, object]) -> Settings:
    """Defaults < config file < MOCKSERVER_* variables < flags."""
    settings = Settings()
    config = flags.get("config") or os.environ.get(ENV_PREFIX + "CONFIG")
    if config:
        settings = settings.with_file(Path(str(config)))
    settings = settings.with_env()
    overrides: dict[str, object] = {}
    for name, value in flags.items():
        if name in ("command", "config") or value is None:
            continue
        if name == "api_keys":
            value = tuple(value)  # type: ignore[arg-type]
        elif name in JSON_FIELDS:
            value = parse_setting(name, str(value), f"--{name}")
        overrides[name] = value
    return settings.with_overrides(**overrides)


def serve(settings: Settings) -> int:
    from .app import create_app
    from .runner import make_server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    log = logging.getLogger("mockserver")
    started = time.perf_counter()
    try:
        app = create_app(settings)
    except (OSError, ValueError) as exc:
        print(f"mockserver: cannot start: {exc}", file=sys.stderr)
        return 2
    state_file = None
    if settings.state_file is not None:
        from .admin.control import EXTENSION as CONTROL_EXTENSION
        from .persistence import StateFile

        state_file = StateFile(settings.state_file, app.extensions["mockserver"],
                               app.extensions[CONTROL_EXTENSION], settings.state_save_seconds)
        try:
            if state_file.load():
                log.info("state loaded from %s", settings.state_file)
        except ValueError as exc:
            print(f"mockserver: cannot start: {exc}", file=sys.stderr)
            return 2
        state_file.start()
    server = make_server(app, settings.host, settings.port, settings.threads, settings.access_log)
    log.info(
        "serving the ICI Case APIs on http://%s:%s (seed %s, %s generated cases, ready in %.2fs)",
        settings.host, server.effective_port, settings.seed, settings.cases, time.perf_counter() - started,
    )
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.run()
    except (KeyboardInterrupt, SystemExit):
        log.info("stopped")
    finally:
        server.close()
        if state_file is not None:
            state_file.stop()
            log.info("state saved to %s", settings.state_file)
    return 0


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(0)
