"""The sandbox portal's persistence: one private SQLite database (WAL) plus uploaded files stored by id.

Every write is one `BEGIN IMMEDIATE` transaction (`in_write_transaction`), so a request either happened
completely or not at all, and two requests touching the same dossier never interleave. Uploaded bytes live in
`files/<random id>.part` under the data folder: the client's file name is only a label in the database and
never becomes part of a path.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from dossier.fsutil import FILE_MODE, atomic_write_bytes, make_private_dir, sha256_file
from dossier.i18n import _
from dossier.profiles.deadlines import VIETNAM_TZ, WorkingCalendar, to_vietnam_time
from dossier.profiles.loader import Catalogue
from dossier.store.codes import DossierCode, SequenceExhaustedError, issue_code_in_transaction
from dossier.store.db import M001_CODES, Migration, in_write_transaction, open_db
from dossier.submit.portal.model import (
    ALLOWED_ADVANCES,
    RESULT_STATUSES,
    ApiError,
    ApologyRecord,
    ChunkOutcome,
    ContentRange,
    CreateRequest,
    DossierView,
    FileSpec,
    FileState,
    HistoryEntry,
    ResultDocument,
    Status,
    SupplementRequest,
)

DB_NAME = "portal.sqlite3"

M002_PORTAL = Migration(
    "m002_portal",
    (
        """CREATE TABLE portal_dossiers (
            id TEXT PRIMARY KEY,
            idempotency_key TEXT NOT NULL UNIQUE,
            request_sha256 TEXT NOT NULL,
            procedure_code TEXT NOT NULL,
            procedure_name TEXT,
            channel INTEGER NOT NULL,
            received_at TEXT NOT NULL,
            summary TEXT,
            citizen_json TEXT NOT NULL,
            officer_account TEXT NOT NULL,
            agency_code TEXT NOT NULL,
            status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10),
            open_for_upload INTEGER NOT NULL CHECK (open_for_upload IN (0, 1)),
            code TEXT UNIQUE REFERENCES dossier_codes (code),
            appointment TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX portal_dossiers_updated ON portal_dossiers (updated_at)",
        """CREATE TABLE portal_files (
            id INTEGER PRIMARY KEY,
            dossier_id TEXT NOT NULL REFERENCES portal_dossiers (id),
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            component_code TEXT NOT NULL,
            component_name TEXT,
            size INTEGER NOT NULL CHECK (size > 0),
            sha256 TEXT NOT NULL,
            digitised INTEGER NOT NULL,
            reused INTEGER NOT NULL,
            received INTEGER NOT NULL DEFAULT 0 CHECK (received BETWEEN 0 AND size),
            complete INTEGER NOT NULL DEFAULT 0,
            storage TEXT NOT NULL UNIQUE,
            UNIQUE (dossier_id, name)
        )""",
        """CREATE TABLE portal_history (
            id INTEGER PRIMARY KEY,
            dossier_id TEXT NOT NULL REFERENCES portal_dossiers (id),
            status INTEGER NOT NULL,
            at TEXT NOT NULL,
            note TEXT NOT NULL
        )""",
        """CREATE TABLE portal_results (
            dossier_id TEXT NOT NULL REFERENCES portal_dossiers (id),
            name TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            storage TEXT NOT NULL UNIQUE,
            PRIMARY KEY (dossier_id, name)
        )""",
        # Only the SHA-256 of an issued access token is kept: the database never holds a usable secret.
        """CREATE TABLE portal_access_tokens (
            token_sha256 TEXT PRIMARY KEY,
            client_id TEXT NOT NULL,
            expires_at REAL NOT NULL
        )""",
    ),
)
M003_SUPERVISION = Migration(
    "m003_portal_supervision",
    (
        "ALTER TABLE portal_dossiers ADD COLUMN signed INTEGER NOT NULL DEFAULT 0",
        # The once-only rule of the apology: the primary key refuses a second one, whatever the race.
        """CREATE TABLE portal_apologies (
            dossier_id TEXT PRIMARY KEY REFERENCES portal_dossiers (id),
            at TEXT NOT NULL,
            reason TEXT NOT NULL,
            old_appointment TEXT,
            new_appointment TEXT NOT NULL,
            account TEXT NOT NULL
        )""",
        "CREATE INDEX portal_history_dossier ON portal_history (dossier_id, id)",
        "CREATE INDEX portal_dossiers_agency ON portal_dossiers (agency_code)",
    ),
)
PORTAL_MIGRATIONS: tuple[Migration, ...] = (M001_CODES, M002_PORTAL, M003_SUPERVISION)

