"""Checkpoints of the event log's head, kept outside the database, so a wiped or shortened log shows.

The hash chain (`eventlog`) proves the order and content of the events that are there; it cannot prove that
none were cut off the end, or that the table was not emptied or rebuilt, by someone holding the database file.
Trusted logs (Certificate Transparency's signed tree heads, X-Road's timestamped message log) anchor the head
elsewhere; we do the same:

- after every command that appended events, and on demand (`dossier log checkpoint`), the head (count, last
  seq, hash) is appended as one JSON line to `log-checkpoints.jsonl` beside the database (0600, opened
  append-only: a line is never rewritten);
- when a timestamp service is configured (`[log] tsa_url`, else `[signing] tsa_url`), every
  `[log] checkpoint_every` events (default 20) and on demand the line carries an RFC 3161 timestamp token over
  its statement: proof, signed by the TSA, that this head existed then;
- `dossier log verify` checks the chain against the latest checkpoint: fewer events than it recorded, or a
  different hash at its seq, is a wiped, shortened or rewritten log.

The checkpoint file should also be copied off the machine (a backup, a supervisor's mail): whoever can rewrite
both the database and this file can still forge history, but not the TSA's signed time on the old heads.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dossier.config import config_section
from dossier.i18n import _

log = logging.getLogger(__name__)

CHECKPOINT_NAME = "log-checkpoints.jsonl"
DEFAULT_EVERY = 20


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    count: int
    hash: str
    at: str
    tsa_url: str | None = None
    timestamp_token: str | None = None  # base64 DER of the RFC 3161 token (a CMS ContentInfo)

    @property
    def statement(self) -> bytes:
        """What the timestamp covers: the head, in a fixed form."""
        return f"dossier-log-head/1:{self.seq}:{self.count}:{self.hash}:{self.at}".encode()


@dataclass(frozen=True)
class CheckpointProblem:
    kind: str  # "wiped", "shortened", "rewritten", "timestamp"
    seq: int
    message: str


def checkpoint_path(conn: sqlite3.Connection) -> Path | None:
    """`log-checkpoints.jsonl` beside the database file (None for an in-memory database)."""
    row = conn.execute("PRAGMA database_list").fetchone()
    return Path(row[2]).with_name(CHECKPOINT_NAME) if row and row[2] else None


def _settings() -> tuple[int, str | None]:
    section = config_section("log")
    every = int(section.get("checkpoint_every", DEFAULT_EVERY))
    tsa = section.get("tsa_url") or config_section("signing").get("tsa_url")
    return max(every, 1), (str(tsa) if tsa else None)


def _timestamp(url: str, statement: bytes) -> str:
    from pyhanko.sign.timestamps import HTTPTimeStamper

    token = asyncio.run(
        HTTPTimeStamper(url, timeout=10).async_timestamp(hashlib.sha256(statement).digest(), "sha256")
    )
    return base64.b64encode(token.dump()).decode("ascii")


def read_checkpoints(path: Path | None) -> list[Checkpoint]:
    if path is None or not path.exists():
        return []
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            found.append(Checkpoint(**json.loads(line)))
    return found


def _append(path: Path, checkpoint: Checkpoint) -> None:
    line = json.dumps(checkpoint.__dict__, sort_keys=True) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def write_checkpoint(
    conn: sqlite3.Connection, tsa_url: str | None = None, *, local_only: bool = False
) -> Checkpoint | None:
    """Append the current head (with a TSA token when `tsa_url`, or the configured TSA, is set, unless
    `local_only`)."""
    path = checkpoint_path(conn)
    if path is None:
        return None
    head = conn.execute("SELECT count, last_seq, hash FROM event_head WHERE id = 1").fetchone()
    if head is None:
        return None
    count, seq, digest = head
    _every, configured = _settings()
    url = None if local_only else (tsa_url or configured)
    at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    checkpoint = Checkpoint(seq=seq, count=count, hash=digest, at=at, tsa_url=url)
    if url:
        try:
            checkpoint = Checkpoint(seq, count, digest, at, url, _timestamp(url, checkpoint.statement))
        except Exception as error:  # the TSA is down: the local checkpoint still counts, without a token
            log.warning(_("Không lấy được dấu thời gian cho mốc nhật ký: {reason}").format(reason=error))
            checkpoint = Checkpoint(seq, count, digest, at, None, None)
    _append(path, checkpoint)
    return checkpoint


def maybe_checkpoint(conn: sqlite3.Connection) -> Checkpoint | None:
    """After a commit: a local checkpoint whenever the head moved (so no event can be cut off unseen), with
    a TSA timestamp once `checkpoint_every` events were added since the last timestamped one."""
    if conn.in_transaction:
        return None
    path = checkpoint_path(conn)
    head = conn.execute("SELECT last_seq FROM event_head WHERE id = 1").fetchone()
    if path is None or head is None:
        return None
    every, tsa = _settings()
    existing = read_checkpoints(path)
    if existing and existing[-1].seq == head[0]:
        return None
    stamped = [c.seq for c in existing if c.timestamp_token]
    due = tsa is not None and head[0] - (stamped[-1] if stamped else 0) >= every
    return write_checkpoint(conn, local_only=not due)


def token_matches(checkpoint: Checkpoint) -> bool:
    """The TSA token is intact, its signature verifies with the TSA certificate it carries, and its message
    imprint is this checkpoint's statement (the head was timestamped as written)."""
    if checkpoint.timestamp_token is None:
        return True
    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko_certvalidator import ValidationContext

    try:
        info = cms.ContentInfo.load(base64.b64decode(checkpoint.timestamp_token))
        expected = hashlib.sha256(checkpoint.statement).digest()
        context = ValidationContext(trust_roots=[], allow_fetching=False, revocation_mode="soft-fail")
        status = asyncio.run(validate_tst_signed_data(info["content"], context, lambda _algorithm: expected))
    except Exception as error:  # an unreadable token proves nothing
        log.info("checkpoint token unreadable: %s", error)
        return False
    return bool(status.get("intact") and status.get("valid"))


