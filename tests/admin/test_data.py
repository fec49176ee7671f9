"""Reset, seed, workgroups, injected cases and state export/import over HTTP."""

from __future__ import annotations

import json

import pytest
import requests
from conftest import BREAST_CASE, THYROID_CASE, WG, Api, start_server

MTC = {"externalid": "255032005", "ontologytype": "SNOMEDCT"}


def snapshot(api: Api, workgroup: str = WG) -> list[dict]:
    return Api(api.server, workgroup=workgroup).all_cases()


def test_reset__restores_seeded_state_of_one_workgroup_only(fresh_api: Api) -> None:
    other = fresh_api.admin("POST", "/workgroups", {"name": "Other", "cases": 10}, expect=201)["id"]
    theirs = Api(fresh_api.server, workgroup=other)
    seeded_mine, seeded_theirs = snapshot(fresh_api), snapshot(fresh_api, other)

    fresh_api.delete(f"/crs/api/v1/cases/{BREAST_CASE}")
    fresh_api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC)
    fresh_api.admin("POST", "/cases", {"displayId": "EXTRA"}, expect=201)
    victim = seeded_theirs[0]["id"]
    theirs.delete(f"/crs/api/v1/cases/{victim}")

    assert fresh_api.admin("POST", "/reset", {"workgroup": WG}) == {"reset": [WG]}
    assert snapshot(fresh_api) == seeded_mine
    assert theirs.get(f"/crs/api/v2/cases/{victim}").status_code == 404  # untouched
    fresh_api.admin("POST", "/reset")
    assert snapshot(fresh_api, other) == seeded_theirs


def test_reset__forgets_uploads_steps_and_case_plans(frozen_api: Api) -> None:
    frozen_api.admin("PUT", f"/cases/{THYROID_CASE}/lifecycle", {"processing": {"mode": "manual"}})
    frozen_api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC)
    upload_id = frozen_api.post("/crs/api/v2/custom-case-data/files",
                                files=[("files", ("m.csv", b"Sample_ID,Case_ID\nS,C\n", "text/csv"))]).json()[0]["id"]
    frozen_api.admin("POST", "/reset")
    assert frozen_api.case(THYROID_CASE)["status"] == "MISSING_REQUIRED_DATA"
    assert frozen_api.admin("GET", f"/cases/{THYROID_CASE}/lifecycle") == {"processing": None, "pending": None}
    assert frozen_api.get(f"/crs/api/v1/custom-case-data/{upload_id}/status").status_code == 404
    assert frozen_api.admin("GET", f"/cases/{THYROID_CASE}/history") == []


def test_state__a_case_plan_of_format_2_imports_as_its_processing_plan(frozen_api: Api) -> None:
    frozen_api.admin("PUT", f"/cases/{THYROID_CASE}/lifecycle", {"processing": {"mode": "manual"}})
    exported = frozen_api.admin("GET", "/state")
    [workgroup] = exported["workgroups"]
    [own] = workgroup.pop("ownPlans")
    assert (own["kind"], own["target"]) == ("processing", THYROID_CASE)
    exported["format"] = "ici-mock-state/2"
    workgroup["casePlans"] = {THYROID_CASE: own["plan"]}
    frozen_api.admin("POST", "/reset")
    frozen_api.admin("PUT", "/state", exported)
    assert frozen_api.admin("GET", f"/cases/{THYROID_CASE}/lifecycle")["processing"]["mode"] == "manual"
    workgroup["ownPlans"] = []  # a format 2 file with format 3's field is refused, naming both
    refused = frozen_api.admin("PUT", "/state", exported, expect=400)
    assert "casePlans, not ownPlans" in refused["message"]


def test_reset__unknown_workgroup_and_bad_body(fresh_api: Api) -> None:
    fresh_api.admin("POST", "/reset", {"workgroup": "nope"}, expect=404)
    fresh_api.admin("POST", "/reset", {"everything": True}, expect=400)


