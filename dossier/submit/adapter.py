"""The portal adapter: what `dossier` needs from a portal, so a province can plug in its own system.

The outbox and `dossier sync` talk only to a `PortalAdapter`. `dossier.submit.rest.RestPortalAdapter`
implements it over our versioned REST contract (`dossier/submit/openapi.yaml`); a province whose one-stop
system (its "hệ thống thông tin giải quyết TTHC") has another API writes a class with the same methods
and maps the dataclasses below onto its own fields. The rules an adapter must keep:

1. `create_dossier` is idempotent on `idempotency_key`: called again with the same key (after a lost answer,
   a crash, a retry) it returns the dossier created the first time, never a second one. If the province's
   system has no such key, keep a key -> dossier table on the adapter's side, or search by it first.
2. `upload_file` resumes: it starts at `start` (bytes the portal already holds, from `file_status`) and
   ends when the portal holds the whole file and has checked its SHA-256.
3. `finalize` is idempotent too and returns the dossier with its code (mã hồ sơ) and appointment.
4. Failures are raised as `PortalUnavailableError` (worth retrying later: network, timeouts, 5xx, 429, after
   the adapter's own retries) or `PortalRejectedError` (the portal refused: bad token, bad data; retrying
   the same request cannot help). Nothing else may escape, so the outbox always knows what to do next.
5. `supplement` (the citizen's extra papers, asked for with status 5) must be safe to repeat: after a lost
   answer the outbox declares the same files again, which must re-open them (bytes received back to 0), never
   add them twice. Our sandbox behaves so; a system that appends instead must dedupe by file name or by the
   `idempotency_key` passed along. Then the files go up with `upload_file` and `finalize` closes the round.
6. `result` lists the result documents (status 9/10) or raises `PortalRequestRejected` with error code
   `no_result`; `download_document` fetches one and must send the officer's credentials only to the portal
   itself (a document on another host is refused), since the caller checks each SHA-256.

Field names follow what provincial systems sync to the national portal: `procedure_code` is
MaTTHC, `code` is MaHoSo, `status.code` is TrangThaiHoSo 1..10, `digitised`/`reused` are DuocSoHoa and
DuocTaiSuDung, `citizen.id_number` is SoDinhDanhChuSoHuu.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from dossier.errors import PortalRejectedError
from dossier.progress import ByteProgress

CHANNEL_COUNTER = 2  # received at the counter and digitised there (as opposed to 1: filed online)
ID_TYPE_PERSONAL = 1  # 12-digit personal ID (CCCD / số định danh cá nhân)


@dataclass(frozen=True)
class Citizen:
    """The citizen's account the dossier is filed under. Personal data: never logged or printed."""

    id_number: str
    full_name: str
    phone: str | None = None
    email: str | None = None
    consent_reference: str | None = None  # what the citizen agreed to at the counter (form or OTP reference)
    id_type: int = ID_TYPE_PERSONAL


@dataclass(frozen=True)
class Officer:
    account: str
    agency_code: str


@dataclass(frozen=True)
class SubmissionFile:
    name: str  # TP01.pdf
    component_code: str  # TP01
    component_name: str
    size: int
    sha256: str
    digitised: bool = True
    reused: bool = False


@dataclass(frozen=True)
class SubmissionMetadata:
    """The create-dossier request body; serialised the same way every time, so a retry is byte-identical."""

    procedure_code: str
    procedure_name: str
    received_at: str  # ISO 8601 with +07:00
    summary: str
    citizen: Citizen
    officer: Officer
    files: tuple[SubmissionFile, ...]
    channel: int = CHANNEL_COUNTER

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["files"] = [asdict(f) for f in self.files]
        document["citizen"] = {k: v for k, v in asdict(self.citizen).items() if v is not None}
        return document

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> SubmissionMetadata:
        return cls(
            procedure_code=document["procedure_code"],
            procedure_name=document["procedure_name"],
            received_at=document["received_at"],
            summary=document["summary"],
            citizen=Citizen(**document["citizen"]),
            officer=Officer(**document["officer"]),
            files=tuple(SubmissionFile(**f) for f in document["files"]),
            channel=document.get("channel", CHANNEL_COUNTER),
        )


