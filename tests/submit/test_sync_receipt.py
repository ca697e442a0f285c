"""`dossier sync` prints the Mẫu 01 receipt for what it delivers, as `submit` does (once per code)."""

from __future__ import annotations

import json
import re
import subprocess
from contextlib import closing
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from dossier.store.eventlog import read_events
from dossier.store.registry import dossier_for_folder
from dossier.store.workspace import resolve_workspace
from dossier.submit.submit_cli import sync
from tests.submit.conftest import TOKEN, PortalConfig, make_dossier
from tests.submit.portal_fixture import start_portal
from tests.submit.test_submit_portal import free_port, run_submit


@pytest.fixture
def token_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DOSSIER_PORTAL_TOKEN", TOKEN)
    return TOKEN


def test_sync_prints_the_receipt_of_what_it_delivers(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    folder = make_dossier(tmp_path / "hs-sync")
    port = free_port()
    assert run_submit(folder, f"http://127.0.0.1:{port}").exit_code == 75  # the portal is down: queued
    assert not (folder / "giay-tiep-nhan.pdf").exists()
    with start_portal(tmp_path, token=TOKEN, port=port):
        flushed = CliRunner().invoke(sync, ["--json"])
    assert flushed.exit_code == 0, flushed.output
    item = json.loads(flushed.output)["items"][0]
    assert item["result"] == "acknowledged"
    receipt = folder / "giay-tiep-nhan.pdf"
    assert item["receipt_pdf"] == str(receipt)
    with pikepdf.open(receipt) as pdf:
        assert len(pdf.pages) >= 1
    notices = json.loads((folder / "notices.json").read_text(encoding="utf-8"))
    assert [n["code"] for n in notices if n["kind"] == "receipt"] == [item["code"]]
    with closing(resolve_workspace().connect()) as conn:  # one receipt, one event: not one per code path
        dossier = dossier_for_folder(conn, folder)
        assert dossier is not None
        events = read_events(conn, dossier.id)
        actions = [e.action for e in events]
        assert actions.count("notice.receipt") == 1 and "receipt_printed" not in actions
        # the paper carries the log's head as it stood when printed: the event just before the receipt's
        pdftotext = ["pdftotext", str(receipt), "-"]
        text = subprocess.run(pdftotext, capture_output=True, text=True, check=True).stdout
        printed = re.search(r"Mã kiểm tra nhật ký: ([0-9a-f]{64})", " ".join(text.split()))
        assert printed is not None, text
        all_hashes = [row[0] for row in conn.execute("SELECT hash FROM events ORDER BY seq")]
        receipt_seq = next(e.seq for e in events if e.action == "notice.receipt")
        assert printed.group(1) == all_hashes[receipt_seq - 2]


def test_sync_shows_the_receipt_in_its_table(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    folder = make_dossier(tmp_path / "hs-sync-2")
    port = free_port()
    assert run_submit(folder, f"http://127.0.0.1:{port}").exit_code == 75
    with start_portal(tmp_path, token=TOKEN, port=port):
        flushed = CliRunner().invoke(sync, [], env={"COLUMNS": "200"})
    assert flushed.exit_code == 0, flushed.output
    assert str(folder / "giay-tiep-nhan.pdf") in flushed.stdout


def test_submit_and_sync_print_the_log_head(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    from contextlib import closing

    from dossier.store.workspace import resolve_workspace

    folder = make_dossier(tmp_path / "hs-head")
    port = free_port()
    queued = run_submit(folder, f"http://127.0.0.1:{port}")
    assert json.loads(queued.output)["log_head"]
    with start_portal(tmp_path, token=TOKEN, port=port):
        flushed = CliRunner().invoke(sync, ["--json"])
    with closing(resolve_workspace().connect()) as conn:
        (head,) = conn.execute("SELECT hash FROM event_head").fetchone()
    assert json.loads(flushed.output)["log_head"] == head


def test_submit_prints_the_log_head_in_its_table(
    tmp_path: Path, portal_config: PortalConfig, token_env: str
) -> None:
    from dossier.cli import cli
    from tests.submit.test_submit_portal import citizen_args

    folder = make_dossier(tmp_path / "hs-head-table")
    with start_portal(tmp_path, token=TOKEN) as portal:
        args = ["submit", str(folder), "--portal", portal.url, *citizen_args()]
        done = CliRunner().invoke(cli, args)
    assert done.exit_code == 0, done.output
    with closing(resolve_workspace().connect()) as conn:
        head = conn.execute("SELECT hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()[0]
    # on a narrow terminal the value column folds the hash onto a second line: its start is on the first
    assert "Mã băm đầu chuỗi nhật ký" in done.stdout and head[:24] in done.stdout
    assert "…" not in done.stdout  # folded, never cut short
