"""The metadata CSV job in detail: the status body while it runs, deterministic ids for what it
creates, a failing plan's exact body, and what a row leaves alone."""

from __future__ import annotations

import time
import uuid

from conftest import BREAST_CASE, THYROID_CASE, Api, start_server

UPLOAD = "/crs/api/v2/custom-case-data/files"






def test_a_running_job_reports_no_failed_rows_yet(frozen_api: Api) -> None:
    upload_id = frozen_api.upload(b"Sample_ID,Case_ID\nS1,RUN-A\nS2,RUN-B\n")
    assert frozen_api.upload_status(upload_id)["failedRows"] == 0
    frozen_api.advance_clock(1)
    running = frozen_api.upload_status(upload_id)
    assert running["status"] == "IN_PROGRESS" and running["updatedDate"] == "2026-06-01T12:00:01+0000"
    assert (running["totalRows"], running["appliedRows"], running["failedRows"]) == (2, 0, 0)
    frozen_api.advance_clock(1)
    done = frozen_api.upload_status(upload_id)
    assert (done["status"], done["appliedRows"], done["failedRows"]) == ("COMPLETED", 2, 0)


def created_ids(api: Api) -> list[tuple[str, str, str, str]]:
    api.state.clock.freeze(api.state.clock.now().replace(year=2026, month=6, day=1, hour=12, minute=0, second=0))
    upload_id = api.upload(b"Sample_ID,Case_ID\nS1,NEW-A\nS2,NEW-B\n")
    api.advance_clock(2)
    rows = []
    for case_id in api.upload_status(upload_id)["casesCreated"]:
        case = api.case(case_id)
        subject = case["subjects"][0]
        rows.append((case["displayId"], case_id, subject["id"], subject["samples"][0]["id"]))
    return rows


def test_ids_of_created_cases_follow_the_seed(fresh_api: Api) -> None:
    """Same seed, same upload: the same ids, on any server (seed 42, the first upload)."""
    first = created_ids(fresh_api)
    assert first == [
        ("NEW-A", "6a7b89a9-4c96-4f4f-bd1d-4457a3f757d9", "b65a20a2-3162-4fa2-8f85-2c3fc3f018bf",
         "8a05ca3b-e38b-4c27-8f1d-c0f2fbc4c945"),
        ("NEW-B", "aadf3c1a-9345-455f-bd47-9a8dffecef0d", "35c53ddb-1bd1-432f-9ee5-d48c5a35d006",
         "04e6890f-94f7-4124-bb27-0365ab96a8e2"),
    ]
    assert all(uuid.UUID(i).version == 4 for row in first for i in row[1:])
    other = start_server(seed=7)
    try:
        assert [row[1] for row in created_ids(Api(other))] != [row[1] for row in first]
    finally:
        other.stop()


def test_a_plan_that_fails_the_job_says_so_and_applies_nothing(frozen_api: Api) -> None:
    frozen_api.admin("PUT", "/lifecycle", {"ingestion": {"mode": "time", "seconds": 2, "outcome": "FAILED"}})
    upload_id = frozen_api.upload(b"Sample_ID,Case_ID\nS1,NEVER\n")
    frozen_api.advance_clock(2)
    failed = frozen_api.upload_status(upload_id)
    assert failed["status"] == "FAILED" and failed["updatedDate"] == "2026-06-01T12:00:02+0000"
    assert (failed["appliedRows"], failed["failedRows"], failed["casesCreated"]) == (0, 1, [])
    assert failed["errors"] == [{"lineNumber": 0, "caseId": None, "sampleId": None,
                                 "message": "Ingestion failed (simulated by the mock's lifecycle plan); no row was applied."}]
    assert frozen_api.search(displayId="NEVER")["totalElements"] == 0


def test_a_failure_rate_draws_the_same_outcomes_for_the_same_seed(frozen_api: Api) -> None:
    frozen_api.admin("PUT", "/lifecycle", {"ingestion": {"mode": "immediate", "failureRate": 0.5}})
    outcomes = []
    for n in range(8):
        upload_id = frozen_api.upload(f"Sample_ID,Case_ID\nS{n},RATE-{n}\n".encode())
        outcomes.append(frozen_api.upload_status(upload_id)["status"])
    # Drawn from the seed (42), the workgroup, the upload and the attempt: pinned, so a change to
    # what the draw depends on shows here.
    assert outcomes == ["COMPLETED", "FAILED", "FAILED", "FAILED", "COMPLETED", "COMPLETED", "FAILED", "COMPLETED"]


