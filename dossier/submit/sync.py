"""Deliver outbox items to the portal, resuming wherever a previous run stopped; poll statuses.

Each step is committed before the next one starts, so after a crash (even SIGKILL) the next `deliver`
knows where it is: `creating` sends the create request again with the same idempotency key (the portal
answers with the dossier it already made), `uploading` asks the portal how many bytes of each file it
holds and sends the rest, `finalizing` finalizes again (idempotent at the portal).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from dossier.errors import ConfigError, DossierError, ExitCode, PortalRejectedError, PortalUnavailableError
from dossier.i18n import _
from dossier.store.atrest import purge_metadata
from dossier.store.checkpoint import head_hash, maybe_checkpoint
from dossier.store.db import in_write_transaction
from dossier.submit.adapter import (
    Citizen,
    FileStatus,
    Officer,
    PortalAdapter,
    PortalDossier,
    PortalRequestRejected,
)
from dossier.submit.eventlog import default_actor, log_event
from dossier.submit.outbox import (
    METADATA_NAME,
    Enqueued,
    OutboxItem,
    OutboxState,
    OutboxTamperedError,
    enqueue,
    list_items,
    load_item,
    mark_files_complete,
    next_attempt_after,
    payload_dir,
    payload_file,
    read_metadata,
    safe_error_text,
    update_item,
    verify_payload,
)
from dossier.submit.package import SubmissionPackage, build_package
from dossier.submit.registry import (
    PORTAL_STATUS_STATES,
    TRANSITIONS,
    DossierRecord,
    DossierState,
    UnknownDossierError,
    get_dossier,
    list_dossiers,
    mask_citizen_id,
    transition_by_id,
)
from dossier.submit.settings import PortalSettings
from dossier.submit.workspace import Workspace

RECEIPT_NAME = "giay-tiep-nhan.pdf"  # Mẫu 01, as `dossier notice receipt` names it in the demo
AdapterFactory = Callable[[str], PortalAdapter]  # portal URL -> adapter
ByteProgress = Callable[[int], None]


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


def _advance_registry(
    conn: sqlite3.Connection, item: OutboxItem, to: DossierState, action: str, actor: str, **values: object
) -> None:
    current = get_dossier(conn, item.dossier_id)
    if current.state is to:
        return
    transition_by_id(conn, item.dossier_id, to, actor=actor, action=action, **values)  # type: ignore[arg-type]


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


def deliver(
    conn: sqlite3.Connection,
    workspace: Workspace,
    item: OutboxItem,
    adapter: PortalAdapter,
    *,
    actor: str,
    progress: ByteProgress | None = None,
    just_queued: bool = False,
) -> Delivery:
    """Take `item` as far as it goes now; every outcome is recorded in the outbox and the registry.

    `just_queued`: the item comes straight from `enqueue(..., sending_now=True)` in this process: its
    snapshot was verified and its first attempt committed there, so neither is done again here. Every
    later delivery (`dossier sync`) re-hashes the snapshot first and counts its attempt.
    """
    if item.state is OutboxState.acknowledged:
        return Delivery(item, DeliveryResult.acknowledged)
    if item.state is OutboxState.rejected:
        return Delivery(item, DeliveryResult.rejected, item.last_error)
    if item.is_supplement:  # its first step declares files on the existing dossier instead of creating one
        from dossier.submit.supplement import deliver_supplement

        return deliver_supplement(
            conn, workspace, item, adapter, actor=actor, progress=progress, just_queued=just_queued
        )
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
                _advance_registry(
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
            item = _upload_files(conn, workspace, item, adapter, known, progress)
        if item.state is OutboxState.finalizing:
            assert item.portal_id is not None
            final = adapter.finalize(item.portal_id)
            item = in_write_transaction(conn, lambda: _record_acknowledged(conn, item, final, actor))
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
    item = in_write_transaction(conn, lambda: _record_rejected(conn, item, text, code, actor))
    return Delivery(load_item(conn, item.id), DeliveryResult.rejected, text, code)


def _upload_files(
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


def _record_acknowledged(
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
    _advance_registry(
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


def _record_rejected(
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


# --- flushing the whole outbox ---


@dataclass(frozen=True)
class SyncReport:
    deliveries: tuple[Delivery, ...]

    @property
    def exit_code(self) -> ExitCode:
        """The worst outcome: rejected or blocked before queued before ok."""
        codes = {d.exit_code for d in self.deliveries}
        for code in (ExitCode.portal_rejected, ExitCode.input_file, ExitCode.portal_unavailable):
            if code in codes:
                return code
        return ExitCode.ok


def due_items(conn: sqlite3.Connection, *, due_only: bool = False) -> tuple[OutboxItem, ...]:
    items = list_items(conn, open_only=True)
    if not due_only:
        return items
    now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return tuple(i for i in items if i.next_attempt_at is None or i.next_attempt_at <= now)


def flush_outbox(
    conn: sqlite3.Connection,
    workspace: Workspace,
    adapters: AdapterFactory,
    *,
    actor: str,
    items: Iterable[OutboxItem] | None = None,
    progress: ByteProgress | None = None,
    on_delivery: Callable[[Delivery], None] | None = None,
) -> SyncReport:
    """Deliver every open item (oldest first), one adapter per portal URL; a failure never stops the rest."""
    opened: dict[str, PortalAdapter] = {}
    deliveries = []
    try:
        for item in items if items is not None else due_items(conn):
            try:
                adapter = opened.get(item.portal_url) or opened.setdefault(
                    item.portal_url, adapters(item.portal_url)
                )
            except DossierError as error:  # e.g. no credentials: every item waits, with the reason
                text = safe_error_text(str(error))
                current = in_write_transaction(
                    conn, lambda i=item, t=text: update_item(conn, i, last_error=t)
                )
                delivery = Delivery(current, DeliveryResult.queued, text)
            else:
                delivery = deliver(conn, workspace, item, adapter, actor=actor, progress=progress)
            deliveries.append(delivery)
            if on_delivery is not None:
                on_delivery(delivery)
    finally:
        for adapter in opened.values():
            adapter.close()
    maybe_checkpoint(conn)
    return SyncReport(tuple(deliveries))


# --- polling statuses ---


@dataclass(frozen=True)
class StatusUpdate:
    dossier: DossierRecord
    portal: PortalDossier | None
    changed: bool
    error: str | None = None
    exit_code: ExitCode = ExitCode.ok


@dataclass(frozen=True)
class StatusReport:
    updates: tuple[StatusUpdate, ...]

    @property
    def exit_code(self) -> ExitCode:
        codes = {u.exit_code for u in self.updates}
        for code in (ExitCode.portal_rejected, ExitCode.portal_unavailable):
            if code in codes:
                return code
        return ExitCode.ok


def poll_status(
    conn: sqlite3.Connection, dossier: DossierRecord, adapter: PortalAdapter, *, actor: str
) -> StatusUpdate:
    """Ask the portal for the dossier's status and move the registry accordingly (5, 3, 9/10)."""
    if not dossier.portal_code:
        raise UnknownDossierError(
            _("Hồ sơ chưa có mã của cổng dịch vụ công (chưa nộp xong)."), path=dossier.folder
        )
    remote = adapter.get_status(dossier.portal_code)
    target = PORTAL_STATUS_STATES.get(remote.status.code, dossier.state)

    def record() -> tuple[DossierRecord, bool]:
        current = get_dossier(conn, dossier.id)
        if current.portal_status == remote.status.code and current.state is target:
            return current, False
        allowed = target is current.state or target in TRANSITIONS[current.state]
        if current.state is DossierState.queued:  # a supplement on its way: the outbox moves the registry
            allowed = False
        updated = transition_by_id(
            conn,
            dossier.id,
            target if allowed else current.state,
            actor=actor,
            action="status",
            portal_status=remote.status.code,
            details={"status": remote.status.code, "code": remote.code},
        )
        return updated, True

    updated, changed = in_write_transaction(conn, record)
    return StatusUpdate(updated, remote, changed)


