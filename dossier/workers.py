"""Process pools for pages and files: one start-method setting, and workers that die with their parent.

The start method is `$DOSSIER_MP_START` when set (`spawn`, `forkserver` or `fork`), else `forkserver` on Linux
and `spawn` on Windows and macOS (the only safe choices there: Windows has no fork, and macOS frameworks
are not fork-safe). Never plain `fork` by default: forking a parent whose OpenCV or rendering threads
hold locks deadlocks.

Every worker watches its parent: a parent killed with SIGKILL (or ended in the Task Manager) cannot shut
its pool down, so each worker waits on the parent's sentinel in a daemon thread and, when the parent is
gone, kills its own children (a running Tesseract) and exits. The forkserver itself exits when the parent
goes (its pipe from the parent closes).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import psutil

from dossier.errors import ConfigError
from dossier.i18n import _

START_ENV = "DOSSIER_MP_START"
START_METHODS = ("spawn", "forkserver", "fork")


def default_start_method() -> str:
    return "forkserver" if sys.platform.startswith("linux") else "spawn"


def start_method() -> str:
    """The start method for worker processes: `$DOSSIER_MP_START`, else the platform's default."""
    configured = os.environ.get(START_ENV, "").strip().lower()
    if not configured:
        return default_start_method()
    if configured not in START_METHODS or configured not in multiprocessing.get_all_start_methods():
        raise ConfigError(
            _("{name}={value}: cách khởi tạo tiến trình này không dùng được (chọn: {choices}).").format(
                name=START_ENV, value=configured, choices=", ".join(multiprocessing.get_all_start_methods())
            ),
            START_ENV,
        )
    return configured


def mp_context() -> multiprocessing.context.BaseContext:
    return multiprocessing.get_context(start_method())


def _exit_when_parent_dies() -> None:
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return
    multiprocessing.connection.wait([parent.sentinel])
    # The parent is gone: it can no longer collect results, so nothing this worker does is of use.
    with contextlib.suppress(psutil.Error):
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                child.kill()
    os._exit(1)


def _init_worker(initializer: Callable[..., Any] | None, initargs: tuple[Any, ...]) -> None:
    threading.Thread(target=_exit_when_parent_dies, name="dossier-parent-watch", daemon=True).start()
    if initializer is not None:
        initializer(*initargs)


def process_pool(
    workers: int, initializer: Callable[..., Any] | None = None, initargs: tuple[Any, ...] = ()
) -> ProcessPoolExecutor:
    """A `ProcessPoolExecutor` with the configured start method whose workers die with this process.

    `initializer` must be a module-level function (picklable under `spawn`).
    """
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=mp_context(),
        initializer=_init_worker,
        initargs=(initializer, initargs),
    )
