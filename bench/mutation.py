"""Mutation testing of the domain, the schemas and fidelity.py against the fast tests.

Two kept tools, each where it works:
- **mutmut 3** for the functions of ``mockserver/domain/`` and ``mockserver/schemas/``
  (configuration in ``pyproject.toml``, ``[tool.mutmut]``). It records which tests reach each
  function and runs only those for that function's mutants, in forked workers: this is what
  makes 4,000 mutants affordable. It does not mutate code outside functions. The few functions
  every test reaches (``START_UP``) run against ``tests/unit`` alone first, in a copy of the tree.
- **cosmic-ray** for ``mockserver/fidelity.py``, which is nothing but module-level constants
  (mutmut 3 leaves those alone). It has no test selection and runs one pytest per mutant, so
  its mutants run against the tests that state the fidelity values (``FIDELITY_TESTS``, with
  ``-x``), in a copy of the tree (cosmic-ray edits files in place).

The fast tests are ``tests/unit``, ``tests/api`` and ``tests/admin``: in-process servers, no
subprocesses. Writes ``bench/results/mutation.json``: per module, killed / survived / no tests
/ timeouts / not checked and the score (killed and timed-out over the mutants that ran or had
no test; mutants not checked yet are counted apart, not in the score), and every surviving
mutant by name (``mutmut show NAME`` prints one) or, for fidelity.py, its diff.

    pip install -c constraints.txt -e '.[test,mutation]'
    python bench/mutation.py [--max-children 2] [--skip-mutmut] [--skip-fidelity]
                             [--retest-survivors] [--only GLOB ...]

mutmut keeps its results in ``mutants/`` and goes on where it stopped, keeping each verdict
until the function changes: ``--retest-survivors`` tries the survivors again against all the
fast tests (mutmut's own selection of those that reach each function, START_UP's included),
after new tests are written or after the START_UP pass against ``tests/unit`` alone; deleting
that folder starts from scratch (about 3 hours on two cores).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from fnmatch import fnmatch
from pathlib import Path

from mutmut.stats import status_by_exit_code  # mutmut's own names for its exit codes

sys.path.insert(0, str(Path(__file__).parent))
from _harness import RESULTS, write_results  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FAST_TESTS = ["tests/unit", "tests/api", "tests/admin"]
#: fidelity.py's mutants run against the tests that state its values, and the unit tests.
FIDELITY_TESTS = ["tests/api/test_fidelity_notes.py", "tests/api/test_status_table.py", "tests/unit",
                  "tests/api/test_reports.py", "tests/admin/test_sign_off.py"]
CAUGHT = {"killed", "timeout"}
#: What a retest tries again.
NOT_CAUGHT = {"survived", "no tests"}
#: Functions that run only while the package is imported (schema declarations). mutmut forks
#: each mutant's worker from a process that imported the package before any mutant was chosen,
#: so these mutants are never active in a test: they are reported apart ("import time"), not as
#: survivors and not in the score. The literal tests and the OpenAPI contract tests cover them.
IMPORT_TIME = ("mockserver.schemas.common.x_page_schema__", "mockserver.schemas.cases.xǁSearchTextǁ__init____")
RESULT_LINE = re.compile(r"^\s+(\S+): (.+)$")
#: Functions that every test reaches (building a workgroup, the clock, recording an event,
#: drawing a user): against all the fast tests, each of their surviving mutants costs a full run
#: of them (~2 min), hours in all. Their mutants run first against ``tests/unit`` alone (seconds
#: each), which build workgroups and record events without HTTP; a mutant the unit tests miss
#: counts as survived, even if an HTTP test would have caught it (the score can only be lower).
START_UP = (
    "mockserver.domain.case_table.xǁCaseTableǁ__init__", "mockserver.domain.case_table.xǁCaseTableǁreset",
    "mockserver.domain.clock.xǁClockǁnow", "mockserver.domain.events.x_case_event",
    "mockserver.domain.events.xǁEventLogǁ__init__", "mockserver.domain.events.xǁEventLogǁappend",
    "mockserver.domain.models.xǁCaseǁ__post_init__", "mockserver.domain.models.xǁSearchKeysǁof",
    "mockserver.domain.seeded_history.xǁSeededHistoryǁ__init__", "mockserver.domain.mock_state.xǁMockStateǁ__init__",
    "mockserver.domain.mock_state.xǁMockStateǁworkgroup", "mockserver.domain.users.xǁUsersǁ__init__",
    "mockserver.domain.users.xǁUsersǁdrawn_index", "mockserver.domain.users.xǁUsersǁfor_key",
    "mockserver.domain.workgroup.xǁWorkgroupǁ__init__", "mockserver.domain.workgroup.xǁWorkgroupǁreset",
    "mockserver.schemas.cases.xǁCaseSchemaǁ__init__", "mockserver.schemas.cases.xǁCustomMetadataǁ_serialize",
    "mockserver.schemas.cases.xǁFormattedDateǁ_deserialize", "mockserver.schemas.cases.xǁServedShapeǁ__init__",
    "mockserver.schemas.cases.xǁTestDefinitionSchemaǁ_load_pipeline",
    # Reached by every test since the restructure (issue 24): 237 mutants, 20 to 40 s each.
    "mockserver.domain.seeded_cases.xǁSeededCasesǁ__init__", "mockserver.domain.seeded_cases.xǁSeededCasesǁ_generated_order",
    "mockserver.domain.seeded_cases.xǁSeededCasesǁ__getitem__", "mockserver.domain.seeded_cases.xǁSeededCasesǁposition_of",
    "mockserver.domain.seeded_cases.xǁSeededCasesǁget", "mockserver.domain.case_table.x_merged_slice",
    "mockserver.domain.case_table.xǁCaseTableǁget", "mockserver.domain.clock.x_in_range",
    "mockserver.domain.lifecycle.engine.xǁStepsǁ__init__", "mockserver.domain.lifecycle.schedule.xǁScheduleǁ__init__",
    "mockserver.domain.lifecycle.plans.xǁDefaultPlansǁ__init__", "mockserver.domain.lifecycle.kinds.xǁStepKindsǁ__iter__",
    "mockserver.domain.lifecycle.kinds.xǁStepKindsǁshipped_defaults", "mockserver.schemas.common.x_checked_instant",
)


def module_of(mutant: str) -> str:
    """``mockserver.domain.clock.xǁClockǁnow__mutmut_3`` -> ``mockserver/domain/clock.py``."""
    dotted = re.split(r"\.x[_ǁ]", mutant, maxsplit=1)[0]
    return dotted.replace(".", "/") + ".py"


def forget_survivors(only: list[str]) -> dict[str, int]:
    """Clear mutmut's stored verdict of every mutant that survived or had no test (of those
    matching ``only``, if given), so the next run tries them again against the tests as they
    are now (mutmut keeps a verdict until the function itself changes); the verdicts cleared.
    Verdicts live in ``mutants/**/*.py.meta`` as exit codes (None: not checked)."""
    cleared = {}
    for meta in (ROOT / "mutants").rglob("*.py.meta"):
        if not (ROOT / meta.relative_to(ROOT / "mutants").with_suffix("")).exists():
            continue  # left by a module that has gone since
        data = json.loads(meta.read_text())
        verdicts = data["exit_code_by_key"]
        for key, code in verdicts.items():
            if status_by_exit_code[code] in NOT_CAUGHT and (not only or any(fnmatch(key, p) for p in only)):
                verdicts[key] = None
                cleared[key] = code
        meta.write_text(json.dumps(data, indent=4))
    return cleared


def mutmut_outcomes(children: int, run: bool, only: list[str], retest: bool) -> dict[str, str]:
    """Run mutmut (``only``: just these mutants; none: every mutant without a verdict) and
    read every verdict it keeps. ``retest``: ``only`` names survivors whose verdict was just
    cleared, to run against all the fast tests (no START_UP pass against the unit tests)."""
    mutmut = str(Path(sys.executable).with_name("mutmut"))  # its console script: it warns under -m
    if run:
        start_up = [f"{name}__mutmut_*" for name in START_UP
                    if not only or any(fnmatch(f"{name}__mutmut_1", pattern) for pattern in only)]
        if start_up and not retest:
            run_against_unit_tests(mutmut, children, start_up)
        subprocess.run([mutmut, "run", "--max-children", str(children), *only], cwd=ROOT, check=True)
    listing = subprocess.run([mutmut, "results", "--all", "true"],
                             cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return {m.group(1): m.group(2).strip() for m in map(RESULT_LINE.match, listing.splitlines()) if m}


def run_against_unit_tests(mutmut: str, children: int, start_up: list[str]) -> None:
    """Run mutants against ``tests/unit`` alone, in a copy of the tree whose mutmut sees only
    those tests, and keep the verdicts in ``mutants/`` (mutmut keeps a verdict while its
    function is unchanged, so the run over all the fast tests then finds them checked).
    ``start_up`` (globs): the START_UP mutants; their verdict from all the fast tests, where
    there is one, stands, and those the unit tests do not reach are left to all of them."""
    kept_folder = ROOT / "mutants"
    with tempfile.TemporaryDirectory(prefix="mutation-unit-") as folder:
        work = Path(folder) / "tree"
        shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(".git", ".venv", "mutants", "__pycache__", "*.egg-info"))
        config = work / "pyproject.toml"
        fast = 'tests_dir = ["tests/unit/", "tests/api/", "tests/admin/", "tests/conftest.py"]'
        assert fast in config.read_text(), "[tool.mutmut] tests_dir changed: update run_against_unit_tests"
        config.write_text(config.read_text().replace(fast, 'tests_dir = ["tests/unit/", "tests/conftest.py"]'))
        subprocess.run([mutmut, "run", "--max-children", str(children), *start_up], cwd=work, check=True)
        for found in (work / "mutants").rglob("*.py.meta"):
            theirs = json.loads(found.read_text())
            kept = kept_folder / found.relative_to(work / "mutants")
            ours = json.loads(kept.read_text()) if kept.exists() else {
                **theirs, "exit_code_by_key": {}, "hash_by_function_name": {}}
            verdict_hashes: dict[str, str] = {}  # each function as the verdicts taken here saw it
            for key, code in theirs["exit_code_by_key"].items():
                function = key.rsplit("__mutmut_", 1)[0].rsplit(".", 1)[1]
                current = theirs["hash_by_function_name"][function]
                if status_by_exit_code[code] in CAUGHT | {"survived"} and any(fnmatch(key, p) for p in start_up):
                    if ours["hash_by_function_name"].get(function) != current or ours["exit_code_by_key"].get(key) is None:
                        ours["exit_code_by_key"][key] = code
                    verdict_hashes.setdefault(function, current)
            ours["hash_by_function_name"].update(verdict_hashes)
            kept.parent.mkdir(parents=True, exist_ok=True)
            kept.write_text(json.dumps(ours, indent=4))


def fidelity_outcomes(run: bool) -> dict[str, dict[str, str]]:
    """cosmic-ray over fidelity.py in a copy of the tree; {job id: {outcome, diff}}. The session
    is kept beside mutmut's (``mutants/cosmic-ray.sqlite``), so a report can be made again."""
    session = ROOT / "mutants" / "cosmic-ray.sqlite"
    if run:
        session.parent.mkdir(exist_ok=True)
        session.unlink(missing_ok=True)
        with tempfile.TemporaryDirectory(prefix="mutation-") as folder:
            work = Path(folder) / "tree"
            shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(".git", ".venv", "mutants", "__pycache__", "*.egg-info"))
            tests = " ".join(FIDELITY_TESTS)
            config = Path(folder) / "cosmic-ray.toml"
            config.write_text(
                "[cosmic-ray]\n"
                'module-path = "mockserver/fidelity.py"\n'
                "timeout = 600.0\n"
                "excluded-modules = []\n"
                f'test-command = "{sys.executable} -m pytest -x -q -p no:cacheprovider -n 0 {tests}"\n'
                '[cosmic-ray.distributor]\nname = "local"\n')
            for step in ("init", "exec"):
                subprocess.run([sys.executable, "-m", "cosmic_ray.cli", step, str(config), str(session)], cwd=work, check=True)
    if not session.exists():
        return {}
    with sqlite3.connect(session) as db:
        rows = db.execute("SELECT job_id, test_outcome, diff FROM work_results").fetchall()
    return {job: {"outcome": (outcome or "").lower(), "diff": diff} for job, outcome, diff in rows}


