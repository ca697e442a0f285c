"""The durable outbox: a submission is safely on disk, with its idempotency key, before a byte goes out.

`enqueue` copies (or hard-links, then re-hashes) the dossier's PDFs and writes the metadata into
`<workspace>/outbox/<dossier-id>/<item-id>/`, fsyncs them, and only then commits the outbox row carrying a
fresh uuid4 idempotency key, in the same transaction as the registry's move to `queued`. From then on the
item moves `queued -> creating -> uploading -> finalizing -> acknowledged` (or `rejected`), each step
committed, so a process killed anywhere resumes where the portal says it stopped (see `sync.py`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from dossier.console import redact
from dossier.errors import InputFileError, OutputError
from dossier.fsutil import FILE_MODE, atomic_write_text, fsync_path, make_private_dir, sha256_file
from dossier.i18n import _
from dossier.store.db import in_write_transaction
from dossier.store.registry import (
    DossierRecord,
    DossierState,
    RegisteredFile,
    dossier_for_folder,
    now_utc,
    transition,
)
from dossier.store.workspace import Workspace
from dossier.submit.adapter import SubmissionMetadata
from dossier.submit.package import PackageFile, SubmissionPackage, file_fingerprint

METADATA_NAME = "metadata.json"
FILES_DIR = "files"
# Between two automatic `dossier sync --due` runs: 1, 2, 4, ... minutes, at most an hour.
REQUEUE_FIRST = timedelta(minutes=1)
REQUEUE_MAX = timedelta(hours=1)

T = TypeVar("T")


class OutboxState(StrEnum):
    queued = "queued"
    creating = "creating"
    uploading = "uploading"
    finalizing = "finalizing"
    acknowledged = "acknowledged"
    rejected = "rejected"


OPEN_STATES = (OutboxState.queued, OutboxState.creating, OutboxState.uploading, OutboxState.finalizing)


class OutboxTamperedError(InputFileError):
    """A file in the outbox no longer has the SHA-256 recorded when it was queued: it is not sent."""


@dataclass(frozen=True)
class OutboxFile:
    name: str
    component_code: str
    size: int
    sha256: str
    complete: bool


@dataclass(frozen=True)
class OutboxItem:
    id: str
    dossier_id: str
    idempotency_key: str
    portal_url: str
    folder: Path
    state: OutboxState
    state_before: DossierState  # where the registry goes back to if the portal rejects the submission
    portal_id: str | None
    portal_code: str | None
    appointment: str | None
    status_url: str | None
    portal_status: int | None
    attempts: int
    last_error: str | None
    next_attempt_at: str | None
    created_at: str
    updated_at: str
    files: tuple[OutboxFile, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_supplement(self) -> bool:
        """Papers added to an acknowledged dossier (`dossier supplement`), not a new submission."""
        return self.state_before is DossierState.supplement_requested


@dataclass(frozen=True)
class Enqueued:
    item: OutboxItem
    created: bool  # False: the dossier was already in the outbox (or delivered), nothing new was queued


_COLUMNS = (
    "id, dossier_id, idempotency_key, portal_url, folder, state, state_before, portal_id, portal_code, "
    "appointment, status_url, portal_status, attempts, last_error, next_attempt_at, created_at, updated_at"
)


# The hash of the dossier's latest event: the origin an outbox row records (checked by `dossier log verify`).
_ORIGIN = "(SELECT e.hash FROM events e WHERE e.dossier_id = outbox.dossier_id ORDER BY e.seq DESC LIMIT 1)"


def _record_origin(conn: sqlite3.Connection, item_id: str) -> None:
    conn.execute(f"UPDATE outbox SET event_hash = {_ORIGIN} WHERE id = ?", (item_id,))


def payload_dir(workspace: Workspace, item: OutboxItem) -> Path:
    return workspace.payload_dir(item.dossier_id) / item.id


def payload_file(workspace: Workspace, item: OutboxItem, name: str) -> Path:
    return payload_dir(workspace, item) / FILES_DIR / name


def read_payload(workspace: Workspace, item: OutboxItem, name: str, parse: Callable[[Any], T]) -> T:
    """One JSON document of the item's payload, parsed; unreadable means the outbox was tampered with."""
    path = payload_dir(workspace, item) / name
    try:
        return parse(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise OutboxTamperedError(
            _("Không đọc được dữ liệu hồ sơ trong hàng đợi: {reason}").format(reason=type(error).__name__),
            path,
        ) from error


def read_metadata(workspace: Workspace, item: OutboxItem) -> SubmissionMetadata:
    return read_payload(workspace, item, METADATA_NAME, SubmissionMetadata.from_json)


def _item(conn: sqlite3.Connection, row: tuple[Any, ...]) -> OutboxItem:
    files = tuple(
        OutboxFile(name, code, size, sha, bool(done))
        for name, code, size, sha, done in conn.execute(
            "SELECT name, component_code, size, sha256, complete FROM outbox_files WHERE outbox_id = ? "
            "ORDER BY rowid",
            (row[0],),
        )
    )
    values = list(row)
    values[4] = Path(values[4])
    values[5] = OutboxState(values[5])
    values[6] = DossierState(values[6])
    values.append(files)  # the field after the row's columns
    return OutboxItem(*values)


def load_item(conn: sqlite3.Connection, item_id: str) -> OutboxItem:
    row = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        raise KeyError(item_id)
    return _item(conn, row)


def list_items(conn: sqlite3.Connection, *, open_only: bool = False) -> tuple[OutboxItem, ...]:
    where = f"WHERE state IN ({','.join('?' * len(OPEN_STATES))})" if open_only else ""
    params = [str(s) for s in OPEN_STATES] if open_only else []
    rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox {where} ORDER BY created_at, rowid", params)
    return tuple(_item(conn, row) for row in rows.fetchall())


def latest_item_for_dossier(conn: sqlite3.Connection, dossier_id: str) -> OutboxItem | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE dossier_id = ? AND state != ? AND state_before != ? "
        "ORDER BY created_at DESC, rowid DESC",
        (dossier_id, str(OutboxState.rejected), str(DossierState.supplement_requested)),
    ).fetchone()
    return _item(conn, row) if row else None


