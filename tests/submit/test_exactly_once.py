"""Exactly once, against the real sandbox: a `submit` process killed with SIGKILL mid-way, then `sync`;
50 dossiers through 30 % injected faults (500/503, dropped connections, lost answers)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dossier.store.eventlog import verify_chain
from dossier.store.registry import DossierState, list_dossiers
from dossier.store.workspace import resolve_workspace
from dossier.submit.adapter import Citizen
from dossier.submit.auth import TokenProvider
from dossier.submit.delivery import DeliveryResult
from dossier.submit.outbox import OutboxState, list_items
from dossier.submit.rest import RestPortalAdapter
from dossier.submit.settings import load_portal_settings
from dossier.submit.submit_cli import sync
from dossier.submit.sync import flush_outbox, submit_dossier
from tests.submit.conftest import AGENCY, CITIZEN_ID, CITIZEN_NAME, OFFICER, TOKEN, PortalConfig, make_dossier
from tests.submit.portal_fixture import RunningPortal, start_portal
from tests.submit.test_submit_portal import citizen_args, free_port

SUBMIT_CODE = "import sys; from dossier.submit.submit_cli import submit; submit(sys.argv[1:])"


def portal_items(portal: RunningPortal) -> list[dict[str, Any]]:
    with portal.client(timeout=30) as client:
        response = client.get("/v1/dossiers")
    response.raise_for_status()
    return list(response.json()["items"])


def assert_intact(item: dict[str, Any], folder: Path) -> None:
    assert item["code"], item
    for file in item["files"]:
        data = (folder / file["name"]).read_bytes()
        assert file["complete"] and file["received"] == len(data) == file["size"]
        assert file["sha256"] == hashlib.sha256(data).hexdigest()


def _wait_for(portal: RunningPortal, stage: str, deadline_s: float = 30.0) -> None:
    """Poll the portal until the dossier exists (`created`) or a file is partly uploaded (`mid_upload`)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        for item in portal_items(portal):
            partial = any(0 < f["received"] < f["size"] for f in item["files"])
            if stage == "created" or (stage == "mid_upload" and partial):
                return
        time.sleep(0.02)
    raise AssertionError(f"the portal never reached {stage}")


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["created", "mid_upload"])
def test_submit_killed_with_sigkill_then_sync_delivers_exactly_once(
    tmp_path: Path, portal_config: PortalConfig, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    portal_config.write(
        officer=OFFICER,
        agency=AGENCY,
        chunk_size=256 * 1024,
        retries=4,
        backoff_initial=0.01,
        backoff_max=0.05,
    )
    monkeypatch.setenv("DOSSIER_PORTAL_TOKEN", TOKEN)
    folder = make_dossier(tmp_path / "hs-big", components=("TP01", "TP02"), padding=3 << 20)
    port = free_port()
    data_dir = tmp_path / "portal-data"
    with start_portal(tmp_path, token=TOKEN, port=port, latency_ms=120, data_dir=data_dir) as portal:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                SUBMIT_CODE,
                str(folder),
                "--portal",
                portal.url,
                *citizen_args(),
                "--json",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=dict(os.environ),
        )
        try:
            _wait_for(portal, stage)
        finally:
            process.kill()  # SIGKILL: no cleanup handler runs
            process.wait()
        assert process.returncode == -9
        assert len(portal_items(portal)) == 1
    with closing(resolve_workspace().connect()) as conn:
        (item,) = list_items(conn)
        assert item.state in (OutboxState.creating, OutboxState.uploading)
    # the portal comes back without the slowness; the officer runs `dossier sync`
    with start_portal(tmp_path, token=TOKEN, port=port, data_dir=data_dir) as portal:
        result = CliRunner().invoke(sync, ["--json"])
        assert result.exit_code == 0, result.output
        items = portal_items(portal)
        assert len(items) == 1
        assert items[0]["idempotency_key"] == item.idempotency_key
        assert_intact(items[0], folder)
    with closing(resolve_workspace().connect()) as conn:
        (dossier,) = list_dossiers(conn)
        assert dossier.state is DossierState.acknowledged and dossier.portal_code == items[0]["code"]
        assert verify_chain(conn).ok


@pytest.mark.slow
def test_fifty_dossiers_through_thirty_percent_faults_arrive_exactly_once(
    tmp_path: Path, portal_config: PortalConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    portal_config.write(
        officer=OFFICER, agency=AGENCY, retries=3, backoff_initial=0.005, backoff_max=0.02, timeout=10
    )
    monkeypatch.setenv("DOSSIER_PORTAL_TOKEN", TOKEN)
    folders = [make_dossier(tmp_path / f"hs-{n:03d}") for n in range(50)]
    settings = load_portal_settings()
    workspace = resolve_workspace()
    citizen = Citizen(CITIZEN_ID, CITIZEN_NAME, phone="0912345678", consent_reference="PL-1")
    started = time.monotonic()
    with start_portal(
        tmp_path, token=TOKEN, fail_rate=0.15, drop_rate=0.08, lose_response_rate=0.08, fault_seed=20261130
    ) as portal:
        used: list[RestPortalAdapter] = []

        def adapters(url: str) -> RestPortalAdapter:
            adapter = RestPortalAdapter(url, settings, TokenProvider(TOKEN, None))
            used.append(adapter)
            return adapter

        first_pass = [
            submit_dossier(
                folder, citizen, settings.with_overrides(url=portal.url), workspace, adapters, receipt=False
            )
            for folder in folders
        ]
        results = {r.delivery.result for r in first_pass}
        assert DeliveryResult.rejected not in results
        rounds = 0
        with closing(workspace.connect()) as conn:
            while list_items(conn, open_only=True):
                rounds += 1
                assert rounds <= 20, "the outbox does not drain"
                report = flush_outbox(conn, workspace, adapters, actor=OFFICER)
                assert all(d.result is not DeliveryResult.rejected for d in report.deliveries), report
            keys = {item.idempotency_key for item in list_items(conn)}
            assert len(keys) == 50
            assert verify_chain(conn).ok
        items = portal_items(portal)
        log = portal.log_text()
    elapsed = time.monotonic() - started
    assert len(items) == 50, f"{len(items)} dossiers at the portal for 50 submitted"
    assert {i["idempotency_key"] for i in items} == keys
    codes = [i["code"] for i in items]
    assert len(set(codes)) == 50
    by_folder = {f.name: f for f in folders}
    with closing(workspace.connect()) as conn:
        folder_of = {item.idempotency_key: item.folder.name for item in list_items(conn)}
    for item in items:
        assert_intact(item, by_folder[folder_of[item["idempotency_key"]]])
    faults = sum(1 for line in log.splitlines() if "fault=" in line and "fault=none" not in line)
    retries = sum(a.retries_used for a in used)
    print(
        f"\n50 dossiers, {faults} injected faults, {retries} retries, {rounds} sync rounds, {elapsed:.1f} s"
    )
    assert faults >= 30  # the faults really happened
