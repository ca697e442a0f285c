"""Our REST portal adapter (contract v1, `openapi.yaml`): httpx with verified TLS, tenacity retries.

Each request is retried with exponential backoff and jitter (capped) on connection errors, timeouts, a
dropped connection (`RemoteProtocolError`), 408, 429 (honouring `Retry-After`) and 5xx; never on another
4xx, which becomes a `PortalRequestRejected` carrying the portal's error code. When the retries are used up
the request raises `PortalUnavailableError` and the dossier waits in the outbox. A 401 with OAuth2 client
credentials fetches a new token once before it counts as a rejection.
"""

from __future__ import annotations

import builtins
import json
import logging
import random
import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity import sleep as tenacity_sleep

from dossier import __version__
from dossier.console import redact
from dossier.errors import PortalUnavailableError
from dossier.i18n import _
from dossier.progress import ByteProgress
from dossier.submit.adapter import (
    ByteSink,
    FileStatus,
    PortalDossier,
    PortalRequestRejected,
    PortalResult,
    PortalStatus,
    ResultDocument,
    SubmissionMetadata,
    SupplementMetadata,
)
from dossier.submit.auth import ClientCredentials, TokenProvider
from dossier.submit.settings import PortalSettings

log = logging.getLogger(__name__)

API_PREFIX = "/v1"
RETRY_AFTER_CAP_S = 120.0  # a portal asking for longer than this gets the dossier queued instead
MAX_HASH_RESTARTS = 1  # a file whose hash the portal found wrong is re-sent from byte 0 once


class TransientPortalError(Exception):
    """Worth retrying: the network failed, or the portal answered 408/429/5xx."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` as seconds (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def backoff_delay(attempt: int, settings: PortalSettings) -> float:
    """Exponential backoff with full jitter on top, capped: initial * 2^(attempt-1) + U(0, initial)."""
    base = settings.backoff_initial * (2 ** max(0, attempt - 1))
    return min(settings.backoff_max, base + random.uniform(0, settings.backoff_initial))


def _is_certificate_error(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _error_body(response: httpx.Response) -> tuple[str, str]:
    try:
        error = response.json().get("error", {})
        return str(error.get("code") or response.status_code), str(error.get("message") or "")
    except (ValueError, AttributeError):
        return str(response.status_code), ""


def _status(document: dict[str, Any]) -> PortalStatus:
    status = document.get("status") or {}
    return PortalStatus(int(status.get("code", 0)), str(status.get("name", "")))


def _file_status(document: dict[str, Any]) -> FileStatus:
    return FileStatus(
        name=str(document["name"]),
        received=int(document.get("received", 0)),
        complete=bool(document.get("complete", False)),
        sha256=document.get("sha256"),
    )


def parse_dossier(document: dict[str, Any]) -> PortalDossier:
    return PortalDossier(
        id=str(document["id"]),
        idempotency_key=document.get("idempotency_key"),
        code=document.get("code"),
        status=_status(document),
        appointment=document.get("appointment"),
        status_url=document.get("status_url"),
        files=tuple(_file_status(f) for f in document.get("files", ())),
    )


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def ssl_verification(settings: PortalSettings) -> ssl.SSLContext | bool:
    """Always verify; a province's own CA is added with `ca_bundle`."""
    if settings.ca_bundle is None:
        return True
    return ssl.create_default_context(cafile=str(settings.ca_bundle))