# Every history note is portal data (like the status names), so it stays Vietnamese.
NOTE_REGISTERED = "Đăng ký hồ sơ trực tuyến"
NOTE_ACCEPTED = "Tiếp nhận hồ sơ, cấp mã hồ sơ và ngày hẹn trả"
NOTE_SUPPLEMENT_RECEIVED = "Công dân nộp bổ sung giấy tờ"
NOTE_SUPPLEMENTED = "Đã nhận đủ giấy tờ bổ sung, tiếp tục xử lý"


def now_vietnam() -> str:
    return datetime.now(VIETNAM_TZ).isoformat(timespec="seconds")


def unknown_dossier(id_or_code: str) -> ApiError:
    return ApiError(404, "unknown_dossier", _("Không có hồ sơ {ref} trên cổng.").format(ref=id_or_code[:80]))


class PortalStore:
    """The portal's database and files; methods are synchronous and safe to call from many threads."""

    def __init__(self, data_dir: Path, catalogue: Catalogue, calendar: WorkingCalendar) -> None:
        self.data_dir = make_private_dir(data_dir)
        self.files_dir = make_private_dir(data_dir / "files")
        self.results_dir = make_private_dir(data_dir / "results")
        self.db_path = data_dir / DB_NAME
        self.catalogue = catalogue
        self.calendar = calendar
        self._local = threading.local()
        open_db(self.db_path, PORTAL_MIGRATIONS).close()  # create and migrate once, up front

    def conn(self) -> sqlite3.Connection:
        """This thread's connection (sqlite3 connections must stay on the thread that opened them)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = open_db(self.db_path, PORTAL_MIGRATIONS)
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
        return conn

    def write(self, work: Callable[[sqlite3.Connection], object]) -> object:
        conn = self.conn()
        return in_write_transaction(conn, lambda: work(conn))

    # --- create, read, list -------------------------------------------------------------------------------

    def create(self, request: CreateRequest, key: str) -> tuple[DossierView, bool]:
        """The dossier for `key`: created now (True) or created before by the same request (False)."""
        self.procedure_days(request.procedure_code, request.received_at)  # unknown procedure: 422 up front
        try:
            return self.write(lambda conn: self._create(conn, request, key))  # type: ignore[return-value]
        except sqlite3.IntegrityError:
            # Another process on the same file won the race for this key: re-read its dossier.
            return self._existing(self.conn(), request, key), False

    def _create(self, conn: sqlite3.Connection, request: CreateRequest, key: str) -> tuple[DossierView, bool]:
        row = conn.execute("SELECT id FROM portal_dossiers WHERE idempotency_key = ?", (key,)).fetchone()
        if row is not None:
            return self._existing(conn, request, key), False
        dossier_id = str(uuid.uuid4())
        now = now_vietnam()
        conn.execute(
            """INSERT INTO portal_dossiers (id, idempotency_key, request_sha256, procedure_code,
               procedure_name, channel, received_at, summary, citizen_json, officer_account, agency_code,
               status, open_for_upload, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)""",
            (
                dossier_id,
                key,
                request.request_sha256,
                request.procedure_code,
                request.procedure_name,
                request.channel,
                to_vietnam_time(request.received_at).isoformat(),
                request.summary,
                json.dumps(asdict(request.citizen), ensure_ascii=False),
                request.officer.account,
                request.officer.agency_code,
                int(Status.registered),
                now,
                now,
            ),
        )
        self._add_files(conn, dossier_id, request.files)
        self._append_history(conn, dossier_id, Status.registered, NOTE_REGISTERED, now)
        return self._view(conn, dossier_id), True

    def _existing(self, conn: sqlite3.Connection, request: CreateRequest, key: str) -> DossierView:
        row = conn.execute(
            "SELECT id, request_sha256 FROM portal_dossiers WHERE idempotency_key = ?", (key,)
        ).fetchone()
        if row["request_sha256"] != request.request_sha256:
            raise ApiError(
                409,
                "idempotency_conflict",
                _("Idempotency-Key này đã được dùng cho một yêu cầu khác; mỗi hồ sơ cần một khóa riêng."),
            )
        return self._view(conn, row["id"])

    def view(self, id_or_code: str) -> DossierView:
        conn = self.conn()
        return self._view(conn, self._dossier_id(conn, id_or_code))

    def list_dossiers(self, status: Status | None, since: datetime | None) -> list[DossierView]:
        conn = self.conn()
        query = "SELECT id FROM portal_dossiers WHERE 1 = 1"
        params: list[object] = []
        if status is not None:
            query += " AND status = ?"
            params.append(int(status))
        rows = conn.execute(query + " ORDER BY created_at, id", params).fetchall()
        views = [self._view(conn, row["id"]) for row in rows]
        if since is not None:
            since = to_vietnam_time(since)
            views = [v for v in views if _last_change(v) >= since]
        return views

    def procedure_days(self, procedure_code: str, received_at: datetime) -> int:
        """The procedure's working days in force on the reception date (the shipped or province profiles)."""
        day = to_vietnam_time(received_at).date()
        procedure = next((p for p in self.catalogue.procedures if p.code == procedure_code), None)
        profile = procedure.version_on(day) if procedure is not None else None
        if profile is None:
            raise ApiError(
                422,
                "unknown_procedure",
                _("Cổng không biết thủ tục {code} (hoặc thủ tục không có hiệu lực ngày {day}).").format(
                    code=procedure_code, day=day.isoformat()
                ),
            )
        return profile.processing_days

    # --- uploads ------------------------------------------------------------------------------------------

    def file_state(self, id_or_code: str, name: str) -> FileState:
        conn = self.conn()
        return _file_state(self._file_row(conn, self._dossier_id(conn, id_or_code), name))

    def put_chunk(self, id_or_code: str, name: str, span: ContentRange, data: bytes) -> ChunkOutcome:
        """Append one chunk (or accept an identical re-send); hash the file when its last byte arrives."""
        return self.write(lambda conn: self._put_chunk(conn, id_or_code, name, span, data))  # type: ignore[return-value]

    def _put_chunk(
        self, conn: sqlite3.Connection, id_or_code: str, name: str, span: ContentRange, data: bytes
    ) -> ChunkOutcome:
        dossier_id = self._dossier_id(conn, id_or_code)
        row = self._file_row(conn, dossier_id, name)
        if not self._open_for_upload(conn, dossier_id):
            raise ApiError(409, "already_finalized", _("Hồ sơ đã hoàn tất, không nhận thêm tệp."))
        if span.total != row["size"]:
            raise ApiError(
                422,
                "bad_content_range",
                _("Tổng dung lượng trong Content-Range ({total}) khác dung lượng đã khai ({size}).").format(
                    total=span.total, size=row["size"]
                ),
            )
        if len(data) != span.length:
            raise ApiError(
                422,
                "bad_content_range",
                _("Nội dung dài {length} byte nhưng Content-Range khai {expected} byte.").format(
                    length=len(data), expected=span.length
                ),
            )
        received = row["received"]
        path = self.files_dir / row["storage"]
        overlap = min(span.end + 1, received) - span.start
        if span.start > received or (overlap > 0 and _read_at(path, span.start, overlap) != data[:overlap]):
            raise ApiError(
                409,
                "offset_mismatch",
                _("Cổng đã nhận {received} byte của tệp; gửi tiếp từ vị trí đó.").format(received=received),
                received=received,
            )
        fresh = data[max(overlap, 0) :]
        if not fresh:
            return ChunkOutcome(_file_state(row))  # an identical re-send: nothing to do
        _write_at(path, received, fresh)
        received += len(fresh)
        complete, mismatch = False, False
        if received == row["size"]:
            # Chunks are not fsynced one by one (that halved the upload rate): the whole file is, before it
            # counts as complete. After a power cut, bytes the database counted but the disk lost make the
            # final hash differ, and the file is discarded and sent again; it is never accepted damaged.
            _fsync_file(path)
            if sha256_file(path) == row["sha256"]:
                complete = True
            else:
                _write_at(path, 0, b"")
                received, mismatch = 0, True
        conn.execute(
            "UPDATE portal_files SET received = ?, complete = ? WHERE id = ?",
            (received, int(complete), row["id"]),
        )
        self._touch(conn, dossier_id)
        return ChunkOutcome(_file_state(self._file_row(conn, dossier_id, name)), hash_mismatch=mismatch)

    def file_path(self, id_or_code: str, name: str) -> Path:
        conn = self.conn()
        return self.files_dir / self._file_row(conn, self._dossier_id(conn, id_or_code), name)["storage"]

    # --- finalize, supplement, advance, result ------------------------------------------------------------

    def finalize(self, id_or_code: str, check_file: Callable[[str, Path], None] | None) -> DossierView:
        """Close the uploads: issue the code and appointment (status 2), or after a supplement resume at 4.

        `check_file(name, path)` raises an ApiError for a file the portal refuses (an unsigned PDF); it runs
        before the write transaction, on files that can no longer change (complete and hash-checked).
        """
        current = self.view(id_or_code)
        if not current.open_for_upload:
            return current
        _require_complete(current)
        working_days = self.procedure_days(
            current.procedure_code, datetime.fromisoformat(current.received_at)
        )
        if check_file is not None:
            for file in current.files:
                check_file(file.name, self.file_path(current.id, file.name))
        signed = check_file is not None
        return self.write(lambda conn: self._finalize(conn, current.id, working_days, signed))  # type: ignore[return-value]

    def _finalize(
        self, conn: sqlite3.Connection, dossier_id: str, working_days: int, signed: bool = False
    ) -> DossierView:
        view = self._view(conn, dossier_id)
        if not view.open_for_upload:
            return view  # finalized meanwhile by a concurrent request
        _require_complete(view)
        now = now_vietnam()
        if view.status is Status.supplement_requested:
            conn.execute(
                "UPDATE portal_dossiers SET open_for_upload = 0, status = ?, updated_at = ? WHERE id = ?",
                (int(Status.processing), now, dossier_id),
            )
            self._append_history(conn, dossier_id, Status.processing, NOTE_SUPPLEMENTED, now)
            return self._view(conn, dossier_id)
        received = datetime.fromisoformat(view.received_at)
        agency = conn.execute(
            "SELECT agency_code FROM portal_dossiers WHERE id = ?", (dossier_id,)
        ).fetchone()[0]
        code = _issue_code(conn, agency, received)
        appointment = self.calendar.schedule(received, working_days).due.isoformat()
        conn.execute(
            """UPDATE portal_dossiers SET open_for_upload = 0, status = ?, code = ?, appointment = ?,
               updated_at = ?, signed = ? WHERE id = ?""",
            (int(Status.accepted), code.text, appointment, now, int(signed), dossier_id),
        )
        self._append_history(conn, dossier_id, Status.accepted, NOTE_ACCEPTED, now)
        return self._view(conn, dossier_id)

    def supplement(self, id_or_code: str, request: SupplementRequest) -> DossierView:
        """Record the citizen's supplement (status 5 only): new files are added, same names replaced."""
        return self.write(lambda conn: self._supplement(conn, id_or_code, request))  # type: ignore[return-value]

    def _supplement(
        self, conn: sqlite3.Connection, id_or_code: str, request: SupplementRequest
    ) -> DossierView:
        dossier_id = self._dossier_id(conn, id_or_code)
        view = self._view(conn, dossier_id)
        if view.status is not Status.supplement_requested:
            raise ApiError(
                409,
                "invalid_state",
                _("Chỉ nộp bổ sung được khi hồ sơ đang ở trạng thái 5 (Yêu cầu bổ sung giấy tờ)."),
            )
        existing = {f.name for f in view.files}
        replaced = [f for f in request.files if f.name in existing]
        for spec in replaced:
            row = self._file_row(conn, dossier_id, spec.name)
            _write_at(self.files_dir / row["storage"], 0, b"")
            conn.execute(
                """UPDATE portal_files SET component_code = ?, component_name = ?, size = ?, sha256 = ?,
                   digitised = ?, reused = ?, received = 0, complete = 0 WHERE id = ?""",
                (
                    spec.component_code,
                    spec.component_name,
                    spec.size,
                    spec.sha256,
                    int(spec.digitised),
                    int(spec.reused),
                    row["id"],
                ),
            )
        self._add_files(conn, dossier_id, tuple(f for f in request.files if f.name not in existing))
        now = now_vietnam()
        conn.execute(
            "UPDATE portal_dossiers SET open_for_upload = 1, updated_at = ? WHERE id = ?", (now, dossier_id)
        )
        note = NOTE_SUPPLEMENT_RECEIVED + (f": {request.note}" if request.note else "")
        self._append_history(conn, dossier_id, Status.supplement_requested, note, now)
        return self._view(conn, dossier_id)

    def advance(self, id_or_code: str, target: Status, note: str) -> DossierView:
        """The sandbox's officer at the resolving agency moves the dossier on; 9 also issues the result."""
        return self.write(lambda conn: self._advance(conn, id_or_code, target, note))  # type: ignore[return-value]

    def _advance(self, conn: sqlite3.Connection, id_or_code: str, target: Status, note: str) -> DossierView:
        dossier_id = self._dossier_id(conn, id_or_code)
        view = self._view(conn, dossier_id)
        allowed = ALLOWED_ADVANCES.get(view.status, frozenset())
        if view.open_for_upload or target not in allowed:
            raise ApiError(
                409,
                "invalid_transition",
                _("Không chuyển được hồ sơ từ trạng thái {source} sang {target}.").format(
                    source=int(view.status), target=int(target)
                ),
            )
        now = now_vietnam()
        conn.execute(
            "UPDATE portal_dossiers SET status = ?, updated_at = ? WHERE id = ?",
            (int(target), now, dossier_id),
        )
        self._append_history(conn, dossier_id, target, note or target.label, now)
        if target is Status.resolved:
            self._issue_result(conn, view)
        return self._view(conn, dossier_id)

    def _issue_result(self, conn: sqlite3.Connection, view: DossierView) -> None:
        from dossier.submit.portal.result_pdf import result_pdf

        data = result_pdf(view.code or view.id, view.procedure_code)
        storage = f"{uuid.uuid4().hex}.pdf"
        atomic_write_bytes(self.results_dir / storage, data)
        conn.execute(
            "INSERT INTO portal_results (dossier_id, name, sha256, storage) VALUES (?, ?, ?, ?)",
            (view.id, "ket-qua.pdf", hashlib.sha256(data).hexdigest(), storage),
        )

    def result(self, id_or_code: str) -> tuple[DossierView, tuple[ResultDocument, ...]]:
        conn = self.conn()
        view = self._view(conn, self._dossier_id(conn, id_or_code))
        if view.status not in RESULT_STATUSES:
            raise ApiError(404, "no_result", _("Hồ sơ chưa có kết quả giải quyết."))
        rows = conn.execute(
            "SELECT name, sha256, storage FROM portal_results WHERE dossier_id = ? ORDER BY name", (view.id,)
        ).fetchall()
        return view, tuple(ResultDocument(r["name"], r["sha256"], r["storage"]) for r in rows)

    def result_path(self, id_or_code: str, name: str) -> Path:
        _view, documents = self.result(id_or_code)
        for document in documents:
            if document.name == name:
                return self.results_dir / document.storage
        raise ApiError(404, "unknown_file", _("Không có tệp {name} trong kết quả.").format(name=name[:130]))

    # --- access tokens ------------------------------------------------------------------------------------

    def save_token(self, token_sha256: str, client_id: str, expires_at: float) -> None:
        def save(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM portal_access_tokens WHERE expires_at < ?", (expires_at - 86400 * 30,))
            conn.execute(
                "INSERT INTO portal_access_tokens (token_sha256, client_id, expires_at) VALUES (?, ?, ?)",
                (token_sha256, client_id, expires_at),
            )

        self.write(save)

    def token_expiry(self, token_sha256: str) -> float | None:
        row = (
            self.conn()
            .execute("SELECT expires_at FROM portal_access_tokens WHERE token_sha256 = ?", (token_sha256,))
            .fetchone()
        )
        return None if row is None else float(row[0])

    # --- helpers ------------------------------------------------------------------------------------------

    def _dossier_id(self, conn: sqlite3.Connection, id_or_code: str) -> str:
        row = conn.execute(
            "SELECT id FROM portal_dossiers WHERE id = ? OR code = ?", (id_or_code, id_or_code)
        ).fetchone()
        if row is None:
            raise unknown_dossier(id_or_code)
        return str(row["id"])

    def _file_row(self, conn: sqlite3.Connection, dossier_id: str, name: str) -> sqlite3.Row:
        row = conn.execute(
            "SELECT * FROM portal_files WHERE dossier_id = ? AND name = ?", (dossier_id, name)
        ).fetchone()
        if row is None:
            raise ApiError(404, "unknown_file", _("Hồ sơ không có tệp {name}.").format(name=name[:130]))
        return row

    def _open_for_upload(self, conn: sqlite3.Connection, dossier_id: str) -> bool:
        row = conn.execute(
            "SELECT open_for_upload FROM portal_dossiers WHERE id = ?", (dossier_id,)
        ).fetchone()
        return bool(row[0])

    def _add_files(self, conn: sqlite3.Connection, dossier_id: str, files: tuple[FileSpec, ...]) -> None:
        start = conn.execute(
            "SELECT COALESCE(MAX(position), 0) FROM portal_files WHERE dossier_id = ?", (dossier_id,)
        ).fetchone()[0]
        for position, spec in enumerate(files, start=start + 1):
            conn.execute(
                """INSERT INTO portal_files (dossier_id, position, name, component_code, component_name, size,
                   sha256, digitised, reused, storage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    dossier_id,
                    position,
                    spec.name,
                    spec.component_code,
                    spec.component_name,
                    spec.size,
                    spec.sha256,
                    int(spec.digitised),
                    int(spec.reused),
                    f"{uuid.uuid4().hex}.part",
                ),
            )

    def _append_history(
        self, conn: sqlite3.Connection, dossier_id: str, status: Status, note: str, at: str
    ) -> None:
        conn.execute(
            "INSERT INTO portal_history (dossier_id, status, at, note) VALUES (?, ?, ?, ?)",
            (dossier_id, int(status), at, note),
        )

    def _touch(self, conn: sqlite3.Connection, dossier_id: str) -> None:
        conn.execute("UPDATE portal_dossiers SET updated_at = ? WHERE id = ?", (now_vietnam(), dossier_id))

    def _view(self, conn: sqlite3.Connection, dossier_id: str) -> DossierView:
        row = conn.execute("SELECT * FROM portal_dossiers WHERE id = ?", (dossier_id,)).fetchone()
        files = conn.execute(
            "SELECT * FROM portal_files WHERE dossier_id = ? ORDER BY position", (dossier_id,)
        ).fetchall()
        history = conn.execute(
            "SELECT status, at, note FROM portal_history WHERE dossier_id = ? ORDER BY id", (dossier_id,)
        ).fetchall()
        apology = conn.execute(
            "SELECT * FROM portal_apologies WHERE dossier_id = ?", (dossier_id,)
        ).fetchone()
        return view_from_rows(row, files, history, apology)


_STATUSES = {int(status): status for status in Status}


def view_from_rows(
    row: sqlite3.Row,
    files: list[sqlite3.Row],
    history: list[sqlite3.Row],
    apology: sqlite3.Row | None,
) -> DossierView:
    """One dossier's view from its rows (one dossier at a time, or a whole page read in four queries)."""
    return DossierView(
        id=row["id"],
        idempotency_key=row["idempotency_key"],
        code=row["code"],
        status=Status(row["status"]),
        procedure_code=row["procedure_code"],
        received_at=row["received_at"],
        appointment=row["appointment"],
        files=tuple(_file_state(f) for f in files),
        history=tuple(HistoryEntry(_STATUSES[h["status"]], h["at"], h["note"]) for h in history),
        open_for_upload=bool(row["open_for_upload"]),
        updated_at=row["updated_at"],
        agency_code=row["agency_code"],
        officer=row["officer_account"],
        channel=row["channel"],
        procedure_name=row["procedure_name"],
        digitised=any(bool(f["digitised"]) for f in files),
        signed=bool(row["signed"]),
        apology=None
        if apology is None
        else ApologyRecord(
            apology["at"],
            apology["reason"],
            apology["old_appointment"],
            apology["new_appointment"],
            apology["account"],
        ),
    )


def _last_change(view: DossierView) -> datetime:
    return datetime.fromisoformat(view.updated_at)


def _require_complete(view: DossierView) -> None:
    missing = [f.name for f in view.files if not f.complete]
    if missing:
        raise ApiError(
            409,
            "files_incomplete",
            _("Chưa nhận đủ tệp: {names}.").format(names=", ".join(missing)),
            missing=missing,
        )


def _issue_code(conn: sqlite3.Connection, agency: str, received: datetime) -> DossierCode:
    """The next code of `agency` for the reception day, inside the caller's write transaction: the code
    commits together with the dossier's new status, or not at all."""
    try:
        return issue_code_in_transaction(conn, agency, received)
    except SequenceExhaustedError as error:
        raise ApiError(503, "sequence_exhausted", error.message) from error


def _file_state(row: sqlite3.Row) -> FileState:
    return FileState(
        name=row["name"],
        component_code=row["component_code"],
        size=row["size"],
        sha256=row["sha256"],
        received=row["received"],
        complete=bool(row["complete"]),
    )


def _read_at(path: Path, offset: int, length: int) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return b""
    try:
        return os.pread(fd, length, offset)
    finally:
        os.close(fd)


def _write_at(path: Path, offset: int, data: bytes) -> None:
    """Write `data` at `offset` and cut the file there: the file always ends at what was received."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        view = memoryview(data)
        position = offset
        while view:
            written = os.pwrite(fd, view, position)
            view, position = view[written:], position + written
        os.ftruncate(fd, position)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
