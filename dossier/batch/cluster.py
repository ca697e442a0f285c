"""Where the pages run: an embedded Dask LocalCluster (worker processes, one thread each) or a scheduler."""

from __future__ import annotations

import contextlib
import logging
import signal
from collections.abc import Iterator

from dossier.errors import ClusterUnavailableError, MissingDependencyError
from dossier.i18n import _

CONNECT_TIMEOUT = "8s"  # the operator hears about a dead scheduler address within 10 s
WORKERS_TIMEOUT = 30.0  # a scheduler that answers but has no worker after this long is an error too
# A page whose worker dies this many times more (a crash, the nanny's memory limit) is marked failed
# instead of being handed to the next worker (Dask's `distributed.scheduler.allowed-failures`).
ALLOWED_FAILURES = 2
WORKER_ENV = {"OMP_THREAD_LIMIT": "1", "OPENBLAS_NUM_THREADS": "1", "MALLOC_TRIM_THRESHOLD_": "65536"}


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Worker processes started in here inherit an ignored SIGINT (so do their Tesseract children): Ctrl-C
    in the terminal reaches the whole process group, and only the batch itself must act on it, by taking
    no new pages while the workers finish the ones in flight. Workers the nanny restarts later get the
    same from `IgnoreInterrupt`."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def open_client(scheduler: str | None, workers: int, quiet_logs: bool = True) -> Iterator[object]:
    """A `distributed.Client`; raises ClusterUnavailableError, before anything is written, if it cannot."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise MissingDependencyError(
            _("`dossier batch` cần Dask distributed."), hint="pip install 'dossier[batch]'"
        ) from exc

    level = logging.ERROR if quiet_logs else logging.WARNING
    for name in ("distributed", "distributed.nanny", "distributed.scheduler", "distributed.worker"):
        logging.getLogger(name).setLevel(level)
    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
        if scheduler:
            try:
                client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as exc:
                raise ClusterUnavailableError(
                    _("Bộ lập lịch Dask không trả lời ({reason}).").format(reason=exc),
                    path=scheduler,
                    hint=_("Kiểm tra `dask scheduler` đang chạy và địa chỉ tcp://HOST:8786 đúng."),
                ) from exc
            with contextlib.closing(client):
                try:
                    client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
                except (TimeoutError, OSError) as exc:
                    raise ClusterUnavailableError(
                        _("Bộ lập lịch Dask không có worker nào."),
                        path=scheduler,
                        hint=_("Khởi động ít nhất một `dask worker {address}`.").format(address=scheduler),
                    ) from exc
                yield client
            return
        with _sigint_ignored():
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                scheduler_port=0,
                dashboard_address=None,  # no dashboard; its HTTP routes on a free port, not on 8787
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                silence_logs=level,
                env=WORKER_ENV,
            )
        with contextlib.closing(cluster), Client(cluster, set_as_default=False) as client:
            from dossier.batch.task import IgnoreInterrupt

            client.register_plugin(IgnoreInterrupt(), name="dossier-ignore-sigint")
            yield client


def worker_slots(client: object) -> int:
    """Threads across the cluster's workers right now (workers join and leave)."""
    return max(1, sum(client.nthreads().values()))  # type: ignore[attr-defined]


def worker_pids(client: object) -> dict[str, int]:
    """Each worker's process id (for the benchmark's memory readings and fault tests)."""
    import os

    return client.run(os.getpid)  # type: ignore[attr-defined]