def _portal_url_of(conn: sqlite3.Connection, dossier: DossierRecord) -> str | None:
    row = conn.execute(
        "SELECT portal_url FROM outbox WHERE dossier_id = ? AND state = ? ORDER BY created_at DESC LIMIT 1",
        (dossier.id, str(OutboxState.acknowledged)),
    ).fetchone()
    return row[0] if row else None


def poll_statuses(
    conn: sqlite3.Connection, adapters: AdapterFactory, *, actor: str, code: str | None = None
) -> StatusReport:
    """Poll one dossier (by portal code or local id) or every submitted one not yet finished."""
    if code is not None:
        dossiers: tuple[DossierRecord, ...] = (get_dossier(conn, code),)
    else:
        finished = (DossierState.done, DossierState.refused)
        dossiers = tuple(d for d in list_dossiers(conn) if d.portal_code and d.state not in finished)
    opened: dict[str, PortalAdapter] = {}
    updates = []
    try:
        for dossier in dossiers:
            url = _portal_url_of(conn, dossier)
            if url is None or not dossier.portal_code:
                raise UnknownDossierError(
                    _("Hồ sơ chưa có mã của cổng dịch vụ công (chưa nộp xong)."), path=dossier.folder
                )
            try:
                adapter = opened.get(url) or opened.setdefault(url, adapters(url))
                updates.append(poll_status(conn, dossier, adapter, actor=actor))
            except (PortalUnavailableError, PortalRejectedError) as error:
                updates.append(
                    StatusUpdate(dossier, None, False, safe_error_text(error.message), error.exit_code)
                )
    finally:
        for adapter in opened.values():
            adapter.close()
    maybe_checkpoint(conn)
    return StatusReport(tuple(updates))


