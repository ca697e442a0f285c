"""`audit_tree`: every PDF under a folder verified in parallel, with summary counts and the JSON documents.

Workers are separate processes (`dossier.workers`, as the scan pipeline): pyHanko's validation is pure
Python and holds the GIL. Trust roots travel to them as DER bytes; each worker keeps its OCSP/CRL answers
for the run.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from asn1crypto import x509

from dossier.errors import InputFileError
from dossier.i18n import _
from dossier.progress import ProgressCallback
from dossier.signing.indication import Indication, SubIndication
from dossier.signing.verify import crashed_file, verify_file
from dossier.signing.verify_result import FileVerification, RevocationMode
from dossier.workers import process_pool

# Starting worker processes costs about a second (each imports pyHanko): not worth it for a handful of files.
PARALLEL_FROM = 8


@dataclass(frozen=True)
class AuditSummary:
    total: int
    passed: int
    indeterminate: int
    failed: int  # TOTAL-FAILED with a signature, or unreadable
    unsigned: int  # TOTAL-FAILED NO_SIGNATURE


@dataclass(frozen=True)
class AuditResult:
    root: str
    files: tuple[FileVerification, ...]
    summary: AuditSummary
    seconds: float
    jobs: int

    @property
    def passed(self) -> bool:
        return self.summary.total > 0 and self.summary.passed == self.summary.total


def quiet_pyhanko_logs() -> None:
    """pyHanko logs every failed check as a warning with a traceback; our result already says it all."""
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def find_pdfs(root: Path) -> list[Path]:
    """Every `*.pdf` (any case) under `root`, sorted; hidden files and folders left out."""
    if not root.is_dir():
        raise InputFileError(_("Không phải thư mục hoặc không đọc được."), path=root)
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(folder) / f for f in files if f.lower().endswith(".pdf") and not f.startswith("."))
    return sorted(found)


def summarize(files: Sequence[FileVerification]) -> AuditSummary:
    def count(predicate: Callable[[FileVerification], bool]) -> int:
        return sum(1 for f in files if predicate(f))

    return AuditSummary(
        total=len(files),
        passed=count(lambda f: f.indication is Indication.total_passed),
        indeterminate=count(lambda f: f.indication is Indication.indeterminate),
        failed=count(
            lambda f: (
                f.indication is Indication.total_failed and f.sub_indication is not SubIndication.no_signature
            )
        ),
        unsigned=count(lambda f: f.sub_indication is SubIndication.no_signature),
    )


_worker_roots: tuple[x509.Certificate, ...] = ()
_worker_mode = RevocationMode.auto


def _worker_init(roots_der: tuple[bytes, ...], mode: RevocationMode) -> None:
    global _worker_roots, _worker_mode
    _worker_roots = tuple(x509.Certificate.load(der) for der in roots_der)
    _worker_mode = mode
    quiet_pyhanko_logs()


def _worker_verify(path: Path) -> FileVerification:
    return verify_file(path, _worker_roots, revocation=_worker_mode)


def verify_files(
    paths: Sequence[Path],
    trust_roots: Sequence[x509.Certificate],
    *,
    jobs: int = 1,
    revocation: RevocationMode = RevocationMode.auto,
    progress: ProgressCallback | None = None,
) -> list[FileVerification]:
    """Verify `paths` with up to `jobs` processes; results in the order of `paths`."""
    if jobs <= 1 or len(paths) < PARALLEL_FROM:
        quiet_pyhanko_logs()
        results = []
        for path in paths:
            results.append(verify_file(path, trust_roots, revocation=revocation))
            if progress:
                progress(len(results), len(paths))
        return results
    by_path: dict[Path, FileVerification] = {}
    roots_der = tuple(cert.dump() for cert in trust_roots)
    workers = min(jobs, len(paths))
    with process_pool(workers, initializer=_worker_init, initargs=(roots_der, revocation)) as pool:
        futures = {pool.submit(_worker_verify, path): path for path in paths}
        for future in as_completed(futures):
            path = futures[future]
            try:
                by_path[path] = future.result()
            except Exception as error:  # a worker's crash (or an unpicklable result) is this file's verdict
                by_path[path] = crashed_file(path, error)
            if progress:
                progress(len(by_path), len(paths))
    return [by_path[path] for path in paths]


def audit_tree(
    root: Path,
    trust_roots: Sequence[x509.Certificate],
    *,
    jobs: int = 1,
    revocation: RevocationMode = RevocationMode.auto,
    progress: ProgressCallback | None = None,
) -> AuditResult:
    """Verify every PDF under `root`."""
    started = time.monotonic()
    paths = find_pdfs(root)
    files = verify_files(paths, trust_roots, jobs=jobs, revocation=revocation, progress=progress)
    return AuditResult(
        root=str(root),
        files=tuple(files),
        summary=summarize(files),
        seconds=time.monotonic() - started,
        jobs=jobs,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def file_document(result: FileVerification) -> dict[str, Any]:
    """One file's verification for `--json`: indication first, every field of every signature."""
    document = _jsonable(dataclasses.asdict(result))
    return {"path": result.path, "passed": result.passed, **document}


def summary_document(summary: AuditSummary) -> dict[str, int]:
    return dataclasses.asdict(summary)


def audit_document(result: AuditResult) -> dict[str, Any]:
    return {
        "root": result.root,
        "passed": result.passed,
        "summary": summary_document(result.summary),
        "seconds": round(result.seconds, 3),
        "jobs": result.jobs,
        "files": [file_document(f) for f in result.files],
    }