def check_against_checkpoints(conn: sqlite3.Connection) -> CheckpointProblem | None:
    """The chain as it is now against the latest checkpoint written outside the database."""
    checkpoints = read_checkpoints(checkpoint_path(conn))
    if not checkpoints:
        return None
    latest = checkpoints[-1]
    if not token_matches(latest):
        return CheckpointProblem(
            "timestamp",
            latest.seq,
            _("Dấu thời gian của mốc nhật ký số {seq} không khớp.").format(seq=latest.seq),
        )
    (events,) = conn.execute("SELECT COUNT(*) FROM events").fetchone()
    row = conn.execute("SELECT hash FROM events WHERE seq = ?", (latest.seq,)).fetchone()
    if events == 0:
        return CheckpointProblem(
            "wiped",
            1,
            _("Nhật ký đã bị xóa sạch: mốc ghi lúc {at} có {n} sự kiện.").format(
                at=latest.at, n=latest.count
            ),
        )
    if events < latest.count or row is None:
        return CheckpointProblem(
            "shortened",
            latest.seq,
            _("Nhật ký đã bị cắt ngắn: còn {now} sự kiện, mốc ghi lúc {at} có {n}.").format(
                now=events, at=latest.at, n=latest.count
            ),
        )
    if row[0] != latest.hash:
        return CheckpointProblem(
            "rewritten",
            latest.seq,
            _("Sự kiện số {seq} khác với mốc ghi lúc {at}: nhật ký đã bị viết lại.").format(
                seq=latest.seq, at=latest.at
            ),
        )
    return None


def state_row_problem(conn: sqlite3.Connection) -> CheckpointProblem | None:
    """Every `dossiers` row carries the hash of the event that put it in its state; every `outbox` row the
    hash of an event of its dossier. A row changed (or added) behind the log's back does not match."""
    events = {
        row[0]: (row[1], row[2], row[3])
        for row in conn.execute("SELECT hash, dossier_id, state, seq FROM events")
    }
    for dossier_id, state, produced_by in conn.execute("SELECT id, state, event_hash FROM dossiers"):
        event = events.get(produced_by)
        later = conn.execute(
            "SELECT 1 FROM events WHERE dossier_id = ? AND state IS NOT NULL AND state != ? AND seq > ? "
            "LIMIT 1",
            (dossier_id, state, event[2] if event else 0),
        ).fetchone()
        if event is None or event[0] != dossier_id or event[1] != state or later is not None:
            return CheckpointProblem(
                "state_row",
                event[2] if event else 0,
                _(
                    "Hàng của hồ sơ {id} trong bảng dossiers (trạng thái {state}) không do sự kiện nào "
                    "trong nhật ký tạo ra: đã bị sửa ngoài nhật ký."
                ).format(id=dossier_id, state=state),
            )
    for item_id, dossier_id, produced_by in conn.execute("SELECT id, dossier_id, event_hash FROM outbox"):
        event = events.get(produced_by)
        if event is None or event[0] != dossier_id:
            return CheckpointProblem(
                "state_row",
                event[2] if event else 0,
                _(
                    "Hàng {id} của hàng đợi gửi (outbox) không gắn với sự kiện nào của hồ sơ: "
                    "đã bị sửa ngoài nhật ký."
                ).format(id=item_id),
            )
    return None


def produced_by(conn: sqlite3.Connection, dossier_id: str) -> str | None:
    """The hash of the dossier's latest event: what its `dossiers` / `outbox` rows record as their origin."""
    row = conn.execute(
        "SELECT hash FROM events WHERE dossier_id = ? ORDER BY seq DESC LIMIT 1", (dossier_id,)
    ).fetchone()
    return row[0] if row else None


def head_hash(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT hash FROM event_head WHERE id = 1").fetchone()
    return row[0] if row else None
