"""The sandbox portal as a Starlette application: routes of the v1 contract (dossier/submit/openapi.yaml).

Handlers are thin: check the token, parse and validate the request (`validation`), call one `PortalStore`
method in a worker thread (SQLite and file I/O block), and turn the result into the contract's JSON.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from dossier.i18n import _
from dossier.profiles.deadlines import load_calendar
from dossier.profiles.loader import load_catalogue
from dossier.submit.portal.access import ADMIN, Action, Principal, find_credential
from dossier.submit.portal.accesslog import AccessLog
from dossier.submit.portal.documents import dossier_document, file_document, status_document, status_url
from dossier.submit.portal.faults import RAW_SEND_KEY, FaultInjector
from dossier.submit.portal.model import ApiError
from dossier.submit.portal.settings import PortalSettings
from dossier.submit.portal.signatures import unsigned_reason
from dossier.submit.portal.store import PortalStore
from dossier.submit.portal.supervision import agency_of, apologize, import_dossiers, list_page
from dossier.submit.portal.supervision_api import list_query, parse_apology, parse_import
from dossier.submit.portal.validation import (
    DECIMAL,
    check_file_name,
    content_range,
    idempotency_key,
    parse_advance,
    parse_create,
    parse_json,
    parse_supplement,
)

API_VERSION = "v1"
FORM_TYPE = "application/x-www-form-urlencoded"


def create_app(settings: PortalSettings) -> PortalApp:
    """The portal over `settings.data_dir` (created 0700 if missing); the same data serves every restart."""
    store = PortalStore(
        settings.data_dir, load_catalogue(settings.profiles_dir), load_calendar(settings.calendar_dir)
    )
    if settings.require_signatures:
        import pyhanko.sign.validation  # noqa: F401 - imported now, not on the first finalize (~0.3 s)
    api = PortalApi(settings, store)
    routes = [
        Route("/v1/health", api.health, methods=["GET"]),
        Route("/v1/oauth/token", api.oauth_token, methods=["POST"]),
        _route("/v1/dossiers", GET=api.list_dossiers, POST=api.create_dossier),
        _route("/v1/dossiers/{ref}", GET=api.get_dossier),
        _route("/v1/dossiers/{ref}/files/{name:path}", GET=api.get_file, PUT=api.put_file),
        _route("/v1/dossiers/{ref}/finalize", POST=api.finalize),
        _route("/v1/dossiers/{ref}/supplement", POST=api.supplement),
        _route("/v1/dossiers/{ref}/result", GET=api.result),
        _route("/v1/dossiers/{ref}/result/{name:path}", GET=api.result_document),
        _route("/v1/dossiers/{ref}/apology", POST=api.apology),
        _route("/v1/sandbox/dossiers/{ref}/advance", POST=api.advance),
        _route("/v1/sandbox/import", POST=api.import_history),
    ]
    app = PortalApp(
        routes=routes,
        middleware=[Middleware(AccessLog, routes=routes), Middleware(FaultInjector, faults=settings.faults)],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _server_error},
    )
    app.router.redirect_slashes = False  # a 307 to another URL is no answer the contract knows
    app.state.store = store
    return app


Handler = Callable[[Request], Awaitable[Response]]


def _route(path: str, **handlers: Handler) -> Route:
    """One route per path, so a 405 answer's `Allow` header lists every method the path has."""

    async def dispatch(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await handlers[method](request)

    return Route(path, dispatch, methods=list(handlers))


class PortalApp(Starlette):
    """Starlette, keeping the server's own `send` in the scope: fault injection aborts its transport."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[RAW_SEND_KEY] = send
        await super().__call__(scope, receive, send)


class PortalApi:
    def __init__(self, settings: PortalSettings, store: PortalStore) -> None:
        self.settings = settings
        self.store = store

    # --- open endpoints -----------------------------------------------------------------------------------

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": API_VERSION})

    async def oauth_token(self, request: Request) -> Response:
        """OAuth2 client credentials (RFC 6749 §4.4): form fields, or the client in HTTP Basic."""
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM_TYPE:
            raise ApiError(400, "invalid_request", _("Cần nội dung dạng application/x-www-form-urlencoded."))
        form = parse_qs((await read_body(request, 8192)).decode("latin-1"), keep_blank_values=True)
        field = {key: values[0] for key, values in form.items() if values}
        if field.get("grant_type") != "client_credentials":
            raise ApiError(400, "unsupported_grant_type", _("Chỉ hỗ trợ grant_type=client_credentials."))
        client_id, client_secret = _basic_client(request) or (
            field.get("client_id"),
            field.get("client_secret"),
        )
        if not self._client_ok(client_id, client_secret):
            raise ApiError(401, "invalid_client", _("Sai mã ứng dụng (client_id) hoặc khóa bí mật."))
        token = secrets.token_urlsafe(32)
        ttl = self.settings.token_ttl_seconds
        await run_in_threadpool(self.store.save_token, _token_hash(token), str(client_id), time.time() + ttl)
        document = {"access_token": token, "token_type": "Bearer", "expires_in": ttl}
        return JSONResponse(document, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    def _client_ok(self, client_id: str | None, client_secret: str | None) -> bool:
        expected_id, expected_secret = self.settings.client_id, self.settings.client_secret
        if not (expected_id and expected_secret and client_id and client_secret):
            return False
        same_id = hmac.compare_digest(client_id.encode(), expected_id.encode())
        return hmac.compare_digest(client_secret.encode(), expected_secret.encode()) and same_id

    # --- dossiers -----------------------------------------------------------------------------------------

    async def create_dossier(self, request: Request) -> Response:
        caller = await self.authorize(request, Action.file)
        key = idempotency_key(request.headers.get("idempotency-key"))
        document = parse_json(await read_body(request, self.settings.max_json_bytes))
        create = parse_create(document, self.settings.max_file_bytes)
        caller.require_agency(create.officer.agency_code)
        view, created = await run_in_threadpool(self.store.create, create, key)
        return JSONResponse(
            dossier_document(view),
            status_code=201 if created else 200,
            headers={"Location": status_url(view)},
        )

    async def list_dossiers(self, request: Request) -> Response:
        """Every dossier the caller may read, oldest first; with `limit`, one page and the `next` cursor."""
        caller = await self.authorize(request, Action.read)
        query = list_query(request)
        if query.agency is not None:
            caller.require_agency(query.agency)
        elif caller.agency is not None:
            query = replace(query, agency=caller.agency)
        views, cursor = await run_in_threadpool(list_page, self.store, query)
        document: dict[str, Any] = {"items": [dossier_document(view) for view in views]}
        if query.limit is not None:
            document["next"] = None if cursor is None else str(cursor)
        return JSONResponse(document)

    async def get_dossier(self, request: Request) -> Response:
        await self.authorize(request, Action.read)
        view = await run_in_threadpool(self.store.view, request.path_params["ref"])
        return JSONResponse(dossier_document(view))

    async def put_file(self, request: Request) -> Response:
        await self.authorize(request, Action.file)
        name = check_file_name(request.path_params["name"])
        span = content_range(request.headers.get("content-range"))
        if span.length > self.settings.max_chunk_bytes:
            raise ApiError(
                413,
                "chunk_too_large",
                _("Mỗi lần gửi tối đa {limit} byte.").format(limit=self.settings.max_chunk_bytes),
            )
        data = await read_body(request, span.length, exact=True)
        outcome = await run_in_threadpool(self.store.put_chunk, request.path_params["ref"], name, span, data)
        if outcome.hash_mismatch:
            raise ApiError(
                422,
                "hash_mismatch",
                _(
                    "SHA-256 của tệp {name} khác giá trị đã khai; dữ liệu đã bị hủy, hãy gửi lại từ đầu."
                ).format(name=name),
                received=0,
            )
        return JSONResponse(file_document(outcome.file))

    async def get_file(self, request: Request) -> Response:
        await self.authorize(request, Action.read)
        name = check_file_name(request.path_params["name"])
        state = await run_in_threadpool(self.store.file_state, request.path_params["ref"], name)
        return JSONResponse(file_document(state))

    async def finalize(self, request: Request) -> Response:
        await self.authorize(request, Action.file)
        check = _check_signed if self.settings.require_signatures else None
        view = await run_in_threadpool(self.store.finalize, request.path_params["ref"], check)
        return JSONResponse(dossier_document(view))

    async def supplement(self, request: Request) -> Response:
        await self.authorize(request, Action.file)
        document = parse_json(await read_body(request, self.settings.max_json_bytes))
        supplement = parse_supplement(document, self.settings.max_file_bytes)
        view = await run_in_threadpool(self.store.supplement, request.path_params["ref"], supplement)
        return JSONResponse(dossier_document(view))

    async def result(self, request: Request) -> Response:
        await self.authorize(request, Action.read)
        view, documents = await run_in_threadpool(self.store.result, request.path_params["ref"])
        base = status_url(view)
        return JSONResponse(
            {
                "status": status_document(view.status),
                "documents": [
                    {"name": d.name, "sha256": d.sha256, "url": f"{base}/result/{d.name}"} for d in documents
                ],
            }
        )

    async def result_document(self, request: Request) -> Response:
        await self.authorize(request, Action.read)
        name = request.path_params["name"]
        path = await run_in_threadpool(self.store.result_path, request.path_params["ref"], name)
        return FileResponse(path, media_type="application/pdf", filename=name)

    async def advance(self, request: Request) -> Response:
        await self.authorize(request, Action.move)
        target, note = parse_advance(parse_json(await read_body(request, self.settings.max_json_bytes)))
        view = await run_in_threadpool(self.store.advance, request.path_params["ref"], target, note)
        return JSONResponse(dossier_document(view))

    async def apology(self, request: Request) -> Response:
        """The dossier's one apology and new appointment; 409 `already_apologized` names the earlier one."""
        caller = await self.authorize(request, Action.apologize)
        reason, new_appointment = parse_apology(
            parse_json(await read_body(request, self.settings.max_json_bytes))
        )
        ref = request.path_params["ref"]
        view = await run_in_threadpool(apologize, self.store, ref, reason, new_appointment, caller.account)
        return JSONResponse(dossier_document(view), status_code=201)

    async def import_history(self, request: Request) -> Response:
        """Sandbox admin only: dossiers with their whole past (demo data, benchmarks)."""
        await self.authorize(request, Action.admin)
        items = parse_import(parse_json(await read_body(request, self.settings.max_import_bytes)))
        count = await run_in_threadpool(import_dossiers, self.store, items)
        return JSONResponse({"imported": count}, status_code=201)

    # --- auth ---------------------------------------------------------------------------------------------

    async def authorize(self, request: Request, action: Action) -> Principal:
        """Who calls (401 if nobody known) and whether the role and agency allow this request (403).

        The static sandbox token and OAuth client tokens are sandbox admins; an officer credential from the
        credentials file carries its own agency and role. A request naming a dossier (`ref`) is checked
        against that dossier's agency.
        """
        caller = await self._caller(request)
        caller.require(action)
        ref = request.path_params.get("ref")
        if ref is not None and caller.agency is not None:
            caller.require_agency(await run_in_threadpool(agency_of, self.store, ref))
        return caller

    async def _caller(self, request: Request) -> Principal:
        scheme, _space, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() == "bearer" and token:
            static = self.settings.token
            if static and hmac.compare_digest(token.encode(), static.encode()):
                return ADMIN
            credential = find_credential(self.settings.credentials, token)
            if credential is not None:
                return credential.principal
            expires_at = await run_in_threadpool(self.store.token_expiry, _token_hash(token))
            if expires_at is not None and expires_at > time.time():
                return ADMIN
        raise ApiError(401, "unauthorized", _("Thiếu hoặc sai mã truy cập (Authorization: Bearer ...)."))


async def read_body(request: Request, limit: int, exact: bool = False) -> bytes:
    """The request body, refusing (413) more than `limit` bytes before reading them, or while streaming.

    With `exact`, the body must be exactly `limit` bytes (a chunk matching its Content-Range): 422 otherwise.
    """
    declared = request.headers.get("content-length")
    if declared is not None and DECIMAL.fullmatch(declared) and int(declared) > limit:
        if exact:
            raise _length_mismatch(int(declared), limit)
        raise ApiError(413, "body_too_large", _("Nội dung yêu cầu vượt {limit} byte.").format(limit=limit))
    parts: list[bytes] = []
    size = 0
    async for part in request.stream():
        size += len(part)
        if size > limit:
            if exact:
                raise _length_mismatch(size, limit)
            raise ApiError(
                413, "body_too_large", _("Nội dung yêu cầu vượt {limit} byte.").format(limit=limit)
            )
        parts.append(part)
    if exact and size != limit:
        raise _length_mismatch(size, limit)
    return b"".join(parts)


def _length_mismatch(length: int, expected: int) -> ApiError:
    return ApiError(
        422,
        "bad_content_range",
        _("Nội dung dài {length} byte nhưng Content-Range khai {expected} byte.").format(
            length=length, expected=expected
        ),
    )


def _check_signed(name: str, path: Path) -> None:
    reason = unsigned_reason(path)
    if reason is not None:
        raise ApiError(
            422,
            "unsigned_file",
            _("Tệp {name} không có chữ ký số hợp lệ: {reason}").format(name=name, reason=reason),
            file=name,
        )


def _basic_client(request: Request) -> tuple[str, str] | None:
    scheme, _space, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _colon, secret = (
            base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
        )
    except (ValueError, UnicodeDecodeError):
        return None
    return client_id, secret


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def _api_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return JSONResponse(error.document(), status_code=error.status, headers=headers)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    code = codes.get(error.status_code, "http_error")
    document = {"error": {"code": code, "message": str(error.detail)}}
    return JSONResponse(document, status_code=error.status_code, headers=error.headers)


async def _server_error(request: Request, error: Exception) -> Response:
    return JSONResponse({"error": {"code": "internal_error", "message": "internal error"}}, status_code=500)
