"""One rule for where the registry lives, followed by every command that writes to it: `--workspace DIR`,
else `$DOSSIER_HOME`, else the platform data folder. One dossier's history never splits in two databases."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.cli import cli
from dossier.errors import ExitCode
from dossier.store.db import DB_NAME
from dossier.store.eventlog import read_events, verify_chain
from dossier.store.registry import dossier_for_folder
from dossier.store.workspace import Workspace, resolve_workspace
from tests.profiles.test_check import BIRTH_CERT, CONTINUATION, DECLARATION, page_images


def test_the_option_wins_over_the_home(tmp_path: Path, dossier_home: Path) -> None:
    assert resolve_workspace().root == dossier_home.absolute()
    assert resolve_workspace(tmp_path / "ws").root == (tmp_path / "ws").absolute()


@pytest.mark.tesseract
def test_scan_check_notice_and_code_write_only_to_the_workspace_given(
    tmp_path: Path, dossier_home: Path
) -> None:
    workspace = tmp_path / "desk-ws"
    out = tmp_path / "hs"
    pages = page_images(tmp_path, [DECLARATION, CONTINUATION, BIRTH_CERT])
    runner = CliRunner()
    ws = ["--workspace", str(workspace)]
    scanned = runner.invoke(cli, ["scan", *pages, "--out", str(out), "-j", "2", *ws], catch_exceptions=False)
    assert scanned.exit_code == 0, scanned.output
    checked = runner.invoke(cli, ["check", str(out), "--procedure", "1.001193", *ws], catch_exceptions=False)
    assert checked.exit_code == ExitCode.needs_review, checked.output  # the test page has no red seal
    code = runner.invoke(cli, ["code", "next", "--agency", "000.00.06.H56", *ws], catch_exceptions=False)
    assert code.exit_code == 0, code.output
    notice = runner.invoke(
        cli,
        [
            "notice",
            "receipt",
            str(out),
            "--procedure",
            "1.001193",
            "--code",
            code.output.strip(),
            "--applicant-name",
            "Trần Thị Mỹ Duyên",
            "--out",
            str(out / "giay-tiep-nhan.pdf"),
            *ws,
        ],
        catch_exceptions=False,
    )
    assert notice.exit_code == 0, notice.output

    assert not (dossier_home / DB_NAME).exists()  # nothing went to the default home
    with closing(Workspace(workspace).connect()) as conn:
        record = dossier_for_folder(conn, out)
        assert record is not None and record.state == "checked"
        actions = [e.action for e in read_events(conn, record.id)]
        assert actions == ["scanned", "checked", "notice.receipt"]
        assert conn.execute("SELECT count(*) FROM code_counters").fetchone()[0] == 1
        assert verify_chain(conn).ok


@pytest.mark.parametrize("command", [["scan"], ["check"], ["sign"], ["code", "next"], ["notice", "receipt"]])
def test_every_command_writing_the_registry_takes_workspace(command: list[str]) -> None:
    shown = CliRunner().invoke(cli, [*command, "--help"])
    assert shown.exit_code == 0 and "--workspace" in shown.output
