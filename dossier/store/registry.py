"""The local registry: every dossier folder, its files, its state, and each change as a chained event.

A state change and its event are written in one write transaction, so the registry never shows a state
the log does not explain. The citizen's ID number is kept here (the database file is 0600) and shown only
masked; it never enters the event log.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from dossier.errors import DossierError, ExitCode
from dossier.i18n import _
from dossier.store.atrest import citizen_lookup_hash, mask_citizen_id
from dossier.store.checkpoint import maybe_checkpoint
from dossier.store.db import in_write_transaction
from dossier.store.eventlog import append_event, default_actor, log_event
from dossier.store.workspace import Workspace, resolve_workspace

log = logging.getLogger(__name__)


class DossierState(StrEnum):
    scanned = "scanned"
    checked = "checked"
    signed = "signed"
    queued = "queued"
    submitted = "submitted"  # the portal holds it, files may still be uploading
    acknowledged = "acknowledged"  # finalized: the portal gave a code and an appointment
    supplement_requested = "supplement_requested"
    refused = "refused"
    done = "done"


_PREPARING = frozenset({DossierState.scanned, DossierState.checked, DossierState.signed})
# Where each state may go next; staying in the same state (a re-check, a status poll) is always allowed.
TRANSITIONS: dict[DossierState, frozenset[DossierState]] = {
    DossierState.scanned: _PREPARING | {DossierState.queued},
    DossierState.checked: _PREPARING | {DossierState.queued},
    DossierState.signed: _PREPARING | {DossierState.queued},
    # back to a preparing state when the portal rejects the submission for good (a supplement: back to
    # supplement_requested)
    DossierState.queued: _PREPARING
    | {DossierState.submitted, DossierState.acknowledged, DossierState.supplement_requested},
    DossierState.submitted: _PREPARING | {DossierState.acknowledged},
    DossierState.acknowledged: frozenset(
        {DossierState.supplement_requested, DossierState.refused, DossierState.done}
    ),
    DossierState.supplement_requested: frozenset(
        {DossierState.queued, DossierState.acknowledged, DossierState.refused, DossierState.done}
    ),
    DossierState.refused: frozenset(),
    DossierState.done: frozenset(),
}
# Portal status codes that move a dossier in the registry; the others are only recorded.
PORTAL_STATUS_STATES: dict[int, DossierState] = {
    2: DossierState.acknowledged,
    3: DossierState.refused,
    4: DossierState.acknowledged,
    5: DossierState.supplement_requested,
    9: DossierState.done,
    10: DossierState.done,
}


class InvalidTransitionError(DossierError):
    """A state change the dossier's life cycle does not allow (e.g. submitting a finished dossier)."""

    exit_code = ExitCode.usage


class UnknownDossierError(DossierError):
    exit_code = ExitCode.usage


@dataclass(frozen=True)
class RegisteredFile:
    path: str  # relative to the dossier folder
    sha256: str
    size: int
    component_code: str | None


@dataclass(frozen=True)
class DossierRecord:
    id: str
    folder: Path
    procedure_code: str | None
    citizen_id: str | None  # a keyed hash of the ID number (store.atrest), for lookups only
    state: DossierState
    portal_code: str | None
    portal_status: int | None
    created_at: str
    updated_at: str
    citizen_id_masked: str | None = None  # `0012******45`: what the officer is shown

    @property
    def masked_citizen_id(self) -> str:
        return self.citizen_id_masked or ""


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def folder_key(folder: Path) -> Path:
    return folder.expanduser().resolve()


_COLUMNS = "id, folder, procedure_code, citizen_id, state, portal_code, portal_status, created_at, updated_at"
_SELECT = _COLUMNS + ", citizen_id_masked"


def _record(row: tuple[Any, ...]) -> DossierRecord:
    return DossierRecord(row[0], Path(row[1]), row[2], row[3], DossierState(row[4]), *row[5:])