def update_item(conn: sqlite3.Connection, item: OutboxItem, **values: Any) -> OutboxItem:
    """Write the changed columns of `item`; the caller holds the write transaction."""
    values["updated_at"] = now_utc()
    assignments = ", ".join(f"{key} = ?" for key in values)
    params = [str(v) if isinstance(v, OutboxState | DossierState | Path) else v for v in values.values()]
    conn.execute(f"UPDATE outbox SET {assignments}, event_hash = {_ORIGIN} WHERE id = ?", (*params, item.id))
    return replace(item, **values)


def next_attempt_after(attempts: int, now: datetime | None = None) -> str:
    delay = min(REQUEUE_MAX, REQUEUE_FIRST * (2 ** max(0, attempts - 1)))
    moment = (now or datetime.now(UTC)) + delay
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def safe_error_text(text: str) -> str:
    """An error message fit for the outbox table: ID numbers masked, length bounded."""
    return redact(text)[:500]


# --- putting a submission into the outbox ---


def _snapshot(file: PackageFile, target: Path) -> None:
    """Put a verified snapshot of `file` at `target`.

    A hard link when the source is already private (0600, as `dossier scan` and signing write it) and on the
    same file system: no copy, and the link is checked to be the very inode, size and modification time that
    was hashed. The dossier's files are replaced by rename (a new inode) when rewritten, so the link keeps
    the queued bytes; an in-place edit later is caught by the hash check before `sync` sends. Otherwise a
    0600 copy, hashed while it is written.
    """
    source = file.source
    try:
        if stat.S_IMODE(source.stat().st_mode) & 0o077:
            raise PermissionError("not private: copy instead")  # a link would share the looser mode
        os.link(source, target)
    except OSError:
        digest = hashlib.sha256()
        tmp = target.with_name(f".{target.name}.tmp")
        with source.open("rb") as src, open(tmp, "wb") as dst:
            os.chmod(tmp, FILE_MODE)  # noqa: PTH101
            for block in iter(lambda: src.read(1 << 20), b""):
                digest.update(block)
                dst.write(block)
            dst.flush()
            os.fsync(dst.fileno())
        tmp.replace(target)
        unchanged = digest.hexdigest() == file.entry.sha256
    else:
        unchanged = file_fingerprint(target) == file.fingerprint
    if not unchanged:
        target.unlink(missing_ok=True)
        raise InputFileError(_("Tệp thay đổi trong lúc đưa vào hàng đợi; hãy nộp lại."), source)


