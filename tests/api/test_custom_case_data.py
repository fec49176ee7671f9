"""POST /crs/api/v2/custom-case-data/files and GET /crs/api/v1/custom-case-data/{id}/status."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from conftest import BREAST_CASE, FROZEN_AT, THYROID_CASE, Api

CASE_DATE = "%Y-%m-%dT%H:%M:%S%z"  # 2024-11-05T12:26:06+0000, as the real payload writes dates

UPLOAD = "/crs/api/v2/custom-case-data/files"
MB = 1_000_000  # "10MB" is read as decimal megabytes (README, Fidelity notes)


def csv_file(name: str, text: str) -> tuple[str, tuple[str, bytes, str]]:
    return ("files", (name, text.encode(), "text/csv"))


def post_files(api: Api, *files: tuple[str, tuple[str, bytes, str]]):
    return api.post(UPLOAD, files=list(files))



def run_to_end(api: Api, upload_id: str) -> dict:
    api.state.clock.advance(2)
    return api.upload_status(upload_id)


def case_count(api: Api) -> int:
    return api.search()["totalElements"]


def test_upload__status_goes_queued_in_progress_completed(frozen_api: Api) -> None:
    fresh_api = frozen_api
    response = post_files(fresh_api, csv_file("meta.csv", "Sample_ID,Case_ID\nS-NEW-1,CASE-NEW-1\n"))
    assert response.status_code == 200
    accepted = response.json()
    assert isinstance(accepted, list) and len(accepted) == 1
    upload_id = accepted[0]["id"]
    assert accepted[0]["fileName"] == "meta.csv" and accepted[0]["status"] == "QUEUED"
    assert fresh_api.upload_status(upload_id)["status"] == "QUEUED"
    fresh_api.state.clock.advance(1)
    assert fresh_api.upload_status(upload_id)["status"] == "IN_PROGRESS"
    fresh_api.state.clock.advance(1)
    final = fresh_api.upload_status(upload_id)
    assert final["status"] == "COMPLETED"
    assert final["totalRows"] == 1 and final["appliedRows"] == 1 and final["errors"] == []
    done_at = FROZEN_AT + timedelta(seconds=2)
    assert final["createdDate"] == FROZEN_AT.strftime(CASE_DATE)
    assert final["updatedDate"] == done_at.strftime(CASE_DATE)  # stamped with the due time


def test_upload__real_client_polling_loop(frozen_api: Api) -> None:
    """The loop real clients run (poll while QUEUED or IN_PROGRESS), a quarter second of the
    mock's clock between polls, bounded."""
    upload_id = frozen_api.upload("Sample_ID,Case_ID\nS1,C-LOOP\n", "m.csv")
    seen = []
    for _ in range(40):
        seen.append(frozen_api.upload_status(upload_id)["status"])
        if seen[-1] not in ("QUEUED", "IN_PROGRESS"):
            break
        frozen_api.admin("POST", "/clock/advance", {"seconds": 0.25})
    assert seen == ["QUEUED"] * 4 + ["IN_PROGRESS"] * 4 + ["COMPLETED"]


def test_upload__rows_create_and_update_cases(fresh_api: Api) -> None:
    text = (
        "Sample_ID,Tumor_Type,Case_ID,Sample_Type,Sex,Tags,Test_Definition,Sample Name(s)\n"
        "NEW_DNA,363358000,NEW-CASE-1,DNA,Female,oncology;urgent,TSO500 Solid Test,SP-1\n"
        "FIXTURE_002_THYROID_DNA,255032005,FIXTURE_002_THYROID,DNA,Male,,,\n"
    )
    before = case_count(fresh_api)
    upload_id = fresh_api.upload(text, "meta.csv")
    final = run_to_end(fresh_api, upload_id)
    assert final["status"] == "COMPLETED" and final["appliedRows"] == 2
    assert final["casesUpdated"] == [THYROID_CASE] and len(final["casesCreated"]) == 1
    assert case_count(fresh_api) == before + 1

    created = fresh_api.all_cases(displayId="NEW-CASE-1", isExactMatch="true")
    assert len(created) == 1
    new = created[0]
    assert new["id"] == final["casesCreated"][0]
    assert new["status"] == "AWAITING_MOLECULAR_DATA" and new["tags"] == ["oncology", "urgent"]
    assert new["testDefinition"]["name"] == "TSO500 Solid Test"
    sample = new["subjects"][0]["samples"][0]
    assert sample["externalSampleId"] == "NEW_DNA" and sample["sampleType"] == "DNA"
    assert sample["tumorType"][0]["externalid"] == "363358000"
    assert new["subjects"][0]["gender"] == "FEMALE"
    assert {"name": "Sample Name(s)", "value": "SP-1"}.items() <= new["customMetadata"]["configData"][0].items()

    thyroid = fresh_api.get(f"/crs/api/v2/cases/{THYROID_CASE}").json()
    assert thyroid["status"] == "PROCESSING"  # the disease was missing; now it can be processed
    assert thyroid["subjects"][0]["samples"][0]["tumorType"][0]["externalid"] == "255032005"
    assert thyroid["subjects"][0]["gender"] == "MALE"


