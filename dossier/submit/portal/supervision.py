"""The portal side of supervision: the paged list, the one apology per dossier, and the sandbox's import.

Paging is by keyset (the row's insertion order), so a page costs the same at the first and the thousandth
dossier, and dossiers added while a client pages through never shift the pages it has not read yet.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime

from dossier.i18n import _
from dossier.profiles.deadlines import to_vietnam_time
from dossier.store.codes import SequenceExhaustedError, issue_code_in_transaction
from dossier.submit.portal.model import ApiError, ApologyRecord, DossierView, FileState, HistoryEntry, Status
from dossier.submit.portal.store import PortalStore, now_vietnam, unknown_dossier

MAX_PAGE = 5000
OPEN_STATUSES = frozenset(
    {Status.accepted, Status.processing, Status.supplement_requested, Status.payment_requested}
)
NOTE_APOLOGY = "Xin lỗi và hẹn lại ngày trả kết quả: {new}. Lý do chậm: {reason}"


@dataclass(frozen=True)
class ListQuery:
    after: int = 0  # the cursor: the last row number of the previous page
    limit: int | None = None  # None: everything (the contract's unpaged form)
    status: Status | None = None
    since: datetime | None = None
    agency: str | None = None


@dataclass(frozen=True)
class ImportedDossier:
    """A dossier with its whole past, for the sandbox's demo data (admin only)."""

    procedure_code: str
    procedure_name: str | None
    agency_code: str
    officer: str
    channel: int
    received_at: datetime
    history: tuple[tuple[Status, datetime, str], ...]
    digitised: bool
    signed: bool
    apology: tuple[datetime, str, datetime] | None  # at, reason, new appointment


_DOSSIER_COLUMNS = (
    "rowid, id, idempotency_key, code, status, procedure_code, received_at, appointment, open_for_upload, "
    "updated_at, agency_code, officer_account, channel, procedure_name, signed"
)


def list_page(store: PortalStore, query: ListQuery) -> tuple[list[DossierView], int | None]:
    """One page of dossiers in insertion order, and the cursor of the next page (None at the end).

    Rows are read as plain tuples (a name lookup in `sqlite3.Row` costs more than the rest of the work).
    """
    cursor = store.conn().cursor()
    cursor.row_factory = None
    sql = f"SELECT {_DOSSIER_COLUMNS} FROM portal_dossiers WHERE rowid > ?"
    params: list[object] = [query.after]
    if query.status is not None:
        sql += " AND status = ?"
        params.append(int(query.status))
    if query.agency is not None:
        sql += " AND agency_code = ?"
        params.append(query.agency)
    if query.since is not None:
        sql += " AND updated_at >= ?"
        params.append(to_vietnam_time(query.since).isoformat(timespec="seconds"))
    sql += " ORDER BY rowid"
    if query.limit is not None:
        sql += " LIMIT ?"
        params.append(query.limit + 1)
    rows = cursor.execute(sql, params).fetchall()
    more = query.limit is not None and len(rows) > query.limit
    rows = rows[: query.limit] if query.limit is not None else rows
    return _views(cursor, rows), (rows[-1][0] if more and rows else None)


def _views(cursor: sqlite3.Cursor, rows: list[tuple]) -> list[DossierView]:
    ids = [row[1] for row in rows]
    files: dict[str, list[FileState]] = {i: [] for i in ids}
    digitised: set[str] = set()
    history: dict[str, list[HistoryEntry]] = {i: [] for i in ids}
    apologies: dict[str, ApologyRecord] = {}
    statuses = {int(status): status for status in Status}
    for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for dossier_id, name, component, size, sha256, received, complete, is_digitised in cursor.execute(
            "SELECT dossier_id, name, component_code, size, sha256, received, complete, digitised"
            f" FROM portal_files WHERE dossier_id IN ({marks}) ORDER BY dossier_id, position",
            chunk,
        ):
            files[dossier_id].append(FileState(name, component, size, sha256, received, bool(complete)))
            if is_digitised:
                digitised.add(dossier_id)
        for dossier_id, status, at, note in cursor.execute(
            f"SELECT dossier_id, status, at, note FROM portal_history WHERE dossier_id IN ({marks})"
            " ORDER BY id",
            chunk,
        ):
            history[dossier_id].append(HistoryEntry(statuses[status], at, note))
        for dossier_id, at, reason, old, new, account in cursor.execute(
            "SELECT dossier_id, at, reason, old_appointment, new_appointment, account"
            f" FROM portal_apologies WHERE dossier_id IN ({marks})",
            chunk,
        ):
            apologies[dossier_id] = ApologyRecord(at, reason, old, new, account)
    return [
        DossierView(
            id=dossier_id,
            idempotency_key=key,
            code=code,
            status=statuses[status],
            procedure_code=procedure_code,
            received_at=received_at,
            appointment=appointment,
            files=tuple(files[dossier_id]),
            history=tuple(history[dossier_id]),
            open_for_upload=bool(open_for_upload),
            updated_at=updated_at,
            agency_code=agency,
            officer=officer,
            channel=channel,
            procedure_name=procedure_name,
            digitised=dossier_id in digitised,
            signed=bool(signed),
            apology=apologies.get(dossier_id),
        )
        for (
            _row,
            dossier_id,
            key,
            code,
            status,
            procedure_code,
            received_at,
            appointment,
            open_for_upload,
            updated_at,
            agency,
            officer,
            channel,
            procedure_name,
            signed,
        ) in rows
    ]


def agency_of(store: PortalStore, id_or_code: str) -> str:
    row = (
        store.conn()
        .execute("SELECT agency_code FROM portal_dossiers WHERE id = ? OR code = ?", (id_or_code, id_or_code))
        .fetchone()
    )
    if row is None:
        raise unknown_dossier(id_or_code)
    return str(row[0])


