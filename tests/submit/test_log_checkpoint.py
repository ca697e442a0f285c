"""The event log anchored outside the database: checkpoints (with an RFC 3161 timestamp from a real TSA)
make a wiped, shortened or rewritten log, and state rows changed behind its back, fail `log verify`."""

from __future__ import annotations

import json
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.cli import cli
from dossier.errors import ExitCode
from dossier.samples.pki import TestPki, running_pki_server, write_test_pki
from dossier.store.checkpoint import CHECKPOINT_NAME, read_checkpoints, token_matches
from dossier.store.registry import DossierState, record_dossier_event
from dossier.store.workspace import resolve_workspace


def run(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["log", *args, "--json"])
    return result.exit_code, json.loads(result.stdout)


def sqlite(*statements: str) -> None:
    """What someone with the database file and the sqlite3 shell would do."""
    with closing(sqlite3.connect(resolve_workspace().database)) as conn:
        for statement in statements:
            conn.execute(statement)
        conn.commit()


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """Three dossiers, six events; a checkpoint written on demand at the end."""
    for number in range(3):
        folder = tmp_path / f"hs-{number}"
        folder.mkdir()
        record_dossier_event(folder, DossierState.scanned)
        record_dossier_event(folder, DossierState.signed)
    code, document = run("checkpoint")
    assert code == 0 and document["checkpoint"]["count"] == 6
    return resolve_workspace().root / CHECKPOINT_NAME


def test_an_intact_log_verifies_and_the_checkpoint_file_is_private(history: Path) -> None:
    assert stat.S_IMODE(history.stat().st_mode) == 0o600
    code, document = run("verify")
    assert (code, document["ok"]) == (ExitCode.ok, True)


def test_a_wiped_log_is_reported(history: Path) -> None:
    sqlite("DELETE FROM events", "DELETE FROM event_head")
    code, document = run("verify")
    assert code == ExitCode.verification_failed
    assert document["problem"]["kind"] == "wiped"


def test_a_shortened_log_with_its_head_reset_is_reported(history: Path) -> None:
    sqlite(
        "DELETE FROM events WHERE seq > 4",
        "UPDATE event_head SET count = 4, last_seq = 4, hash = (SELECT hash FROM events WHERE seq = 4)",
        "UPDATE dossiers SET state = 'scanned', event_hash = (SELECT hash FROM events e WHERE "
        "e.dossier_id = dossiers.id AND e.state = 'scanned') "
        "WHERE event_hash NOT IN (SELECT hash FROM events)",
    )
    code, document = run("verify")
    assert code == ExitCode.verification_failed
    assert document["problem"]["kind"] == "truncated"


def test_a_state_row_changed_behind_the_log_is_reported(history: Path) -> None:
    sqlite("UPDATE dossiers SET state = 'acknowledged', portal_code = 'X' WHERE rowid = 1")
    code, document = run("verify")
    assert code == ExitCode.verification_failed
    assert document["problem"]["kind"] == "state_row"


def test_every_command_leaves_a_checkpoint_so_even_one_cut_event_shows(tmp_path: Path) -> None:
    for number in range(3):
        folder = tmp_path / f"hs-{number}"
        folder.mkdir()
        record_dossier_event(folder, DossierState.scanned)
    checkpoints = read_checkpoints(resolve_workspace().root / CHECKPOINT_NAME)
    assert [c.count for c in checkpoints] == [1, 2, 3]
    sqlite(
        "DELETE FROM events WHERE seq = 3",
        "DELETE FROM dossiers WHERE event_hash NOT IN (SELECT hash FROM events)",
        "UPDATE event_head SET count = 2, last_seq = 2, hash = (SELECT hash FROM events WHERE seq = 2)",
    )
    code, document = run("verify")
    assert code == ExitCode.verification_failed and document["problem"]["kind"] == "truncated"


@pytest.fixture(scope="module")
def tsa_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    pki = write_test_pki(tmp_path_factory.mktemp("pki"), now=datetime.now(UTC))
    with running_pki_server(pki):
        yield pki


@pytest.mark.pki
def test_every_nth_checkpoint_is_timestamped_by_the_configured_tsa(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tsa_pki: TestPki
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[log]\ncheckpoint_every = 2\ntsa_url = "{tsa_pki.tsa_url}"\n', encoding="utf-8")
    monkeypatch.setenv("DOSSIER_CONFIG", str(config))
    for number in range(5):
        folder = tmp_path / f"hs-{number}"
        folder.mkdir()
        record_dossier_event(folder, DossierState.scanned)
    checkpoints = read_checkpoints(resolve_workspace().root / CHECKPOINT_NAME)
    assert [c.count for c in checkpoints] == [1, 2, 3, 4, 5]
    assert [c.count for c in checkpoints if c.timestamp_token] == [2, 4]
    assert all(token_matches(c) for c in checkpoints)


@pytest.mark.pki
def test_a_checkpoint_carries_a_timestamp_from_the_tsa(history: Path, tsa_pki: TestPki) -> None:
    code, document = run("checkpoint", "--tsa", tsa_pki.tsa_url)
    assert code == 0 and document["timestamped"] is True
    latest = read_checkpoints(history)[-1]
    assert latest.timestamp_token and token_matches(latest)
    # a checkpoint line rewritten to match a rewritten log no longer matches its timestamp
    lines = history.read_text(encoding="utf-8").splitlines()
    forged = json.loads(lines[-1])
    forged["hash"] = "f" * 64
    history.write_text("\n".join([*lines[:-1], json.dumps(forged)]) + "\n", encoding="utf-8")
    code, document = run("verify")
    assert code == ExitCode.verification_failed and document["problem"]["kind"] == "checkpoint"
