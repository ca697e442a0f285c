"""`check_dossier`: the one way to check a scanned dossier against a procedure, for every command that does.

The officer's corrections for this very scan, separator sheets, the field checks, and (for a dossier split
into component files) the re-split: `dossier scan --procedure`, `dossier check` and `dossier notice` all call
this, so a supplement request lists exactly what the check says is missing, the officer's `--assign` included.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path

import numpy as np

from dossier.digitize.manifest import unreadable_pages
from dossier.errors import ConfigError, InputFileError
from dossier.fsutil import sha256_file
from dossier.i18n import _
from dossier.profiles.assemble import ComponentFile, write_components
from dossier.profiles.checklist import NOT_IN_DOSSIER, ChecklistReport, Verdict, check_pages, read_page_texts
from dossier.profiles.fields import FieldCheck
from dossier.profiles.model import Profile
from dossier.profiles.validate import render_page, separator_marks, validate_report
from dossier.store.folder import Correction, DossierFolder


class Split(Enum):
    """What the check does to the component files."""

    keep = "keep"  # re-split only a dossier already split, and only when the officer's corrections apply
    always = "always"  # split into TPxx.pdf now (`dossier scan --procedure`)
    never = "never"  # read only (notices)


@dataclass(frozen=True)
class DossierCheck:
    """A checked dossier: the checklist, each component's field checks, and what the check wrote."""

    folder: Path
    scan_sha256: str
    report: ChecklistReport
    checks: Mapping[str, tuple[FieldCheck, ...]]
    unreadable_pages: tuple[int, ...]  # pages Tesseract could hardly read (from the scan's manifest)
    corrections: Mapping[int, str]  # the officer's corrections that applied (page -> component or "none")
    files: tuple[ComponentFile, ...] | None  # component files written by this check, None when none were

    @property
    def verdict(self) -> Verdict:
        return self.report.verdict


def _validate_assignments(assignments: Mapping[int, str], profile: Profile, pages: int, officer: str) -> None:
    unknown = {c for c in assignments.values() if c != NOT_IN_DOSSIER and profile.component(c) is None}
    if unknown:
        raise ConfigError(
            _("Không có thành phần {ids} trong thủ tục {code}.").format(
                ids=", ".join(sorted(unknown)), code=profile.code
            )
        )
    if any(p < 1 or p > pages for p in assignments):
        raise ConfigError(_("Số trang ngoài khoảng 1-{n}.").format(n=pages))
    if assignments and not officer.strip():
        raise ConfigError(_("Cần --officer (hoặc DOSSIER_OFFICER) để ghi lại ai sửa."))


def saved_corrections(folder: DossierFolder, scan_sha256: str) -> dict[int, str]:
    """Corrections made on this very scan (a rescan changes the pages, so older ones no longer apply)."""
    merged: dict[int, str] = {}
    for entry in folder.corrections():
        if entry.scan_sha256 == scan_sha256:
            merged.update(entry.pages)
    return merged


def check_dossier(
    dossier_dir: Path,
    profile: Profile,
    on: date | None = None,
    *,
    assignments: Mapping[int, str] | None = None,
    officer: str = "",
    split: Split = Split.keep,
) -> DossierCheck:
    """Check the dossier's scan against `profile` in force on `on` (default today for the age limits: none).

    New `assignments` (page -> component id, or "none") are validated, recorded in corrections.json under
    `officer`'s name, and applied together with the earlier corrections of the same scan.
    """
    folder = DossierFolder(dossier_dir)
    pdf = folder.require_scan()
    texts = read_page_texts(pdf)
    if not any(t.strip() for t in texts):
        raise InputFileError(_("Hồ sơ không có chữ nào đọc được."), path=pdf)
    scan_sha256 = sha256_file(pdf)
    new = dict(assignments or {})
    _validate_assignments(new, profile, len(texts), officer)
    if new:
        at = datetime.now().astimezone().isoformat(timespec="seconds")
        folder.add_correction(Correction(officer.strip(), scan_sha256, at, new))

    def render(page: int, dpi: float) -> np.ndarray:
        return render_page(pdf, page, dpi)

    saved = saved_corrections(folder, scan_sha256)
    report = check_pages(texts, profile, saved, separator_marks(texts, profile, render))
    report, checks = validate_report(report, texts, render, on)
    files = None
    if split is Split.always or (split is Split.keep and saved and folder.was_split()):
        files = write_components(dossier_dir, report, checks).files  # the files follow the corrections
    manifest = folder.manifest_or_none()
    unreadable = tuple(unreadable_pages(manifest)) if manifest is not None else ()
    return DossierCheck(dossier_dir, scan_sha256, report, checks, unreadable, saved, files)
