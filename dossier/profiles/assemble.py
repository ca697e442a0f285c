"""A checked dossier split into one PDF per component document, with the checklist in the manifest."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pikepdf

from dossier.fsutil import atomic_writer, sha256_file
from dossier.profiles.checklist import ChecklistReport
from dossier.profiles.fields import FieldCheck
from dossier.profiles.validate import report_document
from dossier.store.folder import DossierFolder
from dossier.store.manifest import Checklist, ComponentEntry


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


def write_components(
    dossier_dir: Path, report: ChecklistReport, checks: dict[str, tuple[FieldCheck, ...]]
) -> AssembledDossier:
    """One PDF per component as `report` files the pages (pages set aside by the officer go nowhere), the
    checklist in the manifest, and the files of an earlier split that no longer apply removed."""
    folder = DossierFolder(dossier_dir)
    scan = folder.require_scan()
    manifest = folder.manifest()
    by_component: dict[str | None, list[int]] = {}
    for document in report.documents:
        by_component.setdefault(document.component, []).extend(document.pages)
    files = []
    for component, pages in by_component.items():
        path = folder.component_path(component)
        _write_pages(scan, tuple(pages), path)
        files.append(ComponentFile(component, tuple(pages), path.name, sha256_file(path)))
    earlier = {c.path for c in manifest.components or ()}
    checklist_document = report_document(report, checks)
    folder.write_manifest(
        replace(
            manifest,
            components=tuple(ComponentEntry(f.component, f.pages, f.path, f.sha256) for f in files),
            checklist=Checklist(report.profile.code, str(report.verdict), checklist_document),
        )
    )
    for name in earlier - {f.path for f in files}:
        if name.endswith(".pdf") and Path(name).name == name:  # only files we wrote, never a path elsewhere
            (dossier_dir / name).unlink(missing_ok=True)
    return AssembledDossier(report, checks, tuple(files))