def test_a_row_for_an_existing_case_keeps_its_subject_and_sex(frozen_api: Api) -> None:
    before = frozen_api.case(THYROID_CASE)["subjects"][0]
    upload_id = frozen_api.upload(b"Sample_ID,Case_ID\nNEW-SAMPLE,FIXTURE_002_THYROID\n")
    frozen_api.advance_clock(2)
    assert frozen_api.upload_status(upload_id)["casesUpdated"] == [THYROID_CASE]
    after = frozen_api.case(THYROID_CASE)["subjects"][0]
    assert after["id"] == before["id"] and after["gender"] == before["gender"] == "MALE"
    assert [s["externalSampleId"] for s in after["samples"]][-1] == "NEW-SAMPLE"


def applied(api: Api, text: bytes) -> dict:
    upload_id = api.upload(text)
    api.advance_clock(2)
    body = api.upload_status(upload_id)
    assert body["status"] == "COMPLETED", body
    return body


def test_a_row_changes_only_what_it_names(frozen_api: Api) -> None:
    seeded = frozen_api.case(BREAST_CASE)
    applied(frozen_api, b"Sample_ID,Case_ID,Notes\nFIXTURE_001_BREAST_DNA,FIXTURE_001_BREAST,first note\n")
    before = frozen_api.case(BREAST_CASE)
    unchanged = ("tags", "testDefinition", "status", "subjects", "displayId", "createdDate")
    assert seeded["tags"] and seeded["testDefinition"]
    assert {k: before[k] for k in unchanged} == {k: seeded[k] for k in unchanged}  # only the custom data changed
    history = frozen_api.admin("GET", f"/cases/{BREAST_CASE}/history")
    assert before["customMetadata"]["configData"] and before["subjects"][0]["samples"][0]["tumorType"]
    applied(frozen_api, b"Sample_ID,Case_ID\nNEW-S,FIXTURE_001_BREAST\n")
    after = frozen_api.case(BREAST_CASE)
    samples_before, samples_after = before["subjects"][0].pop("samples"), after["subjects"][0].pop("samples")
    assert samples_after[:-1] == samples_before and samples_after[-1]["externalSampleId"] == "NEW-S"
    assert samples_after[-1]["tumorType"] == samples_before[0]["tumorType"]  # a new sample takes the case's disease
    assert {k: v for k, v in after.items() if k != "updatedDate"} == {k: v for k, v in before.items() if k != "updatedDate"}
    assert frozen_api.admin("GET", f"/cases/{BREAST_CASE}/history") == history  # no status change
    applied(frozen_api, b"Sample_ID,Case_ID,Sample_Type\nFIXTURE_001_BREAST_DNA,FIXTURE_001_BREAST,RNA\n")
    samples = frozen_api.case(BREAST_CASE)["subjects"][0]["samples"]
    assert len(samples) == len(samples_after)  # the named sample was changed, not added
    assert [s["sampleType"] for s in samples if s["externalSampleId"] == "FIXTURE_001_BREAST_DNA"] == ["RNA"]


def test_a_created_case_and_a_jump_say_what_caused_them(frozen_api: Api) -> None:
    created = applied(frozen_api, b"Sample_ID,Case_ID\nS1,CAUSE-1\n")["casesCreated"][0]
    case = frozen_api.case(created)  # what a row without Sex or Sample_Type makes
    subject = case["subjects"][0]
    assert (subject["gender"], subject["samples"][0]["sampleType"]) == ("UNKNOWN", "DNA")
    assert frozen_api.admin("GET", f"/cases/{created}/history") == [
        {"at": "2026-06-01T12:00:02Z", "from": None, "to": "AWAITING_MOLECULAR_DATA", "cause": "created by a metadata upload"}]
    frozen_api.admin("PUT", f"/cases/{created}/status", {"status": "HAS_ISSUE"})
    assert frozen_api.admin("GET", f"/cases/{created}/history")[-1] == {
        "at": "2026-06-01T12:00:02Z", "from": "AWAITING_MOLECULAR_DATA", "to": "HAS_ISSUE", "cause": "set by the control plane"}