# --- submitting one dossier, and its receipt ---


@dataclass(frozen=True)
class ReceiptResult:
    path: Path | None
    error: str | None = None  # why the Mẫu 01 could not be printed (the submission itself stands)
    printed_now: bool = False  # False: the receipt for this code had been printed before


def submit_package(
    conn: sqlite3.Connection,
    workspace: Workspace,
    package: SubmissionPackage,
    portal_url: str,
    adapter: PortalAdapter,
    *,
    actor: str,
    progress: ByteProgress | None = None,
) -> tuple[Enqueued, Delivery]:
    """Queue durably (or find the item already queued for this folder), then deliver it now."""
    enqueued = enqueue(conn, workspace, package, portal_url, actor, sending_now=True)
    delivery = deliver(
        conn, workspace, enqueued.item, adapter, actor=actor, progress=progress, just_queued=enqueued.created
    )
    return enqueued, delivery


def write_receipt(
    workspace: Workspace,
    item: OutboxItem,
    *,
    officer_name: str = "",
    profiles_dir: Path | None = None,
) -> ReceiptResult:
    """Print the Mẫu 01 receipt into the dossier folder with the portal's code and appointment.

    The rows are the components actually sent. A receipt already issued for this code is not printed twice.
    """
    from dossier.profiles.deadlines import to_vietnam_time
    from dossier.profiles.loader import load_catalogue
    from dossier.profiles.notices import (
        IssuedNotice,
        Notice,
        NoticeDetails,
        NoticeKind,
        read_issued,
        record_notice,
        write_notice_pdf,
    )

    if item.state is not OutboxState.acknowledged or not item.portal_code or not item.appointment:
        return ReceiptResult(None, _("Cổng chưa cấp mã hồ sơ và ngày hẹn."))
    out = item.folder / RECEIPT_NAME
    try:
        earlier = [
            n for n in read_issued(item.folder) if n.kind is NoticeKind.receipt and n.code == item.portal_code
        ]
        if earlier and Path(earlier[-1].file).is_file():
            return ReceiptResult(Path(earlier[-1].file))
        metadata = read_metadata(workspace, item)
        received = to_vietnam_time(datetime.fromisoformat(metadata.received_at))
        profile = load_catalogue(profiles_dir).profile_for(metadata.procedure_code, received.date())
        sent = {f.component_code for f in metadata.files}
        details = NoticeDetails(
            code=item.portal_code,
            agency_name=profile.agency,
            applicant_name=metadata.citizen.full_name,
            received=received,
            officer=officer_name,
        )
        issued = to_vietnam_time(datetime.now(UTC))
        appointment = to_vietnam_time(datetime.fromisoformat(item.appointment))
        rows = tuple(c for c in profile.components if c.id in sent)
        notice = Notice(NoticeKind.receipt, details, profile, rows, appointment, issued)
        write_notice_pdf(notice, out)
        record_notice(
            item.folder,
            IssuedNotice(
                NoticeKind.receipt,
                item.portal_code,
                issued.isoformat(timespec="seconds"),
                None,
                tuple(c.id for c in rows),
                officer_name,
                str(out),
            ),
        )
    except (DossierError, OSError, ValueError) as error:
        return ReceiptResult(None, safe_error_text(str(error)))
    return ReceiptResult(out, printed_now=True)


