"""After a scan with a known procedure: one PDF per component document, and the checklist in the manifest."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pikepdf

from dossier.fsutil import atomic_write_text, atomic_writer, sha256_file
from dossier.profiles.checklist import ChecklistReport, check_pages, read_page_texts
from dossier.profiles.fields import FieldCheck
from dossier.profiles.model import Profile
from dossier.profiles.validate import render_page, report_document, separator_marks, validate_report

UNCLASSIFIED_NAME = "chua-xep-loai.pdf"  # pages that matched no component, kept for the officer


@dataclass(frozen=True)
class ComponentFile:
    component: str | None
    pages: tuple[int, ...]  # 1-based pages of scan.pdf
    path: str  # relative to the dossier folder
    sha256: str


@dataclass(frozen=True)
class AssembledDossier:
    report: ChecklistReport
    checks: dict[str, tuple[FieldCheck, ...]]
    files: tuple[ComponentFile, ...]


def _write_pages(scan: Path, pages: tuple[int, ...], out: Path) -> None:
    """A copy of scan.pdf keeping only `pages`: the PDF/A metadata and output intent come along."""
    keep = set(pages)
    with pikepdf.open(scan) as pdf:
        for index in reversed(range(len(pdf.pages))):
            if index + 1 not in keep:
                del pdf.pages[index]
        with atomic_writer(out) as fh:
            pdf.save(fh, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def assemble_components(dossier_dir: Path, profile: Profile) -> AssembledDossier:
    """Check the scan against `profile`, write TPxx.pdf per component, record both in the manifest."""
    scan = dossier_dir / "scan.pdf"
    texts = read_page_texts(scan)

    def render(page: int, dpi: float) -> np.ndarray:
        return render_page(scan, page, dpi)

    report = check_pages(texts, profile, separators=separator_marks(texts, profile, render))
    report, checks = validate_report(report, texts, render)
    by_component: dict[str | None, list[int]] = {}
    for document in report.documents:
        by_component.setdefault(document.component, []).extend(document.pages)
    files = []
    for component, pages in by_component.items():
        name = f"{component}.pdf" if component else UNCLASSIFIED_NAME
        _write_pages(scan, tuple(pages), dossier_dir / name)
        files.append(ComponentFile(component, tuple(pages), name, sha256_file(dossier_dir / name)))
    manifest_path = dossier_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["components"] = [
        {"component": f.component, "pages": list(f.pages), "path": f.path, "sha256": f.sha256} for f in files
    ]
    manifest["checklist"] = report_document(report, checks)
    atomic_write_text(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return AssembledDossier(report, checks, tuple(files))