def test_row_errors_name_the_line_case_sample_and_reason(frozen_api: Api) -> None:
    upload_id = frozen_api.upload(b"Sample_ID,Case_ID\nS1,GOOD-1\nS2,\n,NO-SAMPLE\n")
    frozen_api.advance_clock(2)
    body = frozen_api.upload_status(upload_id)
    assert (body["status"], body["appliedRows"], body["failedRows"]) == ("PARTIALLY_COMPLETED", 1, 2)
    assert body["errors"] == [
        {"lineNumber": 3, "caseId": None, "sampleId": "S2", "message": "Case_ID is empty"},
        {"lineNumber": 4, "caseId": "NO-SAMPLE", "sampleId": None, "message": "Sample_ID is empty"},
    ]


def test_a_disease_from_a_csv_reaches_every_subjects_samples(frozen_api: Api) -> None:
    sample = {"externalSampleId": "S-A", "sampleType": "DNA"}
    frozen_api.admin("POST", "/cases", {"id": "two-subjects", "displayId": "TWO-SUBJECTS", "status": "READY_FOR_PROCESSING",
                                        "subjects": [{"id": "subject-1", "samples": [sample]},
                                                     {"id": "subject-2", "samples": [{**sample, "externalSampleId": "S-B"}]}]},
                     expect=201)
    applied(frozen_api, b"Sample_ID,Case_ID,Tumor_Type\nS-A,TWO-SUBJECTS,255032005\n")
    case = frozen_api.case("two-subjects")
    assert [s["id"] for s in case["subjects"]] == ["subject-1", "subject-2"]
    assert [[t["externalid"] for x in s["samples"] for t in x["tumorType"]] for s in case["subjects"]] == [["255032005"], ["255032005"]]
    assert case["status"] == "PROCESSING"


def test_a_file_of_5000_new_cases_is_worked_through_after_the_answer(frozen_api: Api) -> None:
    rows = "".join(f"S{i},BULK-{i:05d}\n" for i in range(5000))
    upload_id = frozen_api.upload(f"Sample_ID,Case_ID\n{rows}".encode())
    frozen_api.advance_clock(2)
    deadline = time.monotonic() + 60
    while (body := frozen_api.upload_status(upload_id))["status"] == "IN_PROGRESS" and time.monotonic() < deadline:
        time.sleep(0.05)  # the uploading request's thread is still working through the rows
    assert (body["status"], body["appliedRows"], body["failedRows"], len(body["casesCreated"])) == ("COMPLETED", 5000, 0, 5000)
    assert body["updatedDate"] == "2026-06-01T12:00:02+0000"
    assert frozen_api.search(displayId="BULK-")["totalElements"] == 5000
    last = frozen_api.search(displayId="BULK-04999", isExactMatch="true")["content"][0]
    assert frozen_api.admin("GET", f"/cases/{last['id']}/history") == [
        {"at": "2026-06-01T12:00:02Z", "from": None, "to": "AWAITING_MOLECULAR_DATA", "cause": "created by a metadata upload"}]
    assert frozen_api.admin("POST", "/reset", {}) == {"reset": ["3c5e1b9a-7f42-3d1e-8a6b-2f0c4d9e7a11"]}
    assert frozen_api.search(displayId="BULK-")["totalElements"] == 0


def test_a_large_file_under_an_immediate_plan_completes(fresh_api: Api) -> None:
    """Under an immediate plan the job is due at once, while the uploading request's thread may
    still be working through its 5,000 rows: either way every row is applied, once."""
    fresh_api.admin("PUT", "/lifecycle", {"ingestion": {"mode": "immediate"}})
    rows = "".join(f"S{i},SOON-{i:05d}\n" for i in range(5000))
    upload_id = fresh_api.upload(f"Sample_ID,Case_ID\n{rows}".encode())
    deadline = time.monotonic() + 60
    while (body := fresh_api.upload_status(upload_id))["status"] in ("QUEUED", "IN_PROGRESS") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (body["status"], body["appliedRows"], len(body["casesCreated"])) == ("COMPLETED", 5000, 5000)
    assert fresh_api.search(displayId="SOON-")["totalElements"] == 5000


