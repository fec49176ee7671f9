import pytest


@pytest.mark.ici_mock(cases=10, seed=7)
def test_client_waits_for_interpretation(ici_mock):
    control = ici_mock.control
    control.freeze("2026-01-01T00:00:00Z")  # time stands still until the test moves it

    # Pick a case that can be processed and set its disease, as the client under test would.
    case = ici_mock.get("/crs/api/v1/cases/search", params={"status": "READY_FOR_INTERPRETATION"}).json()["content"][0]
    body = {"externalid": "255032005", "ontologytype": "SNOMEDCT", "name": "Medullary thyroid carcinoma"}
    assert ici_mock.put(f"/crs/api/v1/cases/{case['id']}/diseases", json=body).json()["status"] == "PROCESSING"

    control.advance_clock(10)  # processing takes 3 s on the mock's clock: done now
    assert ici_mock.get(f"/crs/api/v2/cases/{case['id']}").json()["status"] == "READY_FOR_INTERPRETATION"

    control.assert_requested(operation="updateCaseDiseases", count=1)
    control.assert_requested(operation="getCase", method="GET", status=200)


def test_client_survives_an_outage(ici_mock):
    ici_mock.control.add_fault(operation="searchCases", status=503, times=1, retryAfter=1)
    first = ici_mock.get("/crs/api/v1/cases/search")
    assert first.status_code == 503 and first.headers["Retry-After"] == "1"
    assert ici_mock.get("/crs/api/v1/cases/search").status_code == 200  # the fault expired