def dossier_for_folder(conn: sqlite3.Connection, folder: Path) -> DossierRecord | None:
    row = conn.execute(
        f"SELECT {_SELECT} FROM dossiers WHERE folder = ?", (str(folder_key(folder)),)
    ).fetchone()
    return _record(row) if row else None


def get_dossier(conn: sqlite3.Connection, id_or_code: str) -> DossierRecord:
    row = conn.execute(
        f"SELECT {_SELECT} FROM dossiers WHERE id = ? OR portal_code = ?", (id_or_code, id_or_code)
    ).fetchone()
    if row is None:
        raise UnknownDossierError(
            _("Không có hồ sơ {code} trong sổ đăng ký.").format(code=id_or_code),
            hint=_("Xem danh sách: dossier status --all"),
        )
    return _record(row)


def list_dossiers(conn: sqlite3.Connection, states: Iterable[DossierState] = ()) -> tuple[DossierRecord, ...]:
    wanted = [str(s) for s in states]
    if wanted:
        marks = ",".join("?" * len(wanted))
        rows = conn.execute(
            f"SELECT {_SELECT} FROM dossiers WHERE state IN ({marks}) ORDER BY created_at, id", wanted
        )
    else:
        rows = conn.execute(f"SELECT {_SELECT} FROM dossiers ORDER BY created_at, id")
    return tuple(_record(row) for row in rows)


def dossier_files(conn: sqlite3.Connection, dossier_id: str) -> tuple[RegisteredFile, ...]:
    rows = conn.execute(
        "SELECT path, sha256, size, component_code FROM dossier_files WHERE dossier_id = ? ORDER BY path",
        (dossier_id,),
    )
    return tuple(RegisteredFile(*row) for row in rows)


def transition(
    conn: sqlite3.Connection,
    folder: Path,
    to: DossierState,
    *,
    actor: str,
    action: str,
    details: dict[str, Any] | None = None,
    procedure_code: str | None = None,
    citizen_id: str | None = None,
    files: tuple[RegisteredFile, ...] | None = None,
    portal_code: str | None = None,
    portal_status: int | None = None,
    new_id: str | None = None,
) -> DossierRecord:
    """Register the folder if new (as `new_id`, else a fresh uuid), move it to `to` (validated) and log the
    event; the caller holds the write transaction."""
    current = dossier_for_folder(conn, folder)
    stamp = now_utc()
    masked = mask_citizen_id(citizen_id) if citizen_id else None
    citizen_id = citizen_lookup_hash(conn, citizen_id) if citizen_id else None  # never the clear number
    if current is None:
        dossier_id = new_id or str(uuid.uuid4())
        conn.execute(
            f"INSERT INTO dossiers ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                dossier_id,
                str(folder_key(folder)),
                procedure_code,
                citizen_id,
                str(to),
                portal_code,
                portal_status,
                stamp,
                stamp,
            ),
        )
    else:
        if to is not current.state and to not in TRANSITIONS[current.state]:
            raise InvalidTransitionError(
                _("Hồ sơ đang ở trạng thái {state}, không chuyển sang {to} được.").format(
                    state=current.state, to=to
                ),
                path=current.folder,
            )
        dossier_id = current.id
        conn.execute(
            """UPDATE dossiers SET state = ?, updated_at = ?,
               procedure_code = COALESCE(?, procedure_code), citizen_id = COALESCE(?, citizen_id),
               portal_code = COALESCE(?, portal_code), portal_status = COALESCE(?, portal_status)
               WHERE id = ?""",
            (str(to), stamp, procedure_code, citizen_id, portal_code, portal_status, dossier_id),
        )
    if masked:
        conn.execute("UPDATE dossiers SET citizen_id_masked = ? WHERE id = ?", (masked, dossier_id))
    if files is not None:
        conn.execute("DELETE FROM dossier_files WHERE dossier_id = ?", (dossier_id,))
        conn.executemany(
            "INSERT INTO dossier_files (dossier_id, path, sha256, size, component_code) "
            "VALUES (?, ?, ?, ?, ?)",
            [(dossier_id, f.path, f.sha256, f.size, f.component_code) for f in files],
        )
    event = append_event(conn, action, actor=actor, dossier_id=dossier_id, state=str(to), details=details)
    conn.execute("UPDATE dossiers SET event_hash = ? WHERE id = ?", (event.hash, dossier_id))
    conn.execute("UPDATE outbox SET event_hash = ? WHERE dossier_id = ?", (event.hash, dossier_id))
    return get_dossier(conn, dossier_id)