def test_refused_files_say_why_in_message_and_details(fresh_api: Api) -> None:
    cases = [
        ("m.txt", b"Sample_ID,Case_ID\nS,C\n", "File 'm.txt' is not a CSV file; accepted file type: CSV.",
         [{"field": "files", "message": "m.txt: not a .csv file"}]),
        ("m.csv", "Sample_ID,Case_ID\nÉ,C\n".encode("latin-1"), "File 'm.csv' is not UTF-8 text (byte 18).",
         [{"field": "files", "message": "m.csv: not UTF-8"}]),
        ("m.csv", b"Sample,Case\nS,C\n", "File 'm.csv' is missing the required column(s) Sample_ID, Case_ID; the first "
         "row must name the columns and include Sample_ID, Case_ID.",
         [{"field": "files", "message": "m.csv: missing column Sample_ID"},
          {"field": "files", "message": "m.csv: missing column Case_ID"}]),
    ]
    for name, data, message, details in cases:
        response = fresh_api.post(UPLOAD, files=[("files", (name, data, "text/csv"))])
        assert response.status_code == 400
        assert response.json() == {"code": "BAD_REQUEST", "message": message, "details": details}


def test_rows_of_one_file_build_on_each_other_and_bad_values_are_named(frozen_api: Api) -> None:
    frozen_api.admin("PUT", f"/cases/{THYROID_CASE}/status", {"status": "REPORTS_SIGNED_OFF"})
    upload_id = frozen_api.upload(b"Sample_ID,Case_ID,Sample_Type,Sex,Tumor_Type\nS1,TWICE,DNA,,\nS2,TWICE,RNA,,\n"
                                   b"S3,BADTYPE,XNA,,\nS4,BADSEX,,Alien,\nS5,FIXTURE_002_THYROID,,,255032005\n")
    frozen_api.advance_clock(2)
    body = frozen_api.upload_status(upload_id)
    assert body["status"] == "PARTIALLY_COMPLETED" and body["appliedRows"] == 2
    assert body["errors"] == [
        {"lineNumber": 4, "caseId": "BADTYPE", "sampleId": "S3", "message": "Sample_Type 'XNA' is not one of DNA, RNA"},
        {"lineNumber": 5, "caseId": "BADSEX", "sampleId": "S4", "message": "Sex 'Alien' is not one of FEMALE, MALE, UNKNOWN"},
        {"lineNumber": 6, "caseId": "FIXTURE_002_THYROID", "sampleId": "S5",
         "message": f"Case {THYROID_CASE} is in status REPORTS_SIGNED_OFF (Report(s) Signed Off); its disease cannot be changed."},
    ]
    (created,) = body["casesCreated"]  # both TWICE rows went into one new case
    samples = frozen_api.case(created)["subjects"][0]["samples"]
    assert [(s["externalSampleId"], s["externalSampleName"], s["sampleType"]) for s in samples] == [
        ("S1", "S1", "DNA"), ("S2", "S2", "RNA")]


MTC_ID = "255032005"


def run_upload(api: Api, text: bytes) -> dict:
    upload_id = api.upload(text)
    api.advance_clock(2)
    status = api.upload_status(upload_id)
    assert status["status"] in ("COMPLETED", "PARTIALLY_COMPLETED", "FAILED"), status
    return status


def cases_in(api: Api, status: str, count: int) -> list[dict]:
    found = [c for c in api.all_cases(status=status) if c["subjects"] and c["subjects"][0]["samples"]]
    assert len(found) >= count
    return found[:count]


def test_a_finished_job_keeps_no_file(frozen_api: Api) -> None:
    upload_id = frozen_api.upload(b"Sample_ID,Case_ID\nS1,KEEP-NONE\n")
    [waiting] = [u for w in frozen_api.admin("GET", "/state")["workgroups"] for u in w["uploads"] if u["id"] == upload_id]
    assert waiting["text"] == "Sample_ID,Case_ID\nS1,KEEP-NONE\n"
    frozen_api.advance_clock(2)
    frozen_api.admin("PUT", "/lifecycle", {"ingestion": {"mode": "immediate", "outcome": "FAILED"}})
    failed_id = frozen_api.upload(b"Sample_ID,Case_ID\nS1,KEEP-NONE-2\n")
    assert frozen_api.upload_status(failed_id)["status"] == "FAILED"
    uploads = [u for w in frozen_api.admin("GET", "/state")["workgroups"] for u in w["uploads"]]
    assert [(u["status"], u["text"]) for u in uploads] == [("COMPLETED", None), ("FAILED", None)]


