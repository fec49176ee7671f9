"""Server configurations side by side, and bare Flask+waitress: the same load on each, in
interleaved rounds.

Each configuration is ``mockserver serve --cases 1000`` plus its own flags (access log and
journal on unless the flags say otherwise); the reference is bare Flask under waitress with its
defaults, serving the mock's own bodies (``bare_flask.py``). Per round and server: a fresh
server, a warm-up, GET one case at 1 connection (p50), GET case and a 20-case search page at 16
connections (req/s). Rounds alternate the servers, and ratios are taken against the reference
within a round, so a noisy machine still gives comparable figures (issue 28's targets are these
ratios). Bounded loops; prints medians; asserts nothing. Writes ``results/servers.json``.

    python bench/bench_servers.py [--rounds 5] [--seconds 5]
        [--config NAME='FLAGS' ...]     # default: the defaults (waitress) and the fast mode (granian)
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).parent))
from _harness import HEADERS, serve, write_results, wrk  # noqa: E402

REFERENCE = "bare-flask-waitress"
BARE_FLASK = (str(Path(__file__).parent / "bare_flask.py"),)
CONFIGURATIONS = {
    "waitress": "",
    "granian": "--server granian",
}
MEASURES = ("c1_case_p50_ms", "c16_case_rps", "c16_search_rps")


def one_round(flags: list[str] | None, seconds: int) -> dict[str, float]:
    """One server's measures: the mock with ``flags``, or the reference when None."""
    started = serve(program=BARE_FLASK) if flags is None else serve("--cases", "1000", *flags)
    with started as server:
        first = requests.get(f"{server.url}/crs/api/v1/cases/search", params={"pageSize": 1}, headers=HEADERS).json()
        case_url = f"{server.url}/crs/api/v2/cases/{first['content'][0]['id']}"
        search_url = f"{server.url}/crs/api/v1/cases/search?pageNumber=0&pageSize=20"
        wrk(case_url, 16, 2)
        wrk(search_url, 16, 2)
        return {
            "c1_case_p50_ms": wrk(case_url, 1, seconds, threads=1).p50_ms,
            "c16_case_rps": wrk(case_url, 16, seconds).requests_per_second,
            "c16_search_rps": wrk(search_url, 16, seconds).requests_per_second,
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--config", action="append", metavar="NAME=FLAGS",
                        help="a configuration: its name and its serve flags (repeatable)")
    args = parser.parse_args()
    configurations: dict[str, str | None] = {REFERENCE: None}
    configurations.update(dict(entry.split("=", 1) for entry in args.config) if args.config else CONFIGURATIONS)
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in configurations}
    for number in range(1, args.rounds + 1):
        for name, flags in configurations.items():
            rounds[name].append(one_round(None if flags is None else shlex.split(flags), args.seconds))
            print(f"round {number} {name}: {rounds[name][-1]}", flush=True)
    results = {}
    for name, measured in rounds.items():
        row: dict[str, object] = {"flags": configurations[name]}
        for measure in MEASURES:
            row[measure] = round(statistics.median(r[measure] for r in measured), 3)
            row[f"{measure}_vs_{REFERENCE}"] = round(statistics.median(
                r[measure] / base[measure] for r, base in zip(measured, rounds[REFERENCE], strict=True)), 3)
        results[name] = row
        print(name, row)
    write_results("servers", f"mockserver serve --cases 1000 plus each configuration's flags; {args.rounds} "
                  f"interleaved rounds of {args.seconds} s per measure; ratios against {REFERENCE} (bench/bare_flask.py) "
                  f"in the same round",
                  results)


if __name__ == "__main__":
    main()
