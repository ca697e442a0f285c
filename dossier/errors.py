"""Exit codes and the exception hierarchy: the library raises, only the CLI turns errors into exit codes."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Documented exit codes of every `dossier` command (the README's table is tested against this)."""

    ok = 0
    error = 1
    usage = 2
    input_file = 3
    missing_dependency = 4
    config = 5
    dossier_incomplete = 6
    signing_failed = 7
    verification_failed = 8
    output = 9
    portal_rejected = 10
    partial = 11
    needs_review = 12
    cluster_unavailable = 15
    refused_by_rule = 16
    portal_unavailable = 75
    interrupted = 130


class DossierError(Exception):
    """An expected failure with a user-facing message that names the file and the reason."""

    exit_code: ExitCode = ExitCode.error

    def __init__(self, message: str, path: Path | str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.hint = hint

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path is not None else ""
        return f"{where}{self.message}"


class InputFileError(DossierError):
    """A source file cannot be read: empty, truncated, encrypted, not an image or PDF, too large."""

    exit_code = ExitCode.input_file


class MissingDependencyError(DossierError):
    """A required external program or data file is missing (tesseract, Vietnamese data, scanimage)."""

    exit_code = ExitCode.missing_dependency


class ScannerError(DossierError):
    """The scanner could not be opened or failed during a scan."""

    exit_code = ExitCode.input_file


class OutputError(DossierError):
    """The output folder cannot be created or written."""

    exit_code = ExitCode.output


class ClusterUnavailableError(DossierError):
    """The Dask scheduler `dossier batch` was pointed at did not answer, or has no workers."""

    exit_code = ExitCode.cluster_unavailable


class ConfigError(DossierError):
    """An option, profile or configuration value is invalid."""

    exit_code = ExitCode.config


class SigningError(DossierError):
    """Signing refused or failed: bad certificate, wrong PIN, missing token, unreachable timestamp service."""

    exit_code = ExitCode.signing_failed


class VerificationFailed(DossierError):
    """At least one signature did not reach TOTAL-PASSED."""

    exit_code = ExitCode.verification_failed


class PortalRejectedError(DossierError):
    """The portal answered and refused the request (4xx other than 408/429): retrying will not help."""

    exit_code = ExitCode.portal_rejected


class PortalUnavailableError(DossierError):
    """The portal was unreachable or answered 5xx/429 after the retries: the dossier waits in the outbox."""

    exit_code = ExitCode.portal_unavailable
