"""The batch journal: SQLite in DEST, keyed by source path + SHA-256, one row per dossier and finished page.

Every finished page is committed as it arrives, so a killed batch never redoes it; a dossier is marked done
only after its output folder is in place. One batch at a time holds DEST's lock.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dossier.digitize.pages import PageOutcome
from dossier.errors import OutputError
from dossier.fsutil import FILE_MODE, LockBusyError, exclusive_lock
from dossier.i18n import _

JOURNAL_NAME = "batch-journal.sqlite"
LOCK_NAME = ".batch.lock"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dossiers (
    source TEXT PRIMARY KEY, sha256 TEXT NOT NULL, state TEXT NOT NULL, output TEXT NOT NULL,
    pages INTEGER NOT NULL DEFAULT 0, verdict TEXT, reason TEXT, failed_sources INTEGER NOT NULL DEFAULT 0,
    processed INTEGER NOT NULL DEFAULT 0, seconds REAL NOT NULL DEFAULT 0, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS pages (
    source TEXT NOT NULL, sha256 TEXT NOT NULL, idx INTEGER NOT NULL, outcome BLOB NOT NULL,
    PRIMARY KEY (source, sha256, idx));
"""


@dataclass(frozen=True)
class DossierRecord:
    source: str
    sha256: str
    state: str  # pending, done, failed
    output: str
    pages: int
    verdict: str | None
    reason: str | None
    failed_sources: int
    seconds: float


def journal_source(dest: Path) -> str | None:
    """The SRC recorded in DEST's journal, if DEST has one (read-only: --dry-run writes nothing)."""
    path = dest / JOURNAL_NAME
    if not path.is_file():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'src'").fetchone()
    except sqlite3.OperationalError:  # another batch is creating it right now: checked again under the lock
        return None
    return row[0] if row else None


def finished_page_count(dest: Path) -> int:
    """Pages DEST's journal holds as done (pages of unfinished dossiers plus those of finished ones), read
    without a lock while a batch runs; 0 when there is no journal yet or it is being created."""
    path = dest / JOURNAL_NAME
    if not path.is_file():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as db:
            pages = db.execute("SELECT count(*) FROM pages").fetchone()[0]
            done = db.execute("SELECT coalesce(sum(processed), 0) FROM dossiers WHERE state = 'done'")
            return int(pages) + int(done.fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def check_foreign(dest: Path, src: Path) -> None:
    recorded = journal_source(dest)
    if recorded is not None and recorded != str(src):
        raise OutputError(
            _("Thư mục đầu ra đã có nhật ký của một lô khác, từ nguồn {other}.").format(other=recorded),
            path=dest / JOURNAL_NAME,
            hint=_("Chọn thư mục đầu ra khác, hoặc chạy lại với đúng nguồn đó."),
        )


@contextlib.contextmanager
def batch_lock(dest: Path) -> Iterator[None]:
    """One batch per DEST: a second one started on the same DEST refuses at once (an OS lock, filelock)."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(exclusive_lock(dest / LOCK_NAME, wait=False))
        except LockBusyError as exc:
            raise OutputError(
                _("Một lô khác đang chạy trên thư mục đầu ra này; đợi nó xong rồi chạy lại."), path=dest
            ) from exc
        yield


class Journal:
    def __init__(self, dest: Path, src: Path, read_only: bool = False) -> None:
        path = dest / JOURNAL_NAME
        if read_only:  # --dry-run: look, write nothing
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
            return
        fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        os.close(fd)
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        with self.db:
            self.db.executescript(SCHEMA)
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('src', ?)", (str(src),))
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(f"{path}{suffix}").chmod(FILE_MODE)

    @staticmethod
    def exists(dest: Path) -> bool:
        return (dest / JOURNAL_NAME).is_file()

    def close(self) -> None:
        self.db.close()

    def dossier(self, source: str) -> DossierRecord | None:
        row = self.db.execute(
            "SELECT source, sha256, state, output, pages, verdict, reason, failed_sources, seconds"
            " FROM dossiers WHERE source = ?",
            (source,),
        ).fetchone()
        return DossierRecord(*row) if row else None

    def start(self, source: str, sha256: str, output: str) -> None:
        """A dossier (re)started: pages kept only for the same bytes (a changed source starts afresh)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("DELETE FROM pages WHERE source = ? AND sha256 != ?", (source, sha256))
            self.db.execute(
                "INSERT INTO dossiers (source, sha256, state, output, updated) VALUES (?, ?, 'pending', ?, ?)"
                " ON CONFLICT(source) DO UPDATE SET sha256 = excluded.sha256, state = 'pending',"
                " output = excluded.output, reason = NULL, updated = excluded.updated",
                (source, sha256, output, time.time()),
            )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def finished_pages(self, source: str, sha256: str) -> set[int]:
        rows = self.db.execute("SELECT idx FROM pages WHERE source = ? AND sha256 = ?", (source, sha256))
        return {r[0] for r in rows}

    def add_page(self, source: str, sha256: str, outcome: PageOutcome) -> None:
        blob = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        self.db.execute(
            "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?)", (source, sha256, outcome.job.page.index, blob)
        )

    def page_outcomes(self, source: str, sha256: str) -> Iterator[PageOutcome]:
        rows = self.db.execute(
            "SELECT outcome FROM pages WHERE source = ? AND sha256 = ? ORDER BY idx", (source, sha256)
        )
        for (blob,) in rows:
            yield pickle.loads(blob)  # our own 0600 journal, written by this code

    def finish(
        self,
        source: str,
        *,
        state: str,
        pages: int = 0,
        verdict: str | None = None,
        reason: str | None = None,
        failed_sources: int = 0,
        processed: int = 0,
        seconds: float = 0.0,
    ) -> None:
        """Done: the page rows are dropped (the output folder holds them now). Failed: kept for the rerun."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute(
                "UPDATE dossiers SET state = ?, pages = ?, verdict = ?, reason = ?, failed_sources = ?,"
                " processed = ?, seconds = ?, updated = ? WHERE source = ?",
                (state, pages, verdict, reason, failed_sources, processed, seconds, time.time(), source),
            )
            if state == "done":
                self.db.execute("DELETE FROM pages WHERE source = ?", (source,))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
