"""The seeded world a server starts with: workgroups filled with generated and fixture cases."""

from __future__ import annotations

import json
from pathlib import Path

from marshmallow import ValidationError

from ..domain.lifecycle.kinds import StepKinds
from ..domain.lifecycle.plans import DefaultPlans
from ..domain.mock_state import MockState
from ..domain.models import Case
from ..domain.seeded_cases import SeededCases
from ..domain.step_kinds import SHIPPED_KINDS
from ..domain.workgroup import Origin, Workgroup
from ..schemas.cases import CaseSchema
from .cases import CaseMaker, GeneratedCases, make_test_definitions
from .catalog import fixtures_dir, load_diseases
from .users import make_users


def load_fixture_cases(directory: Path | None = None) -> list[Case]:
    """Hand-written cases (vendor JSON shape), one per file under ``<fixtures>/cases``."""
    folder = directory if directory is not None else fixtures_dir() / "cases"
    if not folder.is_dir():
        raise FileNotFoundError(f"fixture folder {folder} does not exist")
    schema = CaseSchema(direct_identifiers=True)
    cases = []
    for path in sorted(folder.glob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            for item in doc if isinstance(doc, list) else [doc]:
                cases.append(schema.load(item))
        except (ValueError, ValidationError) as exc:
            raise ValueError(f"fixture file {path} is not a valid case: {exc}") from None
    return cases


def build_workgroup(
    workgroup_id: str,
    name: str,
    *,
    seed: int,
    cases: int,
    fixture_cases: tuple[Case, ...] | list[Case] = (),
    kinds: StepKinds[Workgroup] = SHIPPED_KINDS,
    defaults: DefaultPlans | None = None,
) -> Workgroup:
    """A workgroup seeded with ``cases`` generated cases plus the given fixture cases, running
    the given kinds of step (its server's); the generated ones are made when first read."""
    diseases = load_diseases()
    test_definitions = make_test_definitions(seed, workgroup_id)
    generated = GeneratedCases(CaseMaker(seed, workgroup_id, diseases, test_definitions, cases))
    return Workgroup(
        workgroup_id,
        name,
        origin=Origin(seed, cases, tuple(fixture_cases)),
        seeded_cases=SeededCases(fixture_cases, generated),
        test_definitions=test_definitions,
        diseases=diseases,
        kinds=kinds,
        defaults=defaults,
        users=make_users(seed, workgroup_id),
    )


def reseed(mock: MockState, old: Workgroup, seed: int, cases: int) -> Workgroup:
    """Replace a workgroup by the same one seeded anew (its fixture cases kept); anyone waiting
    on the old one looks again."""
    new = build_workgroup(old.id, old.name, seed=seed, cases=cases, fixture_cases=old.origin.fixture_cases,
                          kinds=old.kinds)
    mock.put_workgroup(new)
    old.wake_waiters()
    return new