def test_upload__bad_rows_reported_good_rows_applied(fresh_api: Api) -> None:
    text = (
        "Sample_ID,Tumor_Type,Case_ID,Sample_Type,Sex\n"
        "A_DNA,363358000,ROW-OK,DNA,Male\n"
        "B_DNA,999,ROW-BAD-TUMOR,DNA,Male\n"
        ",363358000,ROW-NO-SAMPLE,DNA,Male\n"
        "C_DNA,363358000,ROW-BAD-TYPE,PROTEIN,Male\n"
        "D_DNA,363358000,ROW-BAD-SEX,DNA,Robot\n"
        "E_DNA,363358000\n"
        "F_DNA,,,DNA,Male\n"
    )
    upload_id = fresh_api.upload(text, "mixed.csv")
    final = run_to_end(fresh_api, upload_id)
    assert final["status"] == "PARTIALLY_COMPLETED"
    assert final["totalRows"] == 7 and final["appliedRows"] == 1 and final["failedRows"] == 6
    by_line = {e["lineNumber"]: e for e in final["errors"]}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8]
    assert "Tumor_Type" in by_line[3]["message"] and by_line[3]["caseId"] == "ROW-BAD-TUMOR"
    assert "Sample_ID" in by_line[4]["message"]
    assert "Sample_Type" in by_line[5]["message"]
    assert "Sex" in by_line[6]["message"]
    assert "expected 5 values" in by_line[7]["message"]
    assert "Case_ID" in by_line[8]["message"]
    assert len(fresh_api.all_cases(displayId="ROW-", isExactMatch="false")) == 1


def test_upload__signed_off_case_row_fails(fresh_api: Api) -> None:
    signed = fresh_api.all_cases(status="REPORTS_SIGNED_OFF")[0]
    sample = signed["subjects"][0]["samples"][0]["externalSampleId"]
    text = f"Sample_ID,Case_ID,Tumor_Type\n{sample},{signed['displayId']},255032005\n"
    final = run_to_end(fresh_api, fresh_api.upload(text, "s.csv"))
    assert final["status"] == "FAILED" and final["errors"][0]["lineNumber"] == 2
    assert fresh_api.get(f"/crs/api/v2/cases/{signed['id']}").json() == signed


def test_upload__five_files_accepted(fresh_api: Api) -> None:
    files = [csv_file(f"m{i}.csv", f"Sample_ID,Case_ID\nS{i},FIVE-{i}\n") for i in range(5)]
    accepted = post_files(fresh_api, *files).json()
    assert [a["fileName"] for a in accepted] == [f"m{i}.csv" for i in range(5)]
    assert len({a["id"] for a in accepted}) == 5
    for item in accepted:
        assert run_to_end(fresh_api, item["id"])["status"] == "COMPLETED"
    assert len(fresh_api.all_cases(displayId="FIVE-")) == 5


def test_upload__ten_megabyte_file_is_accepted(fresh_api: Api) -> None:
    header = "Sample_ID,Case_ID,Notes\n"
    row = "S1,BIG-1,"
    body = header + row + "x" * (10 * MB - len(header) - len(row) - 1) + "\n"
    assert len(body.encode()) == 10 * MB
    response = post_files(fresh_api, csv_file("big.csv", body))
    assert response.status_code == 200, response.text