def test_a_row_without_a_disease_leaves_a_processing_step_alone(frozen_api: Api) -> None:
    display_id = frozen_api.case(THYROID_CASE)["displayId"]
    assert frozen_api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases",
                          json={"externalid": MTC_ID, "ontologytype": "SNOMEDCT"}).status_code == 200
    frozen_api.admin("PUT", "/lifecycle", {"ingestion": {"mode": "immediate"}})
    frozen_api.advance_clock(1)
    upload_id = frozen_api.upload(f"Sample_ID,Case_ID,Tags\nS-T,{display_id},urgent\n".encode())
    assert frozen_api.upload_status(upload_id)["status"] == "COMPLETED"
    frozen_api.advance_clock(1.9)
    assert frozen_api.case(THYROID_CASE)["status"] == "PROCESSING"
    frozen_api.advance_clock(0.1)
    assert frozen_api.case(THYROID_CASE)["status"] == "READY_FOR_INTERPRETATION"  # 3 s after the disease


def test_rows_of_one_new_case_each_giving_a_disease(frozen_api: Api) -> None:
    status = run_upload(frozen_api, f"Sample_ID,Case_ID,Tumor_Type\nS1,TWO-ROWS,{MTC_ID}\nS2,TWO-ROWS,{MTC_ID}\n".encode())
    assert (status["status"], status["appliedRows"], status["failedRows"]) == ("COMPLETED", 2, 0)
    case = frozen_api.case(status["casesCreated"][0])
    samples = case["subjects"][0]["samples"]
    assert [(s["externalSampleId"], [t["externalid"] for t in s["tumorType"]]) for s in samples] == [
        ("S1", [MTC_ID]), ("S2", [MTC_ID])]


def test_rows_for_one_new_sample_make_one_sample(frozen_api: Api) -> None:
    status = run_upload(frozen_api, b"Sample_ID,Case_ID,Sample_Type\nS1,ONE-SAMPLE,\nS1,ONE-SAMPLE,RNA\n")
    samples = frozen_api.case(status["casesCreated"][0])["subjects"][0]["samples"]
    assert [(s["externalSampleId"], s["sampleType"]) for s in samples] == [("S1", "RNA")]


def test_a_custom_field_given_again_moves_to_the_end(frozen_api: Api) -> None:
    status = run_upload(frozen_api, b"Sample_ID,Case_ID,Panel,Batch\nS1,CUSTOM,p1,b1\n")
    case_id = status["casesCreated"][0]
    fields = frozen_api.case(case_id)["customMetadata"]["configData"]
    assert [(f["name"], f["value"], f["order"]) for f in fields] == [("Panel", "p1", 1), ("Batch", "b1", 2)]
    run_upload(frozen_api, b"Sample_ID,Case_ID,Panel\nS1,CUSTOM,p2\n")
    fields = frozen_api.case(case_id)["customMetadata"]["configData"]
    assert [(f["name"], f["value"], f["order"]) for f in fields] == [("Batch", "b1", 2), ("Panel", "p2", 1)]


def test_a_disease_row_changes_the_status_of_every_case_it_names_in_their_histories(frozen_api: Api) -> None:
    first, second = cases_in(frozen_api, "READY_FOR_PROCESSING", 2)
    [awaiting] = cases_in(frozen_api, "AWAITING_MOLECULAR_DATA", 1)
    rows = "".join(f"X-{n},{c['displayId']},{MTC_ID}\n" for n, c in enumerate((first, second, awaiting)))
    run_upload(frozen_api, f"Sample_ID,Case_ID,Tumor_Type\n{rows}".encode())
    for case in (first, second):
        history = frozen_api.admin("GET", f"/cases/{case['id']}/history")
        assert [(h["from"], h["to"], h["cause"]) for h in history] == [("READY_FOR_PROCESSING", "PROCESSING", "disease set")]
    assert frozen_api.case(awaiting["id"])["status"] == "AWAITING_MOLECULAR_DATA"
    assert frozen_api.admin("GET", f"/cases/{awaiting['id']}/history") == []  # its status did not change
