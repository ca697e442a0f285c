"""Fixtures for the sandbox portal: the app in-process (fast handler tests) and the real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from dossier.submit.portal.app import create_app
from dossier.submit.portal.settings import PortalSettings
from tests.submit.portal.helpers import TOKEN
from tests.submit.portal_fixture import RunningPortal, start_portal

CLIENT_ID = "motcua-app"
CLIENT_SECRET = "client-secret-for-tests-0123"


def make_settings(data_dir: Path, **overrides: object) -> PortalSettings:
    options: dict[str, object] = {
        "data_dir": data_dir,
        "token": TOKEN,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    options.update(overrides)
    return PortalSettings(**options)  # type: ignore[arg-type]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "portal-data"


@pytest.fixture
def api(data_dir: Path) -> Iterator[TestClient]:
    """The portal app in-process, with the bearer token set; signatures required."""
    with TestClient(
        create_app(make_settings(data_dir)), headers={"Authorization": f"Bearer {TOKEN}"}
    ) as client:
        yield client


@pytest.fixture
def api_unsigned(data_dir: Path) -> Iterator[TestClient]:
    """The app with `require_signatures=False`, for tests about codes, dates and statuses."""
    app = create_app(make_settings(data_dir, require_signatures=False))
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield client


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPortal]:
    """The real server (subprocess, loopback), shared by the tests of one module."""
    with start_portal(tmp_path_factory.mktemp("live"), token=TOKEN) as portal:
        yield portal
