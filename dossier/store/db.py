"""Open the local SQLite database (private modes, WAL) and bring its schema up to date by named migrations."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from dossier.errors import OutputError
from dossier.fsutil import FILE_MODE, make_private_dir
from dossier.home import dossier_home
from dossier.i18n import _

DB_NAME = "dossier.sqlite3"
T = TypeVar("T")

BUSY_TIMEOUT_MS = 15_000  # a desk waits this long for another desk's transaction before giving up


def database_path(home: Path | None = None) -> Path:
    return (home if home is not None else dossier_home()) / DB_NAME


@dataclass(frozen=True)
class Migration:
    """One named schema step; its statements run in a single transaction, exactly once per database."""

    name: str
    statements: tuple[str, ...]
    run: Callable[[sqlite3.Connection], object] | None = None  # a data step after the statements


M001_CODES = Migration(
    "m001_codes",
    (
        # One row per agency and reception day: the last sequence handed out that day.
        """CREATE TABLE code_counters (
            agency TEXT NOT NULL,
            day TEXT NOT NULL,
            last_sequence INTEGER NOT NULL CHECK (last_sequence BETWEEN 1 AND 9999),
            PRIMARY KEY (agency, day)
        )""",
        # Every code ever issued: the UNIQUE constraints are the last guard against a duplicate.
        """CREATE TABLE dossier_codes (
            code TEXT PRIMARY KEY,
            agency TEXT NOT NULL,
            day TEXT NOT NULL,
            sequence INTEGER NOT NULL CHECK (sequence BETWEEN 1 AND 9999),
            received_at TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            UNIQUE (agency, day, sequence),
            FOREIGN KEY (agency, day) REFERENCES code_counters (agency, day)
        )""",
    ),
)

M002_REGISTRY = Migration(
    "m002_registry",
    (
        # One row per dossier folder; the citizen's ID number lives only here (file 0600), never in logs.
        """CREATE TABLE dossiers (
            id TEXT PRIMARY KEY,
            folder TEXT NOT NULL UNIQUE,
            procedure_code TEXT,
            citizen_id TEXT,
            state TEXT NOT NULL,
            portal_code TEXT,
            portal_status INTEGER,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE dossier_files (
            dossier_id TEXT NOT NULL REFERENCES dossiers (id),
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            component_code TEXT,
            PRIMARY KEY (dossier_id, path)
        )""",
        # The append-only event log: each row carries the hash of the previous one.
        """CREATE TABLE events (
            seq INTEGER PRIMARY KEY,
            dossier_id TEXT,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            state TEXT,
            details TEXT NOT NULL,
            at TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )""",
        # The chain's head, updated in the same transaction as each append: catches a cut-off tail.
        """CREATE TABLE event_head (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            count INTEGER NOT NULL,
            last_seq INTEGER NOT NULL,
            hash TEXT NOT NULL
        )""",
    ),
)

M003_OUTBOX = Migration(
    "m003_outbox",
    (
        # One submission waiting for (or delivered to) the portal; its idempotency key is set before sending.
        """CREATE TABLE outbox (
            id TEXT PRIMARY KEY,
            dossier_id TEXT NOT NULL REFERENCES dossiers (id),
            idempotency_key TEXT NOT NULL UNIQUE,
            portal_url TEXT NOT NULL,
            folder TEXT NOT NULL,
            state TEXT NOT NULL,
            state_before TEXT NOT NULL,
            portal_id TEXT,
            portal_code TEXT,
            appointment TEXT,
            status_url TEXT,
            portal_status INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            next_attempt_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX outbox_by_state ON outbox (state)",
        """CREATE TABLE outbox_files (
            outbox_id TEXT NOT NULL REFERENCES outbox (id),
            name TEXT NOT NULL,
            component_code TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            complete INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (outbox_id, name)
        )""",
    ),
)

M004_EVENT_ORIGIN = Migration(
    "m004_event_origin",
    (
        # The hash of the event that produced each state row (`dossier log verify` checks rows against it).
        "ALTER TABLE dossiers ADD COLUMN event_hash TEXT",
        "ALTER TABLE outbox ADD COLUMN event_hash TEXT",
        """UPDATE dossiers SET event_hash = (SELECT e.hash FROM events e WHERE e.dossier_id = dossiers.id
           AND e.state = dossiers.state ORDER BY e.seq DESC LIMIT 1)""",
        """UPDATE outbox SET event_hash = (SELECT e.hash FROM events e WHERE e.dossier_id = outbox.dossier_id
           ORDER BY e.seq DESC LIMIT 1)""",
    ),
)


