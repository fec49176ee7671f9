"""The API page in a real browser (the ``browser`` fixture: tests/browser/conftest.py)."""

from __future__ import annotations

import json

from conftest import WG, Api, screenshot


def test_api_page__authorize_try_it_out_execute_search(browser, api: Api) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    page.goto(api.url + "/api-docs/", wait_until="networkidle")
    page.wait_for_selector("text=Illumina Connected Insights Case, Report and Audit Log APIs (mock)")

    page.click("button.authorize")
    page.fill("div.modal-ux input[type=text]", "ApiKey browser-key")
    page.click("div.modal-ux button.authorize")
    page.click("div.modal-ux button.btn-done")

    operation = page.locator("#operations-Cases-searchCases")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    # The first click works: every field keeps what the page pre-filled (no date filter that hides
    # every case; the two X-ILMN headers carry a domain and the default workgroup).
    assert operation.locator('tr[data-param-name="creationDateBefore"] input').input_value() == ""
    assert operation.locator('tr[data-param-name="creationDateAfter"] input').input_value() == ""
    assert operation.locator('tr[data-param-name="X-ILMN-Workgroup"] input').input_value() == WG
    statuses = operation.locator('tr[data-param-name="status"] select option').all_inner_texts()
    assert {"READY_FOR_INTERPRETATION", "REPORTS_SIGNED_OFF"} <= set(statuses)
    operation.locator("button.execute").click()

    status = operation.locator(".live-responses-table .response .response-col_status").first
    status.wait_for(timeout=20000)
    body = json.loads(operation.locator(".live-responses-table .response-col_description pre").first.inner_text())
    screenshot(operation, "api-docs-search.png")
    assert status.inner_text().strip() == "200"
    assert body["content"] and body["totalElements"] == len(api.all_cases())
    entry = api.admin("GET", "/requests", params={"operation": "searchCases"})[-1]
    assert entry["headers"]["Authorization"] == "ApiKey" and entry["workgroup"] == WG