def assert_refused(api: Api, response, status_code: int, needle: str) -> None:
    assert response.status_code == status_code, response.text
    body = response.json()
    assert set(body) == {"code", "message", "details"} and needle in body["message"]


REFUSALS = [
    ("six files", [csv_file(f"m{i}.csv", "Sample_ID,Case_ID\nS,C\n") for i in range(6)], 400, "up to 5 files"),
    ("not csv", [("files", ("meta.xlsx", b"Sample_ID,Case_ID\nS,C\n", "application/octet-stream"))], 400, "not a CSV"),
    ("11 MB file", [csv_file("big.csv", "Sample_ID,Case_ID\n" + "x" * (11 * MB))], 413, "exceeds 10 MB"),
    ("51 MB total", [csv_file(f"m{i}.csv", "Sample_ID,Case_ID\n" + "y" * (51 * MB // 5)) for i in range(5)], 413, "may not exceed 50 MB"),
    ("missing columns", [csv_file("m.csv", "Sample,Case\nS,C\n")], 400, "Sample_ID, Case_ID"),
    ("missing Case_ID", [csv_file("m.csv", "Sample_ID,Tumor_Type\nS,1\n")], 400, "Case_ID"),
    ("empty file", [csv_file("m.csv", "")], 400, "missing the required column"),
    ("not utf-8", [("files", ("m.csv", "Sample_ID,Case_ID\nÉ,C\n".encode("latin-1"), "text/csv"))], 400, "UTF-8"),
    ("wrong field", [("file", ("m.csv", b"Sample_ID,Case_ID\nS,C\n", "text/csv"))], 400, "'files'"),
    ("one bad among good", [csv_file("ok.csv", "Sample_ID,Case_ID\nS,C\n"), csv_file("bad.csv", "A,B\n1,2\n")], 400, "bad.csv"),
]


@pytest.mark.parametrize("name, files, status_code, needle", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_upload__refused_and_nothing_stored(fresh_api: Api, name: str, files: list, status_code: int, needle: str) -> None:
    before_cases = case_count(fresh_api)
    response = post_files(fresh_api, *files)
    assert_refused(fresh_api, response, status_code, needle)
    wg = fresh_api.state.workgroup(fresh_api.session.headers["X-ILMN-Workgroup"])
    assert wg.uploads == {}
    fresh_api.state.clock.advance(60)
    assert case_count(fresh_api) == before_cases


def test_upload__no_files_is_400_and_a_form_is_415(fresh_api: Api) -> None:
    response = fresh_api.post(UPLOAD, files={"other": ("x.txt", b"", "text/plain")})
    assert response.status_code == 400
    response = fresh_api.post(UPLOAD, data={"files": "not a file"})  # a form, not multipart
    assert response.status_code == 415


def test_upload__json_body_is_415(fresh_api: Api) -> None:
    response = fresh_api.post(UPLOAD, json={"files": []})
    assert_refused(fresh_api, response, 415, "multipart/form-data")


def test_upload__oversized_request_is_413(fresh_api: Api) -> None:
    response = fresh_api.post(UPLOAD, data=io.BytesIO(b"z" * (52 * MB)),
                              headers={"Content-Type": "multipart/form-data; boundary=xyz"})
    assert response.status_code == 413


def test_upload_status__unknown_id_is_404(fresh_api: Api) -> None:
    response = fresh_api.get("/crs/api/v1/custom-case-data/nope/status")
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"


def test_upload_status__other_workgroup_cannot_see_it(fresh_api: Api) -> None:
    from conftest import Api as Client

    from mockserver.datagen.world import build_workgroup

    other = build_workgroup("9e8d7c6b-5a49-3382-9716-a5b4c3d2e1f0", "Other", seed=1, cases=0)
    fresh_api.state._workgroups[other.id] = other
    upload_id = fresh_api.upload("Sample_ID,Case_ID\nS,C\n", "m.csv")
    theirs = Client(fresh_api.server, workgroup=other.id)
    assert theirs.get(f"/crs/api/v1/custom-case-data/{upload_id}/status").status_code == 404
    assert BREAST_CASE  # the fixture case stays in the default workgroup only
    assert theirs.get(f"/crs/api/v2/cases/{BREAST_CASE}").status_code == 404
