"""`--scheduler`: a real `dask scheduler` and two `dask worker` processes started separately on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest

from dossier.errors import ExitCode
from dossier.profiles.checklist import read_page_texts
from tests.batch.conftest import env, outcomes, page_png, run_batch, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.tesseract]
DASK = shutil.which("dask", path=str(Path(sys.executable).parent)) or "dask"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """As the Dask docs start them: `dask scheduler`, then `dask worker ADDRESS` (here two, 300 MB each, and a
    page may kill its worker once before it is declared failed)."""
    logs = tmp_path_factory.mktemp("dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler_env = {**env(), "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}
    processes = [
        subprocess.Popen(
            [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            env=scheduler_env,
            stdout=subprocess.DEVNULL,
            stderr=(logs / "scheduler.log").open("w"),
        )
    ]
    wait_for(lambda: _listening(port), timeout=60, what="the scheduler")
    for n in range(2):
        processes.append(
            subprocess.Popen(
                [DASK, "worker", address, "--nthreads", "1", "--memory-limit", "300MB", "--no-dashboard"],
                env=env(),
                stdout=subprocess.DEVNULL,
                stderr=(logs / f"worker{n}.log").open("w"),
            )
        )
    yield address
    for process in reversed(processes):
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_separate_scheduler_and_workers_run_the_pages_and_a_killer_page_fails_alone(
    scheduler: str, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    (src / "hs-1").mkdir(parents=True)
    page_png(src / "hs-1" / "trang1.png", 0)
    page_png(src / "hs-1" / "trang2.png", 4)
    killer = pikepdf.new()
    killer.add_blank_page(page_size=(8640, 8640))  # 120 in square: 144 Mpx at 100 dpi, under the pixel cap
    killer.save(src / "qua-lon.pdf")  # but far over a 300 MB worker: the nanny kills it, twice
    result = run_batch(src, "--out", tmp_path / "dest", "--scheduler", scheduler, "--dpi", "100", "--json")
    assert result.returncode == ExitCode.partial, result.stderr
    document = json.loads(result.stdout)
    assert outcomes(document) == {"hs-1": "done", "qua-lon.pdf": "failed"}
    reason = next(i["reason"] for i in document["items"] if i["source"] == "qua-lon.pdf")
    assert "KilledWorker" in reason and "qua-lon.pdf" in reason
    assert document["totals"]["workers"] == 2
    texts = read_page_texts(tmp_path / "dest" / "hs-1" / "scan.pdf")
    assert len(texts) == 2 and "Hòa Tiến" in texts[0] and "cam đoan" not in texts[0]
    assert not (tmp_path / "dest" / "qua-lon").exists()
