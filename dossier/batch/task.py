"""The task a Dask worker runs for one page: `dossier scan`'s per-page worker, in a private temp folder."""

from __future__ import annotations

import dataclasses
import os
import signal
import tempfile
import threading
from pathlib import Path

from distributed.diagnostics.plugin import WorkerPlugin

from dossier.digitize.pages import PageJob, PageOutcome, process_page

_initialised = False


def _init_worker() -> None:
    """One thread per page: Tesseract's OpenMP threads and OpenCV's pool would fight the other workers."""
    global _initialised
    if _initialised:
        return
    import cv2

    os.environ["OMP_THREAD_LIMIT"] = "1"
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    cv2.setNumThreads(1)
    _initialised = True


def run_page(job: PageJob) -> PageOutcome:
    """Clean, OCR and encode one page; what travels back is encoded image bytes and OCR words."""
    _init_worker()
    with tempfile.TemporaryDirectory(prefix="dossier-page-") as work:
        outcome = process_page(dataclasses.replace(job, work_dir=Path(work)))
    return dataclasses.replace(outcome, job=job)


class IgnoreInterrupt(WorkerPlugin):
    """On the embedded cluster's workers (restarted ones too): Ctrl-C is for the batch, not for them."""

    def setup(self, worker: object) -> None:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)
