"""``serve --state-file``: state survives a restart; a crash mid-save never corrupts the file."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
import requests
from processes import HEADERS, serving

CASE = "0f6b2a44-5c1d-4e7a-9b3f-2d8c6e1a7b90"


def ok_json(response: requests.Response):
    assert response.status_code == 200, response.text
    return response.json()


def everything(url: str) -> dict:
    return {
        "cases": ok_json(requests.get(url + "/crs/api/v1/cases/search", params={"pageSize": 2000}, headers=HEADERS, timeout=10)),
        "clock": ok_json(requests.get(url + "/_mock/clock", timeout=10)),
        "lifecycle": ok_json(requests.get(url + "/_mock/lifecycle", timeout=10)),
        "workgroups": ok_json(requests.get(url + "/_mock/workgroups", timeout=10)),
    }


@pytest.mark.parametrize("server", ["waitress", "granian"])
def test_state_file__survives_a_sigterm_restart(tmp_path, server: str) -> None:
    path = tmp_path / "state.json"
    with serving("--state-file", str(path), "--server", server) as (url, proc):
        requests.put(url + "/_mock/clock", json={"mode": "frozen", "now": "2026-02-03T04:05:06Z"}, timeout=10)
        requests.put(url + "/_mock/lifecycle", json={"processing": {"mode": "manual"}}, timeout=10)
        requests.delete(url + f"/crs/api/v1/cases/{CASE}", headers=HEADERS, timeout=10)
        requests.post(url + "/_mock/cases", json={"displayId": "KEPT"}, timeout=10)
        requests.post(url + "/_mock/workgroups", json={"id": "lab-kept", "cases": 3}, timeout=10)
        before = everything(url)
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=20)[0]
    assert proc.returncode == 0 and "state saved to" in output and f"({server}, " in output
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    with serving("--state-file", str(path)) as (url, _):
        assert everything(url) == before
        assert requests.get(url + f"/crs/api/v2/cases/{CASE}", headers=HEADERS, timeout=10).status_code == 404


def test_state_file__saved_periodically(tmp_path) -> None:
    path = tmp_path / "state.json"
    with serving("--state-file", str(path), "--state-save-seconds", "0.2") as (url, _):
        requests.post(url + "/_mock/cases", json={"displayId": "PERIODIC"}, timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if path.exists() and "PERIODIC" in path.read_text():
                break
            time.sleep(0.1)
        assert "PERIODIC" in path.read_text()


def test_state_file__unchanged_state_is_not_written_again(tmp_path) -> None:
    """Saves every 0.2 s: with nothing changed the file stays as written (a real clock's time
    moving is no change); the next change is written at the next save."""
    path = tmp_path / "state.json"
    with serving("--state-file", str(path), "--state-save-seconds", "0.2") as (url, _):
        written = path.stat().st_mtime_ns
        time.sleep(1.0)  # five saves' worth
        assert path.stat().st_mtime_ns == written
        requests.put(url + f"/crs/api/v1/cases/{CASE}/diseases", headers=HEADERS, timeout=10,
                     json={"externalid": "255032005", "ontologytype": "SNOMEDCT"})
        deadline = time.monotonic() + 10
        while path.stat().st_mtime_ns == written and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.stat().st_mtime_ns != written


def test_state_file__the_document_is_made_without_the_workgroups_lock(tmp_path, monkeypatch) -> None:
    """The snapshot copies references under each workgroup's lock; the JSON (seconds for a large
    event log) is made after, while every other request can take the lock."""
    import threading

    from conftest import THYROID_CASE

    from mockserver import create_app
    from mockserver.admin import state_document
    from mockserver.admin.plane import EXTENSION
    from mockserver.admin.state_file import StateFile

    app = create_app(cases=5)
    assert app.test_client().put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", headers=HEADERS,  # events to dump
                                 json={"externalid": "255032005", "ontologytype": "SNOMEDCT"}).status_code == 200
    mock = app.extensions["mockserver"]
    wg = mock.workgroup(mock.default_workgroup_id)
    free: list[bool] = []
    dump = state_document.EventStateSchema.dump

    def watching(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        def try_lock() -> None:
            got = wg.lock.acquire(timeout=5)
            free.append(got)
            if got:
                wg.lock.release()
        other = threading.Thread(target=try_lock)
        other.start()
        other.join()
        return dump(self, *args, **kwargs)

    monkeypatch.setattr(state_document.EventStateSchema, "dump", watching)
    StateFile(tmp_path / "state.json", mock, app.extensions[EXTENSION], 5).save()
    assert free == [True]


def saved_names(path) -> set[str]:
    try:
        doc = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):  # not written yet, or (a bug) half written
        return set()
    return {case["displayId"] for wg in doc["workgroups"] for case in wg["changedCases"]}


def test_state_file__sigkill_during_saves_leaves_a_valid_state(tmp_path) -> None:
    """Kill the server at random moments while it saves every 20 ms under a stream of changes:
    each time, the file is a complete earlier state that the next start loads."""
    path = tmp_path / "state.json"
    rng = random.Random(1)
    for round_ in range(5):
        with serving("--state-file", str(path), "--state-save-seconds", "0.02") as (url, proc):
            first = f"R{round_}-0"
            for n in range(rng.randint(5, 25)):
                assert requests.post(url + "/_mock/cases", json={"displayId": f"R{round_}-{n}"}, timeout=10).status_code == 201
                if n == 0:  # this round's first save is on disk before the kill can come
                    deadline = time.monotonic() + 10
                    while first not in saved_names(path) and time.monotonic() < deadline:
                        time.sleep(0.01)
                    assert first in saved_names(path)
            time.sleep(rng.uniform(0.0, 0.1))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        doc = json.loads(path.read_text())  # never a half-written file
        assert doc["format"] == "ici-mock-state/3"
        assert {f"R{r}-0" for r in range(round_ + 1)} <= saved_names(path)  # earlier rounds kept
    with serving("--state-file", str(path)) as (url, _):
        names = {c["displayId"] for c in ok_json(requests.get(url + "/_mock/cases", timeout=10))}
        assert {f"R{r}-0" for r in range(5)} <= names


def run_serve(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")}
    return subprocess.run([sys.executable, "-m", "mockserver", "serve", "--port", "0", *args],
                          capture_output=True, text=True, timeout=60, env=env)


def test_state_file__corrupt_file_refuses_to_start(tmp_path) -> None:
    path = tmp_path / "state.json"
    path.write_text('{"format": "ici-mock-state/1", "workgroups": [')
    result = run_serve("--state-file", str(path))
    assert result.returncode == 2
    assert "cannot be read as JSON" in result.stderr and "will not overwrite it" in result.stderr
    assert path.read_text() == '{"format": "ici-mock-state/1", "workgroups": ['  # untouched


def test_state_file__incompatible_file_refuses_to_start(tmp_path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"format": "someone-elses/9"}))
    result = run_serve("--state-file", str(path))
    assert result.returncode == 2 and "is not a state this server can load" in result.stderr and "format" in result.stderr


def test_state_file__the_json_is_written_in_pieces_that_read_back_as_one() -> None:
    """One json.dump of a large state is one C call holding the GIL (about 200 ms for 120,000
    events); the pieces are small calls, and together the same text."""
    from mockserver.admin.state_file import json_pieces

    doc = {"format": "x", "workgroups": [{"events": [{"n": n, "s": "é\""} for n in range(50)], "empty": []}], "z": {}}
    pieces = list(json_pieces(doc))
    assert "".join(pieces) == json.dumps(doc)
    assert len(pieces) > 50 and max(map(len, pieces)) < 40


def test_state_file__event_slices_are_kept_between_saves_and_write_the_export_text(monkeypatch) -> None:
    """A save writes the events a slice at a time from ``EventTexts``: the text is the export's,
    whatever the slices, after new events, after retention dropped the oldest and after an
    import; a slice whose events did not change is not dumped again."""
    from conftest import THYROID_CASE

    from mockserver import create_app
    from mockserver.admin import state_document
    from mockserver.admin.state_document import EventTexts, StateSnapshot
    from mockserver.admin.state_file import json_pieces

    app = create_app(cases=5)
    client = app.test_client()
    mock, plane = app.extensions["mockserver"], app.extensions["mockserver.control"]
    texts = EventTexts()
    dumped: list[int] = []
    real_dump = state_document._event_states.dump
    monkeypatch.setattr(state_document._event_states, "dump", lambda records: dumped.append(len(records)) or real_dump(records))

    def change(times: int = 1) -> None:
        for _ in range(times):  # two events each
            assert client.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", headers=HEADERS,
                              json={"externalid": "255032005", "ontologytype": "SNOMEDCT"}).status_code == 200

    def saved_as_exported() -> int:
        """How many events the save dumped."""
        dumped.clear()
        snapshot = StateSnapshot.of(mock, plane)
        assert "".join(json_pieces(snapshot.document(texts))) == json.dumps(snapshot.document())
        return sum(dumped[:-1])  # the last: ``snapshot.document()``'s own dump

    change(EventTexts.SLICE + 1)
    assert saved_as_exported() == 2 * EventTexts.SLICE + 2  # three slices, the last one short
    change()
    assert saved_as_exported() == 4  # only the newest slice
    assert saved_as_exported() == 0  # nothing changed

    wg = mock.workgroups()[0]
    with wg.lock:
        wg.events.keep(EventTexts.SLICE + 50)  # drops the oldest: the first slice kept is partial
    assert saved_as_exported() == 50 - 4  # only the first slice, now short; the later two as they were

    assert client.put("/_mock/state", json=client.get("/_mock/state").get_json()).status_code == 200
    assert saved_as_exported() == EventTexts.SLICE + 50  # new events, same workgroup id: all dumped
