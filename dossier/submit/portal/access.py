"""Who may do what at the sandbox portal: each officer credential carries its agency and role.

Roles: `officer` (files and follows dossiers of its own agency), `supervisor` (reads, moves and apologises for
dossiers of its own agency) and `sandbox_admin` (everything, every agency: the static server token and the
OAuth2 client are admins, so a portal run without a credentials file behaves as before). A request about a
dossier of another agency is refused with 403 `forbidden_agency`; an action the role may not take with 403
`forbidden_role`.

The credentials file is TOML and holds only SHA-256 digests of the tokens, never a token::

    [[credential]]
    account = "canbo01"
    agency = "000.00.06.H56"
    role = "officer"
    token_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
"""

from __future__ import annotations

import hashlib
import hmac
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from dossier.errors import ConfigError
from dossier.i18n import _
from dossier.submit.portal.model import ApiError


class Role(StrEnum):
    officer = "officer"
    supervisor = "supervisor"
    sandbox_admin = "sandbox_admin"


class Action(StrEnum):
    read = "read"  # list, get, file status, result
    file = "file"  # create, upload, finalize, supplement
    move = "move"  # the sandbox's status changes
    apologize = "apologize"
    admin = "admin"  # sandbox import


ALLOWED: dict[Role, frozenset[Action]] = {
    Role.officer: frozenset({Action.read, Action.file, Action.move}),
    Role.supervisor: frozenset({Action.read, Action.move, Action.apologize}),
    Role.sandbox_admin: frozenset(Action),
}


@dataclass(frozen=True)
class Principal:
    """The caller of one request."""

    account: str
    agency: str | None  # None: every agency (sandbox admin)
    role: Role

    def require(self, action: Action) -> None:
        if action not in ALLOWED[self.role]:
            raise ApiError(
                403,
                "forbidden_role",
                _("Vai trò {role} không được phép thực hiện thao tác này ({action}).").format(
                    role=self.role, action=action
                ),
            )

    def require_agency(self, agency: str) -> None:
        """403 unless the caller may act for `agency`."""
        if self.agency is not None and self.agency != agency:
            raise ApiError(
                403,
                "forbidden_agency",
                _("Tài khoản thuộc đơn vị {own}, không được truy cập hồ sơ của đơn vị {other}.").format(
                    own=self.agency, other=agency
                ),
            )


ADMIN = Principal("sandbox-admin", None, Role.sandbox_admin)


@dataclass(frozen=True)
class Credential:
    account: str
    agency: str
    role: Role
    token_sha256: str

    def matches(self, token_sha256: str) -> bool:
        return hmac.compare_digest(self.token_sha256.encode(), token_sha256.encode())

    @property
    def principal(self) -> Principal:
        agency = None if self.role is Role.sandbox_admin else self.agency
        return Principal(self.account, agency, self.role)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def find_credential(credentials: tuple[Credential, ...], token: str) -> Credential | None:
    digest = token_digest(token)
    found = None
    for credential in credentials:  # no early exit: the time taken does not say which one matched
        if credential.matches(digest):
            found = credential
    return found


def load_credentials(path: Path) -> tuple[Credential, ...]:
    """Parse the credentials file; every problem is a ConfigError naming the file and the entry."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(
            _("Tệp tài khoản cán bộ không đọc được: {reason}").format(reason=error), path
        ) from error
    entries = document.get("credential", [])
    if not isinstance(entries, list) or set(document) - {"credential"}:
        raise ConfigError(_("Tệp tài khoản cán bộ chỉ gồm các mục [[credential]]."), path)
    credentials = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or set(entry) != {"account", "agency", "role", "token_sha256"}:
            raise ConfigError(
                _("Mục [[credential]] thứ {n} cần đúng các khóa account, agency, role, token_sha256.").format(
                    n=number
                ),
                path,
            )
        role = str(entry["role"])
        if role not in Role.__members__:
            raise ConfigError(
                _(
                    "Mục [[credential]] thứ {n}: vai trò '{role}' không hợp lệ (officer, supervisor, "
                    "sandbox_admin)."
                ).format(n=number, role=role),
                path,
            )
        digest = str(entry["token_sha256"]).lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ConfigError(
                _("Mục [[credential]] thứ {n}: token_sha256 phải là 64 chữ số hex.").format(n=number), path
            )
        credentials.append(Credential(str(entry["account"]), str(entry["agency"]), Role(role), digest))
    return tuple(credentials)
