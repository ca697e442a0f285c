"""The sandbox portal's settings: one frozen value built by the CLI (or a test) and handed to `create_app`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dossier.submit.portal.access import Credential

MEBIBYTE = 1 << 20
TOKEN_ENV = "DOSSIER_PORTAL_SERVER_TOKEN"
CLIENT_SECRET_ENV = "DOSSIER_PORTAL_CLIENT_SECRET"


@dataclass(frozen=True)
class FaultSettings:
    """Injected faults for tests and training; rates are probabilities per request (0 = never, 1 = always)."""

    fail_rate: float = 0.0  # answer 500/503 before doing anything
    latency_ms: int = 0  # wait this long before handling each request
    drop_rate: float = 0.0  # close the connection without answering (after reading part of an upload)
    lose_response_rate: float = 0.0  # do the work and commit, then close the connection without answering
    seed: int | None = None  # a fixed seed makes the sequence of faults reproducible

    def __post_init__(self) -> None:
        for name in ("fail_rate", "drop_rate", "lose_response_rate"):
            rate = getattr(self, name)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {rate}")
        if self.latency_ms < 0:
            raise ValueError(f"latency_ms must be >= 0, got {self.latency_ms}")

    @property
    def any(self) -> bool:
        return bool(self.fail_rate or self.latency_ms or self.drop_rate or self.lose_response_rate)


@dataclass(frozen=True)
class PortalSettings:
    """Everything the portal needs; secrets are held in memory only, never written or logged."""

    data_dir: Path
    token: str | None = None  # the static sandbox bearer token
    client_id: str | None = None  # the one OAuth2 client-credentials client
    client_secret: str | None = None
    token_ttl_seconds: int = 3600
    max_file_bytes: int = 50 * MEBIBYTE
    max_chunk_bytes: int = 16 * MEBIBYTE
    max_json_bytes: int = 1 * MEBIBYTE
    max_import_bytes: int = 16 * MEBIBYTE
    credentials: tuple[Credential, ...] = ()  # officer credentials with their agency and role
    require_signatures: bool = True
    faults: FaultSettings = FaultSettings()
    profiles_dir: Path | None = None  # a province's procedure profiles (default: $DOSSIER_PROFILES_DIR)
    calendar_dir: Path | None = None  # a province's calendar files (default: $DOSSIER_CALENDAR_DIR)

    def __post_init__(self) -> None:
        if not self.token and not (self.client_id and self.client_secret) and not self.credentials:
            raise ValueError("the portal needs a token or an OAuth client id and secret")
        if self.max_file_bytes < 1 or self.max_chunk_bytes < 1 or self.max_json_bytes < 1:
            raise ValueError("size limits must be positive")

    def __repr__(self) -> str:  # keep secrets out of tracebacks and logs
        return f"PortalSettings(data_dir={self.data_dir!r}, faults={self.faults!r})"