def _protect_at_rest(conn: sqlite3.Connection) -> object:
    from dossier.store.atrest import protect_at_rest

    return protect_at_rest(conn)


M005_CITIZEN_ID_AT_REST = Migration(
    "m005_citizen_id_at_rest",
    # dossiers.citizen_id becomes a keyed hash (lookups only); the masked form is what officers see
    ("ALTER TABLE dossiers ADD COLUMN citizen_id_masked TEXT",),
    run=_protect_at_rest,
)

# Append new steps at the end; never edit or reorder an applied one.
MIGRATIONS: tuple[Migration, ...] = (
    M001_CODES,
    M002_REGISTRY,
    M003_OUTBOX,
    M004_EVENT_ORIGIN,
    M005_CITIZEN_ID_AT_REST,
)


def open_db(path: Path | None = None, migrations: tuple[Migration, ...] = MIGRATIONS) -> sqlite3.Connection:
    """Open (creating if needed) the database at `path` (default `$DOSSIER_HOME/dossier.sqlite3`), migrated.

    The connection is in autocommit mode (`isolation_level=None`): callers write inside explicit
    `BEGIN IMMEDIATE ... COMMIT` blocks, which is what makes read-then-write steps safe between processes.
    Close it with `contextlib.closing` or `.close()`.
    """
    path = path if path is not None else database_path()
    _create_private_file(path)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as error:
        raise OutputError(_("Không mở được cơ sở dữ liệu: {reason}").format(reason=error), path) from error
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _enable_wal(conn)
        conn.execute("PRAGMA synchronous = FULL")  # an issued code must survive a power cut
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, migrations)
    except BaseException:
        conn.close()
        raise
    return conn


def _create_private_file(path: Path) -> None:
    """Create the database file 0600 ourselves, so SQLite never creates it with the umask's mode."""
    make_private_dir(path.parent)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    except OSError as error:
        message = _("Không tạo được tệp cơ sở dữ liệu: {reason}").format(reason=error)
        raise OutputError(message, path) from error
    os.close(fd)


def _enable_wal(conn: sqlite3.Connection) -> None:
    # Switching a fresh file to WAL takes an exclusive lock and does not always wait on the busy
    # handler, so desks opening a brand-new database at the same moment retry briefly.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
            continue
        if str(mode).lower() != "wal":
            raise OutputError(_("Cơ sở dữ liệu không bật được chế độ WAL (ổ mạng?)."))
        return


def migrate(conn: sqlite3.Connection, migrations: tuple[Migration, ...] = MIGRATIONS) -> tuple[str, ...]:
    """Apply, in order, each migration not yet recorded; returns the names applied by this call."""
    _check_order(migrations)
    conn.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    already = set(applied_migrations(conn))  # the usual case, all applied, takes no write lock
    applied: list[str] = []
    for migration in migrations:
        if migration.name not in already and _run_once(conn, migration):
            applied.append(migration.name)
    return tuple(applied)


def applied_migrations(conn: sqlite3.Connection) -> tuple[str, ...]:
    rows = conn.execute("SELECT name FROM migrations ORDER BY name").fetchall()
    return tuple(row[0] for row in rows)


def _check_order(migrations: tuple[Migration, ...]) -> None:
    names = [m.name for m in migrations]
    if names != sorted(set(names)):
        raise ValueError(f"migrations must have unique names in sorted order: {names}")


def _run_once(conn: sqlite3.Connection, migration: Migration) -> bool:
    # The check sits inside the write transaction: of two processes migrating the same new file,
    # the second one waits, then sees the row and skips.
    return in_write_transaction(conn, lambda: _apply_if_new(conn, migration))


def _apply_if_new(conn: sqlite3.Connection, migration: Migration) -> bool:
    done = conn.execute("SELECT 1 FROM migrations WHERE name = ?", (migration.name,)).fetchone()
    if done:
        return False
    for statement in migration.statements:
        conn.execute(statement)
    if migration.run is not None:
        migration.run(conn)
    conn.execute(
        "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
        (migration.name, datetime.now(UTC).isoformat(timespec="seconds")),
    )
    return True


def in_write_transaction(conn: sqlite3.Connection, work: Callable[[], T]) -> T:
    """Run `work` inside `BEGIN IMMEDIATE ... COMMIT` (rolled back if it raises); returns its result.

    IMMEDIATE takes the write lock up front, so a read followed by a write cannot interleave with another
    process doing the same: the second one waits (busy_timeout) until the first commits.
    """
    if conn.in_transaction:
        raise RuntimeError("in_write_transaction needs a connection that is not already in a transaction")
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work()
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result