def test_seed__regenerates_deterministically(fresh_api: Api) -> None:
    body = fresh_api.admin("POST", "/seed", {"seed": 7, "cases": 50})
    assert body[0]["seed"] == 7 and body[0]["seededCases"] == 52
    first = snapshot(fresh_api)
    fresh_api.admin("POST", "/seed", {"seed": 8, "cases": 50})
    assert snapshot(fresh_api) != first
    fresh_api.admin("POST", "/seed", {"seed": 7, "cases": 50})
    assert snapshot(fresh_api) == first
    other = start_server(seed=7, cases=50)
    try:
        assert snapshot(Api(other)) == first  # same as a server started with that seed
    finally:
        other.stop()
    fresh_api.admin("POST", "/seed", {"seed": "seven"}, expect=400)


def test_workgroups__create_use_list_delete(fresh_api: Api) -> None:
    created = fresh_api.admin("POST", "/workgroups", {"id": "lab-2", "name": "Lab 2", "cases": 5}, expect=201)
    assert created["id"] == "lab-2" and created["seededCases"] == 5 and created["default"] is False
    lab = Api(fresh_api.server, workgroup="lab-2")
    assert lab.search()["totalElements"] == 5
    roles = fresh_api.get("/crs/api/v1/session/workgroups").json()["workgroupRoles"]
    assert {"lab-2", WG} == {r["orgid"] for r in roles}
    empty = fresh_api.admin("POST", "/workgroups", {"name": "Empty"}, expect=201)
    assert Api(fresh_api.server, workgroup=empty["id"]).search()["totalElements"] == 0
    assert {w["id"] for w in fresh_api.admin("GET", "/workgroups")} == {WG, "lab-2", empty["id"]}
    fresh_api.admin("POST", "/workgroups", {"id": "lab-2"}, expect=409)
    fresh_api.admin("DELETE", "/workgroups/lab-2", expect=204)
    assert lab.get("/crs/api/v1/cases/search").status_code == 403
    fresh_api.admin("DELETE", "/workgroups/lab-2", expect=404)


def test_workgroups__a_taken_id_is_refused_before_any_case_is_built(fresh_api: Api, monkeypatch) -> None:
    """A million-case workgroup took seconds to build before its taken id was noticed."""
    from mockserver.admin.routes import data

    def must_not_build(*args, **kwargs):
        raise AssertionError("built a workgroup whose id is taken")

    monkeypatch.setattr(data, "build_workgroup", must_not_build)
    error = fresh_api.admin("POST", "/workgroups", {"id": WG, "cases": 1_000_000}, expect=409)
    assert error["message"] == f"Workgroup {WG} already exists."
    fresh_api.admin("DELETE", f"/workgroups/{WG}", expect=400)


def test_cases__inject_one_and_a_list(fresh_api: Api) -> None:
    one = fresh_api.admin("POST", "/cases", {"displayId": "INJ-1", "status": "HAS_ISSUE", "tags": ["injected"]}, expect=201)
    assert len(one) == 1 and one[0]["displayId"] == "INJ-1" and one[0]["status"] == "HAS_ISSUE"
    assert one[0]["subjects"][0]["samples"]  # filled in
    served = fresh_api.case(one[0]["id"])
    assert served["tags"] == ["injected"]
    many = fresh_api.admin("POST", "/cases", [{"displayId": "INJ-2"}, {"displayId": "INJ-3", "id": "my-own-id"}], expect=201)
    assert [c["displayId"] for c in many] == ["INJ-2", "INJ-3"] and many[1]["id"] == "my-own-id"
    assert len(fresh_api.all_cases(displayId="INJ-")) == 3
    lab = fresh_api.admin("POST", "/workgroups", {"name": "Lab"}, expect=201)["id"]
    fresh_api.admin("POST", "/cases", {"displayId": "THERE"}, expect=201, params={"workgroup": lab})
    assert [c["displayId"] for c in Api(fresh_api.server, workgroup=lab).all_cases()] == ["THERE"]
    fresh_api.admin("POST", "/cases", {"workgroup": lab, "cases": [{"displayId": "ALSO"}]}, expect=201)
    assert len(Api(fresh_api.server, workgroup=lab).all_cases()) == 2


def test_cases__fill_is_deterministic(fresh_api: Api) -> None:
    first = fresh_api.admin("POST", "/cases", {"displayId": "D"}, expect=201)[0]
    other = start_server()
    try:
        second = Api(other).admin("POST", "/cases", {"displayId": "D"}, expect=201)[0]
    finally:
        other.stop()
    assert first == second


