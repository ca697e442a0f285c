"""`dossier submit`, `sync`, `outbox`, `status` against the real sandbox portal on loopback HTTP."""

from __future__ import annotations

import json
import socket
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pikepdf
import pytest
from click.testing import CliRunner, Result

from dossier.cli import DossierGroup
from dossier.store.eventlog import read_events, verify_chain
from dossier.store.registry import DossierState, dossier_for_folder
from dossier.store.workspace import resolve_workspace
from dossier.submit.outbox import list_items, payload_file
from dossier.submit.submit_cli import outbox, status, submit, sync
from tests.submit.conftest import (
    CITIZEN_ID,
    CITIZEN_NAME,
    TOKEN,
    PortalConfig,
    make_dossier,
)
from tests.submit.portal_fixture import RunningPortal, start_portal

CODE_PATTERN = r"^000\.00\.06\.H56-\d{6}-\d{4}$"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def citizen_args() -> list[str]:
    return [
        "--citizen-id",
        CITIZEN_ID,
        "--citizen-name",
        CITIZEN_NAME,
        "--citizen-phone",
        "0912345678",
        "--consent",
        "PL-2026-0815",
    ]


# The commands under the real error funnel (cli.py's group), as the lead will wire them.
dossier_group = DossierGroup(name="dossier", commands=[submit, sync, outbox, status])  # type: ignore[list-item]


def run_submit(folder: Path, url: str, *extra: str) -> Result:
    args = ["submit", str(folder), "--portal", url, *citizen_args(), "--json", *extra]
    return CliRunner().invoke(dossier_group, args)


def portal_items(portal: RunningPortal) -> list[dict[str, Any]]:
    with portal.client() as client:
        response = client.get("/v1/dossiers")
    response.raise_for_status()
    return list(response.json()["items"])


def assert_files_intact(item: dict[str, Any], folder: Path) -> None:
    import hashlib

    for file in item["files"]:
        data = (folder / file["name"]).read_bytes()
        assert file["complete"] and file["received"] == len(data) == file["size"]
        assert file["sha256"] == hashlib.sha256(data).hexdigest()


@pytest.fixture
def token_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DOSSIER_PORTAL_TOKEN", TOKEN)
    return TOKEN