def score(counts: Counter) -> float | None:
    counted = sum(n for status, n in counts.items() if status not in ("skipped", "not checked", "import time"))
    return round(100 * sum(counts[s] for s in CAUGHT) / counted, 1) if counted else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--skip-mutmut", action="store_true", help="report mutmut's stored results without running it")
    parser.add_argument("--skip-fidelity", action="store_true", help="report cosmic-ray's stored session without running it")
    parser.add_argument("--retest-survivors", action="store_true",
                        help="try again, against all the fast tests, every mutant (matching --only, if given) "
                             "that survived or had no test")
    parser.add_argument("--only", action="append", default=[], metavar="GLOB",
                        help="run only these mutmut mutants, e.g. 'mockserver.domain.clock.*' (repeatable)")
    args = parser.parse_args()

    only, retest_only_cleared, run = args.only, False, not args.skip_mutmut
    if args.retest_survivors:
        cleared = forget_survivors(args.only)
        print(f"{len(cleared)} verdicts cleared", file=sys.stderr)
        # Just those, by name, against all the fast tests (mutants never run stay unchecked).
        only, retest_only_cleared, run = sorted(cleared), True, run and bool(cleared)
    by_module: dict[str, Counter] = defaultdict(Counter)
    survivors: dict[str, list[str]] = defaultdict(list)
    for mutant, status in mutmut_outcomes(args.max_children, run, only, retest_only_cleared).items():
        module = module_of(mutant)
        if mutant.startswith(IMPORT_TIME):
            status = "import time"
        by_module[module][status] += 1
        if status not in CAUGHT | {"import time", "not checked"}:
            survivors[module].append(f"{mutant}: {status}")
    for job in fidelity_outcomes(run=not args.skip_fidelity).values():
        by_module["mockserver/fidelity.py"][job["outcome"]] += 1
        if job["outcome"] not in CAUGHT:
            survivors["mockserver/fidelity.py"].append(job["diff"])

    total: Counter = sum(by_module.values(), Counter())
    report = {
        "score_percent": score(total),
        "totals": dict(total),
        "modules": {m: {"score_percent": score(c), **c} for m, c in sorted(by_module.items())},
        "survivors": dict(sorted(survivors.items())),
    }
    for module, figures in report["modules"].items():
        print(f"{module:45s} {figures['score_percent']}%  " + "  ".join(f"{k}={v}" for k, v in figures.items()
                                                                       if k != "score_percent"))
    print(f"all: {report['score_percent']}% of {sum(total.values())} mutants caught")
    RESULTS.mkdir(exist_ok=True)
    print(write_results("mutation", f"mutmut 3 (domain, schemas) and cosmic-ray (fidelity.py) against {' '.join(FAST_TESTS)}",
                        report))


if __name__ == "__main__":
    main()