def test_cases__one_invalid_item_refuses_the_list(fresh_api: Api) -> None:
    before = fresh_api.search()["totalElements"]
    error = fresh_api.admin("POST", "/cases", [{"displayId": "OK"}, {"displayId": "BAD", "status": "DONE"}], expect=400)
    assert any(d["field"] == "[1].status" for d in error["details"]), error
    error = fresh_api.admin("POST", "/cases", [{"displayId": "OK"}, {"subjects": [{"gender": "ROBOT"}]}], expect=400)
    assert any(d["field"].startswith("[1].subjects") for d in error["details"]), error
    error = fresh_api.admin("POST", "/cases", [{"displayId": "A", "id": BREAST_CASE}], expect=409)
    assert "[0].id" in error["message"]
    fresh_api.admin("POST", "/cases", [{"id": "dup"}, {"id": "dup"}], expect=409)
    fresh_api.admin("POST", "/cases", [], expect=400)
    fresh_api.admin("POST", "/cases", ["not a case"], expect=400)
    assert fresh_api.search()["totalElements"] == before
    # refused requests did not move the id counter: the next fill is as on a fresh server
    fresh = start_server()
    try:
        assert fresh_api.admin("POST", "/cases", {"displayId": "N"}, expect=201) == \
            Api(fresh).admin("POST", "/cases", {"displayId": "N"}, expect=201)
    finally:
        fresh.stop()


def test_cases__list_everything_whatever_the_status(fresh_api: Api) -> None:
    listed = fresh_api.admin("GET", "/cases")
    assert len(listed) == fresh_api.search()["totalElements"] == 102
    assert "mrn" in listed[0]["subjects"][0]  # the control plane sees direct identifiers


def test_state__export_then_import_reproduces_identical_answers(frozen_api: Api) -> None:
    api = frozen_api
    api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC)
    api.delete(f"/crs/api/v1/cases/{BREAST_CASE}")
    api.admin("POST", "/cases", {"displayId": "EXPORTED"}, expect=201)
    api.admin("PUT", "/lifecycle", {"ingestion": {"mode": "polls", "count": 2}})
    upload_id = api.post("/crs/api/v2/custom-case-data/files",
                         files=[("files", ("m.csv", b"Sample_ID,Case_ID\nS,NEWONE\n", "text/csv"))]).json()[0]["id"]
    api.admin("POST", "/faults", {"operation": "deleteCase", "status": 500}, expect=201)
    api.admin("POST", "/workgroups", {"id": "lab-x", "cases": 4}, expect=201)
    exported = api.admin("GET", "/state")
    assert exported["format"] == "ici-mock-state/3"

    other = start_server(seed=99, cases=3)
    try:
        copy = Api(other)
        copy.admin("PUT", "/state", exported)
        assert copy.admin("GET", "/state") == exported
        for client in (api, copy):
            client.admin("POST", "/clock/advance", {"seconds": 10})
        paths = [
            "/crs/api/v1/cases/search?pageSize=2000",
            f"/crs/api/v2/cases/{THYROID_CASE}",
            f"/crs/api/v1/custom-case-data/{upload_id}/status",
            f"/crs/api/v1/custom-case-data/{upload_id}/status",
            f"/crs/api/v1/custom-case-data/{upload_id}/status",
        ]
        for path in paths:
            original, restored = api.get(path), copy.get(path)
            assert original.status_code == restored.status_code == 200, (path, original.text, restored.text)
            assert original.json() == restored.json(), path
        assert copy.delete(f"/crs/api/v1/cases/{THYROID_CASE}").status_code == 500  # faults came along
        assert Api(other, workgroup="lab-x").search()["totalElements"] == 4
        assert api.admin("POST", "/cases", {"displayId": "NEXT"}, expect=201) == \
            copy.admin("POST", "/cases", {"displayId": "NEXT"}, expect=201)
        copy.admin("POST", "/reset")
        assert copy.get(f"/crs/api/v2/cases/{BREAST_CASE}").status_code == 200  # seeded state came along
    finally:
        other.stop()


def test_state__bad_import_is_400_and_changes_nothing(frozen_api: Api) -> None:
    """Under a frozen clock, so that two exports a second apart still compare equal."""
    exported = frozen_api.admin("GET", "/state")
    broken = {**exported, "workgroups": [{**exported["workgroups"][0], "changedCases": [{"id": "x"}]}]}
    error = frozen_api.admin("PUT", "/state", broken, expect=400)
    assert any(d["field"].startswith("workgroups[0]") for d in error["details"]), error
    frozen_api.admin("PUT", "/state", {"format": "other"}, expect=400)
    frozen_api.admin("PUT", "/state", [], expect=400)
    assert frozen_api.admin("GET", "/state") == exported


