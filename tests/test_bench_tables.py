"""The README's performance tables are the ones bench/results/ gives (bench/readme_tables.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_performance_tables_come_from_the_committed_results() -> None:
    result = subprocess.run([sys.executable, "bench/readme_tables.py", "--check"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_every_results_file_names_its_commit_and_command() -> None:
    import json

    for path in sorted((ROOT / "bench" / "results").glob("*.json")):
        document = json.loads(path.read_text())
        assert {"commit", "command", "configuration", "results"} <= set(document), path.name