class RestPortalAdapter:
    """`PortalAdapter` over HTTP(S) for the v1 contract."""

    def __init__(
        self,
        base_url: str,
        settings: PortalSettings,
        tokens: TokenProvider,
        *,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.settings = settings
        self.tokens = tokens
        self._client = httpx.Client(
            base_url=self.base_url,
            verify=ssl_verification(settings),
            timeout=httpx.Timeout(settings.timeout),
            headers={"User-Agent": f"dossier/{__version__}"},
        )
        self._sleep = sleep
        self.retries_used = 0  # how many requests were repeated: for the benchmark and tests

    def __enter__(self) -> RestPortalAdapter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # --- the adapter's six operations ---

    def create_dossier(self, idempotency_key: str, submission: SubmissionMetadata) -> PortalDossier:
        body = json.dumps(submission.to_json(), ensure_ascii=False, sort_keys=True).encode("utf-8")
        response = self._send(
            "POST",
            f"{API_PREFIX}/dossiers",
            content=body,
            headers={"Idempotency-Key": idempotency_key, "Content-Type": "application/json"},
        )
        return parse_dossier(response.json())

    def file_status(self, dossier_id: str, name: str) -> FileStatus:
        response = self._send("GET", self._file_url(dossier_id, name))
        return _file_status(response.json())

    def upload_file(
        self,
        dossier_id: str,
        name: str,
        path: Path,
        start: int,
        progress: ByteProgress | None = None,
    ) -> FileStatus:
        total = path.stat().st_size
        offset, restarts = start, 0
        status = FileStatus(name, start, False)
        with path.open("rb") as fh:
            while not status.complete:
                if offset >= total:  # all bytes there but not complete: ask rather than guess
                    status = self.file_status(dossier_id, name)
                    if status.complete:
                        break
                    offset = status.received
                    if offset >= total:
                        offset = 0
                fh.seek(offset)
                chunk = fh.read(self.settings.chunk_size)
                try:
                    status = self._put_chunk(dossier_id, name, chunk, offset, total)
                except PortalRequestRejected as error:
                    if error.error_code == "offset_mismatch":
                        status = self.file_status(dossier_id, name)
                        offset = status.received
                        continue
                    if error.error_code == "hash_mismatch" and restarts < MAX_HASH_RESTARTS:
                        restarts += 1
                        offset = 0
                        continue
                    raise
                if progress is not None and status.received > offset:
                    progress(status.received - offset)
                offset = status.received
        return status

    def finalize(self, dossier_id: str) -> PortalDossier:
        response = self._send("POST", f"{API_PREFIX}/dossiers/{quote(dossier_id, safe='')}/finalize")
        return parse_dossier(response.json())

    def get_status(self, id_or_code: str) -> PortalDossier:
        response = self._send("GET", f"{API_PREFIX}/dossiers/{quote(id_or_code, safe='')}")
        return parse_dossier(response.json())

    def list(self, status: int | None = None, since: str | None = None) -> tuple[PortalDossier, ...]:
        params: dict[str, str] = {}
        if status is not None:
            params["status"] = str(status)
        if since is not None:
            params["since"] = since
        response = self._send("GET", f"{API_PREFIX}/dossiers", params=params)
        return tuple(parse_dossier(item) for item in response.json().get("items", ()))

    def list_page(
        self, after: str | None = None, limit: int = 1000, agency: str | None = None
    ) -> tuple[tuple[dict[str, Any], ...], str | None]:
        """One page of the list API as the portal's JSON documents, and the cursor of the next page."""
        params: dict[str, str] = {"limit": str(limit)}
        if after is not None:
            params["after"] = after
        if agency is not None:
            params["agency"] = agency
        document = self._send("GET", f"{API_PREFIX}/dossiers", params=params).json()
        return tuple(document.get("items", ())), document.get("next")

    def sandbox_import(self, items: builtins.list[dict[str, Any]]) -> int:
        """Sandbox only (admin token): dossiers with their whole past; how many the portal imported."""
        body = json.dumps({"items": items}, ensure_ascii=False).encode("utf-8")
        response = self._send(
            "POST", f"{API_PREFIX}/sandbox/import", content=body, headers={"Content-Type": "application/json"}
        )
        return int(response.json()["imported"])

    def dossier_document(self, id_or_code: str) -> dict[str, Any]:
        """The portal's JSON document of one dossier (history, apology and all)."""
        document: dict[str, Any] = self._send(
            "GET", f"{API_PREFIX}/dossiers/{quote(id_or_code, safe='')}"
        ).json()
        return document

    def apologize(self, id_or_code: str, reason: str, new_appointment: str) -> dict[str, Any]:
        """The dossier's one apology (`POST .../apology`); the portal's dossier document."""
        body = json.dumps({"reason": reason, "new_appointment": new_appointment}, ensure_ascii=False)
        response = self._send(
            "POST",
            f"{API_PREFIX}/dossiers/{quote(id_or_code, safe='')}/apology",
            content=body.encode("utf-8"),
            headers={"Content-Type": "application/json"},
        )
        document: dict[str, Any] = response.json()
        return document

    # --- after the dossier is acknowledged: supplement and result ---

    def supplement(
        self, dossier_id: str, supplement: SupplementMetadata, idempotency_key: str
    ) -> PortalDossier:
        # The v1 sandbox ignores the key on this endpoint (a repeat re-opens the same files, which is safe);
        # it is sent so a province's system that honours it can dedupe too.
        body = json.dumps(supplement.to_json(), ensure_ascii=False, sort_keys=True).encode("utf-8")
        response = self._send(
            "POST",
            f"{API_PREFIX}/dossiers/{quote(dossier_id, safe='')}/supplement",
            content=body,
            headers={"Idempotency-Key": idempotency_key, "Content-Type": "application/json"},
        )
        return parse_dossier(response.json())

    def result(self, id_or_code: str) -> PortalResult:
        response = self._send("GET", f"{API_PREFIX}/dossiers/{quote(id_or_code, safe='')}/result")
        document = response.json()
        return PortalResult(
            status=_status(document),
            documents=tuple(
                ResultDocument(str(d["name"]), str(d["sha256"]).lower(), str(d["url"]))
                for d in document.get("documents", ())
            ),
        )

    def download_document(self, document: ResultDocument, sink: ByteSink) -> None:
        url = urljoin(self.base_url + "/", document.url)
        if _origin(url) != _origin(self.base_url):  # the bearer token goes to the portal only
            raise PortalRequestRejected(
                _("Tài liệu kết quả {name} nằm ngoài cổng dịch vụ công ({host}): không tải.").format(
                    name=document.name, host=urlsplit(url).netloc
                ),
                error_code="foreign_url",
                http_status=0,
            )
        sink(self._send("GET", url).content)

    # --- plumbing ---

    def _file_url(self, dossier_id: str, name: str) -> str:
        return f"{API_PREFIX}/dossiers/{quote(dossier_id, safe='')}/files/{quote(name, safe='')}"

    def _put_chunk(self, dossier_id: str, name: str, chunk: bytes, offset: int, total: int) -> FileStatus:
        end = offset + len(chunk) - 1
        response = self._send(
            "PUT",
            self._file_url(dossier_id, name),
            content=chunk,
            headers={
                "Content-Range": f"bytes {offset}-{end}/{total}",
                "Content-Type": "application/octet-stream",
            },
        )
        return _file_status(response.json())

    def _fetch_token(self, credentials: ClientCredentials) -> tuple[str, float]:
        response = self._send(
            "POST",
            credentials.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": credentials.client_id,
                "client_secret": credentials.client_secret,
            },
            authenticate=False,
        )
        document = response.json()
        return str(document["access_token"]), float(document.get("expires_in", 300))

    def _wait(self, state: RetryCallState) -> float:
        backoff = backoff_delay(state.attempt_number, self.settings)
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, TransientPortalError) and error.retry_after is not None:
            return min(max(error.retry_after, backoff), RETRY_AFTER_CAP_S)
        return backoff

    def _send(self, method: str, url: str, *, authenticate: bool = True, **request: Any) -> httpx.Response:
        """One request with retries; returns a 2xx response or raises (see the module docstring)."""
        renewed = False
        while True:
            retrying = Retrying(
                retry=retry_if_exception_type(TransientPortalError),
                stop=stop_after_attempt(self.settings.retries),
                wait=self._wait,
                reraise=True,
                before_sleep=self._before_sleep,
                sleep=self._sleep if self._sleep is not None else tenacity_sleep,
            )
            try:
                response = retrying(self._attempt, method, url, authenticate, request)
            except TransientPortalError as error:
                raise PortalUnavailableError(
                    _("Cổng dịch vụ công không phản hồi sau {n} lần thử ({reason}).").format(
                        n=self.settings.retries, reason=error.reason
                    ),
                    hint=_("Hồ sơ nằm trong hàng đợi; gửi lại bằng `dossier sync`."),
                ) from error
            if response.status_code == 401 and authenticate and self.tokens.renewable and not renewed:
                self.tokens.invalidate()
                renewed = True
                continue
            if response.is_success:
                return response
            code, message = _error_body(response)
            raise PortalRequestRejected(
                self._rejection_message(response.status_code, code, message),
                error_code=code,
                http_status=response.status_code,
            )

    def _attempt(self, method: str, url: str, authenticate: bool, request: dict[str, Any]) -> httpx.Response:
        headers = dict(request.get("headers") or {})
        if authenticate:
            headers["Authorization"] = f"Bearer {self.tokens.token(self._fetch_token)}"
        try:
            response = self._client.request(method, url, **{**request, "headers": headers})
        except httpx.TransportError as error:
            if _is_certificate_error(error):
                raise PortalUnavailableError(
                    _("Không xác minh được chứng thư TLS của cổng: {reason}").format(reason=error),
                    hint=_("Nếu cổng dùng CA riêng của tỉnh, khai báo ca_bundle trong mục [portal]."),
                ) from error
            raise TransientPortalError(
                f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            ) from error
        if response.status_code in (408, 429) or response.status_code >= 500:
            code, _message = _error_body(response)
            raise TransientPortalError(
                f"HTTP {response.status_code} {code}", parse_retry_after(response.headers.get("Retry-After"))
            )
        return response

    def _before_sleep(self, state: RetryCallState) -> None:
        self.retries_used += 1
        error = state.outcome.exception() if state.outcome is not None else None
        log.info("portal retry %d: %s", state.attempt_number, error)

    @staticmethod
    def _rejection_message(status: int, code: str, message: str) -> str:
        if status == 401:
            return _("Cổng dịch vụ công từ chối thông tin đăng nhập của cán bộ (401 {code}).").format(
                code=code
            )
        if status == 403:
            return _("Tài khoản cán bộ không có quyền thực hiện thao tác này (403 {code}).").format(code=code)
        return _("Cổng dịch vụ công từ chối yêu cầu ({status} {code}): {message}").format(
            status=status, code=code, message=redact(message)
        )
