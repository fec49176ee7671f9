"""``mockserver serve``: flags override MOCKSERVER_* variables, which override defaults."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from pathlib import Path

from . import __version__
from .settings import ENV_PREFIX, Settings


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
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        defaults = Settings.from_env()
    except ValueError as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 2
    args = _parser(defaults).parse_args(argv)
    overrides = {k: v for k, v in vars(args).items() if k != "command"}
    if overrides.get("api_keys") is not None:
        overrides["api_keys"] = tuple(overrides["api_keys"])
    settings = defaults.with_overrides(**overrides)
    for name in ("port", "cases", "threads"):
        value = getattr(settings, name)
        if value < (1 if name == "threads" else 0) or (name == "port" and value > 65535):
            print(f"mockserver: --{name} {value} is out of range", file=sys.stderr)
            return 2
    return serve(settings)


def serve(settings: Settings) -> int:
    from .app import create_app
    from .runner import make_server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    log = logging.getLogger("mockserver")
    started = time.perf_counter()
    try:
        app = create_app(settings)
    except (OSError, ValueError) as exc:
        print(f"mockserver: cannot load data: {exc}", file=sys.stderr)
        return 2
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
    return 0


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(0)
