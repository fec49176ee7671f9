"""The dashboard at /_mock/ui in a real browser: every view renders, every control changes the
state (checked through the API, not the page), the page is live, the admin token flow works,
and nothing the server echoes runs as script. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import WG, Api, screenshot, start_server

from mockserver.domain.statuses import UI_LABELS

STATUSES = [s.value for s in UI_LABELS]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


class Dashboard:
    """One browser tab on the dashboard, collecting what the console says."""

    def __init__(self, browser: Any, url: str, viewport: dict[str, int] = DESKTOP) -> None:
        self.context = browser.new_context(viewport=viewport, accept_downloads=True)
        self.page = self.context.new_page()
        self.url = url
        #: What the console says, apart from the calls the server refused...
        self.problems: list[str] = []
        #: ...which Chromium logs too (a test that provokes a refusal expects them).
        self.refused: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))

    def _console(self, message: Any) -> None:
        if message.type not in ("error", "warning"):
            return
        refusal = message.text.startswith("Failed to load resource: the server responded with a status of 4")
        (self.refused if refusal else self.problems).append(message.text)

    def open(self, query: str = "") -> Any:
        self.page.goto(f"{self.url}/_mock/ui{query}")
        return self.page

    def control(self, title: str) -> Any:
        legend = self.page.locator("legend", has_text=re.compile(f"^{re.escape(title)}$"))
        return self.page.locator("form.control", has=legend)

    def submit(self, title: str, button: str, **fields: str) -> Any:
        form = self.control(title)
        for label, value in fields.items():
            box = form.get_by_label(label.replace("_", " "))
            if box.evaluate("e => e.tagName") == "SELECT":
                box.select_option(value)
            else:
                box.fill(value)
        form.get_by_role("button", name=button).click()
        answered = form.locator(".result.ok, .result.error")
        answered.wait_for()
        return answered

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def dashboard(browser: Any, fresh_api: Api) -> Iterator[Dashboard]:
    board = Dashboard(browser, fresh_api.url)
    yield board
    board.close()
    assert board.problems == [], "the console logged errors"


def no_refusals(board: Dashboard) -> None:
    assert board.refused == [], "the page made calls the server refused"


def case_in(api: Api, status: str) -> dict[str, Any]:
    return api.search(status=status, pageSize=1)["content"][0]


def test_every_view_renders_seeded_data_at_desktop_and_phone_widths(browser: Any, api: Api) -> None:
    overview = api.admin("GET", "/overview")
    board = Dashboard(browser, api.url)
    page = board.open()
    # The first screen, without a click: version, seed, clock, counts per status, traffic.
    page.wait_for_selector("#server-meta >> text=seed 42")
    assert f"version {overview['version']}" in page.inner_text("#server-meta")
    assert re.search(r"Mock clock \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC real", page.inner_text("#clock-now"))
    row = page.locator("tbody tr", has=page.get_by_role("link", name="ICI Mock Workgroup"))
    counts = overview["workgroups"][0]["statusCounts"]
    assert row.locator("td").all_inner_texts()[1:] == [str(counts[s]) for s in STATUSES]  # all seven, zero included
    headers = [" ".join(t.split()) for t in page.locator("[aria-label=Workgroups] thead th").all_inner_texts()]
    assert headers == ["Workgroup", "Cases", *(f"{label} {status.value}" for status, label in UI_LABELS.items())]
    screenshot(page, "dashboard-home.png")

    page.get_by_role("link", name="ICI Mock Workgroup").click()
    page.wait_for_selector("h1 >> text=ICI Mock Workgroup")
    assert page.url.endswith(f"/_mock/ui?workgroup={WG}")
    first = api.search(pageSize=20)["content"]
    page.wait_for_selector(f"tbody >> text={first[0]['displayId']}")
    assert page.locator("table[role=none], .table-wrap[aria-label=Cases] tbody tr").count() == len(first)
    page.wait_for_selector("h2 >> text=Users")
    users = api.admin("GET", "/users", params={"workgroup": WG})
    assert page.locator("td", has_text=users[0]["email"]).count() == 1
    assert page.get_by_label("Plans (JSON)").input_value().startswith("{")
    screenshot(page, "dashboard-workgroup.png", full_page=True)

    seeded = case_in(api, "READY_FOR_INTERPRETATION")
    page.get_by_role("link", name=seeded["displayId"]).click()
    page.wait_for_selector("h2 >> text=Status history")
    assert page.url.endswith(f"?workgroup={WG}&case={seeded['id']}")
    assert page.locator("dd", has_text=seeded["id"]).count() == 1
    assert page.get_by_role("button", name="Open report PDF").count() == 1
    page.wait_for_selector("h2 >> text=This case's audit log")
    screenshot(page, "dashboard-case.png")

    # A shared link opens the same view in a new tab, and the page reads at 390 px.
    phone = Dashboard(browser, api.url, PHONE)
    shared = phone.open(f"?workgroup={WG}&case={seeded['id']}")
    shared.wait_for_selector(f"h1 >> text={seeded['displayId']}")
    shared.wait_for_selector("h2 >> text=Status history")
    assert shared.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(shared, "dashboard-case-390px.png", full_page=True)
    for tab in (board, phone):
        tab.close()
        assert tab.problems == []
        no_refusals(tab)


def test_the_walk_find_a_case_set_its_disease_advance_sign_off_pdf_audit(dashboard: Dashboard, fresh_api: Api) -> None:
    """Issue 25's "Done when", in the page alone: find a case, set its disease, watch it go to
    PROCESSING then READY_FOR_INTERPRETATION as the clock advances, sign it off, open its PDF,
    and see the audit-log entries and journal lines of all of it."""
    api = fresh_api
    target = case_in(api, "MISSING_REQUIRED_DATA")
    page = dashboard.open()
    page.get_by_role("button", name="Freeze now").click()
    page.wait_for_selector("#clock-now >> text=frozen")

    page.get_by_role("link", name="ICI Mock Workgroup").click()
    page.get_by_label("Display id contains").fill(target["displayId"])
    page.get_by_role("button", name="Search").click()
    page.wait_for_selector("text=Page 1 of 1 · 1 cases")
    page.get_by_role("link", name=target["displayId"]).click()
    page.wait_for_selector(f"h1 >> text={target['displayId']}")

    result = dashboard.submit("Set the disease", "Set disease", **{"Disease (SNOMED CT)": "254837009"})
    assert result.inner_text() == "Now PROCESSING."
    page.wait_for_selector("h1 .status >> text=Processing")
    page.wait_for_selector("text=3 s on the mock's clock")  # the pending step, its kind and plan
    assert api.case(target["id"])["status"] == "PROCESSING"

    page.get_by_role("button", name="+ 1 minute").click()
    page.wait_for_selector("h1 .status >> text=Ready for Interpretation")
    assert api.admin("GET", f"/cases/{target['id']}")["status"] == "READY_FOR_INTERPRETATION"

    users = api.admin("GET", "/users", params={"workgroup": WG})
    result = dashboard.submit("Sign off", "Sign off", Approver=users[1]["email"])
    assert result.inner_text() == "Now REPORTS_SIGNED_OFF."
    page.wait_for_selector("h1 .status >> text=Report(s) Signed Off")
    assert api.case(target["id"])["status"] == "REPORTS_SIGNED_OFF"

    with dashboard.context.expect_page() as opened:
        page.get_by_role("button", name="Open report PDF").click()
    assert opened.value.url.startswith("blob:")

    audit = page.locator("section", has=page.locator("h2", has_text="This case's audit log")).locator("li")
    audit.filter(has_text="to REPORTS_SIGNED_OFF").wait_for()
    texts = audit.all_inner_texts()
    assert any("from MISSING_REQUIRED_DATA to PROCESSING" in t for t in texts)
    assert any(f"by {users[1]['name']}" in t for t in texts)
    tail = page.locator("#traffic-table tbody tr")
    for operation in ("getDraftReportPdf", "getDraftReportJson", "updateCaseDiseases"):
        tail.filter(has_text=operation).first.wait_for()
    page.locator("h2", has_text="Status history").scroll_into_view_if_needed()
    screenshot(page, "dashboard-walk.png")
    from_page = [e["operation"] for e in api.admin("GET", "/requests") if e["headers"].get("X-Ilmn-Domain") == "mock"]
    assert from_page == ["updateCaseDiseases", "getDraftReportJson", "getDraftReportPdf"]
    no_refusals(dashboard)


def test_each_control_changes_the_state_the_api_reports(dashboard: Dashboard, fresh_api: Api) -> None:
    api = fresh_api
    page = dashboard.open()
    page.wait_for_selector("#server-meta >> text=seed 42")

    # The clock: freeze, advance by the quick buttons and by a chosen amount, unfreeze.
    page.get_by_role("button", name="Freeze now").click()
    page.wait_for_selector("#clock-now >> text=frozen")
    frozen = api.admin("GET", "/clock")
    assert frozen["mode"] == "frozen"
    page.get_by_role("button", name="+ 1 hour").click()
    page.wait_for_function(f"() => !document.querySelector('#clock-now time').dateTime.startsWith({frozen['now'][:16]!r})")
    dashboard.submit("Advance by", "Advance", Seconds="86400")
    page.wait_for_function("() => true")
    page.get_by_role("button", name="Back to real time").wait_for()
    moved = api.admin("GET", "/clock")["now"]
    # The frozen clock moved by exactly the hour and the day (a date check failed after 23:00 UTC).
    elapsed = datetime.fromisoformat(moved.replace("Z", "+00:00")) - datetime.fromisoformat(frozen["now"].replace("Z", "+00:00"))
    assert elapsed == timedelta(hours=1, days=1)
    page.get_by_role("button", name="Back to real time").click()
    page.wait_for_selector("#clock-now >> text=real")
    assert api.admin("GET", "/clock")["mode"] == "real"

    # Workgroups, data and server.
    dashboard.submit("New workgroup", "Create", Name="Night shift", Generated_cases="3").wait_for()
    made = next(w for w in api.admin("GET", "/workgroups") if w["name"] == "Night shift")
    assert made["cases"] == 3
    page.locator("tbody tr", has=page.get_by_role("link", name="Night shift")).wait_for()
    state_download_and_import(dashboard, api, made)

    dashboard.submit("Edit default plans", "Save plans", **{"Plans (JSON)": '{"processing": {"mode": "polls", "count": 2}}'})
    page.wait_for_function("() => [...document.querySelectorAll('.result.ok')].length > 0")
    assert api.admin("GET", "/lifecycle")["processing"]["mode"] == "polls"
    dashboard.submit("Simulated latency", "Save latency", **{"Latency (JSON)": '{"default": {"fixedMs": 1}}'})
    page.wait_for_function("() => document.querySelectorAll('.result.ok').length > 1")
    assert api.admin("GET", "/latency")["default"] == {"fixedMs": 1}

    dashboard.submit("Add a fault rule", "Add rule", Operation="getCase", Kind="error", Status="429", **{"Times (empty: always)": "2"})
    page.locator("[aria-label='Fault rules'] tbody tr").wait_for()
    [rule] = api.admin("GET", "/faults")
    assert (rule["operation"], rule["status"], rule["times"]) == ("getCase", 429, 2)
    dashboard.control(f"Rule {rule['id']}").get_by_role("button", name="Remove").click()
    page.get_by_text("No fault rules").wait_for()
    assert api.admin("GET", "/faults") == []

    # A case: status, plan, step, delete; and a refused call shows the API's message.
    target = case_in(api, "READY_FOR_PROCESSING")
    page = dashboard.open(f"?workgroup={WG}&case={target['id']}")
    page.wait_for_selector(f"h1 >> text={target['displayId']}")
    refused = dashboard.submit("Sign off", "Sign off")
    refused.filter(has_text="READY_FOR_INTERPRETATION").wait_for()
    assert "error" in refused.get_attribute("class") and api.case(target["id"])["status"] == "READY_FOR_PROCESSING"

    dashboard.submit("This case's plans", "Save case plans", **{"Case plans (JSON)": '{"processing": {"mode": "manual"}}'})
    page.wait_for_selector("text=This case has its own plan for processing.")
    assert api.admin("GET", f"/cases/{target['id']}/lifecycle")["processing"]["mode"] == "manual"
    dashboard.submit("Set the status", "Set status", Status="PROCESSING").wait_for()
    page.wait_for_selector("h1 .status >> text=Processing")
    assert api.case(target["id"])["status"] == "PROCESSING"
    page.wait_for_selector("text=when completed by hand (or by reads)")
    assert dashboard.submit("Complete the pending step now", "Complete step").inner_text() == "Now READY_FOR_INTERPRETATION."
    assert api.case(target["id"])["status"] == "READY_FOR_INTERPRETATION"

    page.once("dialog", lambda dialog: dialog.accept())
    dashboard.control("Delete the case").get_by_role("button", name="Delete case").click()
    page.wait_for_selector("h1 >> text=ICI Mock Workgroup")
    assert api.get(f"/crs/api/v2/cases/{target['id']}").status_code == 404

    # Add cases, then reset the data and the server.
    before = len(api.all_cases())
    assert dashboard.submit("Generated cases", "Add cases", How_many="2").inner_text().startswith("Added 2 case(s)")
    assert len(api.all_cases()) == before + 2
    page = dashboard.open()
    dashboard.submit("Reset the data", "Reset data").wait_for()
    assert len(api.all_cases()) == before + 1  # the deleted case is back, the added ones gone
    page.once("dialog", lambda dialog: dialog.accept())
    dashboard.submit("Reset the server", "Reset server").wait_for()
    assert [w["name"] for w in api.admin("GET", "/workgroups")] == ["ICI Mock Workgroup"]
    assert api.admin("GET", "/lifecycle")["processing"]["mode"] == "time"


def state_download_and_import(dashboard: Dashboard, api: Api, made: dict[str, Any]) -> None:
    """Export the state as a download, delete a workgroup, and import the file back."""
    page = dashboard.page
    with page.expect_download() as download:
        dashboard.control("Export the state").get_by_role("button", name="Download").click()
    saved = Path(download.value.path())
    assert download.value.suggested_filename == "ici-mock-state.json"
    assert any(w["id"] == made["id"] for w in json.loads(saved.read_text())["workgroups"])
    api.admin("DELETE", f"/workgroups/{made['id']}", expect=204)
    page.locator("tbody tr", has=page.get_by_role("link", name="Night shift")).wait_for(state="detached")
    form = dashboard.control("Import a state")
    form.get_by_label("State file (JSON)").set_input_files(str(saved))
    assert "--data-binary '@" in form.locator(".curl").inner_text()
    form.get_by_role("button", name="Import").click()
    form.locator(".result.ok").wait_for()
    assert any(w["id"] == made["id"] for w in api.admin("GET", "/workgroups"))


def test_a_vendor_call_made_elsewhere_shows_in_the_traffic_tail_within_a_second(dashboard: Dashboard, fresh_api: Api) -> None:
    api = fresh_api
    page = dashboard.open()
    page.wait_for_selector("#server-meta >> text=seed 42")
    api.admin("POST", "/faults", {"operation": "getDiseaseConfig", "kind": "error", "status": 503, "times": 1}, expect=201)
    [override] = api.admin("POST", "/overrides", {"operation": "listWorkgroups", "times": 1,
                                                  "response": {"body": {"workgroupRoles": []}}}, expect=201)
    tail = page.locator("#traffic-table tbody tr")

    response = api.get("/crs/api/v1/session/workgroups")
    assert response.json() == {"workgroupRoles": []}
    listed = tail.filter(has_text="listWorkgroups")
    listed.wait_for(timeout=1000)  # the page polls every 0.5 s
    listed.locator(".mark.override", has_text=f"override #{override['id']}").wait_for(timeout=1000)

    assert api.get("/cfg/api/v1/disease-config").status_code == 503
    assert api.get("/crs/api/v1/cases/search", headers={"X-Mock-Delay-Ms": "30"}).status_code == 200
    faulted = tail.filter(has_text="getDiseaseConfig")
    faulted.locator(".mark.fault", has_text="fault: error").wait_for(timeout=1000)
    tail.filter(has_text="searchCases").locator(".mark.delay", has_text="delayed 30 ms").wait_for(timeout=1000)
    assert tail.first.inner_text().startswith(time.strftime("%H:", time.gmtime()))  # newest first, UTC
    assert "searchCases" in tail.first.inner_text()
    screenshot(page.locator("#traffic"), "dashboard-traffic.png")
    # The page's own reads are not journaled: only the three calls above are.
    assert [e["operation"] for e in api.admin("GET", "/requests")] == ["listWorkgroups", "getDiseaseConfig", "searchCases"]


def test_each_client_shows_with_its_findings_and_control_calls_are_marked(dashboard: Dashboard, fresh_api: Api) -> None:
    api = fresh_api
    page = dashboard.open()
    page.wait_for_selector("#clients >> text=No vendor requests in the journal yet.")
    case = api.search(pageSize=1)["content"][0]["id"]
    for _ in range(3):
        api.get(f"/crs/api/v2/cases/{case}")  # no pause: polling too fast
    api.get(f"/crs/api/v1/cases/{case}")  # the other API version: 405
    api.admin("POST", "/clock/advance", {"seconds": 60})
    (client,) = api.admin("GET", "/client-report")["clients"]
    panel = page.locator("#clients section.client", has_text=client["key"])
    panel.locator(".finding", has_text="poll-too-fast").wait_for(timeout=3000)  # fetched at most every 2 s
    assert panel.locator(".finding strong").all_inner_texts() == [f["rule"] for f in client["findings"]] == [
        "poll-too-fast", "wrong-api-version"]
    assert "×2" in panel.locator(".finding").first.inner_text()
    assert panel.locator(".mark.error").inner_text() == "error"
    page.locator("#traffic-table tbody tr", has_text="mockAdvanceClock").locator(".mark.control").wait_for(timeout=1000)
    assert "format=text" in page.inner_text("#clients .hint")
    screenshot(page.locator("#clients"), "dashboard-clients.png")

    api.admin("POST", "/workgroups", {"id": "lab-2", "cases": 2}, expect=201)
    page.goto(f"{api.url}/_mock/ui?workgroup=lab-2")
    page.wait_for_selector("#clients >> text=No vendor requests in the journal yet.")  # this workgroup's only
    no_refusals(dashboard)


def test_under_an_admin_token_the_page_asks_once_per_tab_and_sends_it(browser: Any) -> None:
    server = start_server(admin_token="s3cret-token")
    try:
        assert requests.get(server.url + "/_mock/ui", timeout=5).status_code == 200  # the page holds no data
        assert requests.get(server.url + "/_mock/overview", timeout=5).status_code == 401
        board = Dashboard(browser, server.url)
        page = board.open()
        page.get_by_label("Admin token").fill("wrong")
        page.get_by_role("button", name="Use token").click()
        page.wait_for_selector("#token-error >> text=Bearer")
        page.get_by_label("Admin token").fill("s3cret-token")
        page.get_by_role("button", name="Use token").click()
        page.wait_for_selector("#server-meta >> text=seed 42")
        assert page.locator("#token-form").is_hidden()
        page.get_by_role("link", name="ICI Mock Workgroup").click()
        page.wait_for_selector("h2 >> text=Users")
        assert 'Bearer $MOCK_ADMIN_TOKEN' in page.locator(".curl").first.inner_text()  # never the token itself
        page.reload()
        page.wait_for_selector("h2 >> text=Users")
        assert page.locator("#token-form").is_hidden()  # kept for the tab
        other = Dashboard(browser, server.url)
        other.open().get_by_label("Admin token").wait_for()  # a new tab asks again
        for tab in (board, other):
            tab.close()
        assert board.problems == other.problems == []
        assert all("status of 401" in refusal for refusal in board.refused + other.refused)
    finally:
        server.stop()


def test_script_in_tags_names_paths_and_messages_stays_inert(dashboard: Dashboard, fresh_api: Api) -> None:
    api = fresh_api
    payload = "<script>window.__ran = 1</script><img src=x onerror=\"window.__ran = 2\">"
    [case] = api.admin("POST", f"/cases?workgroup={WG}", [{"displayId": "XSS-1", "tags": [payload, "plain"]}], expect=201)
    api.admin("POST", "/workgroups", {"name": payload}, expect=201)
    api.get("/crs/api/v1/" + payload.replace(" ", "%20"))  # an unknown route: journaled with its path
    page = dashboard.open()
    page.get_by_role("link", name=payload).wait_for()
    page.get_by_text("/crs/api/v1/<script>").first.wait_for()
    page = dashboard.open(f"?workgroup={WG}&tags=plain")
    page.get_by_role("link", name="XSS-1").click()
    page.wait_for_selector("h1 >> text=XSS-1")
    assert page.locator("dd", has_text=payload).count() == 1  # shown as text
    no_slash = '<img src=x onerror="window.__ran = 3">'
    page = dashboard.open(f"?workgroup={WG}&case=" + no_slash.replace(" ", "%20"))
    page.locator(".error", has_text=f"Case {no_slash} was not found").wait_for()  # the API's message, as text
    assert page.evaluate("window.__ran") is None
    assert page.locator("script").count() == 1 and page.locator("img").count() == 0
    assert case["tags"][0] == payload


def test_every_control_has_a_label_and_the_keyboard_reaches_it(dashboard: Dashboard, fresh_api: Api) -> None:
    target = case_in(fresh_api, "READY_FOR_INTERPRETATION")
    for query in ("", f"?workgroup={WG}", f"?workgroup={WG}&case={target['id']}"):
        page = dashboard.open(query)
        page.wait_for_selector("#live-state >> text=Live")
        page.wait_for_selector("form.control")
        unlabeled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea, button, a[href]')]
            .filter(e => e.tabIndex < 0 || !(e.labels && e.labels.length || e.textContent.trim() || e.getAttribute('aria-label')))
            .filter(e => !e.closest('[hidden]'))
            .map(e => e.outerHTML.slice(0, 80))""")
        assert unlabeled == []
    # Keyboard alone: tab to "+ 1 hour" and press Enter.
    before = fresh_api.admin("PUT", "/clock", {"mode": "frozen", "now": "2026-06-01T12:00:00Z"})
    page.wait_for_selector("#clock-now >> text=frozen")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "+ 1 hour":
            break
    page.keyboard.press("Enter")
    page.wait_for_selector("#clock-now >> text=2026-06-01 13:00:00 UTC")
    assert fresh_api.admin("GET", "/clock")["now"] == "2026-06-01T13:00:00Z" != before["now"]


