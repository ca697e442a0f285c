"""Start the real sandbox portal (`dossier portal serve`) in a subprocess on 127.0.0.1 for tests and benches.

    with start_portal(tmp_path, token="t0ken-for-tests") as portal:
        httpx.get(f"{portal.url}/v1/dossiers", headers={"Authorization": f"Bearer {portal.token}"})

The server picks a free port (`--port 0`) and prints its URL; `start_portal` returns once `/v1/health`
answers. The token reaches the server through DOSSIER_PORTAL_SERVER_TOKEN, never its command line.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx

STARTUP_TIMEOUT_S = 30.0
SERVE_CODE = "import sys; from dossier.submit.portal.portal_cli import portal; portal(sys.argv[1:])"


@dataclass
class RunningPortal:
    """A running sandbox portal subprocess. `log_path` holds its stderr (access log lines)."""

    url: str
    token: str
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def client(self, **kwargs: object) -> httpx.Client:
        """An httpx client on the portal's URL with the bearer token set."""
        return httpx.Client(base_url=self.url, headers=self.headers, **kwargs)  # type: ignore[arg-type]

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM (graceful shutdown), then SIGKILL if it has not exited within `timeout`; the exit code."""
        if self.alive:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._close_pipes()
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL: the portal dies mid-whatever, as on a power cut (the data folder stays for a restart)."""
        if self.alive:
            self.process.kill()
            self.process.wait()
        self._close_pipes()

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def _close_pipes(self) -> None:
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> RunningPortal:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def start_portal(
    tmp_dir: Path,
    *,
    token: str,
    fail_rate: float = 0,
    latency_ms: int = 0,
    drop_rate: float = 0,
    lose_response_rate: float = 0,
    fault_seed: int | None = None,
    max_file_mb: int | None = None,
    require_signatures: bool = True,
    client_id: str | None = None,
    client_secret: str | None = None,
    data_dir: Path | None = None,
    port: int = 0,
) -> RunningPortal:
    """Start `dossier portal serve` on 127.0.0.1 (a free port unless `port` is given) and wait until ready.

    `data_dir` defaults to `tmp_dir/portal-data`; pass the same one again to restart on the same data.
    """
    data_dir = data_dir if data_dir is not None else tmp_dir / "portal-data"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    log_path = tmp_dir / f"portal-{time.monotonic_ns()}.log"
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--data", str(data_dir)]
    args += ["--fail-rate", str(fail_rate), "--latency-ms", str(latency_ms), "--drop-rate", str(drop_rate)]
    args += ["--lose-response-rate", str(lose_response_rate)]
    if fault_seed is not None:
        args += ["--fault-seed", str(fault_seed)]
    if max_file_mb is not None:
        args += ["--max-file-mb", str(max_file_mb)]
    if not require_signatures:
        args.append("--no-require-signatures")
    if client_id is not None:
        args += ["--client-id", client_id]
    env = dict(os.environ, DOSSIER_PORTAL_SERVER_TOKEN=token, PYTHONUNBUFFERED="1")
    if client_secret is not None:
        env["DOSSIER_PORTAL_CLIENT_SECRET"] = client_secret
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVE_CODE, *args], stdout=subprocess.PIPE, stderr=log, env=env
        )
    try:
        url = _read_url(process, log_path)
        _wait_healthy(url, process, log_path)
    except BaseException:
        process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()
        raise
    return RunningPortal(url=url, token=token, data_dir=data_dir, log_path=log_path, process=process)


def _read_url(process: subprocess.Popen[bytes], log_path: Path) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    line = b""
    while not line.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or process.poll() is not None:
            raise RuntimeError(f"the portal did not start: {_tail(log_path)}")
        ready, _w, _x = select.select([process.stdout], [], [], min(remaining, 0.5))
        if ready:
            chunk = os.read(process.stdout.fileno(), 1)
            if not chunk:
                raise RuntimeError(f"the portal exited before printing its URL: {_tail(log_path)}")
            line += chunk
    return line.decode().strip()


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the portal exited: {_tail(log_path)}")
        try:
            if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the portal at {url} did not answer /v1/health: {_tail(log_path)}")


def _tail(log_path: Path) -> str:
    text = log_path.read_text(errors="replace") if log_path.exists() else ""
    return text[-2000:]
