"""One log line per request: method, route template (never the raw path: it holds codes), status, time.

Nothing else is logged: no query strings, headers (tokens), bodies or names.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dossier.submit.portal.faults import FAULT_KEY

log = logging.getLogger("dossier.portal.access")


class AccessLog:
    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status: list[int] = []
        started = time.perf_counter()

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            fault = scope.get(FAULT_KEY)
            log.info(
                "%s %s %s %.1fms%s",
                scope["method"],
                route_template(self.routes, scope),
                status[0] if status else "-",
                elapsed,
                f" fault={fault}" if fault else "",
            )


def route_template(routes: Sequence[BaseRoute], scope: Scope) -> str:
    for route in routes:
        match, _child = route.matches(scope)
        if match is not Match.NONE and isinstance(route, Route):
            return route.path
    return "(unknown route)"
