"""`dossier supplement`: the citizen's extra papers for a dossier the portal asked more of (status 5).

The papers take the same durable path as a submission: a verified snapshot and `supplement.json` are fsynced
into the outbox, then one transaction inserts the outbox item (its own idempotency key) and moves the
registry `supplement_requested -> queued`. Delivery is `creating` (POST .../supplement: declares the files),
`uploading` (resumed from the portal's file status), `finalizing` (the portal goes back to 4, code and
appointment unchanged), then `acknowledged` and the registry `queued -> acknowledged`.

Repeating the POST is safe, and this is what makes a lost answer harmless: the portal re-opens the same
names (bytes received back to 0) and never adds a file twice. The POST is repeated only while the item is
in `creating`, i.e. before any byte of the supplement was sent; once the answer is committed, a resumed
delivery asks the portal how much of each file it holds instead.

Names (`supplement_package.py`): a TPxx.pdf replaces the component of the same name; the unclassified pages
go as `bsN-...` beside the first ones. A round the portal refused keeps its number N, so the papers sent
again replace the refused ones instead of piling up beside them (finalize needs every declared file whole).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from dossier.errors import (
    ExitCode,
    OutputError,
    PortalRejectedError,
    PortalUnavailableError,
)
from dossier.fsutil import atomic_write_text, fsync_path, make_private_dir
from dossier.i18n import _
from dossier.progress import ByteProgress, ProgressFactory
from dossier.store.checkpoint import maybe_checkpoint
from dossier.store.db import in_write_transaction
from dossier.store.eventlog import append_event, default_actor
from dossier.store.registry import (
    DossierRecord,
    DossierState,
    folder_key,
    get_dossier,
    transition_by_id,
)
from dossier.store.workspace import Workspace
from dossier.submit.adapter import (
    FileStatus,
    PortalAdapter,
    PortalDossier,
    PortalStatus,
    SupplementMetadata,
)
from dossier.submit.delivery import (
    AdapterFactory,
    Delivery,
    DeliveryResult,
    delivery_failure,
    finished_delivery,
    log_fingerprint,
    start_attempt,
    upload_files,
)
from dossier.submit.outbox import (
    Enqueued,
    OutboxItem,
    OutboxState,
    insert_item,
    latest_item_for_dossier,
    load_item,
    read_payload,
    snapshot_files,
    update_item,
)
from dossier.submit.settings import PortalSettings
from dossier.submit.status import poll_status
from dossier.submit.supplement_package import SupplementPackage, build_supplement

SUPPLEMENT_NAME = "supplement.json"


class SupplementNotRequestedError(PortalRejectedError):
    """The portal does not ask this dossier for papers (or another supplement is on its way): exit 10."""

    exit_code = ExitCode.portal_rejected


@dataclass(frozen=True)
class SupplementResult:
    enqueued: Enqueued
    delivery: Delivery
    polled: PortalStatus | None  # the portal's status before queueing; None when it could not be asked
    round_number: int


# --- the outbox items of supplements ---


def open_supplement(conn: sqlite3.Connection, dossier_id: str) -> OutboxItem | None:
    row = conn.execute(
        "SELECT id FROM outbox WHERE dossier_id = ? AND state_before = ? AND state NOT IN (?, ?) "
        "ORDER BY created_at, rowid LIMIT 1",
        (
            dossier_id,
            str(DossierState.supplement_requested),
            str(OutboxState.acknowledged),
            str(OutboxState.rejected),
        ),
    ).fetchone()
    return load_item(conn, row[0]) if row else None


def supplement_round(conn: sqlite3.Connection, dossier_id: str) -> int:
    """1 + the supplements the portal accepted for this dossier."""
    row = conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE dossier_id = ? AND state_before = ? AND state = ?",
        (dossier_id, str(DossierState.supplement_requested), str(OutboxState.acknowledged)),
    ).fetchone()
    return int(row[0]) + 1


def read_supplement(workspace: Workspace, item: OutboxItem) -> SupplementMetadata:
    return read_payload(workspace, item, SUPPLEMENT_NAME, SupplementMetadata.from_json)


# --- queueing ---


def enqueue_supplement(
    conn: sqlite3.Connection,
    workspace: Workspace,
    package: SupplementPackage,
    based_on: OutboxItem,
    actor: str,
    *,
    sending_now: bool = False,
) -> Enqueued:
    """Snapshot and fsync the supplement, then one transaction: the outbox item and `-> queued`.

    `based_on` is the dossier's acknowledged submission (portal id, code, appointment). A supplement already
    on its way for the dossier (another desk, a race) is returned instead of a second one.
    """
    item_id = str(uuid.uuid4())
    directory = workspace.payload_dir(package.dossier_id) / item_id
    new_parent = not directory.parent.exists()
    for level in (workspace.outbox_root, directory.parent, directory):
        make_private_dir(level)
    try:
        snapshot_files(directory, package.files)
        text = json.dumps(package.metadata.to_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        atomic_write_text(directory / SUPPLEMENT_NAME, text)
        fsync_path(directory.parent)
        if new_parent:
            fsync_path(directory.parent.parent)
    except OSError as error:
        shutil.rmtree(directory, ignore_errors=True)
        raise OutputError(_("Không ghi được hàng đợi: {reason}").format(reason=error), directory) from error
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise

    def commit() -> OutboxItem | None:
        raced = open_supplement(conn, package.dossier_id)
        if raced is not None:
            return raced
        current = get_dossier(conn, package.dossier_id)
        if current.state is not DossierState.supplement_requested:
            raise _not_requested(current)
        insert_item(
            conn,
            item_id=item_id,
            based_on=based_on,
            folder=package.folder,
            state=OutboxState.creating if sending_now else OutboxState.queued,
            state_before=DossierState.supplement_requested,
            files=package.files,
            attempts=1 if sending_now else 0,
        )
        transition_by_id(
            conn,
            package.dossier_id,
            DossierState.queued,
            actor=actor,
            action="supplement_queued",
            details={
                "outbox_id": item_id,
                "files": [
                    {"name": f.entry.name, "size": f.entry.size, "sha256_8": log_fingerprint(f.entry.sha256)}
                    for f in package.files
                ],
                "bytes": sum(f.entry.size for f in package.files),
                "unsigned": list(package.unsigned),
            },
        )
        return None

    try:
        raced = in_write_transaction(conn, commit)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    if raced is not None:
        shutil.rmtree(directory, ignore_errors=True)
        return Enqueued(raced, created=False)
    return Enqueued(load_item(conn, item_id), created=True)


def _not_requested(dossier: DossierRecord) -> SupplementNotRequestedError:
    state = str(dossier.state)
    if dossier.portal_status is not None:
        label = _("trạng thái trên cổng")
        state += f", {label} {dossier.portal_status}"
    return SupplementNotRequestedError(
        _("Cổng không yêu cầu bổ sung giấy tờ cho hồ sơ {code} (đang ở: {state}).").format(
            code=dossier.portal_code or dossier.id, state=state
        ),
        path=dossier.folder,
        hint=_("Chỉ nộp bổ sung khi cổng ở trạng thái 5 (xem: dossier status MÃ_HỒ_SƠ)."),
    )


# --- delivering ---


def deliver_supplement(
    conn: sqlite3.Connection,
    workspace: Workspace,
    item: OutboxItem,
    adapter: PortalAdapter,
    *,
    actor: str,
    progress: ByteProgress | None = None,
    just_queued: bool = False,
) -> Delivery:
    """Take a supplement item as far as it goes now, each step committed (see the module docstring).

    Called by `sync.deliver` and `submit_supplement`, which have already answered for finished items."""
    started = start_attempt(conn, workspace, item, read_supplement, just_queued=just_queued)
    if isinstance(started, Delivery):
        return started
    item, supplement, attempts = started
    assert item.portal_id is not None
    portal_id = item.portal_id
    known: dict[str, FileStatus] = {}
    try:
        if item.state is OutboxState.creating:
            declared = adapter.supplement(portal_id, supplement, item.idempotency_key)
            known = {f.name: f for f in declared.files}
            item = in_write_transaction(conn, lambda: _record_declared(conn, item, declared, actor))
        if item.state is OutboxState.uploading:
            item = upload_files(conn, workspace, item, adapter, known, progress)
        if item.state is OutboxState.finalizing:
            final = adapter.finalize(portal_id)
            item = in_write_transaction(conn, lambda: _record_supplemented(conn, item, final, actor))
        return Delivery(load_item(conn, item.id), DeliveryResult.acknowledged)
    except (PortalUnavailableError, PortalRejectedError) as error:
        return delivery_failure(conn, item, error, attempts, actor)


def _record_declared(
    conn: sqlite3.Connection, item: OutboxItem, declared: PortalDossier, actor: str
) -> OutboxItem:
    updated = update_item(conn, item, state=OutboxState.uploading, portal_status=declared.status.code)
    append_event(
        conn,
        "supplement_declared",
        actor=actor,
        dossier_id=item.dossier_id,
        state=str(DossierState.queued),
        details={"outbox_id": item.id, "status": declared.status.code},
    )
    return updated


def _record_supplemented(
    conn: sqlite3.Connection, item: OutboxItem, final: PortalDossier, actor: str
) -> OutboxItem:
    updated = update_item(
        conn,
        item,
        state=OutboxState.acknowledged,
        portal_status=final.status.code,
        appointment=final.appointment or item.appointment,
        last_error=None,
        next_attempt_at=None,
    )
    current = get_dossier(conn, item.dossier_id)
    if current.state is DossierState.queued:
        transition_by_id(
            conn,
            item.dossier_id,
            DossierState.acknowledged,
            actor=actor,
            action="supplement_acknowledged",
            portal_status=final.status.code,
            details={"outbox_id": item.id, "code": final.code, "status": final.status.code},
        )
    return updated


# --- the whole command ---


def _poll(
    conn: sqlite3.Connection, dossier: DossierRecord, adapter: PortalAdapter, actor: str
) -> PortalStatus | None:
    """The portal's status, recorded in the registry; None when the portal cannot be reached (then the
    registry's last known state decides, and the supplement waits in the outbox like any submission)."""
    try:
        update = poll_status(conn, dossier, adapter, actor=actor)
    except PortalUnavailableError:
        return None
    return update.portal.status if update.portal is not None else None