@pytest.mark.parametrize(("change", "field", "message"), [
    (lambda wg: [{**wg, "id": f"lab-{n}", "generatedCases": 1_000_000} for n in range(3)], "workgroups",
     "the workgroups ask for more than 1,000,000 generated cases in all; import them in parts"),
    (lambda wg: [wg, wg], "workgroups", "two workgroups have the same id"),
])
def test_state__an_import_too_costly_or_impossible_is_refused_before_building(frozen_api: Api, monkeypatch,
                                                                             change, field, message) -> None:
    """Three million-case workgroups in a 9 KB document took 27-38 s to build before any answer."""
    from mockserver.admin import state_document

    def must_not_build(*args, **kwargs):
        raise AssertionError("built a workgroup of a document that is refused")

    exported = frozen_api.admin("GET", "/state")
    monkeypatch.setattr(state_document, "build_workgroup", must_not_build)
    doc = {**exported, "workgroups": change(exported["workgroups"][0])}
    error = frozen_api.admin("PUT", "/state", doc, expect=400)
    assert {"field": field, "message": message} in error["details"]
    monkeypatch.undo()
    assert frozen_api.admin("GET", "/state") == exported


def test_control_plane_errors_use_the_error_format(fresh_api: Api) -> None:
    response = requests.post(fresh_api.url + "/_mock/reset", data="{oops", headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 400 and set(response.json()) == {"code", "message", "details"}
    response = requests.get(fresh_api.url + "/_mock/nothing", timeout=10)
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"


def test_cases__generated_dates_are_never_after_the_mock_clock(fresh_api: Api) -> None:
    """A frozen clock at 2026-01-01: injected and uploaded cases were not created in its future."""
    fresh_api.admin("PUT", "/clock", {"mode": "frozen", "now": "2026-01-01T00:00:00Z"})
    fresh_api.admin("PUT", "/lifecycle", {"ingestion": {"mode": "immediate"}})
    injected = fresh_api.admin("POST", "/cases", [{"displayId": f"INJ-{n}"} for n in range(30)], expect=201)
    upload = fresh_api.post("/crs/api/v2/custom-case-data/files",
                            files=[("files", ("m.csv", b"Sample_ID,Case_ID\nS1,UPLOADED-1\n", "text/csv"))])
    assert upload.status_code == 200, upload.text
    status = fresh_api.get(f"/crs/api/v1/custom-case-data/{upload.json()[0]['id']}/status").json()
    assert status["status"] == "COMPLETED"
    uploaded = fresh_api.case(status["casesCreated"][0])
    for case in [*injected, uploaded]:
        assert case["createdDate"] <= "2026-01-01T00:00:00+0000", case["displayId"]
        assert case["updatedDate"] <= "2026-01-01T00:00:00+0000", case["displayId"]
        assert case["createdDate"] <= case["updatedDate"]
    assert uploaded["createdDate"] == "2026-01-01T00:00:00+0000"


def test_state__events_travel_with_the_export_and_reset_rewinds_them(frozen_api: Api) -> None:
    api = frozen_api
    assert api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC).status_code == 200
    api.advance_clock(5)
    history = api.admin("GET", f"/cases/{THYROID_CASE}/history")
    assert [(h["from"], h["to"]) for h in history] == [("MISSING_REQUIRED_DATA", "PROCESSING"),
                                                            ("PROCESSING", "READY_FOR_INTERPRETATION")]
    exported = api.admin("GET", "/state")
    [workgroup] = [w for w in exported["workgroups"] if w["id"] == WG]
    assert [(e["name"], e["cause"], e["entityId"]) for e in workgroup["events"]] == [
        ("case.disease.added", "vendor call", THYROID_CASE),  # it had none (MISSING_REQUIRED_DATA)
        ("case.status.updated", "vendor call", THYROID_CASE),
        ("case.status.updated", "lifecycle step", THYROID_CASE),
        ("case.report.added", "lifecycle step", THYROID_CASE),  # processed: its draft report
    ]
    other = start_server(seed=99, cases=3)
    try:
        copy = Api(other)
        copy.admin("PUT", "/state", exported)
        assert copy.admin("GET", f"/cases/{THYROID_CASE}/history") == history
        copy.admin("POST", "/reset")
        assert [w["events"] for w in copy.admin("GET", "/state")["workgroups"] if w["id"] == WG] == [[]]
        assert copy.admin("GET", f"/cases/{THYROID_CASE}/history") == []
    finally:
        other.stop()


