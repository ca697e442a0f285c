"""manifest.json as typed, versioned objects: what a scan wrote into a dossier folder, and its checklist.

The file starts with a format marker, `"format": "dossier-scan/1"`: a manifest is ours only when the marker
names our format and a version we know. A file called manifest.json without it (a web project's, another
tool's) is foreign; a later version is refused with a message saying so rather than misread. Keys a version-1
manifest may gain later are kept as they are (`extra`), so reading and writing one never loses anything.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dossier.errors import InputFileError
from dossier.i18n import _

FORMAT_NAME = "dossier-scan"
FORMAT_VERSION = 1
MANIFEST_FORMAT = f"{FORMAT_NAME}/{FORMAT_VERSION}"

JSON = Mapping[str, Any]


class ForeignManifestError(InputFileError):
    """A manifest.json that dossier did not write (no or another format marker)."""


class NewerManifestError(InputFileError):
    """A manifest of our format in a version this program does not know."""


@dataclass(frozen=True)
class ManifestFile:
    """A file the scan wrote: its name in the folder, SHA-256, size and page count."""

    path: str
    sha256: str
    size: int
    pages: int


@dataclass(frozen=True)
class PageSource:
    kind: str
    name: str
    page: int


@dataclass(frozen=True)
class PageEntry:
    """One page of the scan (or one dropped blank page: `page` and `file` are then None)."""

    source: PageSource
    born_digital: bool
    page: int | None = None
    file: str | None = None
    ocr_confidence: float | None = None
    words: int | None = None
    extra: JSON = field(default_factory=dict)  # rotation, skew, crop, mode, dpi, timings ... as written


@dataclass(frozen=True)
class FailedEntry:
    name: str
    reason: str
    exit_code: int


@dataclass(frozen=True)
class ComponentEntry:
    """A component file split from the scan (`TP01.pdf`; `component` None: `chua-xep-loai.pdf`)."""

    component: str | None
    pages: tuple[int, ...]
    path: str
    sha256: str


@dataclass(frozen=True)
class SignedEntry:
    """A signed copy `dossier sign` wrote beside this manifest, with the SHA-256 it had when written."""

    path: str
    sha256: str


@dataclass(frozen=True)
class Checklist:
    """The check's verdict on the scan as `dossier check --json` reports it (the whole report: `report`)."""

    procedure: str
    verdict: str
    report: JSON


@dataclass(frozen=True)
class Manifest:
    software: str
    scan_time: str
    options: JSON
    files: tuple[ManifestFile, ...]
    pages: tuple[PageEntry, ...]
    blank_pages: tuple[PageEntry, ...] = ()
    failed: tuple[FailedEntry, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)
    components: tuple[ComponentEntry, ...] | None = None  # None: never split into components
    checklist: Checklist | None = None
    signed: tuple[SignedEntry, ...] | None = None  # in a signing output folder: the signed copies
    version: int = FORMAT_VERSION
    extra: JSON = field(default_factory=dict)

    def written_files(self) -> dict[str, str]:
        """Name -> SHA-256 of every file this manifest says the scan (or its split) wrote."""
        written = {f.path: f.sha256 for f in self.files}
        written.update({c.path: c.sha256 for c in self.components or ()})
        return written


# --- to JSON ---


def _page_json(entry: PageEntry, blank: bool) -> dict[str, Any]:
    document: dict[str, Any] = {}
    if blank:
        document.update(dropped=True, reason="blank")
    else:
        document.update(page=entry.page, file=entry.file)
    document["source"] = {"kind": entry.source.kind, "name": entry.source.name, "page": entry.source.page}
    document["born_digital"] = entry.born_digital
    extra = dict(entry.extra)
    timings = extra.pop("timings", None)
    document.update(extra)
    if entry.ocr_confidence is not None:
        document["ocr_confidence"] = entry.ocr_confidence
    if entry.words is not None:
        document["words"] = entry.words
    if timings is not None:
        document["timings"] = timings
    return document


def manifest_json(manifest: Manifest) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": f"{FORMAT_NAME}/{manifest.version}",
        "software": manifest.software,
        "scan_time": manifest.scan_time,
        "options": dict(manifest.options),
        "files": [
            {"path": f.path, "sha256": f.sha256, "size": f.size, "pages": f.pages} for f in manifest.files
        ],
        "pages": [_page_json(p, blank=False) for p in manifest.pages],
        "blank_pages": [_page_json(p, blank=True) for p in manifest.blank_pages],
        "failed": [{"name": f.name, "reason": f.reason, "exit_code": f.exit_code} for f in manifest.failed],
        "timings": dict(manifest.timings),
    }
    if manifest.components is not None:
        document["components"] = [
            {"component": c.component, "pages": list(c.pages), "path": c.path, "sha256": c.sha256}
            for c in manifest.components
        ]
    if manifest.checklist is not None:
        document["checklist"] = dict(manifest.checklist.report)
    if manifest.signed is not None:
        document["signed"] = [{"path": s.path, "sha256": s.sha256} for s in manifest.signed]
    document.update(manifest.extra)
    return document


