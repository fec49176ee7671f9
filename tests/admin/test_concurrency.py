"""Many threads of mixed vendor and control-plane calls against one server: no 5xx, no lost
update, and every lifecycle transition exactly once."""

from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from conftest import Api, start_server

THREADS = 16
DISEASES = ["255032005", "254837009", "363358000", "363406005"]


def test_mixed_calls_from_many_threads() -> None:
    server = start_server(cases=300)
    try:
        setup = Api(server)
        setup.admin("PUT", "/clock", {"mode": "frozen", "now": "2026-03-01T00:00:00Z"})
        setup.admin("PUT", "/lifecycle", {"processing": {"mode": "polls", "count": 3}})
        ready = [c["id"] for c in setup.all_cases(status="READY_FOR_INTERPRETATION")]
        hot, owned = ready[:6], ready[6 : 6 + THREADS * 4]
        for case_id in hot:  # everyone will read these at once; each must complete once
            assert setup.put(f"/crs/api/v1/cases/{case_id}/diseases",
                             json={"externalid": "255032005", "ontologytype": "SNOMEDCT"}).status_code == 200
        statuses: Counter[int] = Counter()
        last_disease: dict[str, str] = {}

        def worker(n: int) -> None:
            api = Api(server)
            rng = random.Random(n)
            mine = owned[n * 4 : (n + 1) * 4]
            for round_ in range(12):
                case_id = rng.choice(mine)
                disease = rng.choice(DISEASES)
                calls = [
                    api.put(f"/crs/api/v1/cases/{case_id}/diseases", json={"externalid": disease, "ontologytype": "SNOMEDCT"}),
                    api.get(f"/crs/api/v2/cases/{rng.choice(hot)}"),
                    api.get(f"/crs/api/v2/cases/{case_id}"),
                    api.get("/crs/api/v1/cases/search", params={"status": "PROCESSING", "pageSize": 50}),
                    api.request("GET", f"/_mock/cases/{case_id}/lifecycle"),
                    api.request("POST", "/_mock/requests/count", json={"operation": "getCase"}),
                    api.request("POST", "/_mock/cases", json={"displayId": f"T{n}-{round_}"}),
                ]
                if round_ % 4 == 3:
                    calls.append(api.request("POST", "/_mock/clock/advance", json={"seconds": 1}))
                for response in calls:
                    statuses[response.status_code] += 1
                    assert response.status_code < 500, response.text
                last_disease[case_id] = disease
            api.close()

        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            for future in [pool.submit(worker, n) for n in range(THREADS)]:
                future.result()

        assert not [code for code in statuses if code >= 500]
        assert setup.admin("POST", "/requests/count", {"status": 500})["count"] == 0
        # No lost insert: every injected case is there, once.
        injected = setup.all_cases(displayId="T", isExactMatch="false")
        names = Counter(c["displayId"] for c in injected if c["displayId"][1:].split("-")[0].isdigit())
        assert len(names) == THREADS * 12 and set(names.values()) == {1}
        # No lost update: each owned case carries the disease its owner set last.
        for case_id, disease in last_disease.items():
            samples = [s for subject in setup.case(case_id)["subjects"] for s in subject["samples"]]
            assert {t["externalid"] for s in samples for t in s["tumorType"]} == {disease}
        # Each hot case completed exactly once, after exactly one start.
        for case_id in hot:
            history = setup.admin("GET", f"/cases/{case_id}/history")
            moves = [(h["from"], h["to"]) for h in history]
            assert moves == [("READY_FOR_INTERPRETATION", "PROCESSING"), ("PROCESSING", "READY_FOR_INTERPRETATION")], moves
        # Every owned case: starts and completions pair up, in order, never twice in a row.
        for case_id in owned:
            history = setup.admin("GET", f"/cases/{case_id}/history")
            for before, after in zip(history, history[1:], strict=False):
                assert before["to"] == after["from"], history
            completions = [h for h in history if h["from"] == "PROCESSING" and h["to"] != "PROCESSING"]
            assert len(completions) <= len([h for h in history if h["to"] == "PROCESSING"])
    finally:
        server.stop()