TEST_DEFINITION = {"reports": [{"id": "report-1"}], "timeCreated": "2026-01-05T10:00:00Z", "id": "td-1",
                   "analysisPipeline": {}, "name": "Panel"}


@pytest.mark.parametrize(("case", "field", "message"), [
    ({"createdDate": "0999-12-31T23:59:59+0000"}, "[0].createdDate",
     "Dates must lie between 1000-01-01 and 9000-01-01 (UTC): the mock keeps no other date."),
    ({"createdDate": "2026-06-01"}, "[0].createdDate", None),
    ({"customMetadata": ["configData"]}, "[0].customMetadata", "must be an object with a configData list"),
    ({"testDefinition": {**TEST_DEFINITION, "reports": []}}, "[0].testDefinition.reports",
     "must be a list whose first report has an id"),
    ({"testDefinition": {**TEST_DEFINITION, "reports": [{"name": "no id"}]}}, "[0].testDefinition.reports",
     "must be a list whose first report has an id"),
    ({"testDefinition": {**TEST_DEFINITION, "reports": ["report-1"]}}, "[0].testDefinition.reports",
     "must be a list whose first report has an id"),
    ({"testDefinition": {**TEST_DEFINITION, "reports": {"id": "report-1"}}}, "[0].testDefinition.reports",
     "must be a list whose first report has an id"),
    ({"testDefinition": {**TEST_DEFINITION, "analysisPipeline": "from_onc_analysis"}},
     "[0].testDefinition.analysisPipeline", "must be an object"),
])
def test_cases__a_bad_field_names_itself_and_what_is_wrong(fresh_api: Api, case: dict, field: str,
                                                            message: str | None) -> None:
    before = fresh_api.search()["totalElements"]
    error = fresh_api.admin("POST", "/cases", {"displayId": "BAD", **case}, expect=400)
    assert [d["field"] for d in error["details"]] == [field]
    if message is not None:
        assert error["details"][0]["message"] == message
    assert fresh_api.search()["totalElements"] == before


def test_cases__a_test_definition_gets_the_real_payloads_pipeline_unless_it_names_its_own(fresh_api: Api) -> None:
    given = {**TEST_DEFINITION, "analysisPipeline": {"workflowVersion": "6.0.0", "sampleClassification": "NORMAL"}}
    [one, two] = fresh_api.admin("POST", "/cases", [{"displayId": "TD-1", "testDefinition": TEST_DEFINITION},
                                                   {"displayId": "TD-2", "testDefinition": given}], expect=201)
    assert fresh_api.case(one["id"])["testDefinition"]["analysisPipeline"] == {
        "sampleClassification": "TUMOR", "referenceGenomeBuild": "GRCh37", "workflowName": "from_onc_analysis",
        "workflowVersion": "5.0.1", "exome": False, "fastQWorkflow": False, "variantsWorkflow": False}
    pipeline = fresh_api.case(two["id"])["testDefinition"]["analysisPipeline"]
    assert (pipeline["workflowVersion"], pipeline["sampleClassification"], pipeline["workflowName"]) == (
        "6.0.0", "NORMAL", "from_onc_analysis")
    assert fresh_api.case(one["id"])["testDefinition"]["reports"][0]["id"] == "report-1"
    assert fresh_api.case(one["id"])["createdDate"].endswith("+0000")


