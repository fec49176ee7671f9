"""The composition root: builds the seeded state and the Flask app around it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from . import admin, api, fast_path, fidelity, openapi, ui
from .admin import startup
from .admin.client_report import ClientRuleSettings
from .admin.plane import ControlPlane
from .api.request import MockRequest
from .datagen.fixture_folder import FixtureFolder, load_fixture_folder
from .datagen.qc import qc_overview
from .datagen.variants import report_variants
from .datagen.world import build_workgroup, fixture_workgroup, fixture_workgroups
from .domain.clock import Clock
from .domain.lifecycle.kinds import StepKinds
from .domain.mock_state import MockState
from .domain.step_kinds import SHIPPED_KINDS
from .domain.workgroup import Workgroup
from .http import errors
from .settings import Settings


class SyncFlask(Flask):
    """Flask for an app whose views and hooks are all plain functions (tests/test_architecture.py
    checks): Flask's own ``ensure_sync`` asks ``inspect`` about each one on every call, four times
    a GET case (about 8 us of its 300)."""

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        return func


def build_state(settings: Settings, fixtures: FixtureFolder,
                step_kinds: StepKinds[Workgroup] = SHIPPED_KINDS) -> MockState:
    """The default workgroup (generated cases, and the fixture folder's cases for it) and the
    fixture folder's other workgroups."""
    given = fixtures.workgroup(fidelity.DEFAULT_WORKGROUP_ID)
    if given is not None:
        default = fixture_workgroup(given, fidelity.DEFAULT_WORKGROUP_NAME, settings.seed, settings.cases, step_kinds)
    else:
        default = build_workgroup(fidelity.DEFAULT_WORKGROUP_ID, fidelity.DEFAULT_WORKGROUP_NAME, seed=settings.seed,
                                  cases=settings.cases, kinds=step_kinds)
    return MockState(
        clock=Clock(), qc_overview=qc_overview, report_variants=report_variants,
        workgroups=[default, *fixture_workgroups(fixtures, default.id, settings.seed, step_kinds)],
        default_workgroup_id=fidelity.DEFAULT_WORKGROUP_ID, step_kinds=step_kinds,
        event_log_size=settings.event_log_size,
    )


def load_fixtures(settings: Settings) -> FixtureFolder:
    return load_fixture_folder(settings.fixtures, (fidelity.DEFAULT_WORKGROUP_ID, fidelity.DEFAULT_WORKGROUP_NAME))


def create_app(settings: Settings | None = None, *, step_kinds: StepKinds[Workgroup] = SHIPPED_KINDS,
               **overrides: object) -> Flask:
    """A Flask app serving the vendor surface and the control plane from a freshly seeded
    in-memory state, running the given kinds of step (as shipped unless given). Raises
    ValueError for invalid settings."""
    settings = (settings or Settings()).with_overrides(**overrides)
    app = SyncFlask("mockserver")
    app.request_class = MockRequest
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.compact = True  # type: ignore[attr-defined]
    # Only documented methods are served: OPTIONS gets the 405 (with Allow) like any other.
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    app.config["MOCKSERVER_SETTINGS"] = settings
    app.config["MOCKSERVER_KEYS"] = settings.key_workgroups()
    fixtures = app.config["MOCKSERVER_FIXTURES"] = load_fixtures(settings)
    mock = app.extensions["mockserver"] = build_state(settings, fixtures, step_kinds)
    plane = ControlPlane(settings.seed, settings.journal_size, settings.admin_token, settings.worker_threads,
                         ClientRuleSettings(poll_interval_seconds=settings.client_poll_interval), settings.server)
    startup.apply(settings, mock, plane)
    errors.register(app)
    api.register(app)
    admin.register(app, plane)
    ui.register(app)
    openapi.register(app, validate_responses=settings.validate_responses)
    for path, overrides in fixtures.overrides:
        startup.apply_overrides(app, overrides, f"fixture file {path}", plane)
    if settings.overrides is not None:
        startup.apply_overrides(app, settings.overrides, "overrides setting", plane)
    fast_path.install(app, plane)
    return app
