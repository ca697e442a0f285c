"""Output is UTF-8 even where the code page cannot spell Vietnamese (Windows, output to a pipe or a file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dossier.errors import ExitCode

REPO = Path(__file__).resolve().parents[1]


def run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    # cp1252: what a Western-European Windows gives a redirected stream; it has no "ồ" or "ư"
    env = dict(
        os.environ, PYTHONIOENCODING="cp1252", PYTHONPATH=str(REPO), DOSSIER_HOME=str(tmp_path / "home")
    )
    command = [sys.executable, "-m", "dossier", *args]
    return subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)


def test_vietnamese_tables_and_json_reach_a_cp1252_pipe_as_utf8(tmp_path: Path) -> None:
    listed = run(["profiles", "list"], tmp_path)
    assert listed.returncode == 0, listed.stderr.decode("utf-8", "replace")
    assert "Hồ sơ mẫu" in listed.stdout.decode("utf-8")
    shown = run(["profiles", "show", "1.001193", "--json"], tmp_path)
    assert shown.returncode == 0
    assert json.loads(shown.stdout.decode("utf-8"))["profile"]["name"] == "Đăng ký khai sinh"


def test_vietnamese_errors_reach_a_cp1252_pipe_as_utf8(tmp_path: Path) -> None:
    refused = run(["scan", str(tmp_path / "không-có.png"), "--out", str(tmp_path / "hs")], tmp_path)
    assert refused.returncode == ExitCode.input_file
    error = refused.stderr.decode("utf-8")
    assert "không-có.png" in error and "Traceback" not in error