@dataclass(frozen=True)
class PortalStatus:
    code: int  # TrangThaiHoSo 1..10
    name: str


@dataclass(frozen=True)
class FileStatus:
    name: str
    received: int  # bytes the portal holds
    complete: bool
    sha256: str | None = None


@dataclass(frozen=True)
class PortalDossier:
    id: str
    idempotency_key: str | None
    code: str | None  # mã hồ sơ, once finalized
    status: PortalStatus
    appointment: str | None  # ISO 8601 +07:00
    status_url: str | None
    files: tuple[FileStatus, ...] = ()


@dataclass(frozen=True)
class SupplementMetadata:
    """The supplement request body: the officer's note and the files, declared like those of a new dossier."""

    note: str
    files: tuple[SubmissionFile, ...]

    def to_json(self) -> dict[str, Any]:
        return {"note": self.note, "files": [asdict(f) for f in self.files]}

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> SupplementMetadata:
        return cls(note=document["note"], files=tuple(SubmissionFile(**f) for f in document["files"]))


@dataclass(frozen=True)
class ResultDocument:
    """One document of the result (kết quả giải quyết): `url` is relative to the portal or on its host."""

    name: str
    sha256: str
    url: str


@dataclass(frozen=True)
class PortalResult:
    status: PortalStatus
    documents: tuple[ResultDocument, ...]


class PortalRequestRejected(PortalRejectedError):
    """The portal refused a request; `error_code` is its stable key (e.g. `unsigned_file`, `unauthorized`)."""

    def __init__(
        self, message: str, *, error_code: str, http_status: int, path: Path | str | None = None
    ) -> None:
        super().__init__(message, path)
        self.error_code = error_code
        self.http_status = http_status


ByteSink = Callable[[bytes], object]  # receives a downloaded document's bytes, in order


class PortalAdapter(Protocol):
    """What the outbox needs from a portal. See the module docstring for the rules each method keeps."""

    def create_dossier(self, idempotency_key: str, submission: SubmissionMetadata) -> PortalDossier:
        """Create the dossier (files declared, not yet uploaded), or return the one this key created."""
        ...

    def file_status(self, dossier_id: str, name: str) -> FileStatus:
        """How many bytes of `name` the portal holds: where an interrupted upload resumes."""
        ...

    def upload_file(
        self,
        dossier_id: str,
        name: str,
        path: Path,
        start: int,
        progress: ByteProgress | None = None,
    ) -> FileStatus:
        """Send `path` from byte `start` to its end; returns the final status (complete, hash checked)."""
        ...

    def finalize(self, dossier_id: str) -> PortalDossier:
        """Close the dossier: the portal checks it and answers with its code and appointment."""
        ...

    def get_status(self, id_or_code: str) -> PortalDossier:
        """The dossier as the portal sees it now (status, appointment, history)."""
        ...

    def list(self, status: int | None = None, since: str | None = None) -> tuple[PortalDossier, ...]:
        """The dossiers this officer's account filed, optionally by status or since a time."""
        ...

    def supplement(
        self, dossier_id: str, supplement: SupplementMetadata, idempotency_key: str
    ) -> PortalDossier:
        """Declare the supplement's files on a dossier in status 5 (safe to repeat, rule 5); then upload."""
        ...

    def result(self, id_or_code: str) -> PortalResult:
        """The result documents of a finished dossier; `PortalRequestRejected` `no_result` before 9/10."""
        ...

    def download_document(self, document: ResultDocument, sink: ByteSink) -> None:
        """Send the bytes of one result document to `sink` (the caller checks the SHA-256)."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
