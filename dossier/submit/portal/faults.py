"""Fault injection as ASGI middleware: failures, latency, dropped connections, lost responses.

A dropped connection is a real one: the middleware aborts the TCP transport under the ASGI server, so the
client sees a closed socket (httpx: RemoteProtocolError or ReadError), never an HTTP answer.
`/v1/health` and `/v1/oauth/token` are never faulted.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dossier.submit.portal.settings import FaultSettings

log = logging.getLogger("dossier.portal.faults")

RAW_SEND_KEY = "dossier.raw_send"  # the server's own `send`, stored by the outermost middleware
FAULT_KEY = "dossier.fault"  # which fault hit this request, for the access log
EXEMPT_PATHS = frozenset({"/v1/health", "/v1/oauth/token"})


class ConnectionDropped(Exception):
    """Raised where no transport can be aborted (an in-process test client): the request gets no answer."""


class FaultInjector:
    def __init__(self, app: ASGIApp, faults: FaultSettings) -> None:
        self.app = app
        self.faults = faults
        self.random = random.Random(faults.seed)  # the event loop is single-threaded: no lock needed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.faults.any or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        if self.faults.latency_ms:
            await asyncio.sleep(self.faults.latency_ms / 1000)
        # Three draws per request, always in the same order, so a seed gives the same faults every run.
        fail, drop, lose = (self.random.random() for _ in range(3))
        if fail < self.faults.fail_rate:
            scope[FAULT_KEY] = "fail"
            await _answer_failure(send, 503 if self.random.random() < 0.5 else 500)
        elif drop < self.faults.drop_rate:
            scope[FAULT_KEY] = "drop"
            await receive()  # read the first part of the body (the headers are read already), then vanish
            await _drop_connection(scope, send)
        elif lose < self.faults.lose_response_rate:
            scope[FAULT_KEY] = "lose-response"
            await self.app(scope, receive, _swallow)  # the work is done and committed; the answer is lost
            await _drop_connection(scope, send)
        else:
            await self.app(scope, receive, send)


async def _swallow(message: Message) -> None:
    return None


async def _answer_failure(send: Send, status: int) -> None:
    body = json.dumps(
        {"error": {"code": "injected_fault", "message": f"sandbox fault injection: HTTP {status}"}}
    ).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _drop_connection(scope: Scope, send: Send) -> None:
    transport = _transport_of(scope.get(RAW_SEND_KEY, send))
    if transport is None:
        raise ConnectionDropped(scope["path"])
    transport.abort()
    # Let the server see the connection lost before the app returns, so it does not try a 500 answer.
    for _ in range(3):
        await asyncio.sleep(0)


def _transport_of(send: Any) -> asyncio.Transport | None:
    # uvicorn's `send` is a bound method of its request cycle, which holds the connection's transport.
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    return transport if isinstance(transport, asyncio.BaseTransport) else None  # type: ignore[return-value]
