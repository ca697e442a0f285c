"""Run the sandbox portal on uvicorn in the foreground until SIGINT or SIGTERM (graceful shutdown)."""

from __future__ import annotations

import logging
import signal
import socket
import sys
from typing import TextIO

import uvicorn

from dossier.submit.portal.app import create_app
from dossier.submit.portal.settings import PortalSettings

ACCESS_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket; port 0 lets the system pick a free port, read back with `getsockname()`."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on such sockets, and without it every
    # answer on a kept-alive connection waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def portal_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def configure_logging(stream: TextIO = sys.stderr) -> None:
    """Access and fault lines at INFO on stderr; uvicorn's own access log is off (it logs raw paths)."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(ACCESS_FORMAT))
    for name in ("dossier.portal.access", "dossier.portal.faults"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False
    # pyHanko logs validation problems with the certificate's subject, which may be an officer's name.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def serve(settings: PortalSettings, host: str = "127.0.0.1", port: int = 0, out: TextIO = sys.stdout) -> None:
    """Bind, print the URL as one line on `out` (a parent process reads it), then serve until stopped."""
    app = create_app(settings)
    sock = bind_socket(host, port)
    out.write(portal_url(sock) + "\n")
    out.flush()
    configure_logging()
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=5,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    # uvicorn finishes the requests in flight, then re-raises the signal it caught under the handler found
    # here: SIGTERM then ends the command with exit code 0 (SIGINT stays KeyboardInterrupt, exit 130).
    previous = signal.signal(signal.SIGTERM, _exit_cleanly)
    try:
        server.run(sockets=[sock])
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)