def apologize(
    store: PortalStore, id_or_code: str, reason: str, new_appointment: datetime, account: str
) -> DossierView:
    """Record the dossier's one apology and its new appointment (409 for a second one or an early one)."""
    new = to_vietnam_time(new_appointment)
    if not store.calendar.is_working_day(new.date()):
        raise ApiError(
            422,
            "bad_new_appointment",
            _("Ngày hẹn mới {day} không phải ngày làm việc.").format(day=new.date().isoformat()),
        )

    def work(conn: sqlite3.Connection) -> DossierView:
        view = store._view(conn, store._dossier_id(conn, id_or_code))
        if view.apology is not None:
            raise ApiError(
                409,
                "already_apologized",
                _(
                    "Hồ sơ {code} đã có văn bản xin lỗi ngày {at} (hẹn lại {new}); chỉ được hẹn lại một lần."
                ).format(code=view.code, at=view.apology.at, new=view.apology.new_appointment),
                earlier={"at": view.apology.at, "new_appointment": view.apology.new_appointment},
            )
        now = datetime.fromisoformat(now_vietnam())
        old = datetime.fromisoformat(view.appointment) if view.appointment else None
        if view.status not in OPEN_STATUSES or old is None or now <= old:
            raise ApiError(
                409,
                "not_overdue",
                _(
                    "Hồ sơ {code} chưa quá hạn (hẹn trả {old}, trạng thái {status}): không cần xin lỗi."
                ).format(code=view.code, old=view.appointment, status=int(view.status)),
            )
        if new <= old:
            raise ApiError(
                422,
                "bad_new_appointment",
                _("Ngày hẹn mới {new} phải sau ngày hẹn cũ {old}.").format(
                    new=new.isoformat(), old=view.appointment
                ),
            )
        conn.execute(
            """INSERT INTO portal_apologies
               (dossier_id, at, reason, old_appointment, new_appointment, account)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (view.id, now.isoformat(), reason, view.appointment, new.isoformat(), account),
        )
        note = NOTE_APOLOGY.format(new=new.isoformat(), reason=reason)
        conn.execute(
            "INSERT INTO portal_history (dossier_id, status, at, note) VALUES (?, ?, ?, ?)",
            (view.id, int(view.status), now.isoformat(), note),
        )
        conn.execute("UPDATE portal_dossiers SET updated_at = ? WHERE id = ?", (now.isoformat(), view.id))
        return store._view(conn, view.id)

    try:
        return store.write(work)  # type: ignore[return-value]
    except sqlite3.IntegrityError:  # another process won the race between our read and our insert
        return apologize(store, id_or_code, reason, new_appointment, account)


def import_dossiers(store: PortalStore, items: tuple[ImportedDossier, ...]) -> int:
    """Insert dossiers with their past (codes issued for their reception day), all or none."""
    prepared = [(item, store.procedure_days(item.procedure_code, item.received_at)) for item in items]

    def work(conn: sqlite3.Connection) -> int:
        for item, days in prepared:
            _import_one(store, conn, item, days)
        return len(prepared)

    return store.write(work)  # type: ignore[return-value]


def _import_one(store: PortalStore, conn: sqlite3.Connection, item: ImportedDossier, days: int) -> None:
    received = to_vietnam_time(item.received_at)
    try:
        code = issue_code_in_transaction(conn, item.agency_code, received)
    except SequenceExhaustedError as error:
        raise ApiError(503, "sequence_exhausted", error.message) from error
    appointment = store.calendar.schedule(received, days).due.isoformat()
    dossier_id = str(uuid.uuid4())
    status, last_at, _note = item.history[-1]
    conn.execute(
        """INSERT INTO portal_dossiers (id, idempotency_key, request_sha256, procedure_code, procedure_name,
           channel, received_at, summary, citizen_json, officer_account, agency_code, status, open_for_upload,
           code, appointment, created_at, updated_at, signed)
           VALUES (?, ?, '', ?, ?, ?, ?, NULL, '{}', ?, ?, ?, 0, ?, ?, ?, ?, ?)""",
        (
            dossier_id,
            f"import-{uuid.uuid4()}",
            item.procedure_code,
            item.procedure_name,
            item.channel,
            received.isoformat(),
            item.officer,
            item.agency_code,
            int(status),
            code.text,
            appointment,
            received.isoformat(timespec="seconds"),
            to_vietnam_time(last_at).isoformat(timespec="seconds"),
            int(item.signed),
        ),
    )
    conn.execute(
        """INSERT INTO portal_files (dossier_id, position, name, component_code, size, sha256, digitised,
           reused, received, complete, storage) VALUES (?, 1, 'TP01.pdf', 'TP01', 1, ?, ?, 0, 1, 1, ?)""",
        (dossier_id, "0" * 64, int(item.digitised), f"import-{uuid.uuid4().hex}"),
    )
    conn.executemany(
        "INSERT INTO portal_history (dossier_id, status, at, note) VALUES (?, ?, ?, ?)",
        [
            (dossier_id, int(s), to_vietnam_time(at).isoformat(timespec="seconds"), n)
            for s, at, n in item.history
        ],
    )
    if item.apology is not None:
        at, reason, new = item.apology
        conn.execute(
            """INSERT INTO portal_apologies
               (dossier_id, at, reason, old_appointment, new_appointment, account)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (
                dossier_id,
                to_vietnam_time(at).isoformat(timespec="seconds"),
                reason,
                appointment,
                to_vietnam_time(new).isoformat(timespec="seconds"),
                item.officer,
            ),
        )