def dossiers_of_citizen(conn: sqlite3.Connection, id_number: str) -> tuple[DossierRecord, ...]:
    """A citizen's dossiers, found by the keyed hash of their ID number (the number itself is not stored)."""
    rows = conn.execute(
        f"SELECT {_SELECT} FROM dossiers WHERE citizen_id = ? ORDER BY created_at, id",
        (citizen_lookup_hash(conn, id_number),),
    )
    return tuple(_record(row) for row in rows)


def transition_by_id(
    conn: sqlite3.Connection, dossier_id: str, to: DossierState, **values: Any
) -> DossierRecord:
    return transition(conn, get_dossier(conn, dossier_id).folder, to, **values)


def record_dossier_event(
    dossier_dir: Path,
    state: DossierState | str,
    actor: str | None = None,
    details: dict[str, Any] | None = None,
    *,
    procedure_code: str | None = None,
    workspace: Workspace | None = None,
) -> None:
    """Hook for scan/check/sign: register `dossier_dir` (if new) in `state` and log the event.

    `details` must hold no personal data (an ID number in it raises `ValueError`).
    """
    target = DossierState(state)
    space = workspace if workspace is not None else resolve_workspace()
    with closing(space.connect()) as conn:
        in_write_transaction(
            conn,
            lambda: transition(
                conn,
                dossier_dir,
                target,
                actor=actor or default_actor(),
                action=str(target),
                details=details,
                procedure_code=procedure_code,
            ),
        )
        maybe_checkpoint(conn)


def note_dossier_event(
    dossier_dir: Path,
    state: DossierState,
    details: dict[str, Any] | None = None,
    *,
    procedure_code: str | None = None,
    workspace: Workspace | None = None,
) -> bool:
    """`record_dossier_event` for commands whose own work is done (scan, check, sign): a registry that cannot
    take the event (a finished dossier rescanned, an unwritable home) is a warning, never a lost scan."""
    try:
        record_dossier_event(
            dossier_dir, state, details=details, procedure_code=procedure_code, workspace=workspace
        )
    except (DossierError, sqlite3.Error, OSError) as error:
        log.warning(_("Không ghi được vào sổ đăng ký hồ sơ: {reason}").format(reason=error))
        return False
    return True


def note_folder_event(
    dossier_dir: Path,
    action: str,
    details: dict[str, Any] | None = None,
    *,
    workspace: Workspace | None = None,
) -> bool:
    """Log `action` for the dossier registered at `dossier_dir` (or for no dossier, when the folder was never
    registered) without changing its state: a notice printed at the counter. Like `note_dossier_event`, a
    registry that cannot take it is a warning, never a lost piece of work."""
    space = workspace if workspace is not None else resolve_workspace()
    try:
        with closing(space.connect()) as conn:
            record = dossier_for_folder(conn, dossier_dir)
            log_event(
                conn,
                action,
                actor=default_actor(),
                dossier_id=record.id if record is not None else None,
                state=str(record.state) if record is not None else None,
                details=details,
            )
    except (DossierError, sqlite3.Error, OSError) as error:
        log.warning(_("Không ghi được vào sổ đăng ký hồ sơ: {reason}").format(reason=error))
        return False
    return True
