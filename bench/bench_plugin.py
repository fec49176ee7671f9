"""Per-test overhead of the ``ici_mock`` fixture (workgroup creation + cleanup), for a
20-case workgroup. Two views: the fixture's own calls in a loop (median of 100), and a real
pytest run of 500 tests with the fixture against 500 without it (difference per test; median of
5 interleaved rounds).

Loopback only. Prints medians; asserts nothing.

    python bench/bench_plugin.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mockserver import MockServer

sys.path.insert(0, str(Path(__file__).parent))
from _harness import write_results  # noqa: E402

from mockserver.testing.pytest_plugin import IciServer, close_test_workgroup, open_test_workgroup

RUNS = 100
#: Tests per pytest run: enough that a run's start-up (seconds, and noisy) weighs little per test.
PYTEST_RUNS = 500
ROUNDS = 5


def fixture_calls_median_ms(cases: int) -> float:
    """The fixture's own set-up and clean-up functions, as each test runs them."""
    times = []
    with MockServer() as server:
        ici = IciServer(server.url, server.control, external=False, embedded=server)
        for n in range(RUNS):
            started = time.perf_counter()
            mock = open_test_workgroup(ici, f"bench.py::test_{n}", {"cases": cases})
            close_test_workgroup(mock)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def pytest_delta_ms() -> float:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "test_with.py").write_text(
            f"import pytest\n\n@pytest.mark.parametrize('n', range({PYTEST_RUNS}))\n"
            "@pytest.mark.ici_mock(cases=20)\ndef test_with(ici_mock, n):\n    pass\n")
        (root / "test_without.py").write_text(
            f"import pytest\n\n@pytest.mark.parametrize('n', range({PYTEST_RUNS}))\ndef test_without(ici_server, n):\n    pass\n")

        def run(name: str) -> float:
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", name],
                           cwd=root, check=True, capture_output=True, timeout=600)
            return time.perf_counter() - started

        # Interleaved rounds, so that a busy spell of a shared machine falls on both files.
        deltas = [run("test_with.py") - run("test_without.py") for _ in range(ROUNDS)]
        return statistics.median(deltas) / PYTEST_RUNS * 1000


def main() -> None:
    report = {f"fixture_calls_median_ms_{cases}_cases": round(fixture_calls_median_ms(cases), 2) for cases in (0, 20)}
    report["pytest_run_ms_per_test_20_cases"] = round(pytest_delta_ms(), 2)
    for name, value in report.items():
        print(f"{name}: {value}")
    print(write_results("plugin", f"the ici_mock fixture against one in-process server; medians over {RUNS} tests"
                                  f" (fixture calls) and of {ROUNDS} pytest runs of {PYTEST_RUNS} tests", report))


if __name__ == "__main__":
    main()
