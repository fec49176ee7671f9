"""POST /_mock/reset/server: one call back to the server as it started (data and everything else)."""

from __future__ import annotations

import requests
from conftest import BREAST_CASE, THYROID_CASE, WG, Api, start_server

from mockserver.testing.clients import MockControl

MTC = {"externalid": "255032005", "ontologytype": "SNOMEDCT"}


def server_wide(api: Api) -> dict:
    return {name: api.admin("GET", f"/{name}") for name in ("clock", "lifecycle", "latency", "faults")}


def test_reset_server__undoes_every_kind_of_change(fresh_api: Api) -> None:
    control = MockControl(fresh_api.url)
    seeded = fresh_api.all_cases()
    before = server_wide(fresh_api)
    assert before["clock"]["mode"] == "real" and before["faults"] == []

    control.freeze("2026-01-01T00:00:00Z")
    control.set_lifecycle(processing={"mode": "manual"}, ingestion={"mode": "polls", "count": 2})
    control.set_latency(default={"fixedMs": 1})
    control.add_fault(operation="getCase", status=503, times=5)
    control.create_workgroup(id="extra", cases=2)
    fresh_api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC)
    fresh_api.delete(f"/crs/api/v1/cases/{BREAST_CASE}")
    assert control.requests()

    assert control.reset_server() == {"reset": [WG]}

    after = server_wide(fresh_api)
    assert after["clock"]["mode"] == "real"
    assert after["clock"]["now"] != "2026-01-01T00:00:00Z"
    assert {k: after[k] for k in ("lifecycle", "latency", "faults")} == {k: before[k] for k in ("lifecycle", "latency", "faults")}
    assert [w["id"] for w in control.workgroups()] == [WG]
    assert control.requests() == []
    assert fresh_api.all_cases() == seeded
    assert fresh_api.get(f"/crs/api/v2/cases/{BREAST_CASE}").status_code == 200  # no fault rule left


def test_reset_server__puts_back_a_reseeded_default_workgroup(fresh_api: Api) -> None:
    seeded = fresh_api.all_cases()
    fresh_api.admin("POST", "/seed", {"seed": 9, "cases": 5})
    assert len(fresh_api.all_cases()) == 7
    fresh_api.admin("POST", "/reset/server")
    assert fresh_api.all_cases() == seeded


def test_reset_server__reapplies_the_start_up_settings() -> None:
    server = start_server(cases=3, clock={"mode": "frozen", "now": "2026-02-01T00:00:00Z"},
                          lifecycle={"processing": {"mode": "manual"}}, workgroups=[{"id": "lab-2", "cases": 4}],
                          faults=[{"operation": "listWorkgroups", "status": 503, "times": 1}])
    try:
        api = Api(server)
        control = MockControl(server.url)
        lab2 = Api(server, workgroup="lab-2")
        seeded_lab2 = lab2.all_cases()
        lab2.delete(f"/crs/api/v1/cases/{seeded_lab2[0]['id']}")
        control.unfreeze()
        control.set_lifecycle(processing={"mode": "immediate"})
        control.clear_faults()
        control.delete_workgroup("lab-2")
        assert control.reset_server() == {"reset": [WG, "lab-2"]}
        assert control.clock() == {"mode": "frozen", "now": "2026-02-01T00:00:00Z"}
        assert control.lifecycle()["processing"] == {"mode": "manual", "outcome": "READY_FOR_INTERPRETATION",
                                                     "failureRate": 0.0}
        assert [(f["operation"], f["times"]) for f in control.faults()] == [("listWorkgroups", 1)]
        assert lab2.all_cases() == seeded_lab2
        assert len(api.all_cases()) == 5
    finally:
        server.stop()


def test_reset_server__refuses_a_body_with_settings(fresh_api: Api) -> None:
    fresh_api.admin("POST", "/workgroups", {"id": "kept", "cases": 0}, expect=201)
    response = requests.post(fresh_api.url + "/_mock/reset/server", json={"keepWorkgroups": True}, timeout=10)
    assert response.status_code == 400 and response.json()["details"][0]["field"] == "keepWorkgroups"
    assert "kept" in [w["id"] for w in fresh_api.admin("GET", "/workgroups")]  # refused: nothing changed


def test_workgroups_never_go_missing_while_a_reset_or_an_import_swaps_them() -> None:
    """A reader of a start-up workgroup, and of the default one, while resets and imports run in
    a loop: each read sees the old set or the new one. The start-up workgroup was removed, then
    built again (20,000 cases), and a third to two thirds of the reads got 403 meanwhile."""
    import threading

    server = start_server(workgroups=[{"id": "lab-big", "cases": 20_000}])
    try:
        big, default = Api(server, workgroup="lab-big"), Api(server)
        exported = default.admin("GET", "/state")
        stop, statuses = threading.Event(), []

        def read() -> None:
            while not stop.is_set() and len(statuses) < 20_000:
                for api in (big, default):
                    statuses.append(api.get("/crs/api/v1/session/workgroups").status_code)
                    statuses.append(api.get("/crs/api/v1/cases/search", params={"pageSize": 1}).status_code)

        reader = threading.Thread(target=read)
        reader.start()
        try:
            for _ in range(15):
                default.admin("POST", "/reset/server", {})
                default.admin("PUT", "/state", exported)
        finally:
            stop.set()
            reader.join(timeout=60)
        assert statuses and set(statuses) == {200}
    finally:
        server.stop()