def test_happy_path_acknowledged_with_code_receipt_and_registry(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    folder = make_dossier(tmp_path / "hs-001")
    with start_portal(tmp_path, token=TOKEN) as portal:
        result = run_submit(folder, portal.url)
        assert result.exit_code == 0, result.output
        document = json.loads(result.output)
        assert document["result"] == "acknowledged"
        assert document["code"] and __import__("re").match(CODE_PATTERN, document["code"])
        assert document["appointment"].endswith("+07:00")
        assert document["status"] == {"code": 2, "name": "Được tiếp nhận"}
        assert document["citizen_id_masked"] == "0013******45"
        assert CITIZEN_ID not in result.output and CITIZEN_NAME not in result.output
        items = portal_items(portal)
        assert len(items) == 1
        assert items[0]["idempotency_key"] == document["idempotency_key"]
        assert items[0]["code"] == document["code"]
        assert_files_intact(items[0], folder)

        again = run_submit(folder, portal.url)  # the officer presses submit twice
        assert again.exit_code == 0, again.output
        assert json.loads(again.output)["already_queued"] is True
        assert len(portal_items(portal)) == 1

    receipt = folder / "giay-tiep-nhan.pdf"
    with pikepdf.open(receipt) as pdf:
        assert len(pdf.pages) >= 1
    notices = json.loads((folder / "notices.json").read_text(encoding="utf-8"))
    assert [n["code"] for n in notices if n["kind"] == "receipt"] == [document["code"]]
    with closing(resolve_workspace().connect()) as conn:
        dossier = dossier_for_folder(conn, folder)
        assert dossier is not None and dossier.state is DossierState.acknowledged
        assert dossier.portal_code == document["code"]
        assert verify_chain(conn).ok
        events = "\n".join(str(row) for row in conn.execute("SELECT * FROM events"))
        assert CITIZEN_ID not in events and CITIZEN_NAME not in events
        # the receipt went through the same notice step as `dossier notice receipt`: logged once, as one
        receipts = [e for e in read_events(conn, dossier.id) if e.action == "notice.receipt"]
        assert len(receipts) == 1 and json.loads(receipts[0].details)["code"] == document["code"]
    sent = sorted(f["component_code"] for f in items[0]["files"])
    (entry,) = [n for n in notices if n["kind"] == "receipt"]
    assert sorted(entry["component_ids"]) == [c for c in sent if c.startswith("TP")]


def test_offline_queues_exit_75_then_sync_delivers_once(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    folder = make_dossier(tmp_path / "hs-002")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    result = run_submit(folder, url)
    assert result.exit_code == 75, result.output
    document = json.loads(result.output)
    assert document["result"] == "queued"
    assert "dossier sync" in document["message"]
    listed = CliRunner().invoke(outbox, ["--json"])
    assert listed.exit_code == 0
    waiting = json.loads(listed.output)["items"]
    assert len(waiting) == 1 and waiting[0]["last_error"] and waiting[0]["attempts"] == 1
    assert CITIZEN_ID not in listed.output

    with start_portal(tmp_path, token=TOKEN, port=port) as portal:
        flushed = CliRunner().invoke(sync, ["--json"])
        assert flushed.exit_code == 0, flushed.output
        delivered = json.loads(flushed.output)["items"]
        assert [d["result"] for d in delivered] == ["acknowledged"]
        items = portal_items(portal)
        assert len(items) == 1 and items[0]["idempotency_key"] == document["idempotency_key"]
        assert_files_intact(items[0], folder)
        assert CliRunner().invoke(sync, ["--json"]).exit_code == 0  # nothing left: a no-op
        assert len(portal_items(portal)) == 1
    assert json.loads(CliRunner().invoke(outbox, ["--json"]).output)["items"] == []


def test_a_tampered_outbox_copy_is_never_sent(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    folder = make_dossier(tmp_path / "hs-003")
    port = free_port()
    assert run_submit(folder, f"http://127.0.0.1:{port}").exit_code == 75
    workspace = resolve_workspace()
    with closing(workspace.connect()) as conn:
        (item,) = list_items(conn)
    copy = payload_file(workspace, item, "TP01.pdf")
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    with start_portal(tmp_path, token=TOKEN, port=port) as portal:
        flushed = CliRunner().invoke(sync, ["--json"])
        assert flushed.exit_code == 3, flushed.output
        (delivered,) = json.loads(flushed.output)["items"]
        assert delivered["result"] == "blocked" and "TP01.pdf" in delivered["error"]
        assert portal_items(portal) == []


def test_a_bad_token_is_refused_clearly_and_the_dossier_waits_for_the_fix(
    tmp_path: Path, portal_config: PortalConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = make_dossier(tmp_path / "hs-004")
    monkeypatch.setenv("DOSSIER_PORTAL_TOKEN", "not-the-right-token")
    with start_portal(tmp_path, token=TOKEN) as portal:
        result = run_submit(folder, portal.url)
        assert result.exit_code == 10, result.output
        document = json.loads(result.output)
        assert document["result"] == "unauthorized"
        assert document["error_code"] == "unauthorized"
        assert "401" in document["error"] and "dossier sync" in document["message"]
        assert "not-the-right-token" not in result.output
        assert portal_items(portal) == []
        # the credentials were wrong, not the dossier: it waits, with its key, for the fixed token
        monkeypatch.setenv("DOSSIER_PORTAL_TOKEN", TOKEN)
        flushed = CliRunner().invoke(dossier_group, ["sync", "--json"])
        assert flushed.exit_code == 0, flushed.output
        items = portal_items(portal)
        assert len(items) == 1 and items[0]["idempotency_key"] == document["idempotency_key"]
    with closing(resolve_workspace().connect()) as conn:
        dossier = dossier_for_folder(conn, folder)
        assert dossier is not None and dossier.state is DossierState.acknowledged


def test_a_refused_submission_goes_back_and_can_be_sent_again(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    folder = make_dossier(tmp_path / "hs-009")
    # the sandbox refuses files over 1 MB at create: a permanent 413, no retry
    (folder / "TP02.pdf").unlink()
    from tests.submit.conftest import write_pdf

    write_pdf(folder / "TP02.pdf", "too big", padding=(1 << 20) + 1000)
    with start_portal(tmp_path, token=TOKEN, max_file_mb=1) as portal:
        result = run_submit(folder, portal.url)
        assert result.exit_code == 10, result.output
        document = json.loads(result.output)
        assert (document["result"], document["error_code"]) == ("rejected", "file_too_large")
        assert document["attempts"] == 1
        assert portal_items(portal) == []
    with closing(resolve_workspace().connect()) as conn:
        dossier = dossier_for_folder(conn, folder)
        assert dossier is not None and dossier.state is DossierState.signed  # back where it was
        assert list_items(conn, open_only=True) == ()
    with start_portal(tmp_path, token=TOKEN) as portal:  # a portal taking bigger files: a new item, a new key
        again = run_submit(folder, portal.url)
        assert again.exit_code == 0, again.output
        assert json.loads(again.output)["idempotency_key"] != document["idempotency_key"]
        assert len(portal_items(portal)) == 1


def test_oauth_client_credentials(
    tmp_path: Path, portal_config: PortalConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.submit.conftest import AGENCY, OFFICER

    folder = make_dossier(tmp_path / "hs-005")
    portal_config.write(officer=OFFICER, agency=AGENCY, client_id="desk-3", retries=3, backoff_initial=0.01)
    monkeypatch.setenv("DOSSIER_PORTAL_CLIENT_SECRET", "client-secret-for-tests")
    with start_portal(
        tmp_path, token=TOKEN, client_id="desk-3", client_secret="client-secret-for-tests"
    ) as portal:
        result = run_submit(folder, portal.url)
        assert result.exit_code == 0, result.output
        assert len(portal_items(portal)) == 1
        monkeypatch.setenv("DOSSIER_PORTAL_CLIENT_SECRET", "wrong-secret")
        other = make_dossier(tmp_path / "hs-006")
        refused = run_submit(other, portal.url)
        assert refused.exit_code == 10, refused.output
        assert json.loads(refused.output)["error_code"] == "invalid_client"
        assert "wrong-secret" not in refused.output


def test_unsigned_pdfs_are_refused_before_queueing(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    folder = make_dossier(tmp_path / "hs-007", signed=False)
    result = run_submit(folder, "http://127.0.0.1:9")
    assert result.exit_code == 3, result.output
    assert "TP01.pdf" in result.output
    with closing(resolve_workspace().connect()) as conn:
        assert list_items(conn) == ()


def test_status_follows_the_portal(tmp_path: Path, portal_config: PortalConfig, token_env: str) -> None:
    folder = make_dossier(tmp_path / "hs-008")
    with start_portal(tmp_path, token=TOKEN) as portal:
        code = json.loads(run_submit(folder, portal.url).output)["code"]

        def advance(to: int) -> None:
            with portal.client() as client:
                response = client.post(
                    f"/v1/sandbox/dossiers/{code}/advance", json={"to": to, "note": "test"}
                )
            assert response.status_code == 200, response.text

        def poll(*args: str) -> dict[str, Any]:
            result = CliRunner().invoke(status, [*args, "--json"])
            assert result.exit_code == 0, result.output
            return json.loads(result.output)

        advance(5)
        (row,) = poll(code)["dossiers"]
        assert (row["status"]["code"], row["state"]) == (5, "supplement_requested")
        advance(4)
        (row,) = poll("--all")["dossiers"]
        assert (row["status"]["code"], row["state"]) == (4, "acknowledged")
        advance(9)
        (row,) = poll(code)["dossiers"]
        assert (row["status"]["code"], row["state"]) == (9, "done")
        assert poll("--all")["dossiers"] == []  # finished dossiers are no longer polled
    with closing(resolve_workspace().connect()) as conn:
        assert verify_chain(conn).ok
    assert CliRunner().invoke(status, []).exit_code == 2


def test_retry_after_is_parsed_and_backoff_is_capped() -> None:
    from dossier.submit.rest import backoff_delay, parse_retry_after
    from dossier.submit.settings import PortalSettings

    settings = PortalSettings(backoff_initial=0.5, backoff_max=3.0)
    delays = [backoff_delay(n, settings) for n in range(1, 8)]
    assert 0.5 <= delays[0] <= 1.0 and 1.0 <= delays[1] <= 1.5
    assert max(delays) == 3.0

    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None


def test_tls_is_verified_by_default(tmp_path: Path) -> None:
    from dossier.submit.rest import ssl_verification
    from dossier.submit.settings import PortalSettings

    assert ssl_verification(PortalSettings()) is True
    with pytest.raises((OSError, httpx.HTTPError, ValueError)):
        ssl_verification(PortalSettings(ca_bundle=tmp_path / "missing.pem"))


def test_the_citizen_file_must_be_private_and_replaces_the_options(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    folder = make_dossier(tmp_path / "hs-010")
    citizen_file = tmp_path / "cong-dan.json"
    citizen_file.write_text(
        json.dumps(
            {
                "id_number": CITIZEN_ID,
                "full_name": CITIZEN_NAME,
                "email": "duyen@example.vn",
                "consent_reference": "PL-7",
            }
        ),
        encoding="utf-8",
    )
    citizen_file.chmod(0o644)
    url = f"http://127.0.0.1:{free_port()}"
    args = ["submit", str(folder), "--portal", url, "--citizen-file", str(citizen_file), "--json"]
    refused = CliRunner().invoke(dossier_group, args)
    assert refused.exit_code == 3 and "600" in refused.output
    citizen_file.chmod(0o600)
    queued = CliRunner().invoke(dossier_group, args)
    assert queued.exit_code == 75, queued.output
    assert json.loads(queued.output)["citizen_id_masked"] == "0013******45"
    assert CITIZEN_NAME not in queued.output and CITIZEN_ID not in queued.output
    human = CliRunner().invoke(dossier_group, ["outbox"])
    assert human.exit_code == 0 and "hs-010" in human.output


def test_a_signed_dossier_missing_its_required_component_is_never_sent(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    """TP02 listed in the signed folder's manifest, its file deleted: exit 6, the list, nothing queued."""
    from dossier.store.folder import DossierFolder
    from tests.submit.test_package import write_signed_manifest

    folder = make_dossier(tmp_path / "hs-011")
    write_signed_manifest(folder, ("TP01.pdf", "TP02.pdf"))
    (folder / "TP02.pdf").unlink()
    with start_portal(tmp_path, token=TOKEN) as portal:
        result = run_submit(folder, portal.url)
        assert result.exit_code == 6, result.output
        assert "TP02" in result.output and "TP03" in result.output
        assert portal_items(portal) == []
    assert DossierFolder(folder).manifest().signed is not None
    with closing(resolve_workspace().connect()) as conn:
        assert list_items(conn) == ()