def purge_personal_data(conn: sqlite3.Connection, workspace: Workspace) -> int:
    """The outbox keeps the citizen's ID number, name, phone and e-mail only until the portal acknowledged
    the dossier (and its receipt was printed): purge them from every acknowledged submission's copy."""
    purged = 0
    for item in list_items(conn, open_only=False):
        if item.state is OutboxState.acknowledged and not item.is_supplement:
            purged += purge_metadata(payload_dir(workspace, item) / METADATA_NAME)
    return purged


def print_receipts(
    conn: sqlite3.Connection,
    workspace: Workspace,
    deliveries: Iterable[Delivery],
    *,
    actor: str,
    officer_name: str = "",
    profiles_dir: Path | None = None,
) -> dict[str, ReceiptResult]:
    """The Mẫu 01 receipt of every acknowledged delivery (by outbox item id), as `submit` prints it: `sync`
    delivers what `submit` queued, so the officer gets the same paper whichever command sent it."""
    printed: dict[str, ReceiptResult] = {}
    for delivery in deliveries:
        item = delivery.item
        if delivery.result is not DeliveryResult.acknowledged or item.is_supplement:
            continue
        result = write_receipt(workspace, item, officer_name=officer_name, profiles_dir=profiles_dir)
        printed[item.id] = result
        if result.printed_now and result.path is not None:
            log_event(
                conn,
                "receipt_printed",
                actor=actor,
                dossier_id=item.dossier_id,
                state=str(DossierState.acknowledged),
                details={"file": result.path.name},
            )
    return printed


@dataclass(frozen=True)
class SubmitResult:
    enqueued: Enqueued
    delivery: Delivery
    receipt: ReceiptResult | None
    citizen_id_masked: str
    log_head: str | None = None  # the event log's head hash after this submission (shown on the receipt)


ProgressFactory = Callable[[int], AbstractContextManager[ByteProgress]]  # total bytes -> progress context


def submit_dossier(
    dossier_dir: Path,
    citizen: Citizen,
    settings: PortalSettings,
    workspace: Workspace,
    adapters: AdapterFactory,
    *,
    procedure_code: str | None = None,
    allow_unsigned: bool = False,
    receipt: bool = True,
    officer_name: str = "",
    profiles_dir: Path | None = None,
    progress: ProgressFactory | None = None,
) -> SubmitResult:
    """Build the submission, queue it durably, send it now, and print the receipt once acknowledged.

    Everything that can be checked locally (citizen data, procedure, signatures, credentials) is checked
    before anything is queued; after the queue commit, every failure leaves the item for `dossier sync`.
    """
    if not settings.url:
        raise ConfigError(_("Thiếu địa chỉ cổng dịch vụ công: --portal URL hoặc [portal] url."))
    if not settings.agency:
        raise ConfigError(_("Thiếu mã định danh cơ quan tiếp nhận: --agency hoặc [portal] agency."))
    actor = settings.officer or default_actor()
    package = build_package(
        dossier_dir,
        citizen,
        Officer(actor, settings.agency),
        procedure_code=procedure_code,
        allow_unsigned=allow_unsigned,
        profiles_dir=profiles_dir,
    )
    adapter = adapters(settings.url)  # credentials are checked here, before queueing
    total = sum(f.entry.size for f in package.files)
    with contextlib.closing(workspace.connect()) as conn, contextlib.closing(adapter):
        with progress(total) if progress is not None else contextlib.nullcontext(None) as tick:
            enqueued, delivery = submit_package(
                conn, workspace, package, settings.url, adapter, actor=actor, progress=tick
            )
        printed = None
        if receipt and delivery.result is DeliveryResult.acknowledged:
            printed = write_receipt(
                workspace, delivery.item, officer_name=officer_name, profiles_dir=profiles_dir
            )
            if printed.printed_now and printed.path is not None:
                log_event(
                    conn,
                    "receipt_printed",
                    actor=actor,
                    dossier_id=delivery.item.dossier_id,
                    state=str(DossierState.acknowledged),
                    details={"file": printed.path.name},
                )
        purge_personal_data(conn, workspace)
        maybe_checkpoint(conn)
        head = head_hash(conn)
    return SubmitResult(
        enqueued, delivery, printed, mask_citizen_id(package.metadata.citizen.id_number), log_head=head
    )
