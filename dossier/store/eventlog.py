"""The append-only event log: every event carries the hash of the one before it, so edits show.

`hash = sha256(canonical JSON of the event's fields + prev_hash)`, the first event chaining to 64 zeros.
The head (count, last seq, last hash) sits in its own table, updated in the same transaction as each
append, so a cut-off tail (the last events deleted, or the last one rewritten with a recomputed hash) is
caught as well as an edit, a deletion or a reordering in the middle. Appends happen inside
`BEGIN IMMEDIATE`, so two processes never fork the chain.

What this does not stop: someone who rewrites the whole chain and the head with the same code. Against that,
`dossier log verify` prints the head hash for a supervisor to note down (or send elsewhere) every day.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import re
import sqlite3
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from dossier.i18n import _
from dossier.store.db import in_write_transaction

GENESIS_HASH = "0" * 64
# A 9- or 12-digit run is an ID number until proven otherwise: it never goes into the log.
_ID_NUMBER = re.compile(r"(?<!\d)(\d{12}|\d{9})(?!\d)")
# UUIDs (dossier, outbox and portal ids) may hold a 12-digit group by chance: not an ID number.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


@dataclass(frozen=True)
class Event:
    seq: int
    dossier_id: str | None
    actor: str
    action: str
    state: str | None
    details: str  # canonical JSON, no personal data
    at: str  # UTC, ISO 8601
    prev_hash: str
    hash: str


class ChainProblemKind(StrEnum):
    edited = "edited"
    deleted = "deleted"
    reordered = "reordered"
    truncated = "truncated"
    head_missing = "head_missing"
    wiped = "wiped"  # the events are gone, a checkpoint outside the database says there were some
    checkpoint = "checkpoint"  # a checkpoint's timestamp does not match it
    state_row = "state_row"  # a dossiers/outbox row no event produced


@dataclass(frozen=True)
class ChainProblem:
    kind: ChainProblemKind
    seq: int  # the first event found wrong (for a truncation: the last event still there + 1)
    message: str


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    head_hash: str
    problem: ChainProblem | None


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(
    seq: int,
    dossier_id: str | None,
    actor: str,
    action: str,
    state: str | None,
    details: str,
    at: str,
    prev_hash: str,
) -> str:
    fields = {
        "seq": seq,
        "dossier_id": dossier_id,
        "actor": actor,
        "action": action,
        "state": state,
        "details": details,
        "at": at,
    }
    return hashlib.sha256((canonical_json(fields) + prev_hash).encode("utf-8")).hexdigest()


def default_actor() -> str:
    """The OS user, when no officer account is configured."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def append_event(
    conn: sqlite3.Connection,
    action: str,
    *,
    actor: str,
    dossier_id: str | None = None,
    state: str | None = None,
    details: dict[str, Any] | None = None,
) -> Event:
    """Append one event; the caller must hold a write transaction (`in_write_transaction`)."""
    if not conn.in_transaction:
        raise RuntimeError("append_event must run inside a write transaction")
    text = canonical_json(details or {})
    if _ID_NUMBER.search(_UUID.sub("", text)):
        raise ValueError("event details must not contain ID numbers")
    head = conn.execute("SELECT count, last_seq, hash FROM event_head WHERE id = 1").fetchone()
    count, last_seq, prev_hash = head if head is not None else (0, 0, GENESIS_HASH)
    seq = last_seq + 1
    at = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    digest = event_hash(seq, dossier_id, actor, action, state, text, at, prev_hash)
    conn.execute(
        """INSERT INTO events (seq, dossier_id, actor, action, state, details, at, prev_hash, hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (seq, dossier_id, actor, action, state, text, at, prev_hash, digest),
    )
    conn.execute(
        """INSERT INTO event_head (id, count, last_seq, hash) VALUES (1, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET count = excluded.count, last_seq = excluded.last_seq,
           hash = excluded.hash""",
        (count + 1, seq, digest),
    )
    return Event(seq, dossier_id, actor, action, state, text, at, prev_hash, digest)


def log_event(
    conn: sqlite3.Connection,
    action: str,
    *,
    actor: str,
    dossier_id: str | None = None,
    state: str | None = None,
    details: dict[str, Any] | None = None,
) -> Event:
    """`append_event` in its own write transaction (then a checkpoint outside the database if one is due)."""
    from dossier.store.checkpoint import maybe_checkpoint

    event = in_write_transaction(
        conn,
        lambda: append_event(conn, action, actor=actor, dossier_id=dossier_id, state=state, details=details),
    )
    maybe_checkpoint(conn)
    return event


def read_events(conn: sqlite3.Connection, dossier_id: str | None = None) -> tuple[Event, ...]:
    sql = "SELECT seq, dossier_id, actor, action, state, details, at, prev_hash, hash FROM events"
    rows = (
        conn.execute(sql + " WHERE dossier_id = ? ORDER BY seq", (dossier_id,))
        if dossier_id is not None
        else conn.execute(sql + " ORDER BY seq")
    )
    return tuple(Event(*row) for row in rows)


def verify_chain(conn: sqlite3.Connection) -> ChainReport:
    """Re-walk the whole chain and the head; report the first event edited, deleted or reordered."""
    events = read_events(conn)
    head = conn.execute("SELECT count, last_seq, hash FROM event_head WHERE id = 1").fetchone()
    problem = _first_problem(events)
    if problem is None:
        problem = _head_problem(events, head)
    head_hash = head[2] if head is not None else GENESIS_HASH
    return ChainReport(problem is None, len(events), head_hash, problem)


def _first_problem(events: tuple[Event, ...]) -> ChainProblem | None:
    expected_seq, expected_prev = 1, GENESIS_HASH
    for event in events:
        if event.seq != expected_seq:
            if event.seq > expected_seq:
                return ChainProblem(
                    ChainProblemKind.deleted,
                    expected_seq,
                    _("Sự kiện số {seq} đã bị xóa (sau nó là sự kiện số {next}).").format(
                        seq=expected_seq, next=event.seq
                    ),
                )
            return ChainProblem(
                ChainProblemKind.reordered,
                event.seq,
                _("Sự kiện số {seq} nằm sai thứ tự.").format(seq=event.seq),
            )
        recomputed = event_hash(
            event.seq,
            event.dossier_id,
            event.actor,
            event.action,
            event.state,
            event.details,
            event.at,
            event.prev_hash,
        )
        if recomputed != event.hash:
            return ChainProblem(
                ChainProblemKind.edited,
                event.seq,
                _("Sự kiện số {seq} đã bị sửa (mã băm không khớp nội dung).").format(seq=event.seq),
            )
        if event.prev_hash != expected_prev:
            return ChainProblem(
                ChainProblemKind.reordered,
                event.seq,
                _(
                    "Sự kiện số {seq} không nối với sự kiện trước nó: có sự kiện bị xóa, chèn hoặc đổi chỗ."
                ).format(seq=event.seq),
            )
        expected_seq, expected_prev = event.seq + 1, event.hash
    return None


def _head_problem(events: tuple[Event, ...], head: tuple[int, int, str] | None) -> ChainProblem | None:
    last_seq = events[-1].seq if events else 0
    if head is None:
        if not events:
            return None
        return ChainProblem(
            ChainProblemKind.head_missing,
            last_seq,
            _("Thiếu bản ghi đầu chuỗi (event_head): không kiểm được phần cuối nhật ký."),
        )
    count, head_seq, head_hash = head
    if len(events) < count or last_seq < head_seq:
        return ChainProblem(
            ChainProblemKind.truncated,
            last_seq + 1,
            _("Các sự kiện từ số {seq} đến số {last} đã bị xóa ở cuối nhật ký.").format(
                seq=last_seq + 1, last=head_seq
            ),
        )
    if len(events) != count or last_seq != head_seq or (events and events[-1].hash != head_hash):
        return ChainProblem(
            ChainProblemKind.edited,
            last_seq,
            _("Sự kiện số {seq} (cuối nhật ký) đã bị sửa hoặc thay thế.").format(seq=last_seq),
        )
    return None


def verify_log(conn: sqlite3.Connection) -> ChainReport:
    """`verify_chain`, then the chain against the latest checkpoint, then the state rows against the chain."""
    from dossier.store.checkpoint import check_against_checkpoints, state_row_problem

    report = verify_chain(conn)
    if not report.ok:
        return report
    found = check_against_checkpoints(conn) or state_row_problem(conn)
    if found is None:
        return report
    kind = {
        "wiped": ChainProblemKind.wiped,
        "shortened": ChainProblemKind.truncated,
        "rewritten": ChainProblemKind.edited,
        "timestamp": ChainProblemKind.checkpoint,
        "state_row": ChainProblemKind.state_row,
    }[found.kind]
    return replace(report, ok=False, problem=ChainProblem(kind, found.seq, found.message))
