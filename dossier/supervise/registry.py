"""The desk registry as a source: its supervision tables (dossiers, their status history, apologies).

The tables sit in the workspace's `dossier.sqlite3` next to the registry and the event log, under their own
migration (`s001_supervision`). A database that has migrations this version does not know comes from a newer
`dossier`: it is refused before anything is written to it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import closing
from datetime import datetime
from pathlib import Path

from dossier.errors import DossierError, ExitCode, InputFileError
from dossier.i18n import _
from dossier.store.db import DB_NAME, MIGRATIONS, Migration, in_write_transaction, open_db
from dossier.store.eventlog import append_event
from dossier.supervise.model import Apology, Dossier, StatusChange, moment_parser

S001_SUPERVISION = Migration(
    "s001_supervision",
    (
        """CREATE TABLE supervision_dossiers (
            code TEXT PRIMARY KEY,
            procedure_code TEXT NOT NULL,
            procedure_name TEXT NOT NULL,
            unit TEXT NOT NULL,
            officer TEXT NOT NULL,
            channel INTEGER NOT NULL,
            received_at TEXT NOT NULL,
            appointment TEXT,
            digitised INTEGER NOT NULL,
            signed INTEGER NOT NULL
        )""",
        """CREATE TABLE supervision_history (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL REFERENCES supervision_dossiers (code),
            status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10),
            at TEXT NOT NULL,
            note TEXT NOT NULL
        )""",
        "CREATE INDEX supervision_history_code ON supervision_history (code, id)",
        # The primary key is the once-only rule: a second apology for the same code cannot be inserted.
        """CREATE TABLE supervision_apologies (
            code TEXT PRIMARY KEY REFERENCES supervision_dossiers (code),
            at TEXT NOT NULL,
            reason TEXT NOT NULL,
            new_appointment TEXT NOT NULL,
            actor TEXT NOT NULL
        )""",
    ),
)
SUPERVISION_MIGRATIONS: tuple[Migration, ...] = (*MIGRATIONS, S001_SUPERVISION)


class AlreadyApologizedError(DossierError):
    """The dossier already has its one apology (the message names it)."""

    exit_code = ExitCode.refused_by_rule


def already_apologized(code: str, at: datetime, new_appointment: datetime) -> AlreadyApologizedError:
    return AlreadyApologizedError(
        _(
            "Hồ sơ {code} đã có văn bản xin lỗi lập lúc {at}, hẹn lại {new}: mỗi hồ sơ chỉ được xin lỗi "
            "và hẹn lại một lần."
        ).format(code=code, at=at.isoformat(timespec="minutes"), new=at_text(new_appointment))
    )


def at_text(moment: datetime) -> str:
    return f"{moment:%H:%M %d/%m/%Y}"


def open_registry(root: Path, create: bool = False) -> sqlite3.Connection:
    """The workspace database with the supervision tables; refused if missing (unless `create`) or newer."""
    path = root / DB_NAME
    if path.exists():
        check_version(path)
    elif not create:
        raise InputFileError(_("Không có sổ đăng ký hồ sơ (dossier.sqlite3) trong thư mục này."), path=root)
    return open_db(path, SUPERVISION_MIGRATIONS)


def check_version(path: Path) -> None:
    """Refuse a database written by a newer `dossier` (migrations we do not know), reading it only."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            table = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'"
            ).fetchone()
            names = [r[0] for r in conn.execute("SELECT name FROM migrations")] if table else []
    except sqlite3.Error as error:
        raise InputFileError(
            _("Không đọc được sổ đăng ký: {reason}").format(reason=error), path=path
        ) from error
    known = {m.name for m in SUPERVISION_MIGRATIONS}
    newer = sorted(set(names) - known)
    if newer:
        raise InputFileError(
            _(
                "Sổ đăng ký do phiên bản dossier mới hơn tạo (bước cấu trúc lạ: {names}); "
                "không đọc để tránh hỏng."
            ).format(names=", ".join(newer)),
            path=path,
            hint=_("Cập nhật dossier lên phiên bản mới hơn."),
        )


