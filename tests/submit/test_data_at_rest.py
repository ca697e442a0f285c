"""Personal data at rest: the registry keeps a keyed hash of the citizen ID (never the number), the outbox
keeps ID, name and phone only until the portal acknowledged the dossier; old databases are converted."""

from __future__ import annotations

import json
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.store.atrest import KEY_NAME
from dossier.store.db import MIGRATIONS, open_db
from dossier.store.registry import dossiers_of_citizen
from dossier.store.workspace import resolve_workspace
from dossier.submit.submit_cli import sync
from tests.submit.conftest import CITIZEN_ID, CITIZEN_NAME, TOKEN, PortalConfig, make_dossier
from tests.submit.portal_fixture import start_portal
from tests.submit.test_submit_portal import free_port, run_submit

PHONE = "0912345678"


@pytest.fixture
def token_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DOSSIER_PORTAL_TOKEN", TOKEN)
    return TOKEN


def workspace_bytes() -> bytes:
    """Everything the workspace holds on disk: database, WAL, outbox copies."""
    root = resolve_workspace().root
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and p.suffix != ".pdf")


def test_the_registry_keeps_a_keyed_hash_and_finds_the_citizen_by_it(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    folder = make_dossier(tmp_path / "hs-rest")
    port = free_port()
    queued = run_submit(folder, f"http://127.0.0.1:{port}")
    assert queued.exit_code == 75
    workspace = resolve_workspace()
    with closing(workspace.connect()) as conn:
        (stored, masked) = conn.execute("SELECT citizen_id, citizen_id_masked FROM dossiers").fetchone()
        assert stored.startswith("hmac-sha256:") and CITIZEN_ID not in stored
        assert masked == "0013******45"
        assert [d.folder for d in dossiers_of_citizen(conn, CITIZEN_ID)] == [folder.resolve()]
        assert dossiers_of_citizen(conn, "001203099999") == ()
    assert stat.S_IMODE((workspace.root / KEY_NAME).stat().st_mode) == 0o600
    # until acknowledged, the outbox copy holds what the portal needs
    assert CITIZEN_NAME.encode() in workspace_bytes()
    with start_portal(tmp_path, token=TOKEN, port=port):
        assert CliRunner().invoke(sync, ["--json"]).exit_code == 0
    assert (folder / "giay-tiep-nhan.pdf").is_file()  # the receipt was printed before the purge
    with closing(workspace.connect()) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = workspace_bytes()
    for secret in (CITIZEN_ID, CITIZEN_NAME, PHONE):
        assert secret.encode() not in data, secret
    metadata = next(workspace.root.rglob("metadata.json"))
    assert json.loads(metadata.read_text(encoding="utf-8"))["citizen"]["id_number"] == "0013******45"


def test_an_old_database_with_clear_ids_is_converted(tmp_path: Path) -> None:
    path = tmp_path / "cu" / "dossier.sqlite3"
    path.parent.mkdir()
    with closing(open_db(path, MIGRATIONS[:3])) as old:  # a database from before the change
        old.execute(
            "INSERT INTO dossiers (id, folder, citizen_id, state, created_at, updated_at) "
            "VALUES ('d1', '/x', ?, 'scanned', 'now', 'now')",
            (CITIZEN_ID,),
        )
        old.commit()
    with closing(open_db(path)) as conn:
        stored, masked = conn.execute("SELECT citizen_id, citizen_id_masked FROM dossiers").fetchone()
        assert stored.startswith("hmac-sha256:") and masked == "0013******45"
        assert [d.id for d in dossiers_of_citizen(conn, CITIZEN_ID)] == ["d1"]
    with closing(sqlite3.connect(path)) as raw:
        raw.execute("VACUUM")
    assert CITIZEN_ID.encode() not in path.read_bytes()
