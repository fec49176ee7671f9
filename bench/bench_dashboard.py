"""What open dashboards cost the vendor API: GET case throughput and latency at 16 connections
with three dashboards open against none, in one run (rounds interleaved; medians, and the
median of each round's ratio), and what one dashboard poll costs.

A dashboard here is what an open page asks of the server: one ``GET /_mock/overview`` every
0.5 s after the previous answer (the page's own poll), and its view's reloads when its
workgroup's ``changes`` token moves (GET case never moves it). With Debian's Chromium present,
the script first counts the calls a real page makes in 10 s on a workgroup view, to check that
the stand-in makes the same calls; the stand-ins are threads because three headless browsers
would compete with the server for this machine's two cores and measure the browsers instead.

Loopback only, bounded loops. Prints medians and ratios; asserts nothing.

    python bench/bench_dashboard.py [--seconds 5] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import threading
from collections import Counter
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).parent))
from _harness import HEADERS, WORKGROUP, median_ms, serve, write_results, wrk  # noqa: E402

POLL_SECONDS = 0.5  # the page's POLL_MS
DASHBOARDS = 3
POLLS = 2000


def server_cpu_seconds(pid: int) -> float:
    """User and system CPU the server process has used so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class StandInDashboard(threading.Thread):
    """The calls of one open page on a workgroup view, until stopped."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stopping = threading.Event()
        self.calls = 0

    def run(self) -> None:
        session = requests.Session()
        seen = None
        while not self.stopping.is_set():
            overview = session.get(f"{self.url}/_mock/overview", timeout=10,
                                   params={"requests": 25, "workgroups": 0, "workgroup": WORKGROUP}).json()
            self.calls += 1
            token = next(w["changes"] for w in overview["workgroups"] if w["id"] == WORKGROUP)
            if token != seen:  # the view reloads: its page of cases, uploads and audit tail
                seen = token
                session.get(f"{self.url}/_mock/workgroups/{WORKGROUP}/cases", params={"pageSize": 20}, timeout=10)
                session.get(f"{self.url}/_mock/uploads", params={"workgroup": WORKGROUP}, timeout=10)
                session.get(f"{self.url}/_mock/audit", params={"workgroup": WORKGROUP, "limit": 15}, timeout=10)
                self.calls += 3
            self.stopping.wait(POLL_SECONDS)


def real_page_calls(url: str, seconds: int = 10) -> dict[str, int] | None:
    """The calls a real page on a workgroup view makes in ``seconds``, by path (None without Chromium)."""
    chromium = shutil.which("chromium")
    if chromium is None:
        return None
    from playwright.sync_api import sync_playwright

    counted: Counter[str] = Counter()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{url}/_mock/ui?workgroup={WORKGROUP}")
        page.wait_for_selector("h2 >> text=Users")
        page.on("request", lambda r: counted.update([r.url.split("?")[0].removeprefix(url)]))
        page.wait_for_timeout(seconds * 1000)
        browser.close()
    return dict(counted)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    results: dict[str, object] = {}
    with serve() as server:
        session = requests.Session()
        session.headers.update(HEADERS)
        first = session.get(f"{server.url}/crs/api/v1/cases/search", params={"pageSize": 1}).json()["content"][0]
        case_url = f"{server.url}/crs/api/v2/cases/{first['id']}"

        results["real_page_calls_in_10_s"] = real_page_calls(server.url)
        results["overview_median_ms"] = round(median_ms(lambda: session.get(f"{server.url}/_mock/overview"), 200), 2)
        rss_before, cpu_before = server.peak_rss_mb(), server_cpu_seconds(server.pid)
        for _ in range(POLLS):
            session.get(f"{server.url}/_mock/overview")
        cpu_ms = (server_cpu_seconds(server.pid) - cpu_before) * 1000 / POLLS
        results["peak_rss_mb_before_and_after_2000_polls"] = [round(rss_before, 1), round(server.peak_rss_mb(), 1)]
        # The server's own CPU for a poll: what three open pages take from the vendor API, noise aside.
        results["server_cpu_ms_per_poll"] = round(cpu_ms, 2)
        results["three_dashboards_share_of_one_core"] = round(DASHBOARDS * cpu_ms / 1000 / POLL_SECONDS, 4)

        runs: dict[str, list] = {"none": [], "three": []}
        for _ in range(args.rounds):
            for label in ("none", "three"):
                boards = [StandInDashboard(server.url) for _ in range(DASHBOARDS if label == "three" else 0)]
                for board in boards:
                    board.start()
                runs[label].append(wrk(case_url, connections=16, seconds=args.seconds))
                for board in boards:
                    board.stopping.set()
                for board in boards:
                    board.join(timeout=10)
        for label, measured in runs.items():
            results[f"{label}_rps"] = round(statistics.median(r.requests_per_second for r in measured))
            results[f"{label}_p50_ms"] = round(statistics.median(r.p50_ms for r in measured), 2)
            results[f"{label}_p99_ms"] = round(statistics.median(r.p99_ms for r in measured), 2)
            results[f"{label}_max_ms"] = round(statistics.median(r.max_ms for r in measured), 2)
        # Each round's pair ran back to back: its ratio cancels the machine's drift between rounds.
        ratios = [t.requests_per_second / n.requests_per_second for n, t in zip(runs["none"], runs["three"], strict=True)]
        results["throughput_ratio"] = round(statistics.median(ratios), 3)
        results["throughput_ratio_range"] = [round(min(ratios), 3), round(max(ratios), 3)]
        results["p99_added_ms"] = round(results["three_p99_ms"] - results["none_p99_ms"], 2)  # type: ignore[operator]
        results["max_added_ms"] = round(results["three_max_ms"] - results["none_max_ms"], 2)  # type: ignore[operator]
    for key, value in results.items():
        print(f"{key}: {value}")
    path = write_results("dashboard", f"mockserver serve (access log and journal on), GET case by wrk at 16 connections "
                         f"for {args.seconds} s per round, {args.rounds} rounds interleaved, {DASHBOARDS} stand-in "
                         f"dashboards polling every {POLL_SECONDS} s; {os.cpu_count()} cores shared with wrk", results)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
