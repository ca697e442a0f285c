"""Delivering one outbox item to the portal: the steps every kind of item shares, and a new dossier's path.

Each step is committed before the next one starts, so after a crash (even SIGKILL) the next delivery
knows where it is: `creating` sends the create request again with the same idempotency key (the portal
answers with the dossier it already made), `uploading` asks the portal how many bytes of each file it
holds and sends the rest, `finalizing` finalizes again (idempotent at the portal).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from dossier.errors import ExitCode, PortalRejectedError, PortalUnavailableError
from dossier.progress import ByteProgress
from dossier.store.db import in_write_transaction
from dossier.store.registry import DossierState, get_dossier, transition_by_id
from dossier.store.workspace import Workspace
from dossier.submit.adapter import FileStatus, PortalAdapter, PortalDossier, PortalRequestRejected
from dossier.submit.outbox import (
    OutboxItem,
    OutboxState,
    OutboxTamperedError,
    load_item,
    mark_files_complete,
    next_attempt_after,
    payload_file,
    read_metadata,
    safe_error_text,
    update_item,
    verify_payload,
)

AdapterFactory = Callable[[str], PortalAdapter]  # portal URL -> adapter


class DeliveryResult(StrEnum):
    acknowledged = "acknowledged"  # the portal gave a code and an appointment
    queued = "queued"  # the portal could not be reached: try again later (exit 75)
    rejected = "rejected"  # the portal refused the submission (exit 10)
    unauthorized = (
        "unauthorized"  # the portal refused the officer's credentials: kept, fix them and sync (10)
    )
    blocked = "blocked"  # the outbox copy is damaged: not sent, the officer must look (exit 3)


RESULT_EXIT = {
    DeliveryResult.acknowledged: ExitCode.ok,
    DeliveryResult.queued: ExitCode.portal_unavailable,
    DeliveryResult.rejected: ExitCode.portal_rejected,
    DeliveryResult.unauthorized: ExitCode.portal_rejected,
    DeliveryResult.blocked: ExitCode.input_file,
}


@dataclass(frozen=True)
class Delivery:
    item: OutboxItem
    result: DeliveryResult
    error: str | None = None  # no personal data
    error_code: str | None = None  # the portal's stable key, for a rejection

    @property
    def exit_code(self) -> ExitCode:
        return RESULT_EXIT[self.result]


def advance_registry(
    conn: sqlite3.Connection, item: OutboxItem, to: DossierState, action: str, actor: str, **values: object
) -> None:
    current = get_dossier(conn, item.dossier_id)
    if current.state is to:
        return
    transition_by_id(conn, item.dossier_id, to, actor=actor, action=action, **values)


def log_fingerprint(sha256: str) -> str:
    """The first 8 hex digits of a SHA-256, for the event log: a whole digest may hold a 9- or 12-digit run,
    which the log refuses as a possible ID number; 8 characters never can, and still tell files apart."""
    return sha256[:8]


def finished_delivery(item: OutboxItem) -> Delivery | None:
    """The delivery of an item that has nothing left to do (acknowledged or rejected), else None."""
    if item.state is OutboxState.acknowledged:
        return Delivery(item, DeliveryResult.acknowledged)
    if item.state is OutboxState.rejected:
        return Delivery(item, DeliveryResult.rejected, item.last_error)
    return None


P = TypeVar("P")


def start_attempt(
    conn: sqlite3.Connection,
    workspace: Workspace,
    item: OutboxItem,
    read: Callable[[Workspace, OutboxItem], P],
    *,
    just_queued: bool,
) -> tuple[OutboxItem, P, int] | Delivery:
    """Check the snapshot, read its payload and count the attempt (an item fresh from `enqueue` in this
    process was checked already); a tampered outbox blocks the item: nothing is sent."""
    try:
        if not just_queued:
            verify_payload(workspace, item)
        payload = read(workspace, item)
    except OutboxTamperedError as error:
        text = safe_error_text(str(error))
        item = in_write_transaction(conn, lambda: update_item(conn, item, last_error=text))
        return Delivery(item, DeliveryResult.blocked, text)
    attempts = item.attempts if just_queued else item.attempts + 1
    if not just_queued:
        first_step = OutboxState.creating if item.state is OutboxState.queued else item.state
        item = in_write_transaction(
            conn, lambda: update_item(conn, item, attempts=attempts, state=first_step)
        )
    return item, payload, attempts


def deliver_submission(
    conn: sqlite3.Connection,
    workspace: Workspace,
    item: OutboxItem,
    adapter: PortalAdapter,
    *,
    actor: str,
    progress: ByteProgress | None = None,
    just_queued: bool = False,
) -> Delivery:
    """Create the dossier at the portal, upload its files, finalize: as far as it goes now, each step
    committed (see `deliver` in sync.py, which dispatches here)."""
    started = start_attempt(conn, workspace, item, read_metadata, just_queued=just_queued)
    if isinstance(started, Delivery):
        return started
    item, metadata, attempts = started
    known: dict[str, FileStatus] = {}  # what the create answer already says about each file
    try:
        if item.state is OutboxState.creating:
            created = adapter.create_dossier(item.idempotency_key, metadata)
            known = {f.name: f for f in created.files}

            def record_created() -> OutboxItem:
                updated = update_item(
                    conn,
                    item,
                    state=OutboxState.uploading,
                    portal_id=created.id,
                    portal_status=created.status.code,
                )
                advance_registry(
                    conn,
                    updated,
                    DossierState.submitted,
                    "submitted",
                    actor,
                    details={"portal_id": created.id},
                )
                return updated

            item = in_write_transaction(conn, record_created)
        if item.state is OutboxState.uploading:
            item = upload_files(conn, workspace, item, adapter, known, progress)
        if item.state is OutboxState.finalizing:
            assert item.portal_id is not None
            final = adapter.finalize(item.portal_id)
            item = in_write_transaction(conn, lambda: record_acknowledged(conn, item, final, actor))
        return Delivery(load_item(conn, item.id), DeliveryResult.acknowledged)
    except (PortalUnavailableError, PortalRejectedError) as error:
        return delivery_failure(conn, item, error, attempts, actor)


def delivery_failure(
    conn: sqlite3.Connection,
    item: OutboxItem,
    error: PortalUnavailableError | PortalRejectedError,
    attempts: int,
    actor: str,
) -> Delivery:
    """Record why a delivery stopped: unreachable (retry later), credentials refused (keep the item and its
    key for `dossier sync`), or the dossier refused (the item ends, the registry goes back)."""
    text = safe_error_text(error.message)
    if isinstance(error, PortalUnavailableError):
        item = in_write_transaction(
            conn,
            lambda: update_item(conn, item, last_error=text, next_attempt_at=next_attempt_after(attempts)),
        )
        return Delivery(load_item(conn, item.id), DeliveryResult.queued, text)
    code = error.error_code if isinstance(error, PortalRequestRejected) else None
    if isinstance(error, PortalRequestRejected) and error.http_status in (401, 403):
        item = in_write_transaction(conn, lambda: update_item(conn, item, last_error=text))
        return Delivery(load_item(conn, item.id), DeliveryResult.unauthorized, text, code)
    item = in_write_transaction(conn, lambda: record_rejected(conn, item, text, code, actor))
    return Delivery(load_item(conn, item.id), DeliveryResult.rejected, text, code)


def upload_files(
    conn: sqlite3.Connection,
    workspace: Workspace,
    item: OutboxItem,
    adapter: PortalAdapter,
    known: dict[str, FileStatus],
    progress: ByteProgress | None,
) -> OutboxItem:
    """Send what the portal lacks of each file (resuming at its byte count), then move on to finalizing.

    Progress within the files is not committed locally: after a crash the portal's file status says where
    each one stands, which is the only truth that matters.
    """
    assert item.portal_id is not None
    for file in item.files:
        if file.complete:
            continue
        status = known.get(file.name) or adapter.file_status(item.portal_id, file.name)
        if not status.complete:
            if progress is not None and status.received:
                progress(status.received)  # the part sent before an interruption
            path = payload_file(workspace, item, file.name)
            adapter.upload_file(item.portal_id, file.name, path, status.received, progress)
        elif progress is not None:
            progress(file.size)  # already at the portal (sent before a crash): counts as done

    def record() -> OutboxItem:
        mark_files_complete(conn, item)
        return update_item(conn, item, state=OutboxState.finalizing)

    return in_write_transaction(conn, record)


def record_acknowledged(
    conn: sqlite3.Connection, item: OutboxItem, final: PortalDossier, actor: str
) -> OutboxItem:
    updated = update_item(
        conn,
        item,
        state=OutboxState.acknowledged,
        portal_code=final.code,
        appointment=final.appointment,
        status_url=final.status_url,
        portal_status=final.status.code,
        last_error=None,
        next_attempt_at=None,
    )
    advance_registry(
        conn,
        updated,
        DossierState.acknowledged,
        "acknowledged",
        actor,
        portal_code=final.code,
        portal_status=final.status.code,
        details={"code": final.code, "appointment": final.appointment, "status": final.status.code},
    )
    return updated


def record_rejected(
    conn: sqlite3.Connection, item: OutboxItem, text: str, code: str | None, actor: str
) -> OutboxItem:
    updated = update_item(conn, item, state=OutboxState.rejected, last_error=text, next_attempt_at=None)
    dossier = get_dossier(conn, item.dossier_id)
    if dossier.state in (DossierState.queued, DossierState.submitted):
        transition_by_id(
            conn,
            item.dossier_id,
            item.state_before,
            actor=actor,
            action="rejected",
            details={"outbox_id": item.id, "error_code": code},
        )
    return updated