def test_each_workgroup_keeps_its_newest_events_and_reset_lets_the_rest_go() -> None:
    """--event-log-size: the audit log since seeding keeps the newest events, so a busy client
    cannot grow the server without bound; a reset drops the log for the garbage collector."""
    import gc
    import weakref

    server = start_server(event_log_size=50, cases=5)
    try:
        api = Api(server)
        body = {"externalid": "255032005", "ontologytype": "SNOMEDCT"}
        for _ in range(100):
            assert api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=body).status_code == 200
        wg = api.state.workgroup(WG)
        assert 50 <= len(wg.events) <= 55 and wg.events.appended >= 200
        log = api.get("/als/api/v1/auditlogs/search", params={"caseId": THYROID_CASE, "pageSize": 2000}).json()
        updates = [e for e in log["content"] if e["eventName"] == "case.disease.updated"]
        assert 0 < len(updates) < 55 and log["content"][0]["createdDate"] >= updates[0]["createdDate"]
        old = weakref.ref(wg.events)
        api.admin("POST", "/reset", {})
        gc.collect()
        assert old() is None and len(wg.events) == 0
    finally:
        server.stop()


def test_an_upload_pushing_out_older_events_shows_the_newest_at_once_with_ids_that_stay(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """--event-log-size and an upload of more new cases than the log keeps (worked out ahead,
    its events stamped away from the lock): the audit log shows only the newest events as soon
    as the upload is done, their ids stay the same while the events pushed out are dropped for
    good over the next requests, and then those are gone from memory too."""
    import time

    from conftest import FROZEN_AT

    from mockserver.domain import workgroup as workgroup_module
    from mockserver.domain.ingestion.ahead import LARGE_JOB_ROWS

    monkeypatch.setattr(workgroup_module, "EVENTS_DROPPED_AT_ONCE", 100)  # so that a few requests leave some owed
    server = start_server(event_log_size=1000, cases=5)
    try:
        api = Api(server)
        api.state.clock.freeze(FROZEN_AT)
        rows = LARGE_JOB_ROWS + 100
        upload_id = api.upload("Sample_ID,Case_ID\n" + "".join(f"S{n},NEW-{n}\n" for n in range(rows)), "many.csv")
        api.advance_clock(3)
        deadline = time.monotonic() + 60
        while api.upload_status(upload_id)["status"] != "COMPLETED":  # worked out after the answer, maybe still
            assert time.monotonic() < deadline
            time.sleep(0.05)
        wg = api.state.workgroup(WG)
        assert wg.events.owed > 0  # pushed out in name only: dropped for good over the next requests
        with wg.lock:
            assert [e.place for e in wg.events] == list(range(wg.events.appended - len(wg.events), wg.events.appended))

        def page(**params: object) -> dict:
            response = api.get("/als/api/v1/auditlogs/search", params={"pageSize": 2000, **params})
            assert response.status_code == 200, response.text
            return response.json()

        added = page(eventName="case.added", eventDateFrom=FROZEN_AT.isoformat().replace("+00:00", "Z"))
        shown = [e["caseDisplayId"] for e in added["content"]]
        assert 0 < len(shown) < 1000 and f"NEW-{rows - 1}" in shown and "NEW-0" not in shown
        first = page()["content"]
        assert len({e["id"] for e in first}) == len(first)
        while wg.events.owed:
            api.case(THYROID_CASE)  # each request drops some for good
        assert page()["content"] == first
        assert 1000 <= len(wg.events) <= 1100 and not wg.events.of_entity(api.search(displayId="NEW-0",
                                                                                   isExactMatch="true")["content"][0]["id"])
    finally:
        server.stop()


def test_state__the_servers_own_export_of_ordinary_use_imports_over_http(frozen_api: Api) -> None:
    """PUT /_mock/state took 1 MB like any JSON body, and 1,000 PUT diseases made a 1.5 MB
    export; its limit now fits such exports, and past it the 413 names the limit."""
    from mockserver.http.limits import STATE_BODY_LIMIT

    frozen_api.admin("POST", "/cases", [{"displayId": f"BULK-{n}", "tags": [f"tag-{n}-{'x' * 200}"] * 5}
                                        for n in range(600)], expect=201)
    exported = frozen_api.admin("GET", "/state")
    size = len(json.dumps(exported))
    assert size > 1024 * 1024
    frozen_api.admin("PUT", "/state", exported)
    assert frozen_api.admin("GET", "/state") == exported
    too_large = requests.put(frozen_api.url + "/_mock/state", data=b" " * (STATE_BODY_LIMIT + 1),
                             headers={"Content-Type": "application/json"}, timeout=60)
    assert too_large.status_code == 413
    assert f"larger than the {STATE_BODY_LIMIT} bytes this endpoint accepts" in too_large.json()["message"]
