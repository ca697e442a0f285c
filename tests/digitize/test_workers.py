"""Worker pools: the start-method setting, a scan under `spawn`, and workers that die with a killed parent."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from dossier.errors import ConfigError, ExitCode
from dossier.workers import START_ENV, default_start_method, start_method
from tests.conftest import VIETNAMESE_LINES, render_text_page

REPO = Path(__file__).resolve().parents[2]
AVAILABLE_METHODS = multiprocessing.get_all_start_methods()  # no forkserver on Windows


def pages_folder(folder: Path, count: int) -> Path:
    folder.mkdir()
    for number in range(1, count + 1):
        page = render_text_page([f"Trang {number}", *VIETNAMESE_LINES])
        page.save(folder / f"{number:02d}.png", dpi=(150, 150))
    return folder


def dossier_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    env.update(extra)
    return env


def run_dossier(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dossier", *args],
        env=dossier_env(**env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_start_method_follows_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(START_ENV, raising=False)
    expected = "forkserver" if sys.platform.startswith("linux") else "spawn"
    assert start_method() == default_start_method() == expected
    monkeypatch.setenv(START_ENV, "spawn")
    assert start_method() == "spawn"
    monkeypatch.setenv(START_ENV, "thread")
    with pytest.raises(ConfigError) as refused:
        start_method()
    assert refused.value.exit_code == ExitCode.config and START_ENV in refused.value.message


def test_an_unknown_start_method_is_refused_by_scan(tmp_path: Path) -> None:
    folder = pages_folder(tmp_path / "in", 2)
    process = run_dossier(
        ["scan", str(folder), "--out", str(tmp_path / "hs"), "--jobs", "2"], DOSSIER_MP_START="x"
    )
    assert process.returncode == ExitCode.config, process.stderr
    assert START_ENV in process.stderr
    assert not (tmp_path / "hs").exists()


@pytest.mark.tesseract
@pytest.mark.slow
def test_a_multi_page_scan_runs_with_the_spawn_start_method(tmp_path: Path) -> None:
    folder = pages_folder(tmp_path / "in", 3)
    out = tmp_path / "hs"
    process = run_dossier(
        ["scan", str(folder), "--out", str(out), "--jobs", "2", "--json"], DOSSIER_MP_START="spawn"
    )
    assert process.returncode == 0, process.stderr
    assert json.loads(process.stdout)["pages"] == 3
    (pdf,) = out.glob("*.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert [f"Trang {n}" in text for n in (1, 2, 3)] == [True, True, True]  # every page went through OCR


def running_tesseract(processes: dict[int, psutil.Process]) -> bool:
    names = []
    for process in processes.values():
        with contextlib.suppress(psutil.Error):
            names.append(process.name())
    return any(name.startswith("tesseract") for name in names)


@pytest.mark.tesseract
@pytest.mark.slow
@pytest.mark.parametrize(
    "method", [m for m in ("forkserver", "spawn") if m in multiprocessing.get_all_start_methods()]
)
def test_workers_die_with_a_killed_scan(tmp_path: Path, method: str) -> None:
    folder = pages_folder(tmp_path / "in", 6)
    process = subprocess.Popen(
        [sys.executable, "-m", "dossier", "scan", str(folder), "--out", str(tmp_path / "hs"), "--jobs", "2"],
        env=dossier_env(DOSSIER_MP_START=method),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    parent = psutil.Process(process.pid)
    seen: dict[int, psutil.Process] = {}
    deadline = time.monotonic() + 120
    try:
        # wait until both page workers run and one of them has started Tesseract
        while time.monotonic() < deadline and process.poll() is None:
            for child in parent.children(recursive=True):
                seen.setdefault(child.pid, child)
            if len(seen) >= 3 and running_tesseract(seen):
                break
            time.sleep(0.05)
        assert process.poll() is None, "the scan ended before it could be killed: give it more pages"
        assert running_tesseract(seen)
    finally:
        process.kill()  # SIGKILL on POSIX, TerminateProcess on Windows: no chance to clean up
        process.wait()
    gone_by = time.monotonic() + 5

    def alive() -> list[psutil.Process]:
        return [p for p in seen.values() if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]

    while alive() and time.monotonic() < gone_by:
        time.sleep(0.1)
    survivors = [(p.pid, p.name()) for p in alive()]
    for survivor in alive():  # leave no stray processes behind, whatever the verdict
        survivor.kill()
    assert survivors == []
