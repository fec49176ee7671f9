"""The recorder's table of identifying fields, one test per row, and the stand-ins it draws
(no HTTP)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from mockserver.recording.identifying import DATE_OF_BIRTH, EMAIL, IDENTIFYING, MRN, Identifying, Pseudonyms

KEY = b"test-key-of-the-recording"
#: A value of each kind, as a real payload would hold it.
REAL = {"given name": "Margaret", "family name": "Okonkwo", "person's name": "Margaret Okonkwo",
        DATE_OF_BIRTH: "1961-07-23", MRN: "MRN40061977", EMAIL: "m.okonkwo@hospital.example.net",
        "accession-like identifier": "ACC2024-118830", "free text": "Seen by Dr Okonkwo at Ward 7 on 12 March"}


def holding(row: Identifying, value: Any) -> dict[str, Any]:
    """A document with ``value`` at the row's path (every ``[]`` one array item), the object
    holding it shaped as the row's condition wants."""
    leaf: dict[str, Any] = {row.path[-1]: value, "type": "Text", "name": "Anything"}
    if row.path[-1] == "curatorSummaries":
        leaf[row.path[-1]] = [value]
    doc: Any = leaf
    for part in reversed(row.path[:-1]):
        doc = [doc] if part == "[]" else {part: doc}
    return {"id": "4a1c7e2b-9d3f-4b6a-8e5c-1f2a3b4c5d6e", "wrapper": doc}


def value_at(doc: Any, row: Identifying) -> Any:
    doc = doc["wrapper"]
    for part in row.path[:-1]:
        doc = doc[0] if part == "[]" else doc[part]
    value = doc[row.path[-1]]
    return value[0] if isinstance(value, list) else value


@pytest.mark.parametrize("row", IDENTIFYING, ids=[r.name for r in IDENTIFYING])
def test_each_identifying_field_is_replaced_the_same_way_everywhere(row: Identifying) -> None:
    pseudonyms = Pseudonyms(KEY)
    real = REAL[row.kind]
    first = pseudonyms.document(holding(row, real))
    stand_in = value_at(first, row)
    assert isinstance(stand_in, str) and stand_in and stand_in != real
    assert real not in json.dumps(first)
    assert first["id"] == "4a1c7e2b-9d3f-4b6a-8e5c-1f2a3b4c5d6e"  # ids are not identifying
    # The same value in another document, or in another recording under the same key: the same stand-in.
    assert value_at(pseudonyms.document(holding(row, real)), row) == stand_in
    assert value_at(Pseudonyms(KEY).document(holding(row, real)), row) == stand_in
    # Under another key (another recording by default): another stand-in.
    assert value_at(Pseudonyms(b"another key").document(holding(row, real)), row) != stand_in


def test_custom_data_is_free_text_only_when_typed_text() -> None:
    row = next(r for r in IDENTIFYING if r.path == ("configData", "[]", "value"))
    number = {"configData": [{"type": "Number", "name": "Purity", "value": "0.79"}]}
    assert Pseudonyms(KEY).document(number) == number
    assert row.when is not None


def test_a_replaced_value_is_replaced_inside_other_text_where_it_stands_alone() -> None:
    pseudonyms = Pseudonyms(KEY)
    case = {"displayId": "DEMO_002_BREAST", "analysisId": "TSO500_20241105_DEMO_002_BREAST_DNA_RNA",
            "subjects": [{"samples": [{"externalSampleId": "DEMO_002_BREAST_DNA", "pairId": "DEMO_002_BREAST_DNA_RNA"}]}],
            "message": "Case ID DEMO_002_BREAST status updated", "other": "DEMO_002_BREASTS is another word"}
    out = pseudonyms.document(case)
    sample = out["subjects"][0]["samples"][0]["externalSampleId"]
    assert out["analysisId"] == f"TSO500_20241105_{sample}_RNA"  # the longer value first
    assert out["subjects"][0]["samples"][0]["pairId"] == f"{sample}_RNA"
    assert out["message"] == f"Case ID {out['displayId']} status updated"
    assert out["other"] == "DEMO_002_BREASTS is another word"
    assert pseudonyms.text("/cases/search?displayId=DEMO_002_BREAST") == f"/cases/search?displayId={out['displayId']}"


def test_any_value_shaped_like_an_e_mail_is_replaced_wherever_it_is() -> None:
    out = Pseudonyms(KEY).document({"approvedBy": "robert.wilson@lab.example.org", "list": ["a.b@c.org"]})
    assert out["approvedBy"].endswith("@example.org") and "robert" not in json.dumps(out)
    assert out["list"][0] != "a.b@c.org"


def test_a_date_of_birth_keeps_its_year_and_never_its_day() -> None:
    pseudonyms = Pseudonyms(KEY)
    for born in ("1961-07-23", "2001-01-01", "1999-12-31"):
        stand_in = pseudonyms.document({"dateOfBirth": born})["dateOfBirth"]
        assert stand_in[:4] == born[:4] and stand_in != born
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", stand_in)
    assert pseudonyms.document({"dateOfBirth": "unknown"})["dateOfBirth"].startswith("1970-")


def test_counts_name_each_field_path_and_never_a_value() -> None:
    from collections import Counter

    counts: Counter[tuple[str, str]] = Counter()
    Pseudonyms(KEY).document({"content": [{"subjects": [{"firstName": "Ada"}, {"firstName": "Bo"}]}]}, counts)
    assert counts == {("content[].subjects[].firstName", "given name"): 2}


def test_two_values_never_share_a_stand_in() -> None:
    pseudonyms = Pseudonyms(KEY)
    names = [pseudonyms.document({"firstName": f"Name{i}"})["firstName"] for i in range(2000)]
    assert len(set(names)) == len(names)


def test_free_text_and_short_values_are_replaced_in_their_own_field_only() -> None:
    """A lab's custom data ``HAS`` (free text) or a sample named ``DNA`` must not turn the
    status HAS_ISSUE or the sample type DNA into something the API never answers."""
    case = {"status": "HAS_ISSUE",
            "customMetadata": {"configData": [{"type": "Text", "name": "Flag", "value": "HAS"}]},
            "subjects": [{"samples": [{"externalSampleName": "DNA", "sampleType": "DNA"}]}]}
    out = Pseudonyms(KEY).document(case)
    assert out["status"] == "HAS_ISSUE" and out["subjects"][0]["samples"][0]["sampleType"] == "DNA"
    assert out["customMetadata"]["configData"][0]["value"] != "HAS"
    assert out["subjects"][0]["samples"][0]["externalSampleName"] != "DNA"


def test_a_value_first_seen_as_free_text_is_still_looked_for_in_text_once_it_names_someone() -> None:
    pseudonyms = Pseudonyms(KEY)
    pseudonyms.document({"configData": [{"type": "Text", "name": "Reviewer", "value": "Robert Wilson"}]})
    out = pseudonyms.document({"approvedByName": "Robert Wilson", "note": "Signed by Robert Wilson."})
    assert "Robert" not in json.dumps(out)