def test_the_curl_a_control_shows_is_the_call_it_makes(dashboard: Dashboard, fresh_api: Api) -> None:
    """Copied from the page and run in a shell, a control's curl does what the control does."""
    target = case_in(fresh_api, "READY_FOR_PROCESSING")
    dashboard.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = dashboard.open(f"?workgroup={WG}&case={target['id']}")
    page.wait_for_selector(f"h1 >> text={target['displayId']}")
    form = dashboard.control("Set the status")
    form.get_by_label("Status").select_option("HAS_ISSUE")
    form.get_by_role("button", name="Copy as curl").click()
    form.get_by_role("button", name="Copied").wait_for()
    command = page.evaluate("navigator.clipboard.readText()")
    assert command == form.locator(".curl").inner_text() and command.startswith("curl -s -X PUT ")
    assert fresh_api.case(target["id"])["status"] == "READY_FOR_PROCESSING"  # copying sent nothing
    ran = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30)
    assert json.loads(ran.stdout)["status"] == "HAS_ISSUE"
    assert fresh_api.case(target["id"])["status"] == "HAS_ISSUE"


def test_a_hidden_page_asks_the_server_nothing_and_a_shown_one_catches_up(dashboard: Dashboard, fresh_api: Api) -> None:
    page = dashboard.open()
    page.wait_for_selector("#live-state >> text=Live")
    set_visibility = "state => { Object.defineProperty(document, 'visibilityState', {value: state, configurable: true});" \
                     " document.dispatchEvent(new Event('visibilitychange')); }"
    page.evaluate(set_visibility, "hidden")
    page.wait_for_timeout(600)  # a poll under way when the tab was hidden ends, and none follows
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    fresh_api.get("/crs/api/v1/session/workgroups")
    page.wait_for_timeout(1500)
    assert asked == []
    with page.expect_request(lambda request: "/_mock/overview" in request.url):
        page.evaluate(set_visibility, "visible")
    page.locator("#traffic-table tbody tr", has_text="listWorkgroups").wait_for(timeout=1000)
