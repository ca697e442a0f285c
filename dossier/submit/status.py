"""Polling the portal for the statuses of submitted dossiers, and moving the registry along (5, 3, 9/10)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from dossier.errors import ExitCode, PortalRejectedError, PortalUnavailableError
from dossier.i18n import _
from dossier.store.db import in_write_transaction
from dossier.store.registry import (
    PORTAL_STATUS_STATES,
    TRANSITIONS,
    DossierRecord,
    DossierState,
    UnknownDossierError,
    get_dossier,
    list_dossiers,
    transition_by_id,
)
from dossier.submit.adapter import PortalAdapter, PortalDossier
from dossier.submit.delivery import AdapterFactory
from dossier.submit.outbox import OutboxState, safe_error_text


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
    return StatusReport(tuple(updates))
