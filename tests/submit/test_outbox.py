"""The durable outbox: payload copied and fsynced with private modes and the idempotency key committed
before any sending; a second submit of the same folder reuses the item; a changed copy is never sent."""

from __future__ import annotations

import json
import socket
import stat
from contextlib import closing
from pathlib import Path

from dossier.store.atrest import citizen_lookup_hash
from dossier.store.eventlog import read_events, verify_chain
from dossier.store.registry import DossierState, get_dossier
from dossier.store.workspace import Workspace
from dossier.submit.adapter import Officer
from dossier.submit.auth import TokenProvider
from dossier.submit.delivery import DeliveryResult
from dossier.submit.outbox import (
    METADATA_NAME,
    OutboxState,
    enqueue,
    list_items,
    payload_dir,
    payload_file,
)
from dossier.submit.package import build_package
from dossier.submit.rest import RestPortalAdapter
from dossier.submit.settings import PortalSettings
from dossier.submit.sync import deliver
from tests.submit.conftest import AGENCY, CITIZEN_ID, CITIZEN_NAME, OFFICER, citizen, make_dossier

UNUSED_URL_HOST = "127.0.0.1"


def _closed_port_url() -> str:
    """A loopback URL nothing listens on: any request to it fails to connect."""
    with socket.socket() as probe:
        probe.bind((UNUSED_URL_HOST, 0))
        port = probe.getsockname()[1]
    return f"http://{UNUSED_URL_HOST}:{port}"


def _queue(workspace: Workspace, folder: Path, url: str = "http://127.0.0.1:9") -> object:
    package = build_package(folder, citizen(), Officer(OFFICER, AGENCY))
    with closing(workspace.connect()) as conn:
        return enqueue(conn, workspace, package, url, OFFICER)


def test_enqueue_writes_a_private_verified_snapshot_and_the_key(workspace: Workspace, tmp_path: Path) -> None:
    folder = make_dossier(tmp_path / "hs-001")
    queued = _queue(workspace, folder)
    item = queued.item  # type: ignore[attr-defined]
    assert queued.created  # type: ignore[attr-defined]
    assert item.state is OutboxState.queued
    assert 16 <= len(item.idempotency_key) <= 64
    directory = payload_dir(workspace, item)
    assert directory.parent == workspace.outbox_root / item.dossier_id
    for path in (workspace.outbox_root, directory.parent, directory):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    for file in item.files:
        copy = payload_file(workspace, item, file.name)
        assert copy.read_bytes() == (folder / file.name).read_bytes()
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    metadata = directory / METADATA_NAME
    assert stat.S_IMODE(metadata.stat().st_mode) == 0o600
    assert json.loads(metadata.read_text(encoding="utf-8"))["citizen"]["full_name"] == CITIZEN_NAME
    with closing(workspace.connect()) as conn:
        dossier = get_dossier(conn, item.dossier_id)
        assert dossier.state is DossierState.queued
        assert dossier.citizen_id == citizen_lookup_hash(conn, CITIZEN_ID)  # a keyed hash, never the ID
        actions = [e.action for e in read_events(conn, item.dossier_id)]
        assert actions == ["registered", "queued"]
        assert verify_chain(conn).ok


def test_private_sources_are_hard_linked_and_still_verified(workspace: Workspace, tmp_path: Path) -> None:
    folder = make_dossier(tmp_path / "hs-005")
    for pdf in folder.glob("*.pdf"):
        pdf.chmod(0o600)
    item = _queue(workspace, folder).item  # type: ignore[attr-defined]
    for file in item.files:
        copy = payload_file(workspace, item, file.name)
        assert copy.stat().st_ino == (folder / file.name).stat().st_ino
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600


def test_submitting_the_same_folder_again_reuses_the_item(workspace: Workspace, tmp_path: Path) -> None:
    folder = make_dossier(tmp_path / "hs-002")
    first = _queue(workspace, folder).item  # type: ignore[attr-defined]
    again = _queue(workspace, folder)
    assert not again.created  # type: ignore[attr-defined]
    assert again.item.idempotency_key == first.idempotency_key  # type: ignore[attr-defined]
    with closing(workspace.connect()) as conn:
        assert len(list_items(conn)) == 1


def test_a_changed_outbox_copy_is_blocked_before_any_request(workspace: Workspace, tmp_path: Path) -> None:
    folder = make_dossier(tmp_path / "hs-003")
    url = _closed_port_url()
    item = _queue(workspace, folder, url).item  # type: ignore[attr-defined]
    copy = payload_file(workspace, item, "TP02.pdf")
    data = bytearray(copy.read_bytes())
    data[100] ^= 0x01
    copy.write_bytes(bytes(data))
    settings = PortalSettings(retries=1, backoff_initial=0, backoff_max=0)
    with (
        RestPortalAdapter(url, settings, TokenProvider("t", None)) as adapter,
        closing(workspace.connect()) as conn,
    ):
        delivery = deliver(conn, workspace, item, adapter, actor=OFFICER)
    # "queued" would mean it tried the (closed) portal; "blocked" means it never got that far
    assert delivery.result is DeliveryResult.blocked
    assert delivery.error is not None and "TP02.pdf" in delivery.error
    assert delivery.item.state is OutboxState.queued
    assert delivery.item.attempts == 0


def test_an_unreachable_portal_leaves_the_item_queued_with_the_reason(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder = make_dossier(tmp_path / "hs-004")
    url = _closed_port_url()
    item = _queue(workspace, folder, url).item  # type: ignore[attr-defined]
    settings = PortalSettings(retries=2, backoff_initial=0, backoff_max=0)
    with (
        RestPortalAdapter(url, settings, TokenProvider("t", None)) as adapter,
        closing(workspace.connect()) as conn,
    ):
        delivery = deliver(conn, workspace, item, adapter, actor=OFFICER)
    assert delivery.result is DeliveryResult.queued
    assert delivery.item.attempts == 1
    assert delivery.item.last_error and "ConnectError" in delivery.item.last_error
    assert delivery.item.next_attempt_at is not None
    assert adapter.retries_used == 1
