"""Faults on real processes: kill -9 of the batch, Ctrl-C, a worker killed mid-page, two batches at once."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import psutil
import pytest

from dossier.batch.journal import finished_page_count
from dossier.errors import ExitCode
from tests.batch.conftest import (
    outcomes,
    outputs,
    page_pdf,
    page_png,
    report,
    run_batch,
    start_batch,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.tesseract]
PAGES = 9


def make_longer_tree(src: Path) -> Path:
    """Three dossiers of three pages each: long enough to be killed in the middle."""
    for n in range(2):
        folder = src / f"hs-{n}"
        folder.mkdir(parents=True)
        for page in range(3):
            page_png(folder / f"trang{page + 1}.png", n + page)
    page_pdf(src / "hs-2.pdf", 3, 1)
    return src


def worker_processes(batch_pid: int) -> list[psutil.Process]:
    """The LocalCluster's worker processes: the batch's children started by multiprocessing."""
    return [
        p
        for p in psutil.Process(batch_pid).children(recursive=True)
        if any("multiprocessing" in part for part in p.cmdline())
        and not any("resource_tracker" in part for part in p.cmdline())
    ]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """An uninterrupted run over the tree: what every interrupted-then-resumed run must reproduce."""
    root = tmp_path_factory.mktemp("reference")
    src = make_longer_tree(root / "src")
    result = run_batch(src, "--out", root / "dest", "--jobs", "2", "--dpi", "100")
    assert result.returncode == ExitCode.ok, result.stderr
    return src, outputs(root / "dest")


def test_kill_9_of_the_batch_then_rerun_gives_the_same_outputs(reference, tmp_path: Path) -> None:
    src, expected = reference
    dest = tmp_path / "dest"
    batch = start_batch(src, "--out", dest, "--jobs", "2", "--dpi", "100")
    wait_for(lambda: finished_page_count(dest) >= 3, what="three finished pages")
    os.killpg(batch.pid, signal.SIGKILL)  # the batch and its whole cluster, at once
    batch.wait(timeout=30)
    finished = finished_page_count(dest)
    assert 3 <= finished < PAGES
    resumed = run_batch(src, "--out", dest, "--jobs", "2", "--dpi", "100", "--json")
    assert resumed.returncode == ExitCode.ok, resumed.stderr
    document = json.loads(resumed.stdout)
    # no finished page is redone: only the pages the killed run had not journaled
    assert document["totals"]["pages_processed"] == PAGES - finished
    assert outputs(dest) == expected
    assert not [p for p in dest.rglob(".*partial-*")]


def test_ctrl_c_finishes_pages_in_flight_and_leaves_a_consistent_journal(reference, tmp_path: Path) -> None:
    src, expected = reference
    dest = tmp_path / "dest"
    batch = start_batch(src, "--out", dest, "--jobs", "2", "--dpi", "100", "--json")
    wait_for(lambda: finished_page_count(dest) >= 1, what="a finished page")
    os.killpg(batch.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole foreground process group
    stdout, stderr = batch.communicate(timeout=120)
    assert batch.returncode == ExitCode.interrupted, stderr
    document = json.loads(stdout)
    assert document["interrupted"] is True and document == report(dest)
    stopped = [i for i in document["items"] if i["outcome"] == "pending"]
    assert stopped, "Ctrl-C came after the last page"
    finished = finished_page_count(dest)
    assert finished >= 1
    # pages in flight were finished, not lost: the rerun only does what the journal lacks
    resumed = run_batch(src, "--out", dest, "--jobs", "2", "--dpi", "100", "--json")
    assert resumed.returncode == ExitCode.ok, resumed.stderr
    assert json.loads(resumed.stdout)["totals"]["pages_processed"] == PAGES - finished
    assert outputs(dest) == expected


def test_a_worker_killed_mid_page_has_its_page_rerun_elsewhere(reference, tmp_path: Path) -> None:
    src, expected = reference
    dest = tmp_path / "dest"
    batch = start_batch(src, "--out", dest, "--jobs", "2", "--dpi", "100", "--json")
    wait_for(lambda: len(worker_processes(batch.pid)) == 2, what="two worker processes")
    wait_for(lambda: finished_page_count(dest) >= 1, what="a finished page")
    victim = worker_processes(batch.pid)[0]
    victim.kill()  # SIGKILL to a real worker's PID while pages are in flight
    stdout, stderr = batch.communicate(timeout=300)
    assert batch.returncode == ExitCode.ok, stderr
    assert set(outcomes(json.loads(stdout)).values()) == {"done"}
    assert outputs(dest) == expected  # nothing lost, nothing duplicated


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs SIGSTOP")
def test_a_second_batch_on_the_same_dest_refuses(reference, tmp_path: Path) -> None:
    src, _expected = reference
    dest = tmp_path / "dest"
    first = start_batch(src, "--out", dest, "--jobs", "1", "--dpi", "100")
    wait_for(lambda: (dest / "batch-journal.sqlite").exists(), what="the first batch's journal")
    # held still (its lock held) while the second runs: on a busy machine the first could otherwise finish
    # before the second has started, and the second would rightly run
    os.kill(first.pid, signal.SIGSTOP)
    try:
        second = run_batch(src, "--out", dest, "--jobs", "1", "--dpi", "100")
    finally:
        os.kill(first.pid, signal.SIGCONT)
    assert second.returncode == ExitCode.output
    assert "batch" in second.stderr.lower() and str(dest) in second.stderr
    _out, err = first.communicate(timeout=300)
    assert first.returncode == ExitCode.ok, err


def test_a_changed_page_mid_run_is_picked_up_on_the_rerun(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "hs").mkdir(parents=True)
    page_png(src / "hs" / "p1.png", 0)
    first = run_batch(src, "--out", tmp_path / "dest", "--jobs", "1", "--dpi", "100")
    assert first.returncode == ExitCode.ok, first.stderr
    page_png(src / "hs" / "p2.png", 4)  # a page added to the folder later
    second = run_batch(src, "--out", tmp_path / "dest", "--jobs", "1", "--dpi", "100", "--json")
    assert second.returncode == ExitCode.ok
    item = json.loads(second.stdout)["items"][0]
    assert (item["outcome"], item["pages"]) == ("changed", 2)
