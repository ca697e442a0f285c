"""`dossier result`: download a finished dossier's result documents (kết quả giải quyết), hash-checked.

Each document is written beside its final name, fsynced, checked against the SHA-256 the portal lists and
only then renamed into place (0600): a wrong or cut-off download never appears in the output folder. The
download is one `result_downloaded` event (names, hashes, sizes; no path, no personal data), and the registry
moves to `done` when the portal says 9 or 10.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import sqlite3
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO

from dossier.errors import ExitCode, VerificationFailed
from dossier.fsutil import atomic_writer, make_private_dir
from dossier.i18n import _
from dossier.store.db import in_write_transaction
from dossier.store.registry import (
    TRANSITIONS,
    DossierRecord,
    DossierState,
    UnknownDossierError,
    get_dossier,
    transition_by_id,
)
from dossier.store.workspace import Workspace
from dossier.submit.adapter import PortalAdapter, PortalRequestRejected, PortalStatus, ResultDocument
from dossier.submit.delivery import AdapterFactory, log_fingerprint
from dossier.submit.outbox import OutboxState, latest_item_for_dossier
from dossier.submit.status import poll_status

# Statuses after which no result will ever come: refused, withdrawn, stopped.
NO_RESULT_STATUSES = frozenset({3, 7, 8})
RESULT_STATUSES = frozenset({9, 10})
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")


class ResultOutcome(StrEnum):
    downloaded = "downloaded"
    not_ready = "not_ready"  # the portal has no result yet: ask again later (exit 75)
    no_result = "no_result"  # refused, withdrawn or stopped: there will be none (exit 10)


OUTCOME_EXIT = {
    ResultOutcome.downloaded: ExitCode.ok,
    ResultOutcome.not_ready: ExitCode.portal_unavailable,
    ResultOutcome.no_result: ExitCode.portal_rejected,
}


class UntrustedResultError(VerificationFailed):
    """A result document whose bytes do not match the portal's SHA-256, or whose name is unsafe (exit 8)."""


@dataclass(frozen=True)
class DownloadedDocument:
    name: str
    path: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class ResultReport:
    dossier: DossierRecord
    outcome: ResultOutcome
    status: PortalStatus | None
    documents: tuple[DownloadedDocument, ...] = ()

    @property
    def exit_code(self) -> ExitCode:
        return OUTCOME_EXIT[self.outcome]


class _HashingSink:
    """Writes what the adapter hands over and hashes it on the way."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.digest = hashlib.sha256()
        self.size = 0

    def __call__(self, data: bytes) -> None:
        self.out.write(data)
        self.digest.update(data)
        self.size += len(data)


def safe_document_name(name: str, out_dir: Path) -> str:
    """The portal's name for a document, if it is a plain file name (no folder, no leading dot)."""
    if not _SAFE_NAME.fullmatch(name) or ".." in name:
        raise UntrustedResultError(
            _("Cổng trả về tên tài liệu kết quả không hợp lệ: {name}").format(name=name[:130]), out_dir
        )
    return name


def download_document(adapter: PortalAdapter, document: ResultDocument, out_dir: Path) -> DownloadedDocument:
    target = out_dir / safe_document_name(document.name, out_dir)
    with atomic_writer(target, "wb") as fh:
        sink = _HashingSink(fh)
        adapter.download_document(document, sink)
        digest = sink.digest.hexdigest()
        if digest != document.sha256.lower():  # raised inside: the temporary file is removed
            message = _("SHA-256 của tài liệu kết quả khác giá trị cổng công bố ({got} ≠ {want}): không lưu.")
            raise UntrustedResultError(message.format(got=digest[:16], want=document.sha256[:16]), target)
    return DownloadedDocument(target.name, target, digest, sink.size)


def download_result(
    conn: sqlite3.Connection, dossier: DossierRecord, out_dir: Path, adapter: PortalAdapter, *, actor: str
) -> ResultReport:
    """Fetch the result list, then each document; before 9/10 say whether a result may still come."""
    if not dossier.portal_code:
        raise UnknownDossierError(
            _("Hồ sơ chưa có mã của cổng dịch vụ công (chưa nộp xong)."), path=dossier.folder
        )
    try:
        result = adapter.result(dossier.portal_code)
    except PortalRequestRejected as error:
        if error.error_code != "no_result":
            raise
        update = poll_status(conn, dossier, adapter, actor=actor)  # records the status it finds
        status = update.portal.status if update.portal is not None else None
        finished = status is not None and status.code in NO_RESULT_STATUSES
        outcome = ResultOutcome.no_result if finished else ResultOutcome.not_ready
        return ResultReport(update.dossier, outcome, status)
    make_private_dir(out_dir)
    documents = tuple(download_document(adapter, d, out_dir) for d in result.documents)

    def record() -> DossierRecord:
        current = get_dossier(conn, dossier.id)
        target = current.state
        if result.status.code in RESULT_STATUSES and DossierState.done in TRANSITIONS[current.state]:
            target = DossierState.done
        return transition_by_id(
            conn,
            dossier.id,
            target,
            actor=actor,
            action="result_downloaded",
            portal_status=result.status.code,
            details={
                "status": result.status.code,
                "files": [
                    {"name": d.name, "size": d.size, "sha256_8": log_fingerprint(d.sha256)} for d in documents
                ],
            },
        )

    updated = in_write_transaction(conn, record)
    return ResultReport(updated, ResultOutcome.downloaded, result.status, documents)


def fetch_result(
    code: str, out_dir: Path, workspace: Workspace, adapters: AdapterFactory, *, actor: str
) -> ResultReport:
    """`dossier result CODE --out DIR`: the dossier by portal code or local id, from the portal it went to."""
    with contextlib.closing(workspace.connect()) as conn:
        dossier = get_dossier(conn, code)
        submitted = latest_item_for_dossier(conn, dossier.id)
        if submitted is None or submitted.state is not OutboxState.acknowledged:
            raise UnknownDossierError(
                _("Hồ sơ chưa có mã của cổng dịch vụ công (chưa nộp xong)."), path=dossier.folder
            )
        with contextlib.closing(adapters(submitted.portal_url)) as adapter:
            return download_result(conn, dossier, out_dir.expanduser().absolute(), adapter, actor=actor)
