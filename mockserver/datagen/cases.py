"""Deterministic case generation: case ``i`` of a seed depends on (seed, workgroup, i) only.

Each case draws from its own ``random.Random`` seeded with a string, so case 7 is the same
whether 10 or 100,000 cases are generated. Names come from Faker's en_US tables, sampled with
their frequency weights by that generator (Faker's own weighted pick rebuilds its cumulative
weights on every call, which made 100,000 cases take half a minute).
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from functools import cache
from itertools import accumulate

from faker.providers.person.en_US import Provider as PersonNames

from .. import fidelity
from ..domain.models import Case, CustomField, Disease, Sample, Subject, SubjectReport, TestDefinition
from ..domain.statuses import SEED_WEIGHTS, CaseStatus
from .catalog import (
    DISEASE_WEIGHTS,
    DISPLAY_PREFIXES,
    FEMALE_ONLY,
    MALE_ONLY,
    TAGS,
    WORKFLOWS,
)

_STATUSES = tuple(SEED_WEIGHTS)
_STATUS_WEIGHTS = tuple(SEED_WEIGHTS.values())


class _WeightedNames:
    def __init__(self, weighted: dict[str, float]) -> None:
        self.names = tuple(weighted)
        self.cum_weights = tuple(accumulate(weighted.values()))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.names, cum_weights=self.cum_weights)[0]


_FEMALE = _WeightedNames(PersonNames.first_names_female)
_MALE = _WeightedNames(PersonNames.first_names_male)
_LAST = _WeightedNames(PersonNames.last_names)
_SAMPLE_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_BORN_FROM = date(1935, 1, 1).toordinal()
_BORN_TO = date(2000, 12, 31).toordinal()


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def make_test_definitions(seed: int, workgroup_id: str) -> tuple[TestDefinition, ...]:
    rng = random.Random(f"{seed}:{workgroup_id}:test-definitions")
    names = dict.fromkeys(w.test_definition for w in WORKFLOWS)
    built = []
    for name in names:
        created = fidelity.SEED_WINDOW_END - timedelta(days=fidelity.SEED_WINDOW_DAYS + rng.randint(10, 90))
        built.append(
            TestDefinition(
                id=_uuid(rng),
                name=name,
                version=str(rng.randint(1, 4)),
                workflow_name="from_onc_analysis",
                workflow_version="5.0.1",
                reference_genome_build=rng.choice(("GRCh37", "GRCh38")),
                sample_classification="TUMOR",
                report_id=_uuid(rng),
                time_created=created.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randrange(10**6):06d}Z",
            )
        )
    return tuple(built)


@cache
def _users(seed: int, workgroup_id: str) -> tuple[str, ...]:
    rng = random.Random(f"{seed}:{workgroup_id}:users")
    return tuple(_uuid(rng) for _ in range(6))


@cache
def _disease_table(known: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    ids = tuple(d for d in DISEASE_WEIGHTS if d in known) or known
    return ids, tuple(accumulate(DISEASE_WEIGHTS.get(d, 1) for d in ids))


def make_case(
    seed: int,
    workgroup_id: str,
    index: int,
    diseases: dict[str, Disease],
    test_definitions: tuple[TestDefinition, ...],
    window_end: datetime = fidelity.SEED_WINDOW_END,
) -> Case:
    """Case ``index`` of a workgroup, created in the seed window's days before ``window_end``."""
    rng = random.Random(f"{seed}:{workgroup_id}:case:{index}")
    users = _users(seed, workgroup_id)
    status = rng.choices(_STATUSES, _STATUS_WEIGHTS)[0]
    workflow = rng.choice(WORKFLOWS)
    disease_ids, cum_weights = _disease_table(tuple(diseases))
    disease = diseases[rng.choices(disease_ids, cum_weights=cum_weights)[0]]
    created = window_end - timedelta(seconds=rng.randrange(fidelity.SEED_WINDOW_DAYS * 86400))
    updated = min(created + timedelta(seconds=rng.randrange(14 * 86400)), window_end)
    if disease.externalid in FEMALE_ONLY:
        gender = "FEMALE"
    elif disease.externalid in MALE_ONLY:
        gender = "MALE"
    else:
        gender = rng.choices(("FEMALE", "MALE", "UNKNOWN"), (48, 48, 4))[0]

    display_id = f"{rng.choice(DISPLAY_PREFIXES)}-{index + 1:06d}"
    has_analysis = status is not CaseStatus.AWAITING_MOLECULAR_DATA
    has_disease = status is not CaseStatus.MISSING_REQUIRED_DATA
    test_definition = next((t for t in test_definitions if t.name == workflow.test_definition), None)

    first = (_FEMALE if gender == "FEMALE" else _MALE).pick(rng)
    last = _LAST.pick(rng)
    born = date.fromordinal(rng.randint(_BORN_FROM, _BORN_TO))
    sample_base = "".join(rng.choices(_SAMPLE_LETTERS, k=2)) + f"{rng.randrange(10**5):05d}"

    pair_id = f"{sample_base}_{'_'.join(workflow.sample_types)}_{workflow.pair_suffix}"
    run = created - timedelta(hours=rng.randint(6, 72))
    analysis_id = f"{workflow.run_prefix}_{run:%Y%m%d_%H%M%S}_{pair_id}" if has_analysis else None
    metrics = {
        "tmb": f"{rng.lognormvariate(1.6, 1.1):.2f}",
        "msi": f"{rng.lognormvariate(0.7, 0.9):.2f}",
        "gis": str(rng.randint(0, 80)),
        "purity": f"{rng.uniform(0.2, 0.95):.3f}",
        "ploidy": f"{rng.uniform(1.7, 4.2):.2f}",
    } if has_analysis else {}
    samples = tuple(
        Sample(
            id=_uuid(rng),
            external_sample_id=f"{sample_base}_{sample_type}",
            external_sample_name=f"{sample_base}_{sample_type}",
            sample_type=sample_type,
            pair_id=pair_id if has_analysis else None,
            tumor_type=(disease,) if has_disease else (),
            **metrics,
        )
        for sample_type in workflow.sample_types
    )
    subject_custom = (
        (CustomField("Sample Name(s)", f"SP-{rng.randrange(10**7):07d}", 5),) if rng.random() < 0.5 else ()
    )
    subject = Subject(
        id=_uuid(rng),
        gender=gender,
        samples=samples,
        first_name=first,
        last_name=last,
        date_of_birth=born.isoformat(),
        mrn=f"MRN{rng.randrange(10**8):08d}",
        reports=(SubjectReport(_uuid(rng), test_definition.report_id if test_definition else None),) if has_analysis else (),
        custom_metadata=subject_custom,
    )
    case_custom = (
        (CustomField("Primary analyst", "".join(rng.choices("ABCDEFGHJKLMNPRSTW", k=3)), 1),)
        if rng.random() < 0.4 else ()
    )
    return Case(
        id=_uuid(rng),
        display_id=display_id,
        status=status,
        created_date=created,
        updated_date=updated,
        subjects=(subject,),
        tags=tuple(rng.sample(TAGS, rng.choices((0, 1, 2, 3), (25, 40, 25, 10))[0])),
        analysis_id=analysis_id,
        workflow_name=workflow.name if has_analysis else None,
        test_definition=test_definition,
        created_by=rng.choice(users),
        updated_by=rng.choice(users),
        custom_metadata=case_custom,
    )
