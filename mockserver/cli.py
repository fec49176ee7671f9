"""``mockserver serve``: flags override MOCKSERVER_* variables, which override defaults."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from errno import EACCES, EADDRINUSE, EADDRNOTAVAIL
from pathlib import Path
from typing import TextIO

from .http.limits import MAX_GENERATED_CASES, MAX_POLL_INTERVAL_SECONDS
from .settings import DEFAULT_THREADS, ENV_PREFIX, JSON_FIELDS, SERVERS, Settings, parse_setting
from .version import __version__


def _parser(defaults: Settings) -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The command line's parser, and each subcommand's own (whose usage names its flags)."""
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
    serve.add_argument("--server", choices=SERVERS,
                       help=f"the HTTP server: waitress carries out every behaviour; granian is the fast mode, which "
                            f"cannot carry out the connection faults (default {defaults.server}; {env}SERVER)")
    serve.add_argument("--threads", type=int,
                       help="worker threads; delays and waits may hold all but a quarter of them, and under waitress "
                            "only that quarter (at least 2) runs at rest, the others lent to held requests (default: "
                            + ", ".join(f"{n} under {s}" for s, n in DEFAULT_THREADS.items()) + f"; {env}THREADS)")
    serve.add_argument("--connection-limit", type=int,
                       help=f"open connections at once; more wait to be accepted (default {defaults.connection_limit}; "
                            f"{env}CONNECTION_LIMIT)")
    serve.add_argument("--channel-timeout", type=int,
                       help=f"seconds an idle connection is kept (default {defaults.channel_timeout}; {env}CHANNEL_TIMEOUT)")
    serve.add_argument("--header-timeout", type=int,
                       help=f"seconds a request's headers may take to arrive (default {defaults.header_timeout}; "
                            f"{env}HEADER_TIMEOUT)")
    serve.add_argument("--no-access-log", dest="access_log", action="store_const", const=False,
                       help=f"do not log one line per request ({env}ACCESS_LOG=false)")
    serve.add_argument("--validate-responses", action="store_const", const=True,
                       help=f"check each response against the OpenAPI document; a mismatch is a 500 ({env}VALIDATE_RESPONSES)")
    serve.add_argument("--config", type=Path, help=f"YAML or JSON file of settings, camelCase keys ({env}CONFIG)")
    serve.add_argument("--journal-size", type=int,
                       help=f"requests kept in the journal, 0 to keep none (default {defaults.journal_size}; {env}JOURNAL_SIZE)")
    serve.add_argument("--client-poll-interval", type=float, metavar="SECONDS",
                       help=f"the client report counts reads of a case or upload status it waits on sooner than this "
                            f"(default {defaults.client_poll_interval}; {env}CLIENT_POLL_INTERVAL)")
    serve.add_argument("--event-log-size", type=int,
                       help=f"logged events each workgroup keeps, the oldest dropped first (default {defaults.event_log_size}; "
                            f"{env}EVENT_LOG_SIZE)")
    serve.add_argument("--admin-token", help=f"require 'Authorization: Bearer TOKEN' on /_mock/ ({env}ADMIN_TOKEN)")
    serve.add_argument("--state-file", type=Path,
                       help=f"load the state from PATH at start, save it there periodically and on shutdown ({env}STATE_FILE)")
    serve.add_argument("--state-save-seconds", type=float,
                       help=f"seconds between saves of --state-file (default {defaults.state_save_seconds}; {env}STATE_SAVE_SECONDS)")
    serve.add_argument("--url-file", type=Path,
                       help=f"write the server's URL to PATH once it listens (for --port 0 and health checks; {env}URL_FILE)")
    for name, call, shape in (("clock", "PUT", '{"mode": "frozen", "now": "2026-01-01T00:00:00Z"}'),
                              ("lifecycle", "PUT", '{"processing": {"mode": "time", "seconds": 5}}'),
                              ("latency", "PUT", '{"default": {"fixedMs": 50}}'),
                              ("faults", "POST", '[{"operation": "searchCases", "status": 503, "times": 1}]'),
                              ("overrides", "POST", '[{"operation": "listWorkgroups", "response": {"body": {"workgroupRoles": []}}}]'),
                              ("workgroups", "POST", '[{"name": "Lab 2", "cases": 20}]')):
        serve.add_argument(f"--{name}", metavar="JSON",
                           help=f"as {call} /_mock/{name} takes it, e.g. '{shape}' ({env}{name.upper()})")
    record = commands.add_parser("record", help="proxy a real ICI and write what passes through as redacted fixtures")
    record.add_argument("--upstream", required=True, metavar="URL", help="the ICI to forward to, e.g. https://ici.example.org")
    record.add_argument("--out", required=True, type=Path, metavar="DIR", help="the fixture folder to write (serve --fixtures DIR)")
    record.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    record.add_argument("--port", type=int, default=8081, help="port, 0 for any free one (default 8081)")
    record.add_argument("--workgroup-map", action="append", default=[], metavar="UPSTREAM=LOCAL",
                        help="write the upstream's workgroup UPSTREAM as LOCAL in the fixtures; repeatable")
    record.add_argument("--api-key-env", metavar="VAR",
                        help="send 'Authorization: ApiKey $VAR' when a caller sends no Authorization")
    record.add_argument("--redaction-key-env", metavar="VAR",
                        help="derive stand-ins from the secret in $VAR, so a new recording replaces a value as the last "
                             "did (default: a secret drawn for each recording)")
    record.add_argument("--overrides", action="store_true",
                        help="also write each JSON answer to a GET as an override, for payloads the domain cannot represent")
    record.add_argument("--upstream-timeout", type=float, default=30.0, metavar="SECONDS",
                        help="cut off an upstream slower than this (default 30)")
    record.add_argument("--url-file", type=Path, help="write the recorder's URL to PATH once it listens")
    health = commands.add_parser("health", help="exit 0 when the server answers /_mock/health (for container health checks)")
    health.add_argument("--url", help=f"the server's URL (default: read from --url-file / {env}URL_FILE)")
    health.add_argument("--url-file", type=Path, help=f"the file serve --url-file wrote ({env}URL_FILE)")
    return parser, {"serve": serve, "record": record, "health": health}


