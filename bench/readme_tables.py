"""Write the README's performance tables from ``bench/results/`` (core, peers, app path, control, plugin, dashboard,
hostile, reports and scale).

The tables sit between ``<!-- bench:begin -->`` and ``<!-- bench:end -->``; each names the
commit, configuration and command behind its figures. ``--check`` exits 1 when the README
differs from what the results give (the test suite runs it).

    python bench/readme_tables.py [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
README = ROOT / "README.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
PEER_ORDER = ["ours", "ours-fast", "flask-waitress", "flask-gunicorn", "flask-dev", "prism", "json-server", "moto",
              "wiremock", "wiremock-nojournal"]


def number(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def spread(row: dict, key: str, digits: int = 0) -> str:
    low, high = row["range"][key]
    text = number(row["median"][key], digits)
    return text if low == high else f"{text} ({number(low, digits)}–{number(high, digits)})"


def provenance(doc: dict) -> str:
    return (f"Commit `{doc['commit']}`, {doc['date']}, {doc['machine']}; `{doc['command']}`; "
            f"{doc['configuration']}.")


def core_table(doc: dict) -> list[str]:
    lines = [provenance(doc), "",
             "| seeded cases | start-up to first answer | GET case p50 / p99, 1 conn. (one case; random cases) "
             "| GET case req/s, 16 conn. (one case; random cases) | 20-case page req/s, 16 conn. (all; filtered) "
             "| filtered search | peak RSS |",
             "|---|---|---|---|---|---|---|"]
    for row in doc["results"]:
        m = row["median"]
        lines.append(
            f"| {row['cases']:,} | {spread(row, 'startup_s', 2)} s "
            f"| {m['get_hot_case_p50_ms']:.2f} / {m['get_hot_case_p99_ms']:.1f} ms; "
            f"{m['get_random_case_p50_ms']:.2f} / {m['get_random_case_p99_ms']:.1f} ms "
            f"| {spread(row, 'get_hot_case_rps_16')}; {spread(row, 'get_random_case_rps_16')} "
            f"| {spread(row, 'page20_rps_16')}; {spread(row, 'filtered_page20_rps_16')} "
            f"| {spread(row, 'filtered_search_median_ms', 1)} ms | {spread(row, 'peak_rss_mb')} MB |")
    lines += ["", "Medians over the runs, (min–max) across runs. "
              "Non-2xx answers during the runs: "
              + ", ".join(f"{row['non_2xx']} at {row['cases']:,}" for row in doc["results"]) + "."]
    return lines


def peers_table(doc: dict) -> list[str]:
    servers = doc["results"]["servers"]
    names = [n for n in PEER_ORDER if n in servers] + [n for n in servers if n not in PEER_ORDER]
    lines = [provenance(doc), "",
             "| server | version | start-up | c1 p50 | c16 GET case req/s | c16 search page req/s | peak RSS "
             "| GET case vs ours | search vs ours | GET case vs bare Flask+waitress | search vs bare Flask+waitress "
             "| c1 p50 vs bare Flask+waitress |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name in names:
        row = servers[name]
        ours, flask = row.get("vs_ours", {}), row.get("vs_flask-waitress", {})
        lines.append(
            f"| {name} | {row['version']} | {number(row['startup_s'], 2)} s | {number(row['c1_p50_ms'], 2)} ms "
            f"| {number(row['c16_case_rps'])} | {number(row['c16_search_rps'])} | {number(row['peak_rss_mb'])} MB "
            f"| {number(ours.get('c16_case_rps'), 2)}× | {number(ours.get('c16_search_rps'), 2)}× "
            f"| {number(flask.get('c16_case_rps'), 2)}× | {number(flask.get('c16_search_rps'), 2)}× "
            f"| {number(flask.get('c1_p50_ms'), 2)}× |")
    skipped = doc["results"].get("skipped") or {}
    lines += ["", "Ratios are medians of same-round pairs (>1: more requests per second, or a longer c1 p50, "
              "than the reference)."
              + (" Not run: " + "; ".join(f"{k} ({v})" for k, v in skipped.items()) + "." if skipped else "")]
    return lines


def other_figures(control: dict | None, plugin: dict | None, reports: dict | None = None,
                  scale: dict | None = None, dashboard: dict | None = None, hostile: dict | None = None,
                  app_path: dict | None = None) -> list[str]:
    lines = []
    if app_path:
        calls = "; ".join(f"{name} {r['mockUs']:,} against {r['bareUs']:,} us ({r['ratio']:.2f}x)"
                          for name, r in app_path["results"].items())
        lines.append(f"- The app path alone, the mock (journal on) against a bare Flask app serving the same bodies, "
                     f"both called as WSGI with no server (median per request): {calls}. {provenance(app_path)}")
    if scale:
        r = scale["results"]
        lines.append(f"- One server of {r['page_walk_cases'] - 2:,} generated cases, phase after phase: start-up "
                     f"{r['startup_s']} s; the first filtered search {r['first_filtered_search_ms']:,} ms (it builds "
                     f"the columns it filters on), then {r['filtered_search_median_ms']} ms (median); every page of "
                     f"1,000 walked in {r['page_walk_1000_s']} s; 10,000 GETs of random cases, "
                     f"{r['random_get_median_ms']} ms median; `POST /_mock/reset` {r['reset_median_ms']} ms median. "
                     f"RSS {r['rss_after_startup_mb']} MB after start-up, {r['rss_after_page_walk_mb']} MB after the "
                     f"walk, peak {r['peak_rss_mb']} MB. {provenance(scale)}")
    if control:
        resets = ", ".join(f"{r['reset_median_ms']} ms at {r['cases']:,} cases" for r in control["results"]["reset"])
        journal = control["results"]["journal"]
        lines.append(f"- `POST /_mock/reset` (median): {resets}. The request journal costs "
                     f"{1 - journal['journal_throughput_ratio']:.0%} of GET case throughput at 16 connections "
                     f"({journal['journal_on_rps']:,} req/s on, {journal['journal_off_rps']:,} off). {provenance(control)}")
    if plugin:
        figures = plugin["results"]
        lines.append(f"- The pytest fixture `ici_mock` (20-case workgroup): {figures['fixture_calls_median_ms_20_cases']} ms "
                     f"of setup and cleanup per test, {figures['pytest_run_ms_per_test_20_cases']} ms per test in a real "
                     f"pytest run. {provenance(plugin)}")
    if dashboard:
        r = dashboard["results"]
        page = r.get("real_page_calls_in_10_s")
        seen = f" (a real page on a workgroup view, in Chromium: {page} in 10 s)" if page else ""
        low, high = r["throughput_ratio_range"]
        lines.append(f"- Three open dashboards against none, GET case at 16 connections: {r['throughput_ratio']:.2f}x the "
                     f"throughput (median of the rounds' ratios, {low:.2f} to {high:.2f}; {r['three_rps']:,} against "
                     f"{r['none_rps']:,} req/s), p99 {r['three_p99_ms']} against "
                     f"{r['none_p99_ms']} ms, slowest {r['three_max_ms']} against {r['none_max_ms']} ms. One poll of "
                     f"`GET /_mock/overview` takes {r['overview_median_ms']} ms (median) and {r['server_cpu_ms_per_poll']} ms of "
                     f"the server's CPU: three open pages use {r['three_dashboards_share_of_one_core']:.1%} of one core; peak RSS "
                     f"{r['peak_rss_mb_before_and_after_2000_polls'][0]} MB before 2,000 polls and "
                     f"{r['peak_rss_mb_before_and_after_2000_polls'][1]} MB after{seen}. {provenance(dashboard)}")
    if hostile:
        r = hostile["results"]
        waits = {**r.get("stalls", {}), **r["secondRound"]}
        before = next((f["probeMedianBeforeMs"] for f in waits.values() if "probeMedianBeforeMs" in f), None)
        attacks = "; ".join(f"{name.split(' ', 1)[1]} {f['worstProbeMs']} ms" for name, f in waits.items())
        memory = r.get("memory", {})
        csv_growth = next((f["growthPerFileByte"] for f in memory.values() if "growthPerFileByte" in f), None)
        lines.append("- Hostile input: the worst wait of another client (GET case every 5 ms"
                     + (f", {before} ms median before" if before is not None else "") + f") while one sends the worst "
                     f"requests we know of: {attacks}."
                     + (f" A 10 MB CSV grows RSS by {csv_growth} bytes per file byte." if csv_growth is not None else "")
                     + f" {provenance(hostile)}")
    if reports:
        figures = reports["results"]
        medians = "; ".join(f"{name} {ms} ms" for name, ms in figures["medians (ms)"].items())
        lines.append(f"- Report and Audit Log APIs at {figures['cases']:,} cases (medians): {medians}. The first audit "
                     f"query, which derives the seeded history once, took {figures['first audit query (ms)']:,} ms. "
                     f"{provenance(reports)}")
    return lines


def load(name: str) -> dict | None:
    path = RESULTS / name
    return json.loads(path.read_text()) if path.exists() else None


def tables() -> str:
    parts = [BEGIN]
    for name, render, title in (("core.json", core_table, "The mock alone"),
                                ("peers.json", peers_table, "Beside its peers, in one run (1,000 cases)")):
        path = RESULTS / name
        parts += ["", f"**{title}.**", ""]
        parts += render(json.loads(path.read_text())) if path.exists() else [f"(no `bench/results/{name}` yet)"]
    others = other_figures(load("control.json"), load("plugin.json"), load("reports.json"), load("scale.json"),
                           load("dashboard.json"), load("hostile.json"), load("app_path.json"))
    if others:
        parts += ["", "**Other figures.**", "", *others]
    parts += ["", END]
    return "\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="exit 1 if the README's tables are not the results'")
    args = parser.parse_args()
    text = README.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    updated = text[:start] + tables() + text[end:]
    if args.check:
        if updated != text:
            print("README.md's performance tables differ from bench/results/: run python bench/readme_tables.py",
                  file=sys.stderr)
            return 1
        return 0
    README.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
