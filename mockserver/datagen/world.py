"""The seeded world a server starts with: workgroups filled with generated and fixture cases."""

from __future__ import annotations

from ..domain.lifecycle.kinds import StepKinds
from ..domain.lifecycle.plans import DefaultPlans
from ..domain.mock_state import MockState
from ..domain.models import Case, Disease
from ..domain.seeded_cases import DuplicateCaseId, SeededCases
from ..domain.step_kinds import SHIPPED_KINDS
from ..domain.workgroup import Origin, Workgroup
from .cases import CaseMaker, GeneratedCases, make_test_definitions
from .catalog import load_diseases
from .fixture_folder import FixtureError, FixtureFolder, FixtureWorkgroup
from .users import make_users


def fixture_workgroups(folder: FixtureFolder, default_id: str, seed: int,
                       kinds: StepKinds[Workgroup] = SHIPPED_KINDS) -> list[Workgroup]:
    """The workgroups a fixture folder adds beside the default one (whose cases it may also give)."""
    return [fixture_workgroup(wg, wg.name, seed if wg.seed is None else wg.seed, wg.generated_cases, kinds)
            for wg in folder.workgroups if wg.id != default_id]


def fixture_workgroup(given: FixtureWorkgroup, name: str, seed: int, cases: int,
                      kinds: StepKinds[Workgroup] = SHIPPED_KINDS) -> Workgroup:
    """A fixture folder's workgroup with ``cases`` generated cases beside its own; a case of the
    folder with the id of a generated one is refused, naming its file."""
    try:
        return build_workgroup(given.id, name, seed=seed, cases=cases, fixture_cases=given.cases,
                               diseases=given.diseases, kinds=kinds)
    except DuplicateCaseId as exc:
        raise FixtureError(f"{given.sources.get(exc.case_id, given.id)}: id: {exc.case_id} is also the id of a case "
                           f"generated from seed {seed} (a recording of a mock?); give the server another --seed, "
                           f"or --cases 0") from None


def build_workgroup(
    workgroup_id: str,
    name: str,
    *,
    seed: int,
    cases: int,
    fixture_cases: tuple[Case, ...] | list[Case] = (),
    kinds: StepKinds[Workgroup] = SHIPPED_KINDS,
    defaults: DefaultPlans | None = None,
    diseases: tuple[Disease, ...] | None = None,
) -> Workgroup:
    """A workgroup seeded with ``cases`` generated cases plus the given fixture cases, running
    the given kinds of step (its server's); the generated ones are made when first read. Its
    disease configuration is ``diseases`` when given (generated cases still draw from the
    shipped catalogue)."""
    catalogue = load_diseases()
    test_definitions = make_test_definitions(seed, workgroup_id)
    generated = GeneratedCases(CaseMaker(seed, workgroup_id, catalogue, test_definitions, cases))
    return Workgroup(
        workgroup_id,
        name,
        origin=Origin(seed, cases, tuple(fixture_cases), diseases),
        seeded_cases=SeededCases(fixture_cases, generated),
        test_definitions=test_definitions,
        diseases=catalogue if diseases is None else {d.externalid: d for d in diseases},
        kinds=kinds,
        defaults=defaults,
        users=make_users(seed, workgroup_id),
    )


def reseed(mock: MockState, old: Workgroup, seed: int, cases: int) -> Workgroup:
    """Replace a workgroup by the same one seeded anew (its fixture cases kept); anyone waiting
    on the old one looks again."""
    new = build_workgroup(old.id, old.name, seed=seed, cases=cases, fixture_cases=old.origin.fixture_cases,
                          kinds=old.kinds, diseases=old.origin.diseases)
    mock.put_workgroup(new)
    old.wake_waiters()
    return new