def _write_payload(directory: Path, package: SubmissionPackage, new_parent: bool) -> None:
    """Files, then metadata; each new directory entry fsynced (writing the metadata fsyncs `directory`)."""
    files_dir = make_private_dir(directory / FILES_DIR)
    for file in package.files:
        _snapshot(file, files_dir / file.entry.name)
    fsync_path(files_dir)
    text = json.dumps(package.metadata.to_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    atomic_write_text(directory / METADATA_NAME, text)
    fsync_path(directory.parent)
    if new_parent:
        fsync_path(directory.parent.parent)


def _registered_files(package: SubmissionPackage) -> tuple[RegisteredFile, ...]:
    return tuple(
        RegisteredFile(f.entry.name, f.entry.sha256, f.entry.size, f.entry.component_code)
        for f in package.files
    )


def _existing(conn: sqlite3.Connection, folder: Path) -> tuple[DossierRecord | None, OutboxItem | None]:
    dossier = dossier_for_folder(conn, folder)
    if dossier is None:
        return None, None
    return dossier, latest_item_for_dossier(conn, dossier.id)


def enqueue(
    conn: sqlite3.Connection,
    workspace: Workspace,
    package: SubmissionPackage,
    portal_url: str,
    actor: str,
    *,
    sending_now: bool = False,
) -> Enqueued:
    """Queue `package` for `portal_url` durably, or return the item already queued for the same folder.

    The payload is written and fsynced first; then one transaction registers the dossier (if new), inserts
    the item with its idempotency key and moves the registry to `queued`. With `sending_now` the item starts
    in `creating` with its first attempt counted (the caller sends it right away: one commit less).
    """
    dossier, existing = _existing(conn, package.folder)
    if existing is not None:
        return Enqueued(existing, created=False)
    dossier_id = dossier.id if dossier is not None else str(uuid.uuid4())
    item_id = str(uuid.uuid4())
    directory = workspace.payload_dir(dossier_id) / item_id
    new_parent = not directory.parent.exists()
    for level in (workspace.outbox_root, directory.parent, directory):  # each level 0700, not just the leaf
        make_private_dir(level)
    try:
        _write_payload(directory, package, new_parent)
    except OSError as error:
        shutil.rmtree(directory, ignore_errors=True)
        raise OutputError(_("Không ghi được hàng đợi: {reason}").format(reason=error), directory) from error
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    prepared_state = DossierState.scanned if package.unsigned else DossierState.signed
    files = _registered_files(package)

    def commit() -> OutboxItem | None:
        current, raced = _existing(conn, package.folder)
        if raced is not None:  # another desk queued the same folder meanwhile
            return raced
        if current is None:
            current = transition(
                conn,
                package.folder,
                prepared_state,
                actor=actor,
                action="registered",
                procedure_code=package.metadata.procedure_code,
                files=files,
                details={"files": len(package.files)},
                new_id=dossier_id,
            )
        elif current.id != dossier_id:  # registered by another process since we looked: file it under that id
            make_private_dir(workspace.payload_dir(current.id))
            directory.rename(workspace.payload_dir(current.id) / item_id)
        stamp = now_utc()
        state = OutboxState.creating if sending_now else OutboxState.queued
        conn.execute(
            f"INSERT INTO outbox ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, NULL, ?, "
            "NULL, NULL, ?, ?)",
            (
                item_id,
                current.id,
                str(uuid.uuid4()),
                portal_url,
                str(package.folder),
                str(state),
                str(current.state if current.state is not DossierState.queued else prepared_state),
                1 if sending_now else 0,
                stamp,
                stamp,
            ),
        )
        conn.executemany(
            "INSERT INTO outbox_files (outbox_id, name, component_code, size, sha256) VALUES (?, ?, ?, ?, ?)",
            [
                (item_id, f.entry.name, f.entry.component_code, f.entry.size, f.entry.sha256)
                for f in package.files
            ],
        )
        transition(
            conn,
            package.folder,
            DossierState.queued,
            actor=actor,
            action="queued",
            citizen_id=package.metadata.citizen.id_number,
            procedure_code=package.metadata.procedure_code,
            files=files,
            details={
                "outbox_id": item_id,
                "files": len(package.files),
                "bytes": sum(f.entry.size for f in package.files),
                "unsigned": list(package.unsigned),
            },
        )
        return None

    raced = in_write_transaction(conn, commit)
    if raced is not None:
        shutil.rmtree(directory, ignore_errors=True)
        return Enqueued(raced, created=False)
    return Enqueued(load_item(conn, item_id), created=True)


def snapshot_files(directory: Path, files: tuple[PackageFile, ...]) -> None:
    """Verified 0600 snapshots of `files` in `directory/files/` under their portal names, fsynced."""
    files_dir = make_private_dir(directory / FILES_DIR)
    for file in files:
        _snapshot(file, files_dir / file.entry.name)
    fsync_path(files_dir)


def insert_item(
    conn: sqlite3.Connection,
    *,
    item_id: str,
    based_on: OutboxItem,
    folder: Path,
    state: OutboxState,
    state_before: DossierState,
    files: tuple[PackageFile, ...],
    attempts: int,
) -> None:
    """A new item for a dossier the portal already holds (`based_on`: its portal id, code, appointment),
    with a fresh idempotency key; the caller holds the write transaction."""
    stamp = now_utc()
    conn.execute(
        f"INSERT INTO outbox ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?)",
        (
            item_id,
            based_on.dossier_id,
            str(uuid.uuid4()),
            based_on.portal_url,
            str(folder),
            str(state),
            str(state_before),
            based_on.portal_id,
            based_on.portal_code,
            based_on.appointment,
            based_on.status_url,
            based_on.portal_status,
            attempts,
            stamp,
            stamp,
        ),
    )
    conn.executemany(
        "INSERT INTO outbox_files (outbox_id, name, component_code, size, sha256) VALUES (?, ?, ?, ?, ?)",
        [(item_id, f.entry.name, f.entry.component_code, f.entry.size, f.entry.sha256) for f in files],
    )
    _record_origin(conn, item_id)


def mark_files_complete(conn: sqlite3.Connection, item: OutboxItem) -> None:
    conn.execute("UPDATE outbox_files SET complete = 1 WHERE outbox_id = ?", (item.id,))


def verify_payload(workspace: Workspace, item: OutboxItem) -> None:
    """Every queued file still has its recorded size and SHA-256; else `OutboxTamperedError` naming it."""
    for file in item.files:
        path = payload_file(workspace, item, file.name)
        try:
            size = path.stat().st_size
        except OSError as error:
            raise OutboxTamperedError(_("Tệp trong hàng đợi đã mất."), path) from error
        if size != file.size or sha256_file(path) != file.sha256:
            raise OutboxTamperedError(
                _("Tệp trong hàng đợi đã bị thay đổi (SHA-256 khác lúc xếp hàng): không gửi."),
                path,
                hint=_("Nộp lại hồ sơ từ thư mục gốc sau khi kiểm tra: dossier submit THƯ_MỤC."),
            )
