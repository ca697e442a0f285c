"""The officer's credentials for the portal: a bearer token, or OAuth2 client credentials.

In order: `DOSSIER_PORTAL_TOKEN`; `token` in `[portal]` (sandbox training only); the OS keyring entry
(`dossier-portal`, officer account) when the `keyring` package is installed; else OAuth2 client credentials
(`client_id` in `[portal]`, the secret from `DOSSIER_PORTAL_CLIENT_SECRET` or the keyring entry
`dossier-portal-client`). The citizen's password is never asked for: the officer files on the citizen's
behalf under the consent given at the counter. Tokens and secrets are never logged or written anywhere.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

from dossier.errors import ConfigError
from dossier.i18n import _
from dossier.submit.settings import PortalSettings

TOKEN_ENV = "DOSSIER_PORTAL_TOKEN"
CLIENT_SECRET_ENV = "DOSSIER_PORTAL_CLIENT_SECRET"
KEYRING_TOKEN_SERVICE = "dossier-portal"
KEYRING_SECRET_SERVICE = "dossier-portal-client"
EXPIRY_MARGIN_S = 30.0  # fetch a new token this long before the old one runs out


def keyring_secret(service: str, account: str | None) -> str | None:
    """The OS keyring's entry, when the optional `keyring` package is installed and holds one."""
    if not account:
        return None
    try:
        import keyring  # type: ignore[import-not-found,import-untyped,unused-ignore]
        from keyring.errors import KeyringError  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        return None
    try:
        value = keyring.get_password(service, account)
    except (KeyringError, RuntimeError):
        return None
    return value or None


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str
    token_url: str


# Fetches (access_token, expires_in seconds) with the credentials; the REST adapter passes its own.
TokenFetcher = Callable[[ClientCredentials], tuple[str, float]]


class TokenProvider:
    """Gives the current bearer token; a client-credentials token is fetched, cached and renewed."""

    def __init__(self, static_token: str | None, credentials: ClientCredentials | None) -> None:
        if not static_token and credentials is None:
            raise ConfigError(
                _("Chưa có thông tin đăng nhập cổng dịch vụ công."),
                hint=_(
                    "Đặt biến môi trường DOSSIER_PORTAL_TOKEN, hoặc client_id trong mục [portal] cùng "
                    "DOSSIER_PORTAL_CLIENT_SECRET."
                ),
            )
        self._static = static_token
        self._credentials = credentials
        self._token: str | None = None
        self._expires = 0.0
        self._lock = threading.Lock()

    @property
    def renewable(self) -> bool:
        return self._static is None

    def token(self, fetch: TokenFetcher) -> str:
        if self._static:
            return self._static
        assert self._credentials is not None
        with self._lock:
            if self._token is None or time.monotonic() >= self._expires:
                token, lifetime = fetch(self._credentials)
                self._token = token
                self._expires = time.monotonic() + max(0.0, lifetime - EXPIRY_MARGIN_S)
            return self._token

    def invalidate(self) -> None:
        with self._lock:
            self._token = None


def token_provider(settings: PortalSettings, portal_url: str) -> TokenProvider:
    """The officer's credentials from the environment, the configuration or the keyring (see module doc)."""
    static = (
        os.environ.get(TOKEN_ENV, "").strip()
        or settings.token
        or keyring_secret(KEYRING_TOKEN_SERVICE, settings.officer)
    )
    if static:
        return TokenProvider(static, None)
    if settings.client_id:
        secret = os.environ.get(CLIENT_SECRET_ENV, "").strip() or keyring_secret(
            KEYRING_SECRET_SERVICE, settings.client_id
        )
        if not secret:
            raise ConfigError(
                _("Có client_id nhưng thiếu khóa bí mật: đặt biến môi trường DOSSIER_PORTAL_CLIENT_SECRET.")
            )
        token_url = settings.token_url or urljoin(portal_url.rstrip("/") + "/", "v1/oauth/token")
        return TokenProvider(None, ClientCredentials(settings.client_id, secret, token_url))
    return TokenProvider(None, None)
