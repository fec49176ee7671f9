"""Server configurations side by side: the same load on each, in interleaved rounds.

Each configuration is ``mockserver serve --cases 1000`` plus its own flags (access log and
journal on unless the flags say otherwise). Per round and configuration: a fresh server, a
warm-up, GET one case at 1 connection (p50), GET case and a 20-case search page at 16
connections (req/s). Rounds alternate the configurations, and ratios are taken against the
first one within a round, so a noisy machine still gives comparable figures. Bounded loops;
prints medians; asserts nothing. Writes ``results/servers.json``.

    python bench/bench_servers.py [--rounds 5] [--seconds 5]
        [--config NAME='FLAGS' ...]     # default: waitress with 32 and 8 threads, granian with 2 and 8
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

CONFIGURATIONS = {
    "waitress": "",
    "waitress-8-threads": "--threads 8",
    "granian": "--server granian",
    "granian-8-threads": "--server granian --threads 8",
}
MEASURES = ("c1_case_p50_ms", "c16_case_rps", "c16_search_rps")


def one_round(flags: list[str], seconds: int) -> dict[str, float]:
    with serve("--cases", "1000", *flags) as server:
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
                        help="a configuration: its name and its serve flags; the first is the reference")
    args = parser.parse_args()
    configurations = dict(entry.split("=", 1) for entry in args.config) if args.config else CONFIGURATIONS
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in configurations}
    for number in range(1, args.rounds + 1):
        for name, flags in configurations.items():
            rounds[name].append(one_round(shlex.split(flags), args.seconds))
            print(f"round {number} {name}: {rounds[name][-1]}", flush=True)
    reference = next(iter(configurations))
    results = {}
    for name, measured in rounds.items():
        row: dict[str, object] = {"flags": configurations[name]}
        for measure in MEASURES:
            row[measure] = round(statistics.median(r[measure] for r in measured), 3)
            row[f"{measure}_vs_{reference}"] = round(statistics.median(
                r[measure] / base[measure] for r, base in zip(measured, rounds[reference], strict=True)), 3)
        results[name] = row
        print(name, row)
    write_results("servers", f"mockserver serve --cases 1000 plus each configuration's flags; {args.rounds} "
                  f"interleaved rounds of {args.seconds} s per measure; ratios against {reference} in the same round",
                  results)


if __name__ == "__main__":
    main()
