"""The draft report JSON of two seeded cases (seed 42: the first signed-off case and the first
ready for interpretation), byte for byte as committed in ``tests/reference/``: every field the
report serves is pinned, so any change to it shows in review, where a test of its shape alone
would let a value drift (a stamp on each variant, an id's namespace, a history's order).

After a change to the report that is meant, write the file again and read its diff:
``ICI_UPDATE_SNAPSHOTS=1 python3 -m pytest tests/api/test_report_snapshot.py``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import Api

SNAPSHOT = Path(__file__).resolve().parents[1] / "reference" / "report-snapshot-seed42.json"


def test_the_reports_of_two_seeded_cases_are_as_committed(api: Api) -> None:
    served = {}
    for status in ("REPORTS_SIGNED_OFF", "READY_FOR_INTERPRETATION"):
        case = api.search(status=status, pageSize=1)["content"][0]
        response = api.get(f"/drs/v1/draftreport/case/{case['id']}/reportjson")
        assert response.status_code == 200, response.text
        served[status] = response.json()
    if os.environ.get("ICI_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(served, indent=1, sort_keys=True) + "\n")
    assert served == json.loads(SNAPSHOT.read_text())
