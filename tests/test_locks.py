"""Cross-platform file locks (filelock): private, refused at once if asked, released when the holder dies."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.cli import cli
from dossier.errors import ExitCode
from dossier.fsutil import LockBusyError, exclusive_lock

REPO = Path(__file__).resolve().parents[1]

HOLDER = """
import sys, time
from pathlib import Path
from dossier.fsutil import exclusive_lock
with exclusive_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(120)
"""


def hold_in_another_process(path: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], env=env, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_a_lock_file_is_private_and_a_held_lock_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / ".hs.lock"
    holder = hold_in_another_process(path)
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        started = time.monotonic()
        with pytest.raises(LockBusyError), exclusive_lock(path, wait=False):
            pass
        assert time.monotonic() - started < 2
    finally:
        holder.kill()  # SIGKILL: the holder cannot release anything itself
        holder.wait()
    with exclusive_lock(path, wait=False):  # the operating system dropped the dead holder's lock
        pass


@pytest.mark.tesseract
def test_a_second_scan_into_the_same_folder_is_refused_while_the_first_runs(
    tmp_path: Path, text_page_png: Path
) -> None:
    out = tmp_path / "hs-001"
    holder = hold_in_another_process(tmp_path / ".hs-001.lock")  # what a running scan holds
    try:
        result = CliRunner().invoke(cli, ["scan", str(text_page_png), "--out", str(out)])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == ExitCode.output
    assert "Một lần quét khác" in result.stderr and str(out) in result.stderr
    assert not out.exists()
    again = CliRunner().invoke(cli, ["scan", str(text_page_png), "--out", str(out)])
    assert again.exit_code == 0, again.output
