"""The portal's data: statuses (from `dossier.submit.statuses`), the parsed requests, and the API error."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dossier.submit.statuses import STATUS_NAMES, Status

__all__ = ["STATUS_NAMES", "Status"]


# Where the sandbox's `advance` may move a dossier from each status.
ALLOWED_ADVANCES: dict[Status, frozenset[Status]] = {
    Status.accepted: frozenset({Status.processing, Status.supplement_requested, Status.refused}),
    Status.processing: frozenset({Status.supplement_requested, Status.resolved, Status.refused}),
    Status.supplement_requested: frozenset({Status.processing, Status.refused}),
    Status.resolved: frozenset({Status.returned}),
}
ADVANCE_TARGETS = frozenset(
    {Status.refused, Status.processing, Status.supplement_requested, Status.resolved, Status.returned}
)
RESULT_STATUSES = frozenset({Status.resolved, Status.returned})


class ApiError(Exception):
    """A request the portal refuses: HTTP status, stable code, message, and extra top-level JSON fields."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra

    def document(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.extra}, **self.extra}


@dataclass(frozen=True)
class Citizen:
    """The citizen whose portal account the dossier is filed under; stored, never echoed."""

    id_type: int  # 1: 12-digit personal ID, 2: 9-digit old ID card
    id_number: str
    full_name: str
    consent_reference: str
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Officer:
    account: str
    agency_code: str


@dataclass(frozen=True)
class FileSpec:
    """One component file as declared at create (or supplement); its bytes come later by PUT."""

    name: str
    component_code: str
    size: int
    sha256: str
    component_name: str | None = None
    digitised: bool = False
    reused: bool = False


@dataclass(frozen=True)
class CreateRequest:
    procedure_code: str
    channel: int
    received_at: datetime
    citizen: Citizen
    officer: Officer
    files: tuple[FileSpec, ...]
    procedure_name: str | None = None
    summary: str | None = None
    request_sha256: str = field(default="", compare=False)  # canonical JSON hash, for idempotency


@dataclass(frozen=True)
class SupplementRequest:
    note: str
    files: tuple[FileSpec, ...]


@dataclass(frozen=True)
class ContentRange:
    """`Content-Range: bytes START-END/TOTAL`, END inclusive."""

    start: int
    end: int
    total: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


@dataclass(frozen=True)
class FileState:
    name: str
    component_code: str
    size: int
    sha256: str
    received: int
    complete: bool


@dataclass(frozen=True)
class HistoryEntry:
    status: Status
    at: str
    note: str


@dataclass(frozen=True)
class ApologyRecord:
    """The one apology with a new appointment a dossier may get (Văn bản xin lỗi và đề nghị gia hạn)."""

    at: str
    reason: str
    old_appointment: str | None
    new_appointment: str
    account: str


@dataclass(frozen=True)
class DossierView:
    """A dossier as the API shows it: no personal data (the officer's account is not the citizen's)."""

    id: str
    idempotency_key: str
    code: str | None
    status: Status
    procedure_code: str
    received_at: str
    appointment: str | None
    files: tuple[FileState, ...]
    history: tuple[HistoryEntry, ...]
    open_for_upload: bool  # before finalize, and again while a supplement is uploaded
    updated_at: str
    agency_code: str = ""
    officer: str = ""
    channel: int = 0
    procedure_name: str | None = None
    digitised: bool = False  # any file declared DuocSoHoa
    signed: bool = False  # finalized with every file's signature checked
    apology: ApologyRecord | None = None


@dataclass(frozen=True)
class ResultDocument:
    name: str
    sha256: str
    storage: str


@dataclass(frozen=True)
class ChunkOutcome:
    """What one PUT did; `hash_mismatch` means the data was discarded (and the discard committed)."""

    file: FileState
    hash_mismatch: bool = False
