"""A state import is as strict as the API: take the server's own export, change one value
anywhere in it, import it. Either the import is refused (a 400 naming a field, the state as it
was), or everything it brought in can be served: every read after it answers without a 5xx, and
its export imports again to the same export. Never a 500 later."""

from __future__ import annotations

import io
from typing import Any

import pytest
from conftest import THYROID_CASE, WG, Api, start_server
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

MTC = {"externalid": "255032005", "ontologytype": "SNOMEDCT"}
ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30), st.floats(allow_nan=False),
    st.text(max_size=30), st.sampled_from(["evil.event", "BOGUS", "PROCESSING", "QUEUED", "case", "custom-case-data",
                                           "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59Z", "0999-06-01T00:00:00Z",
                                           "2026-01-01T00:00:00Z", "2026-01-01T00:00:00+0000", "", "x" * 300]),
    st.just([]), st.just({}), st.just([{}]),
)


@pytest.fixture(scope="module")
def server():
    server = start_server(cases=4, lifecycle={"ingestion": {"mode": "immediate"}, "processing": {"mode": "time", "seconds": 60}})
    api = Api(server)
    api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC)  # a pending processing step
    ready = api.search(status="READY_FOR_INTERPRETATION", pageSize=1)["content"]
    if ready:
        api.admin("POST", f"/cases/{ready[0]['id']}/sign-off", {})
    csv = b"Sample_ID,Case_ID,Tumor_Type\nS1,NEW-1,255032005\n"
    upload = api.post("/crs/api/v2/custom-case-data/files", files={"files": ("m.csv", io.BytesIO(csv), "text/csv")})
    api.upload_status(upload.json()[0]["id"])
    api.admin("POST", "/cases", [{"displayId": "INJECTED-1"}], expect=201)
    api.admin("PUT", f"/cases/{THYROID_CASE}/lifecycle", {"processing": {"mode": "polls", "count": 2}})
    server.base_document = api.admin("GET", "/state")
    yield server
    server.stop()


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON document, the root's children first."""
    found = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        found.append((*prefix, key))
        found.extend(paths(child, (*prefix, key)))
    return found


def changed(doc: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    head, *rest = path
    if isinstance(doc, dict):
        return {**doc, head: changed(doc[head], tuple(rest), value)}
    return [changed(item, tuple(rest), value) if n == head else item for n, item in enumerate(doc)]


def comparable(doc: dict) -> dict:
    """A document as an import restores it: a real clock's ``now`` moves by itself."""
    clock = doc["clock"]
    return {**doc, "clock": {k: v for k, v in clock.items() if k != "now" or clock["mode"] == "frozen"}}


def every_read_answers(api: Api, doc: dict) -> None:
    """What an imported state is read through, each answered without a 5xx."""
    def ok(response):  # type: ignore[no-untyped-def]
        assert response.status_code < 500, (response.request.method, response.request.url, response.text[:500])
        return response

    for wg in doc["workgroups"]:
        lab = Api(api.server, workgroup=wg["id"])
        cases = ok(lab.get("/crs/api/v1/cases/search", params={"pageSize": 2000})).json().get("content", [])
        ok(lab.get("/als/api/v1/auditlogs/search", params={"pageSize": 2000}))
        for case in cases[:12]:
            ok(lab.get(f"/crs/api/v2/cases/{case['id']}", params={"includeQcOverviewMetrics": "true"}))
            ok(lab.get("/als/api/v1/auditlogs/search", params={"caseId": case["id"]}))
            ok(api.get(f"/_mock/cases/{case['id']}/history", params={"workgroup": wg["id"]}))
            ok(api.get(f"/_mock/cases/{case['id']}/lifecycle", params={"workgroup": wg["id"]}))
            report = ok(lab.get(f"/drs/v1/draftreport/case/{case['id']}/reportjson"))
            if report.status_code == 200:
                subject = report.json()["subjects"][0]["reports"][0]["subjectReportId"]
                ok(lab.get(f"/drs/v1/draftreport/case/{case['id']}/reports/{subject}/pdf"))
        for upload in wg["uploads"]:
            ok(lab.get(f"/crs/api/v1/custom-case-data/{upload['id']}/status"))
        ok(lab.post("/crs/api/v2/custom-case-data/files",
                    files={"files": ("n.csv", io.BytesIO(b"Sample_ID,Case_ID\nS9,AFTER-1\n"), "text/csv")}))
        ok(api.post("/_mock/cases", params={"workgroup": wg["id"]}, json=[{"displayId": "AFTER-2"}]))
        ok(api.post("/_mock/clock/advance", json={"seconds": 3600}))


@given(data=st.data())
@settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_an_import_is_refused_or_served_never_a_later_500(server, data) -> None:
    api = Api(server)
    base = server.base_document
    path = data.draw(st.sampled_from(paths(base)), label="path")
    doc = changed(base, path, data.draw(ODD_VALUES, label="value"))
    api.admin("PUT", "/state", base)
    before = comparable(api.admin("GET", "/state"))
    response = api.put("/_mock/state", json=doc)
    assert response.status_code in (200, 400), response.text[:500]
    if response.status_code == 400:
        assert response.json()["details"], response.text
        assert comparable(api.admin("GET", "/state")) == before  # refused: nothing changed
        return
    exported = api.admin("GET", "/state")
    api.admin("PUT", "/state", exported)
    assert comparable(api.admin("GET", "/state")) == comparable(exported)  # it imports its own export again
    every_read_answers(api, exported)
    api.admin("PUT", "/state", base)
    assert api.get("/crs/api/v1/session/workgroups", headers={"X-ILMN-Workgroup": WG}).status_code == 200


def first(doc: dict, kind: str, name: str | None = None) -> tuple:
    """The path of the first ``kind`` (events, uploads, pending) of the first workgroup holding one."""
    for n, wg in enumerate(doc["workgroups"]):
        for m, item in enumerate(wg[kind]):
            if name is None or item.get("name") == name:
                return ("workgroups", n, kind, m)
    raise AssertionError(f"no {kind} in the document")


@pytest.mark.parametrize(("where", "field", "value", "named"), [
    (("events", None), "name", "evil.event", "name"),
    (("events", "case.status.updated"), "new", "NOT_A_STATUS", "new"),
    (("events", "case.status.updated"), "old", "COMPLETED", "old"),
    (("events", "case.added"), "entityType", "custom-case-data", "entityType"),
    (("uploads", None), "status", "BOGUS", "status"),
    (("pending", None), "startedAt", "9999-12-31T00:00:00Z", "startedAt"),
])
def test_each_value_the_server_could_not_serve_is_refused(server, where, field, value, named) -> None:
    """Each was imported, then made every audit page holding it, the case's history, or the
    import itself a 500 (or was served as it was: an upload BOGUS)."""
    api = Api(server)
    base = server.base_document
    api.admin("PUT", "/state", base)
    path = (*first(base, *where), field)
    error = api.admin("PUT", "/state", changed(base, path, value), expect=400)
    assert any(d["field"].endswith(named) for d in error["details"]), error
    assert comparable(api.admin("GET", "/state")) == comparable(base)


def test_a_counter_of_drawn_ids_past_what_ids_hold_is_refused(server) -> None:
    """minted 10**30 was imported, and every later POST /_mock/cases was a 500."""
    api = Api(server)
    base = server.base_document
    error = api.admin("PUT", "/state", changed(base, ("workgroups", 0, "minted"), 10**30), expect=400)
    assert error["details"][0]["field"].endswith("minted")
    api.admin("PUT", "/state", base)
    api.admin("POST", "/cases", [{"displayId": "AFTER-IMPORT"}], expect=201)
