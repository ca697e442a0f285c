"""The `[portal]` section of the configuration file, as a typed, validated settings object.

```toml
[portal]
url = "https://portal.example.gov.vn"   # default for `dossier submit --portal`
ca_bundle = "ca/portal-ca.pem"          # relative to the configuration file; TLS is always verified
timeout = 30                            # seconds per request
chunk_size = 1048576                    # upload chunk in bytes
retries = 6                             # attempts per request before the dossier waits in the outbox
backoff_initial = 0.5                   # seconds; doubles each attempt, with jitter
backoff_max = 30                        # seconds, the cap of one wait
officer = "motcua.hoatien"              # the officer's portal account
agency = "000.00.06.H56"                # the receiving agency's identifier (mã định danh)
client_id = "dossier-desk-3"            # OAuth2 client credentials (secret: DOSSIER_PORTAL_CLIENT_SECRET)
token_url = "https://portal.example.gov.vn/v1/oauth/token"
```

Secrets do not belong here: the token comes from `DOSSIER_PORTAL_TOKEN` and the client secret from
`DOSSIER_PORTAL_CLIENT_SECRET` (or the OS keyring). A `token` key is accepted for sandbox training only.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from dossier.config import config_path, config_section, resolve_config_path
from dossier.errors import ConfigError
from dossier.i18n import _

DEFAULT_CHUNK_SIZE = 1 << 20
MIN_CHUNK_SIZE = 1 << 10


@dataclass(frozen=True)
class PortalSettings:
    url: str | None = None
    ca_bundle: Path | None = None
    timeout: float = 30.0
    chunk_size: int = DEFAULT_CHUNK_SIZE
    retries: int = 6
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    officer: str | None = None
    agency: str | None = None
    client_id: str | None = None
    token_url: str | None = None
    token: str | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.timeout <= 0:
            problems.append("timeout > 0")
        if self.chunk_size < MIN_CHUNK_SIZE:
            problems.append(f"chunk_size >= {MIN_CHUNK_SIZE}")
        if self.retries < 1:
            problems.append("retries >= 1")
        if self.backoff_initial < 0 or self.backoff_max < self.backoff_initial:
            problems.append("0 <= backoff_initial <= backoff_max")
        if problems:
            raise ConfigError(
                _("Mục [portal] có giá trị không hợp lệ, cần: {rules}").format(rules=", ".join(problems)),
                config_path(),
            )

    def with_overrides(self, **values: Any) -> PortalSettings:
        """These settings with the command-line values that were given (None = keep the configured one)."""
        given = {key: value for key, value in values.items() if value is not None}
        return replace(self, **given)


_NUMBERS: dict[str, type] = {
    "timeout": float,
    "chunk_size": int,
    "retries": int,
    "backoff_initial": float,
    "backoff_max": float,
}
_TEXTS = ("url", "officer", "agency", "client_id", "token_url", "token")


def load_portal_settings(path: Path | None = None) -> PortalSettings:
    """Parse `[portal]`; an unknown key or a value of the wrong type is a `ConfigError` naming the key."""
    path = path if path is not None else config_path()
    section = config_section("portal", path)
    known = {f.name for f in fields(PortalSettings)}
    unknown = sorted(set(section) - known)
    if unknown:
        raise ConfigError(
            _("Khóa không biết trong mục [portal]: {keys}").format(keys=", ".join(unknown)),
            path,
            hint=_("Khóa hợp lệ: {keys}").format(keys=", ".join(sorted(known))),
        )
    values: dict[str, Any] = {}
    for key, value in section.items():
        if key in _NUMBERS:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(_("[portal] {key} phải là một số.").format(key=key), path)
            if _NUMBERS[key] is int and not isinstance(value, int):
                raise ConfigError(_("[portal] {key} phải là số nguyên.").format(key=key), path)
            values[key] = _NUMBERS[key](value)
        elif key in _TEXTS:
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(_("[portal] {key} phải là một chuỗi không rỗng.").format(key=key), path)
            values[key] = value.strip()
        elif key == "ca_bundle":
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(_("[portal] {key} phải là một chuỗi không rỗng.").format(key=key), path)
            values[key] = resolve_config_path(value, path)
    return PortalSettings(**values)
