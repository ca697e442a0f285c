"""The registry: dossiers and their states, validated transitions, one chained event per change, and the
citizen's ID number kept only in the private database, never in the event log."""

from __future__ import annotations

import stat
from contextlib import closing
from pathlib import Path

import pytest

from dossier.store.db import in_write_transaction
from dossier.store.eventlog import read_events, verify_chain
from dossier.store.registry import (
    DossierState,
    InvalidTransitionError,
    dossier_for_folder,
    mask_citizen_id,
    record_dossier_event,
    transition,
)
from dossier.store.workspace import Workspace, resolve_workspace
from tests.submit.conftest import CITIZEN_ID


def test_hooks_register_a_folder_and_log_each_state(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "hs-001"
    folder.mkdir()
    record_dossier_event(
        folder, "scanned", "can-bo-a", {"pages": 4}, procedure_code="1.001193", workspace=workspace
    )
    record_dossier_event(
        folder, DossierState.checked, "can-bo-a", {"verdict": "complete"}, workspace=workspace
    )
    record_dossier_event(folder, DossierState.signed, "can-bo-b", {"files": 2}, workspace=workspace)
    with closing(workspace.connect()) as conn:
        dossier = dossier_for_folder(conn, folder)
        assert dossier is not None
        assert dossier.state is DossierState.signed
        assert dossier.procedure_code == "1.001193"
        events = read_events(conn, dossier.id)
        assert [(e.action, e.state, e.actor) for e in events] == [
            ("scanned", "scanned", "can-bo-a"),
            ("checked", "checked", "can-bo-a"),
            ("signed", "signed", "can-bo-b"),
        ]
        assert verify_chain(conn).ok


def test_a_finished_dossier_cannot_go_back_to_queued(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "hs-002"
    with closing(workspace.connect()) as conn:
        for state in (DossierState.signed, DossierState.queued, DossierState.acknowledged, DossierState.done):
            in_write_transaction(conn, lambda s=state: transition(conn, folder, s, actor="t", action=str(s)))
        with pytest.raises(InvalidTransitionError, match="done"):
            in_write_transaction(
                conn, lambda: transition(conn, folder, DossierState.queued, actor="t", action="queued")
            )
        events = read_events(conn)
        assert len(events) == 4  # the refused change left no event behind
        assert verify_chain(conn).ok


def test_the_registry_row_keeps_only_a_keyed_hash_of_the_citizen_id(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "hs-003"
    with closing(workspace.connect()) as conn:
        record = in_write_transaction(
            conn,
            lambda: transition(
                conn, folder, DossierState.queued, actor="t", action="queued", citizen_id=CITIZEN_ID
            ),
        )
        assert record.citizen_id and record.citizen_id.startswith("hmac-sha256:")  # a keyed hash, not the ID
        assert CITIZEN_ID not in record.citizen_id
        assert record.masked_citizen_id == "0013******45"
        dumped = "\n".join(str(row) for row in conn.execute("SELECT * FROM events"))
        assert CITIZEN_ID not in dumped
    assert stat.S_IMODE(workspace.database.stat().st_mode) == 0o600
    assert stat.S_IMODE(workspace.root.stat().st_mode) == 0o700


def test_masking_keeps_only_the_ends() -> None:
    assert mask_citizen_id("001203012345") == "0012******45"
    assert mask_citizen_id("123456789") == "1234***89"
    assert mask_citizen_id(None) == ""


def test_the_default_workspace_is_the_dossier_home(dossier_home: Path, tmp_path: Path) -> None:
    assert resolve_workspace().root == dossier_home.absolute()
    assert resolve_workspace(tmp_path / "w").root == (tmp_path / "w").absolute()
