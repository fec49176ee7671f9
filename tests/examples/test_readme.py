"""Every example in the README, docs/ and the changelog runs here as written: the shell calls against a fresh server
(every status a 2xx), the pytest files and the script twice against one server, the config
file by the server it configures, the set-up commands as .ci/run runs them. An example no test
runs is the one that breaks, so ``HOW`` names how each is run, and a new example without an
entry there fails ``test_every_example_is_run``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from conftest import WG, import_layers, start_server

ROOT = Path(__file__).resolve().parents[2]
#: The documents whose examples are run, by their path from the repository's root.
DOCUMENTS = ["README.md", *(str(p.relative_to(ROOT)) for p in sorted((ROOT / "docs").glob("*.md"))), "CHANGELOG.md"]
SCRIPT_TIMEOUT = 120


@dataclass(frozen=True)
class Example:
    section: str
    language: str
    text: str


def examples() -> dict[tuple[str, str, int], Example]:
    """Each fenced block, keyed by its document, its section's heading and its order in the
    section (from 1)."""
    found: dict[tuple[str, str, int], Example] = {}
    for document in DOCUMENTS:
        counts: Counter[str] = Counter()
        section, fence, lines = "", None, []
        for line in (ROOT / document).read_text().splitlines():
            if fence is None and line.startswith("```"):
                fence, lines = line[3:].strip(), []
            elif fence is not None and line == "```":
                counts[section] += 1
                found[(document, section, counts[section])] = Example(section, fence, "\n".join(lines) + "\n")
                fence = None
            elif fence is not None:
                lines.append(line)
            elif line.startswith("#"):
                section = line.lstrip("#").strip()
    return found


#: How each example is run, and by which test.
HOW = {
    ("README.md", "Set-up on a fresh machine", 1): "by .ci/run, word for word (test_the_set_up_is_what_ci_runs)",
    ("README.md", "Set-up on a fresh machine", 2): "test_the_serve_command_starts_seeded_without_configuration",
    ("README.md", "Set-up on a fresh machine", 3): "by .ci/run, word for word (test_the_set_up_is_what_ci_runs)",
    ("README.md", "Set-up on a fresh machine", 4): "by .ci/run, word for word (test_the_set_up_is_what_ci_runs)",
    ("README.md", "Refreshing the lock", 1): "test_the_lock_is_written_by_the_command_shown (uv needs the package index)",
    ("README.md", "Docker", 1): "tests/integration/test_docker.py: the README's tag and variable, --network host for -p",
    ("README.md", "Calling it", 1): "test_the_shell_examples_run_top_to_bottom",
    ("docs/configuration.md", "Configuration", 1): "test_the_config_file_example_configures_the_server",
    ("docs/control-plane.md", "The control plane (`/_mock/`)", 1): "test_the_shell_examples_run_top_to_bottom (after Calling it)",
    ("README.md", "Use it from pytest", 1): "test_the_pytest_examples_pass_twice_against_one_server",
    ("README.md", "Use it from pytest", 2): "test_the_script_example_runs_twice_against_one_server",
    ("docs/lab-export.md", "Reports and audit log: a lab's export job", 1): "test_the_pytest_examples_pass_twice_against_one_server",
    ("README.md", "The client report", 1): "test_the_pytest_examples_pass_twice_against_one_server",
    ("README.md", "The client report", 2): "test_the_client_report_sample_is_what_the_server_prints",
    ("README.md", "Real payloads: record, commit, serve", 1): "test_the_recording_steps_run_as_written (a mock as the upstream)",
    ("README.md", "How it works", 1): "test_the_drawing_is_the_layers_the_import_contract_states",
    ("README.md", "Performance", 1): "test_the_benchmark_commands_name_scripts_that_exist (each runs for minutes)",
}


def example(section: str, number: int = 1, document: str = "README.md") -> str:
    return examples()[(document, section, number)].text


def test_every_example_is_run() -> None:
    assert set(examples()) == set(HOW)


def test_the_shell_examples_run_top_to_bottom(tmp_path: Path) -> None:
    """"Calling it", then the control plane's example in the same shell, against a fresh server
    whose address is in ``BASE``; curl reports each status on stderr, and every one is a 2xx."""
    script = example("Calling it") + example("The control plane (`/_mock/`)", document="docs/control-plane.md")
    calls = len(re.findall(r"(?<![\w-])curl ", script))
    server = start_server()
    try:
        # The last -w wins: this one, after the README's own (DELETE prints its status too).
        report = "curl() { command curl \"$@\" -w '%{stderr}STATUS %{http_code} %{url_effective}\\n'; }\n"
        result = subprocess.run(["bash", "-c", "set -euo pipefail\n" + report + script], cwd=tmp_path,
                                env={**os.environ, "BASE": server.url}, capture_output=True, text=True,
                                timeout=SCRIPT_TIMEOUT)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr[-3000:]
    statuses = re.findall(r"^STATUS (\d{3}) (\S+)$", result.stderr, re.MULTILINE)
    assert len(statuses) == calls, result.stderr[-3000:]
    assert [s for s in statuses if not s[0].startswith("2")] == []
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF-")


@pytest.fixture
def running_server():
    server = start_server()
    yield server
    server.stop()


def test_the_pytest_examples_pass_twice_against_one_server(pytester: pytest.Pytester, running_server) -> None:
    """The Docker-in-CI use: the same tests, run again and again against a long-running server."""
    pytester.makepyfile(test_client_example=example("Use it from pytest"),
                        test_client_report=example("The client report"),
                        test_lab_export=example("Reports and audit log: a lab's export job", document="docs/lab-export.md"))
    for _ in range(2):
        result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider",
                                               f"--ici-mock-url={running_server.url}")
        result.assert_outcomes(passed=6)
    # Each run began by forgetting the earlier runs' requests of its workgroups.
    count = requests.post(running_server.url + "/_mock/requests/count", json={"operation": "updateCaseDiseases"}, timeout=10)
    assert count.json()["count"] == 1


def test_the_client_report_sample_is_what_the_server_prints(running_server) -> None:
    """The README's sample, made again: what differs is only the key's name, the User-Agent's
    version, the times and the gap."""
    from conftest import BREAST_CASE, Api

    api = Api(running_server)
    for _ in range(3):
        api.get(f"/crs/api/v2/cases/{BREAST_CASE}")
    api.get(f"/crs/api/v1/cases/{BREAST_CASE}")
    printed = api.get("/_mock/client-report", params={"format": "text"}).text

    def varying(text: str) -> str:
        for pattern, stand_in in ((r"key-[0-9a-f]{8}", "key-K"), (r"python-requests/[\d.]+", "UA"),
                                  (r"\d{4}-\d\d-\d\dT[\d:.]+Z", "T"), (r"gap [\d.]+ s", "gap G s")):
            text = re.sub(pattern, stand_in, text)
        return text

    assert varying(printed) == varying(example("The client report", 2))


def test_the_script_example_runs_twice_against_one_server(tmp_path: Path, running_server) -> None:
    script = tmp_path / "outside_pytest.py"
    script.write_text(example("Use it from pytest", 2))
    for _ in range(2):
        result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                                env={**os.environ, "ICI_MOCK_URL": running_server.url}, timeout=SCRIPT_TIMEOUT)
        assert result.returncode == 0, result.stderr[-3000:]
        total, done = result.stdout.splitlines()
        assert total == "22 cases in the default workgroup"  # 20 generated and the 2 fixture cases
        assert done.endswith(" READY_FOR_INTERPRETATION")
    workgroups = requests.get(running_server.url + "/_mock/workgroups", timeout=10).json()
    assert [w["id"] for w in workgroups] == [WG]  # the script took its workgroup away


def test_the_config_file_example_configures_the_server(tmp_path: Path) -> None:
    from processes import HEADERS, serving

    config = tmp_path / "mock.yaml"
    config.write_text(example("Configuration", document="docs/configuration.md"))
    with serving("--config", str(config)) as (url, _):
        clock = requests.get(url + "/_mock/clock", timeout=10).json()
        assert (clock["mode"], clock["now"][:19]) == ("frozen", "2026-01-01T00:00:00")
        lifecycle = requests.get(url + "/_mock/lifecycle", timeout=10).json()
        assert (lifecycle["processing"]["mode"], lifecycle["processing"]["count"]) == ("polls", 3)
        assert {w["id"]: w["cases"] for w in requests.get(url + "/_mock/workgroups", timeout=10).json()}["lab-2"] == 20
        first = requests.get(url + "/crs/api/v1/cases/search", headers=HEADERS, timeout=10)
        assert (first.status_code, first.headers.get("Retry-After")) == (503, "2")  # the one-time fault
        again = requests.get(url + "/crs/api/v1/cases/search", headers=HEADERS, timeout=10)
        assert again.json()["totalElements"] == 502  # seed 7's 500 and the 2 fixture cases


def test_the_serve_command_starts_seeded_without_configuration(tmp_path: Path) -> None:
    """The install part is .ci/run's without the test extra; the server part is run as written,
    on a free port (``MOCKSERVER_PORT``) rather than 8080, which may be taken."""
    from processes import HEADERS, free_port, wait_until_up

    install, serve = (part.strip() for part in example("Set-up on a fresh machine", 2).split("&&"))
    assert any(line.startswith(install.replace(" -e .", " -e '.[test]'") + " && ") for line in ci_lines())
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")} | {"MOCKSERVER_PORT": str(port)}
    command = serve.split()
    proc = subprocess.Popen([str(Path(sys.executable).with_name(command[0])), *command[1:]], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}", proc)
        search = requests.get(f"http://127.0.0.1:{port}/crs/api/v1/cases/search", headers=HEADERS, timeout=10)
        assert search.json()["totalElements"] == 102  # 100 seeded cases and the 2 fixture cases
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_recording_steps_run_as_written(tmp_path: Path) -> None:
    """Record (a mock as the upstream, a free port), commit in a fresh git repository, serve
    (a free port): the served cases are the ones the client read through the recorder."""
    from processes import HEADERS, free_port, wait_until_up

    record, commit, serve = example("Real payloads: record, commit, serve").splitlines()
    upstream = start_server(cases=4, seed=7)  # not the served generator's seed: recorded ids are its own
    recorder_port, port = free_port(), free_port()
    record = record.replace("https://ici.example.org", upstream.url).replace("--port 8081", f"--port {recorder_port}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")}
    mockserver = str(Path(sys.executable).with_name("mockserver"))
    proc = subprocess.Popen([mockserver, *record.split()[1:]], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{recorder_port}", proc)
        read = requests.get(f"http://127.0.0.1:{recorder_port}/crs/api/v1/cases/search", headers=HEADERS, timeout=10)
        assert read.json()["totalElements"] == 6
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        upstream.stop()
    git = {**env, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True, timeout=30)
    subprocess.run(["bash", "-c", commit], cwd=tmp_path, env=git, check=True, timeout=30)
    committed = subprocess.run(["git", "ls-files"], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert "fixtures/recorded/fixtures.json" in committed and "fixtures/recorded/redactions.json" in committed
    served = subprocess.Popen([mockserver, *serve.split()[1:], "--port", str(port)], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}", served)
        found = requests.get(f"http://127.0.0.1:{port}/crs/api/v1/cases/search", headers=HEADERS,
                             params={"pageSize": 200}, timeout=10).json()
        assert found["totalElements"] == 100 + 6  # the generated cases and, beside them, the recorded ones
        assert {c["id"] for c in read.json()["content"]} <= {c["id"] for c in found["content"]}
    finally:
        served.terminate()
        served.wait(timeout=20)


def test_the_readme_lists_every_identifying_field() -> None:
    from mockserver.recording.identifying import IDENTIFYING

    listed = re.findall(r"^   \| `([\w.\[\]]+)` \| ([\w' -]+) \|", (ROOT / "README.md").read_text(), re.MULTILINE)
    assert listed == [(row.name, row.kind) for row in IDENTIFYING]


def ci_lines() -> list[str]:
    return [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]


def test_the_set_up_is_what_ci_runs() -> None:
    for number in (1, 3, 4):
        for line in example("Set-up on a fresh machine", number).splitlines():
            assert line.strip() in ci_lines(), line


def test_the_lock_is_written_by_the_command_shown() -> None:
    command = next(line for line in example("Refreshing the lock").splitlines() if line.startswith("uv pip compile"))
    header = (ROOT / "constraints.txt").read_text().splitlines()[:2]
    assert header == ["# This file was autogenerated by uv via the following command:", f"#    {command}"]


def test_the_drawing_is_the_layers_the_import_contract_states() -> None:
    """Each line of the drawing is a layer of ``[tool.importlinter]`` (which the suite checks),
    top to bottom: its modules before the description, siblings split by ``|``."""
    drawn = []
    for line in example("How it works").splitlines():
        names = re.match(r"^((?:[\w.]+/?\s*\|\s*)*[\w.]+/?)", line).group(1)
        drawn.append(" | ".join(n.strip().removesuffix(".py").removesuffix("/") for n in names.split("|")))
    assert drawn == [layer for layer in import_layers() if layer != "__main__"]


def test_the_benchmark_commands_name_scripts_that_exist() -> None:
    """The peers' set-up lives in the shared folder beside a checkout, when there is one."""
    scripts = [line.split("#")[0].split()[1] for line in example("Performance").splitlines()]
    assert all((ROOT / s).is_file() for s in scripts if not s.startswith("../")), scripts
    assert all((ROOT / s).is_file() for s in scripts if s.startswith("../") and (ROOT / s).parents[1].is_dir())


def test_the_readme_lists_every_client_rule_with_its_severity() -> None:
    from mockserver.admin.client_report import RULES

    listed = re.findall(r"^\| `([a-z-]+)` \| (error|warning|info) \|", (ROOT / "README.md").read_text(), re.MULTILINE)
    assert listed == [(rule.id, rule.severity) for rule in RULES]
