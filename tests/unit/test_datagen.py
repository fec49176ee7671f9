"""The generator: deterministic per case, independent of how many cases come before."""

from __future__ import annotations

from mockserver.datagen.cases import make_case, make_test_definitions
from mockserver.datagen.catalog import WORKFLOWS, fixtures_dir, load_diseases
from mockserver.datagen.fixture_folder import shipped_cases
from mockserver.datagen.qc import qc_overview
from mockserver.datagen.world import build_workgroup
from mockserver.domain.statuses import CaseStatus

WG = "wg-test"


def generate(seed: int, n: int) -> list:
    diseases = load_diseases()
    tds = make_test_definitions(seed, WG)
    return [make_case(seed, WG, i, diseases, tds) for i in range(n)]


def test_same_seed_same_cases() -> None:
    assert generate(7, 30) == generate(7, 30)


def test_case_does_not_depend_on_how_many_came_before() -> None:
    few, many = generate(7, 5), generate(7, 50)
    assert few == many[:5]
    diseases, tds = load_diseases(), make_test_definitions(7, WG)
    assert make_case(7, WG, 42, diseases, tds) == many[42]


def test_other_seed_or_workgroup_differs() -> None:
    assert {c.id for c in generate(7, 20)}.isdisjoint({c.id for c in generate(8, 20)})
    diseases, tds = load_diseases(), make_test_definitions(7, "other")
    assert make_case(7, "other", 0, diseases, tds).id != generate(7, 1)[0].id


def test_generated_content_is_realistic() -> None:
    cases = generate(3, 400)
    assert len({c.id for c in cases}) == 400 and len({c.display_id for c in cases}) == 400
    assert {c.status for c in cases} == set(CaseStatus)
    names = {w.name for w in WORKFLOWS}
    for c in cases:
        assert c.subjects and c.samples
        if c.status is CaseStatus.AWAITING_MOLECULAR_DATA:
            assert c.analysis_id is None and c.workflow_name is None
        else:
            assert c.workflow_name in names
            pair = c.samples[0].pair_id
            assert c.analysis_id.endswith(pair) and c.analysis_id.count("_") >= 4
            assert all(isinstance(s.tmb, str) and float(s.tmb) >= 0 for s in c.samples)
        if c.status is CaseStatus.MISSING_REQUIRED_DATA:
            assert not c.diseases
        else:
            assert len(c.diseases) == 1
        assert c.updated_date >= c.created_date
        subject = c.subjects[0]
        assert subject.first_name and subject.last_name and subject.mrn.startswith("MRN")
    assert len({c.diseases[0].externalid for c in cases if c.diseases}) >= 10
    assert sum(1 for c in cases if c.tags) > 200


def test_qc_overview_is_stable_and_flags_issues() -> None:
    cases = generate(5, 200)
    with_analysis = next(c for c in cases if c.analysis_id)
    assert qc_overview(with_analysis) == qc_overview(with_analysis)
    waiting = next(c for c in cases if c.status is CaseStatus.AWAITING_MOLECULAR_DATA)
    assert qc_overview(waiting) == []
    issues = [c for c in cases if c.status is CaseStatus.HAS_ISSUE and c.analysis_id]
    for c in issues:
        statuses = [m["passStatus"] for s in qc_overview(c)[0]["qcMetrics"]["sampleQcMetrics"]["sections"] for m in s["metrics"]]
        assert statuses  # HAS_ISSUE cases carry at most one failing metric, by design
        assert statuses.count("Fail") <= 1


def test_fixtures_are_found_and_load() -> None:
    assert (fixtures_dir() / "diseases.json").is_file()
    diseases = load_diseases()
    assert diseases["255032005"].name == "Medullary thyroid carcinoma"
    assert diseases["254837009"].key_genes == ("BRAF", "ERBB2", "MET", "PIK3CA")
    fixtures = shipped_cases()
    assert {c.display_id for c in fixtures} == {"FIXTURE_001_BREAST", "FIXTURE_002_THYROID"}


def test_workgroup_holds_fixtures_and_generated_cases() -> None:
    wg = build_workgroup(WG, "Test", seed=1, cases=10, fixture_cases=shipped_cases())
    assert len(wg.cases) == 12
    assert wg.test_definition_named("tso500 solid test") is not None


def test_served_case_loads_back_to_the_same_record() -> None:
    """What GET case serves (with direct identifiers) loads back to an equal record, so state
    export/import and injecting a copied case lose nothing."""
    from mockserver.schemas.cases import CaseSchema

    schema = CaseSchema(direct_identifiers=True)
    wg = build_workgroup(WG, "Test", seed=4, cases=300, fixture_cases=shipped_cases())
    for case in wg.cases.ordered():
        assert schema.load(schema.dump(case)) == case
