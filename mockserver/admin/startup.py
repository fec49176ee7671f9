"""Start-up settings of the control plane, checked by the same schemas as its endpoints."""

from __future__ import annotations

from typing import Any

from flask import Flask
from marshmallow import Schema, ValidationError

from ..datagen.fixture_folder import FixtureFolder
from ..datagen.world import build_workgroup, fixture_workgroups
from ..domain.errors import DomainError
from ..domain.mock_state import MockState
from ..domain.workgroup import Workgroup
from ..http.errors import flatten
from ..settings import Settings
from .overrides import check
from .plane import ControlPlane
from .schemas import ClockSchema, FaultRuleSchema, LatencySchema, NewWorkgroupSchema, OverrideSchema, kind_schemas


def _load(schema: Schema, value: Any, setting: str, many: bool = False) -> Any:
    try:
        return schema.load(value, many=many)
    except ValidationError as exc:
        raise ValueError(f"invalid {setting} setting: {_problems(exc)}") from None


def _problems(exc: ValidationError) -> str:
    return "; ".join(f"{d['field']}: {d['message']}" for d in flatten(exc.messages))


def restore(settings: Settings, fixtures: FixtureFolder, mock: MockState, plane: ControlPlane) -> list[str]:
    """Everything back to how the server started with these settings and fixtures: server-wide
    settings, the default workgroup as seeded, the fixture folder's and start-up workgroups and
    no other. Returns their ids."""
    plane.reset()
    mock.reset_server_wide()
    default = mock.workgroup_or_404(None)
    seeded = default.origin
    if (seeded.seed, seeded.generated_cases) == (settings.seed, settings.cases):
        default.reset()  # constant time, whatever the number of cases
    else:  # re-seeded since the start
        default = build_workgroup(default.id, default.name, seed=settings.seed, cases=settings.cases,
                                  fixture_cases=seeded.fixture_cases, diseases=seeded.diseases, kinds=mock.step_kinds)
    # Built first, swapped in at once: no reader finds a start-up workgroup missing meanwhile.
    mock.replace_all([default, *fixture_workgroups(fixtures, default.id, settings.seed, mock.step_kinds),
                      *start_up_workgroups(settings, mock)])
    apply_server_wide(settings, mock, plane)
    return [wg.id for wg in mock.workgroups()]


def apply_overrides(app: Flask, specs: Any, where: str, plane: ControlPlane) -> None:
    """Start-up overrides (from ``where``: a setting or a file; one or a list), checked as
    ``POST /_mock/overrides`` checks them, in the app (its routes and document); a reset puts
    them back."""
    try:
        loaded = OverrideSchema().load(specs if isinstance(specs, list) else [specs], many=True)
        with app.app_context():
            for index, spec in enumerate(loaded):
                check(spec, f"{index}.")
    except ValidationError as exc:
        raise ValueError(f"invalid {where}: {_problems(exc)}") from None
    try:
        plane.overrides.add(loaded)
    except ValueError as exc:
        raise ValueError(f"invalid {where}: {exc}") from None
    plane.start_overrides.extend(loaded)


def apply(settings: Settings, mock: MockState, plane: ControlPlane) -> None:
    """Raise ValueError, naming the setting and field, when a value is invalid."""
    apply_server_wide(settings, mock, plane)
    for wg in start_up_workgroups(settings, mock):
        mock.add_workgroup(wg)


def start_up_workgroups(settings: Settings, mock: MockState) -> list[Workgroup]:
    """The extra workgroups of ``settings``, built (ValueError naming the field if invalid)."""
    built = []
    for index, spec in enumerate(settings.workgroups or ()):
        body = _load(NewWorkgroupSchema(), spec, f"workgroups[{index}]")
        workgroup_id = body.get("id") or f"workgroup-{index + 1}"
        built.append(build_workgroup(workgroup_id, body.get("name") or workgroup_id,
                                     seed=body.get("seed", settings.seed), cases=body["cases"], kinds=mock.step_kinds))
    return built


def apply_server_wide(settings: Settings, mock: MockState, plane: ControlPlane) -> None:
    """The clock, plans, latency and faults of ``settings`` (ValueError naming the field if invalid)."""
    if settings.clock is not None:
        clock = _load(ClockSchema(), settings.clock, "clock")
        if clock["mode"] == "frozen":
            try:
                mock.freeze_clock(clock.get("now", mock.clock.now()))
            except DomainError as exc:
                raise ValueError(f"invalid clock setting: {exc.message}") from None
    if settings.lifecycle is not None:
        plans = _load(kind_schemas(mock.step_kinds).lifecycle(), settings.lifecycle, "lifecycle")
        mock.set_default_plans(plans)
    if settings.latency is not None:
        plane.latency.replace(_load(LatencySchema(), settings.latency, "latency"))
    if settings.faults is not None:
        rules = _load(FaultRuleSchema(), settings.faults, "faults", many=True)
        try:
            plane.faults.add(rules)
        except ValidationError as exc:
            raise ValueError(f"invalid faults setting: {_problems(exc)}") from None