def read_dossiers(conn: sqlite3.Connection) -> tuple[Dossier, ...]:
    """Every dossier with its history (without the notes: no report or list shows them)."""
    moment = moment_parser()
    history: dict[str, list[StatusChange]] = {}
    for code, status, at in conn.execute(
        "SELECT code, status, at FROM supervision_history ORDER BY code, at, id"
    ):
        changes = history.get(code)
        if changes is None:
            changes = history[code] = []
        changes.append(StatusChange(status, moment(at)))
    apologies = {
        code: Apology(moment(at), reason, moment(new))
        for code, at, reason, new in conn.execute(
            "SELECT code, at, reason, new_appointment FROM supervision_apologies"
        )
    }
    rows = conn.execute(
        """SELECT code, procedure_code, procedure_name, unit, officer, channel, received_at, appointment,
           digitised, signed FROM supervision_dossiers ORDER BY received_at, code"""
    )
    return tuple(
        Dossier(
            code=row[0],
            procedure_code=row[1],
            procedure_name=row[2],
            unit=row[3],
            officer=row[4],
            channel=row[5],
            received_at=moment(row[6]),
            appointment=moment(row[7]) if row[7] else None,
            digitised=bool(row[8]),
            signed=bool(row[9]),
            history=tuple(history.get(row[0], ())),  # in time order by the query
            apology=apologies.get(row[0]),
        )
        for row in rows
    )


def write_dossiers(conn: sqlite3.Connection, dossiers: Iterable[Dossier]) -> int:
    """Insert dossiers with their history and apology in one transaction (demo data, imports)."""

    def work() -> int:
        count = 0
        for d in dossiers:
            conn.execute(
                "INSERT INTO supervision_dossiers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    d.code,
                    d.procedure_code,
                    d.procedure_name,
                    d.unit,
                    d.officer,
                    d.channel,
                    d.received_at.isoformat(),
                    d.appointment.isoformat() if d.appointment else None,
                    int(d.digitised),
                    int(d.signed),
                ),
            )
            conn.executemany(
                "INSERT INTO supervision_history (code, status, at, note) VALUES (?, ?, ?, ?)",
                [(d.code, c.status, c.at.isoformat(), c.note) for c in d.history],
            )
            if d.apology is not None:
                conn.execute(
                    "INSERT INTO supervision_apologies VALUES (?, ?, ?, ?, ?)",
                    (
                        d.code,
                        d.apology.at.isoformat(),
                        d.apology.reason,
                        d.apology.new_appointment.isoformat(),
                        d.officer,
                    ),
                )
            count += 1
        return count

    return in_write_transaction(conn, work)


def record_apology(
    conn: sqlite3.Connection,
    dossier: Dossier,
    apology: Apology,
    actor: str,
    in_registry: bool,
    status_note: str,
) -> None:
    """The apology's event (and, for a registry dossier, its row and history entry) in one transaction.

    Two processes apologising for the same dossier at once: the write lock orders them, and the second
    finds the first one's row (or event) and is refused, naming it.
    """

    def work() -> None:
        earlier = _earlier(conn, dossier.code)
        if earlier is not None:
            raise already_apologized(dossier.code, *earlier)
        if in_registry:
            conn.execute(
                "INSERT INTO supervision_apologies VALUES (?, ?, ?, ?, ?)",
                (
                    dossier.code,
                    apology.at.isoformat(),
                    apology.reason,
                    apology.new_appointment.isoformat(),
                    actor,
                ),
            )
            conn.execute(
                "INSERT INTO supervision_history (code, status, at, note) VALUES (?, ?, ?, ?)",
                (dossier.code, dossier.status, apology.at.isoformat(), status_note),
            )
        append_event(
            conn,
            "apology",
            actor=actor,
            details={
                "code": dossier.code,
                "old_appointment": dossier.appointment.isoformat() if dossier.appointment else None,
                "new_appointment": apology.new_appointment.isoformat(),
                "reason": apology.reason,
            },
        )

    in_write_transaction(conn, work)


def _earlier(conn: sqlite3.Connection, code: str) -> tuple[datetime, datetime] | None:
    row = conn.execute(
        "SELECT at, new_appointment FROM supervision_apologies WHERE code = ?", (code,)
    ).fetchone()
    if row is not None:
        return datetime.fromisoformat(row[0]), datetime.fromisoformat(row[1])
    import json

    for details, at in conn.execute("SELECT details, at FROM events WHERE action = 'apology' ORDER BY seq"):
        document = json.loads(details)
        if document.get("code") == code:
            return datetime.fromisoformat(at.replace("Z", "+00:00")), datetime.fromisoformat(
                document["new_appointment"]
            )
    return None