def dump_manifest(manifest: Manifest) -> str:
    return json.dumps(manifest_json(manifest), ensure_ascii=False, indent=2) + "\n"


# --- from JSON ---

_PAGE_KEYS = {"page", "file", "source", "born_digital", "ocr_confidence", "words", "dropped", "reason"}
_TOP_KEYS = {
    "format",
    "software",
    "scan_time",
    "options",
    "files",
    "pages",
    "blank_pages",
    "failed",
    "timings",
    "components",
    "checklist",
    "signed",
}


def _page(entry: JSON) -> PageEntry:
    source = entry["source"]
    confidence = entry.get("ocr_confidence")
    words = entry.get("words")
    return PageEntry(
        source=PageSource(str(source["kind"]), str(source["name"]), int(source["page"])),
        born_digital=bool(entry.get("born_digital", False)),
        page=int(entry["page"]) if entry.get("page") is not None else None,
        file=str(entry["file"]) if entry.get("file") is not None else None,
        ocr_confidence=float(confidence) if confidence is not None else None,
        words=int(words) if words is not None else None,
        extra={k: v for k, v in entry.items() if k not in _PAGE_KEYS},
    )


def _checklist(document: JSON) -> Checklist:
    procedure = document.get("procedure")
    if not isinstance(procedure, str) or not procedure.strip():
        raise TypeError("checklist.procedure must be a procedure code")
    return Checklist(procedure, str(document.get("verdict", "")), dict(document))


def marker_version(document: object) -> int | None:
    """The version in a `dossier-scan/N` marker; None when the document carries no marker of ours."""
    marker = document.get("format") if isinstance(document, dict) else None
    if not isinstance(marker, str):
        return None
    name, slash, version = marker.partition("/")
    if name != FORMAT_NAME or not slash or not version.isdigit():
        return None
    return int(version)


def parse_manifest(document: object, path: Path) -> Manifest:
    """The typed manifest, or an `InputFileError` naming `path` and what is wrong with it."""
    version = marker_version(document)
    if version is None:
        raise ForeignManifestError(
            _("{name} không phải manifest của dossier (thiếu dấu định dạng {marker}).").format(
                name=path.name, marker=MANIFEST_FORMAT
            ),
            path=path,
        )
    if version != FORMAT_VERSION:
        message = _("{name} theo định dạng {found}, chương trình này chỉ đọc {marker}: hãy cập nhật dossier.")
        raise NewerManifestError(
            message.format(name=path.name, found=f"{FORMAT_NAME}/{version}", marker=MANIFEST_FORMAT),
            path=path,
        )
    assert isinstance(document, dict)
    try:
        components = document.get("components")
        checklist = document.get("checklist")
        signed = document.get("signed")
        return Manifest(
            software=str(document.get("software", "")),
            scan_time=str(document.get("scan_time", "")),
            options=dict(document.get("options") or {}),
            files=tuple(
                ManifestFile(str(f["path"]), str(f["sha256"]), int(f["size"]), int(f["pages"]))
                for f in document["files"]
            ),
            pages=tuple(_page(p) for p in document.get("pages", [])),
            blank_pages=tuple(_page(p) for p in document.get("blank_pages", [])),
            failed=tuple(
                FailedEntry(str(f["name"]), str(f["reason"]), int(f["exit_code"]))
                for f in document.get("failed", [])
            ),
            timings={str(k): float(v) for k, v in (document.get("timings") or {}).items()},
            components=None
            if components is None
            else tuple(
                ComponentEntry(
                    str(c["component"]) if c.get("component") is not None else None,
                    tuple(int(p) for p in c["pages"]),
                    str(c["path"]),
                    str(c["sha256"]),
                )
                for c in components
            ),
            checklist=_checklist(checklist) if checklist is not None else None,
            signed=None
            if signed is None
            else tuple(SignedEntry(str(s["path"]), str(s["sha256"])) for s in signed),
            version=version,
            extra={k: v for k, v in document.items() if k not in _TOP_KEYS},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise InputFileError(
            _("{name} hỏng: {reason}").format(name=path.name, reason=f"{type(error).__name__}: {error}"),
            path=path,
        ) from error


def load_manifest(path: Path) -> Manifest:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputFileError(
            _("Không đọc được {name}: {reason}").format(name=path.name, reason=error), path=path
        ) from error
    return parse_manifest(document, path)