def submit_supplement(
    code: str,
    folder: Path,
    settings: PortalSettings,
    workspace: Workspace,
    adapters: AdapterFactory,
    *,
    note: str | None = None,
    allow_unsigned: bool = False,
    profiles_dir: Path | None = None,
    progress: ProgressFactory | None = None,
) -> SupplementResult:
    """Check the portal still asks for papers, queue the supplement durably and send it now.

    The same folder run again while its supplement waits resumes that one (nothing new is queued).
    """
    actor = settings.officer or default_actor()
    with contextlib.closing(workspace.connect()) as conn:
        dossier = get_dossier(conn, code)
        original = latest_item_for_dossier(conn, dossier.id)
        if original is None or original.state is not OutboxState.acknowledged or original.portal_id is None:
            raise _not_requested(dossier)
        pending = open_supplement(conn, dossier.id)
        if pending is not None and folder_key(pending.folder) != folder_key(folder):
            raise SupplementNotRequestedError(
                _("Hồ sơ đang có một lần bổ sung khác chờ gửi (thư mục {folder}).").format(
                    folder=pending.folder
                ),
                path=folder,
                hint=_("Gửi nốt bằng `dossier sync` trước."),
            )
        with contextlib.closing(adapters(original.portal_url)) as adapter:
            polled = None
            if pending is not None:
                enqueued, round_number = Enqueued(pending, created=False), supplement_round(conn, dossier.id)
                total = sum(f.size for f in pending.files if not f.complete)
            else:
                polled = _poll(conn, dossier, adapter, actor)
                dossier = get_dossier(conn, dossier.id)
                if dossier.state is not DossierState.supplement_requested:
                    raise _not_requested(dossier)
                round_number = supplement_round(conn, dossier.id)
                package = build_supplement(
                    folder,
                    dossier,
                    round_number,
                    note=note,
                    allow_unsigned=allow_unsigned,
                    profiles_dir=profiles_dir,
                )
                enqueued = enqueue_supplement(conn, workspace, package, original, actor, sending_now=True)
                total = sum(f.entry.size for f in package.files)
            with progress(total) if progress is not None else contextlib.nullcontext(None) as tick:
                delivery = finished_delivery(enqueued.item) or deliver_supplement(
                    conn,
                    workspace,
                    enqueued.item,
                    adapter,
                    actor=actor,
                    progress=tick,
                    just_queued=enqueued.created,
                )
        maybe_checkpoint(conn)
    return SupplementResult(enqueued, delivery, polled, round_number)
