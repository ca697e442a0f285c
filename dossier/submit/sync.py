"""Flushing the outbox and submitting one dossier: queue durably, deliver now or later, print the receipt.

Delivery itself (the steps, resumable after any crash) is in delivery.py; a supplement's in supplement.py;
status polling in status.py.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from dossier.errors import ConfigError, DossierError, ExitCode
from dossier.i18n import _
from dossier.progress import ByteProgress, ProgressFactory
from dossier.store.atrest import purge_metadata
from dossier.store.checkpoint import head_hash, maybe_checkpoint
from dossier.store.db import in_write_transaction
from dossier.store.eventlog import default_actor
from dossier.store.registry import mask_citizen_id
from dossier.store.workspace import Workspace
from dossier.submit.adapter import Citizen, Officer, PortalAdapter
from dossier.submit.delivery import (
    AdapterFactory,
    Delivery,
    DeliveryResult,
    deliver_submission,
    finished_delivery,
)
from dossier.submit.outbox import (
    METADATA_NAME,
    Enqueued,
    OutboxItem,
    OutboxState,
    enqueue,
    list_items,
    payload_dir,
    read_metadata,
    safe_error_text,
    update_item,
)
from dossier.submit.package import SubmissionPackage, build_package, citizen_problems, officer_problems
from dossier.submit.settings import PortalSettings
from dossier.submit.supplement import deliver_supplement

RECEIPT_NAME = "giay-tiep-nhan.pdf"  # Mẫu 01, as `dossier notice receipt` names it in the demo


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
    finished = finished_delivery(item)
    if finished is not None:
        return finished
    # a supplement's first step declares files on the existing dossier instead of creating one
    step = deliver_supplement if item.is_supplement else deliver_submission
    return step(conn, workspace, item, adapter, actor=actor, progress=progress, just_queued=just_queued)


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
                current = in_write_transaction(conn, partial(update_item, conn, item, last_error=text))
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

    The rows are the components actually sent. It goes through the same step as `dossier notice receipt`
    (the folder's notices lock, notices.json, the event log); a receipt already issued for this code is
    not printed twice.
    """
    from dossier.profiles.deadlines import to_vietnam_time
    from dossier.profiles.loader import load_catalogue
    from dossier.profiles.notices import NoticeDetails, NoticeKind, issue_notice

    if item.state is not OutboxState.acknowledged or not item.portal_code or not item.appointment:
        return ReceiptResult(None, _("Cổng chưa cấp mã hồ sơ và ngày hẹn."))
    try:
        metadata = read_metadata(workspace, item)
        received = to_vietnam_time(datetime.fromisoformat(metadata.received_at))
        profile = load_catalogue(profiles_dir).profile_for(metadata.procedure_code, received.date())
        sent = {f.component_code for f in metadata.files}
        with contextlib.closing(workspace.connect()) as conn:
            head = head_hash(conn) or ""
        details = NoticeDetails(
            code=item.portal_code,
            agency_name=profile.agency,
            applicant_name=metadata.citizen.full_name,
            received=received,
            officer=officer_name,
            log_head=head,
        )
        issued = issue_notice(
            NoticeKind.receipt,
            item.folder,
            profile,
            details,
            item.folder / RECEIPT_NAME,
            workspace=workspace,
            rows=tuple(c for c in profile.components if c.id in sent),
            appointment=to_vietnam_time(datetime.fromisoformat(item.appointment)),
            reuse_earlier=True,
        )
    except (DossierError, OSError, ValueError) as error:
        return ReceiptResult(None, safe_error_text(str(error)))
    return ReceiptResult(Path(issued.file), printed_now=issued.printed_now)


def purge_personal_data(conn: sqlite3.Connection, workspace: Workspace) -> int:
    """The outbox keeps the citizen's ID number, name, phone and e-mail only until the portal acknowledged
    the dossier (and its receipt was printed): purge them from every acknowledged submission's copy."""
    purged = 0
    for item in list_items(conn, open_only=False):
        if item.state is OutboxState.acknowledged and not item.is_supplement:
            purged += purge_metadata(payload_dir(workspace, item) / METADATA_NAME)
    return purged


def print_receipts(
    workspace: Workspace,
    deliveries: Iterable[Delivery],
    *,
    officer_name: str = "",
    profiles_dir: Path | None = None,
) -> dict[str, ReceiptResult]:
    """The Mẫu 01 receipt of every acknowledged delivery (by outbox item id), as `submit` prints it: `sync`
    delivers what `submit` queued, so the officer gets the same paper whichever command sent it. Each goes
    through the notice step, which records it once in notices.json and the event log."""
    printed: dict[str, ReceiptResult] = {}
    for delivery in deliveries:
        item = delivery.item
        if delivery.result is not DeliveryResult.acknowledged or item.is_supplement:
            continue
        printed[item.id] = write_receipt(
            workspace, item, officer_name=officer_name, profiles_dir=profiles_dir
        )
    return printed


@dataclass(frozen=True)
class SubmitResult:
    enqueued: Enqueued
    delivery: Delivery
    receipt: ReceiptResult | None
    citizen_id_masked: str
    log_head: str | None = None  # the event log's head hash after this submission (shown on the receipt)


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
    actor = settings.officer or default_actor()
    if not settings.url:  # with everything else the officer must supply, at once
        problems = [_("Thiếu địa chỉ cổng dịch vụ công: --portal URL hoặc [portal] url.")]
        problems += officer_problems(Officer(actor, settings.agency or ""))
        problems += citizen_problems(citizen)[1]
        raise ConfigError("\n".join(problems))
    package = build_package(
        dossier_dir,
        citizen,
        Officer(actor, settings.agency or ""),
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
        if receipt and delivery.result is DeliveryResult.acknowledged:  # logged as `notice.receipt`
            printed = write_receipt(
                workspace, delivery.item, officer_name=officer_name, profiles_dir=profiles_dir
            )
        purge_personal_data(conn, workspace)
        maybe_checkpoint(conn)
        head = head_hash(conn)
    return SubmitResult(
        enqueued, delivery, printed, mask_citizen_id(package.metadata.citizen.id_number), log_head=head
    )
