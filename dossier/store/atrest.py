"""Personal data at rest: keep only what is needed, only as long as it is needed.

- The registry's `dossiers.citizen_id` holds a keyed hash (HMAC-SHA256 with a random per-workspace key in
  `citizen-key`, 0600, beside the database), enough to find a citizen's dossiers by their ID number, never the
  number itself; `citizen_id_masked` (`0012******45`) is what the officer is shown.
- The outbox's copy of the submission (`metadata.json`) holds the citizen's ID number, name, phone and e-mail
  only until the portal acknowledged the dossier (and the receipt was printed); then they are purged, leaving
  the masked ID and the consent reference.
- `protect_at_rest` converts rows written by earlier versions (clear IDs) when a workspace is opened.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
from pathlib import Path

from dossier.fsutil import atomic_write_text

KEY_NAME = "citizen-key"
HASH_PREFIX = "hmac-sha256:"


def _key_path(conn: sqlite3.Connection) -> Path | None:
    row = conn.execute("PRAGMA database_list").fetchone()
    return Path(row[2]).with_name(KEY_NAME) if row and row[2] else None


def workspace_key(conn: sqlite3.Connection) -> bytes:
    """The workspace's HMAC key, created (32 random bytes, 0600) on first use; in memory for a memory db."""
    path = _key_path(conn)
    if path is None:
        return b"in-memory-database"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        key = secrets.token_bytes(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_bytes()
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
            handle.flush()
            os.fsync(handle.fileno())
        return key


def citizen_lookup_hash(conn: sqlite3.Connection, id_number: str) -> str:
    """What the registry stores and searches for a citizen ID number."""
    digest = hmac.new(workspace_key(conn), id_number.strip().encode("utf-8"), hashlib.sha256).hexdigest()
    return HASH_PREFIX + digest


def mask_citizen_id(number: str | None) -> str:
    """`001203012345` -> `0012******45`: enough for the officer to tell dossiers apart."""
    if not number:
        return ""
    if len(number) <= 6:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 6) + number[-2:]


def protect_at_rest(conn: sqlite3.Connection) -> int:
    """Replace clear citizen IDs left by earlier versions with their keyed hash and masked form (run by the
    `m005_citizen_id_at_rest` migration, inside its transaction)."""
    rows = conn.execute(
        "SELECT id, citizen_id FROM dossiers WHERE citizen_id IS NOT NULL AND citizen_id NOT LIKE ?",
        (HASH_PREFIX + "%",),
    ).fetchall()
    for dossier_id, clear in rows:
        conn.execute(
            "UPDATE dossiers SET citizen_id = ?, citizen_id_masked = ? WHERE id = ?",
            (citizen_lookup_hash(conn, clear), mask_citizen_id(clear), dossier_id),
        )
    return len(rows)


def purge_metadata(path: Path) -> bool:
    """Drop the citizen's ID number, name, phone and e-mail from an acknowledged submission's metadata."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    citizen = document.get("citizen")
    if not isinstance(citizen, dict) or document.get("citizen_purged"):
        return False
    kept = {
        "id_number": mask_citizen_id(str(citizen.get("id_number") or "")),
        "full_name": "",
        "consent_reference": citizen.get("consent_reference"),
        "id_type": citizen.get("id_type", 1),
    }
    document["citizen"] = {k: v for k, v in kept.items() if v is not None}
    document["citizen_purged"] = True
    atomic_write_text(path, json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return True