#: Allowed values of the numeric settings, checked after flags, variables and file merge.
RANGES = {"port": (0, 65535), "cases": (0, MAX_GENERATED_CASES), "threads": (1, 1024), "journal_size": (0, 1_000_000),
          "connection_limit": (1, 100_000), "channel_timeout": (1, 3600), "header_timeout": (1, 3600),
          "event_log_size": (1, 10_000_000), "client_poll_interval": (0, MAX_POLL_INTERVAL_SECONDS)}


def main(argv: list[str] | None = None) -> int:
    parser, subcommands = _parser(Settings())
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # argparse would answer with the top-level usage; the subcommand's own is the useful one.
        subcommands[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command == "health":
        return health(args.url, args.url_file)
    if args.command == "record":
        return record(args)
    flags = {k: v for k, v in vars(args).items() if k != "command"}
    try:
        settings = resolve_settings(flags)
    except ValueError as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 2
    if settings.state_save_seconds <= 0:
        print("mockserver: --state-save-seconds must be more than 0", file=sys.stderr)
        return 2
    for name, (low, high) in RANGES.items():
        value = getattr(settings, name)
        if value is not None and not low <= value <= high:
            flag = "--" + name.replace("_", "-")
            print(f"mockserver: {flag} {value} is out of range: use {low} to {high}", file=sys.stderr)
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


def _log_to_stderr() -> logging.StreamHandler[TextIO]:
    """INFO and up to stderr, each line with its time and logger; the handler, for the access log."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    return handler


def serve(settings: Settings) -> int:
    from .app import create_app
    from .serving.access_log import AccessLogWriter
    from .serving.runner import make_server

    # CPython's GIL switch interval (5 ms) is kept. 2 ms had cut the stall a busy request (an
    # 8,000-row upload) puts on others from 34 ms to 16 ms, but with the journal and access log
    # on, waitress at 16 connections then fell in and out of a convoy (GET case 120 to 900 req/s
    # from one 3 s run to the next): in 4 interleaved rounds against bare Flask+waitress, GET
    # case 0.51x at 2 ms and 0.85x at 5 ms, a search page 0.34x and 1.52x (2026-12-05, 2 CPUs).
    _allow_open_files(settings.connection_limit)
    log_handler = _log_to_stderr()
    log = logging.getLogger("mockserver")
    started = time.perf_counter()
    try:
        app = create_app(settings)
    except (OSError, ValueError) as exc:
        print(f"mockserver: cannot start: {exc}", file=sys.stderr)
        return 2
    state_file = None
    if settings.state_file is not None:
        from .admin.plane import EXTENSION as CONTROL_EXTENSION
        from .admin.state_file import StateFile

        state_file = StateFile(settings.state_file, app.extensions["mockserver"],
                               app.extensions[CONTROL_EXTENSION], settings.state_save_seconds)
        try:
            if state_file.load():
                log.info("state loaded from %s", settings.state_file)
            state_file.prepare()
        except ValueError as exc:
            print(f"mockserver: cannot start: {exc}", file=sys.stderr)
            return 2
    access_log = AccessLogWriter(handler=log_handler) if settings.access_log else None
    try:
        server = make_server(app, settings.host, settings.port, settings.worker_threads, access_log)
    except (OSError, ValueError) as exc:
        print(f"mockserver: {bind_error(settings.host, settings.port, exc)}", file=sys.stderr)
        return 2
    if state_file is not None:
        state_file.start()
    url = f"http://{_url_host(settings.host)}:{server.effective_port}"
    if settings.url_file is not None:
        try:
            settings.url_file.write_text(url + "\n", encoding="utf-8")
        except OSError as exc:
            server.close()
            print(f"mockserver: cannot write --url-file {settings.url_file}: {exc.strerror}", file=sys.stderr)
            return 2
    from .apidoc import SERVED_APIS
    from .ui import PAGE_PATH as DASHBOARD_PATH

    log.info(
        "serving the ICI %s on %s (%s, %s threads; seed %s, %s generated cases, ready in %.2fs); dashboard %s%s,"
        " API page %s/api-docs, OpenAPI document %s/openapi.json",
        SERVED_APIS, url, settings.server, settings.worker_threads, settings.seed, settings.cases,
        time.perf_counter() - started, url, DASHBOARD_PATH, url, url,
    )
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.run()
    except (KeyboardInterrupt, SystemExit):
        log.info("stopped")
    finally:
        server.close()
        if access_log is not None:
            access_log.close()
        if state_file is not None:
            state_file.stop()
            log.info("state saved to %s", settings.state_file)
    return 0


def record(args: argparse.Namespace) -> int:
    """``mockserver record``: serve the proxy until SIGTERM or Ctrl-C; every answer is written as it passes."""
    import secrets

    from .recording.identifying import Pseudonyms
    from .recording.proxy import Upstream, create_recorder_app
    from .recording.writer import RecordedFixtures
    from .serving.runner import make_server

    try:
        upstream = Upstream.parse(args.upstream)
        workgroups = dict(_pair(entry) for entry in args.workgroup_map)
        api_key = _secret_from(args.api_key_env, "--api-key-env") if args.api_key_env else None
        key = _secret_from(args.redaction_key_env, "--redaction-key-env") if args.redaction_key_env else None
    except ValueError as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 2
    if not 0 < args.upstream_timeout <= 600:
        print("mockserver: --upstream-timeout is out of range: use more than 0, up to 600", file=sys.stderr)
        return 2
    _log_to_stderr()
    log = logging.getLogger("mockserver.record")
    pseudonyms = Pseudonyms(key.encode() if key else secrets.token_bytes(32))
    recorded = RecordedFixtures(args.out, pseudonyms, workgroups, overrides=args.overrides,
                                key_source=f"from ${args.redaction_key_env}" if key else "drawn for this recording")
    app = create_recorder_app(upstream, recorded, timeout=args.upstream_timeout, api_key=api_key)
    try:
        server = make_server(app, args.host, args.port, threads=8)
    except (OSError, ValueError) as exc:
        print(f"mockserver: {bind_error(args.host, args.port, exc)}", file=sys.stderr)
        return 2
    url = f"http://{_url_host(args.host)}:{server.effective_port}"
    if args.url_file is not None:
        args.url_file.write_text(url + "\n", encoding="utf-8")
    log.info("recording %s://%s through %s into %s (identifying values replaced)", upstream.scheme,
             upstream.host_header, url, args.out)
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.run()
    except (KeyboardInterrupt, SystemExit):
        log.info("stopped; the fixtures are in %s", args.out)
    finally:
        server.close()
    return 0


def _pair(entry: str) -> tuple[str, str]:
    upstream, equals, local = entry.partition("=")
    if not equals or not upstream or not local:
        raise ValueError(f"--workgroup-map takes UPSTREAM=LOCAL, not {entry!r}")
    return upstream, local


def _secret_from(variable: str, flag: str) -> str:
    value = os.environ.get(variable, "")
    if not value:
        raise ValueError(f"{flag} {variable}: the variable is not set or empty")
    return value


def _allow_open_files(connections: int) -> None:
    """Raise this process's soft limit of open files (often 1,024) to what ``connections``
    sockets and the server's own files need, as far as the hard limit allows: past it, accepts
    fail instead of waiting in the queue."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + 256
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(0)


def bind_error(host: str, port: int, exc: Exception) -> str:
    """One line a user can act on, instead of a traceback."""
    errno = getattr(exc, "errno", None)
    if errno == EADDRINUSE:
        return f"port {port} is in use; pass --port N, or --port 0 for any free port"
    if errno == EACCES:
        return f"no permission to listen on port {port}; pass --port N above 1023, or --port 0 for any free port"
    if errno == EADDRNOTAVAIL:
        return f"{host} is not an address of this machine; pass --host 127.0.0.1, or 0.0.0.0 for every interface"
    if isinstance(exc, ValueError):
        return f"cannot listen on {host}:{port}: the host is not an address or a name this machine resolves"
    return f"cannot listen on {host}:{port}: {getattr(exc, 'strerror', None) or exc}"


def _url_host(host: str) -> str:
    """Where a client on this machine reaches a server bound to ``host``."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def health(url: str | None, url_file: Path | None) -> int:
    """``mockserver health``: 0 when /_mock/health answers ok, 1 otherwise (a container's HEALTHCHECK)."""
    import json
    import urllib.request

    if url is None:
        path = url_file or (Path(os.environ[ENV_PREFIX + "URL_FILE"]) if os.environ.get(ENV_PREFIX + "URL_FILE") else None)
        if path is None:
            print("mockserver: pass --url, or --url-file (the file serve --url-file writes)", file=sys.stderr)
            return 2
        try:
            url = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            print(f"mockserver: cannot read {path}: {exc.strerror} (has the server started?)", file=sys.stderr)
            return 1
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/_mock/health", timeout=3) as response:
            ok = json.load(response).get("status") == "ok"
    except (OSError, ValueError) as exc:
        print(f"mockserver: {url} does not answer: {exc}", file=sys.stderr)
        return 1
    return 0 if ok else 1
