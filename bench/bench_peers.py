"""The mock beside its peers and a bare Flask app, in one run: ``../shared/perf-peers``.

Runs that folder's ``run_peers.sh`` (WireMock, Prism, json-server, moto, bare Flask under the
Werkzeug dev server, waitress and gunicorn) with the mock added as ``ours``, started as a user
starts it: ``mockserver serve --cases 1000``, access log and journal on; and as ``ours-fast``,
the same with ``--server granian`` (the fast mode). Rounds are interleaved
and ratios are taken within a round, so a noisy machine still gives comparable figures. Writes
``bench/results/peers.json`` (medians and same-round ratios, with the commit) and the runner's
own report as ``bench/results/peers.md``. Set up the peers once per machine with
``bash ../shared/perf-peers/setup_peers.sh``.

    python bench/bench_peers.py [--peers-dir ../shared/perf-peers] [--rounds 3] [--duration 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import HEADERS, RESULTS, commit, write_results  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PHASES = {"c1_p50_ms": ("c1_case", "p50_us", 1e-3), "c16_case_rps": ("c16_case", "rps", 1),
          "c16_search_rps": ("c16_search", "rps", 1)}


def summary(raw: dict, peerbench) -> dict:  # noqa: ANN001 - the runner's own module
    """Per server: medians over rounds, and same-round ratios against the mock and bare Flask."""
    peers = raw["peers"]
    table = {}
    for name, data in peers.items():
        rounds = [r for r in data["rounds"] if "error" not in r]
        row = {"version": data["spec"].get("version", ""),
               "startup_s": peerbench.med([s for r in data["rounds"] for s in r.get("startup_s", [])])}
        for key, (phase, field, scale) in PHASES.items():
            value = peerbench.med(peerbench.phase_values(rounds, phase, field))
            row[key] = None if value is None else round(value * scale, 3)
        row["peak_rss_mb"] = peerbench.med([r["rss_hwm_tree_kb"] / 1024 for r in rounds if "rss_hwm_tree_kb" in r])
        for reference in ("ours", "flask-waitress"):
            if reference in peers:
                theirs = [r for r in peers[reference]["rounds"] if "error" not in r]
                row[f"vs_{reference}"] = {
                    key: peerbench.paired_ratio(rounds, theirs, phase, field) for key, (phase, field, _) in PHASES.items()
                }
        row["failed_rounds"] = len(data["rounds"]) - len(rounds)
        table[name] = row
    return {"meta": raw["meta"], "skipped": raw.get("skipped", {}), "servers": table}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--peers-dir", default=str(ROOT.parent / "shared" / "perf-peers"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--peers", help="only these servers (space-separated names of run_peers.sh, plus ours)")
    args = parser.parse_args()
    peers_dir = Path(args.peers_dir).resolve()
    sys.path.insert(0, str(peers_dir))
    import peerbench  # the runner's medians and same-round ratios, not a copy of them

    RESULTS.mkdir(exist_ok=True)
    raw_path, report_path = RESULTS / "peers-raw.json", RESULTS / "peers.md"
    env = {
        **os.environ,
        "OURS_CMD": f"{shlex.quote(sys.executable)} -m mockserver serve --port {{port}} --cases 1000",
        # The fast mode, in the same rounds: the same command with granian serving.
        "OURS2_CMD": f"{shlex.quote(sys.executable)} -m mockserver serve --port {{port}} --cases 1000 --server granian",
        "OURS2_NAME": "ours-fast",
        "OURS_VERSION": f"main-{commit()}",
        "OURS_HEADERS": "\n".join(f"{k}: {v}" for k, v in HEADERS.items()),
        "ROUNDS": str(args.rounds), "DURATION": str(args.duration),
        "RESULTS_JSON": str(raw_path), "OUT_MD": str(report_path),
    }
    if args.peers:
        env["PEERS"] = args.peers
    subprocess.run(["bash", str(peers_dir / "run_peers.sh")], env=env, check=True, timeout=3 * 3600)
    raw = json.loads(raw_path.read_text())
    configuration = ("mockserver serve --cases 1000 (defaults: access log and journal on) as ours, and the same with "
                     "--server granian as ours-fast, beside the peers of "
                     f"../shared/perf-peers; {args.rounds} interleaved rounds, {args.duration} s per wrk phase after a warm-up")
    print(write_results("peers", configuration, summary(raw, peerbench)))
    raw_path.unlink()


if __name__ == "__main__":
    main()
