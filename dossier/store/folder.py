"""The dossier folder: the contract between the stages, read and written only here.

A scan writes `scan.pdf` and `manifest.json`; a scan with a procedure (or a corrected check) splits it into
`TP01.pdf`, `TP02.pdf`, ... and `chua-xep-loai.pdf`; check keeps the officers' corrections in
`corrections.json`, the counter's forms are listed in `notices.json`. Every stage asks this module for those
names and records, so the layout has one owner, and what survives a rescan is decided here (`plan_rescan`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dossier.errors import InputFileError, OutputError
from dossier.fsutil import atomic_write_text, sha256_file
from dossier.i18n import _
from dossier.store.manifest import ForeignManifestError, Manifest, SignedEntry, dump_manifest, load_manifest

SCAN_NAME = "scan.pdf"
MANIFEST_NAME = "manifest.json"
CORRECTIONS_NAME = "corrections.json"
NOTICES_NAME = "notices.json"
NOTICES_LOCK_NAME = ".notices.lock"
UNCLASSIFIED_NAME = "chua-xep-loai.pdf"  # pages that matched no component, kept for the officer
COMPONENT_FILE = re.compile(r"^(TP\d{2,3})\.pdf$")
# The officers' records about a dossier: a rescan replaces the pages, never these.
KEPT_ON_RESCAN = (CORRECTIONS_NAME, NOTICES_NAME)
_ATOMIC_LEFTOVER = re.compile(r"^\..+\.tmp$")  # a temp file of an interrupted atomic write (fsutil)


@dataclass(frozen=True)
class Correction:
    """One `dossier check --assign` by an officer, for one scan (by its SHA-256)."""

    officer: str
    scan_sha256: str
    at: str
    pages: Mapping[int, str]


@dataclass(frozen=True)
class NoticeRecord:
    """One counter form issued for the dossier (`dossier notice`, the receipt after submission)."""

    kind: str
    code: str
    issued_at: str  # ISO 8601 with offset
    scan_sha256: str | None
    component_ids: tuple[str, ...]
    officer: str
    file: str


@dataclass(frozen=True)
class RescanPlan:
    """What a scan into an existing folder keeps (copied into the new folder) and may replace."""

    keep: tuple[Path, ...]
    replaces_existing: bool


def component_name(component: str | None) -> str:
    """The file name of a component document: `TP01.pdf`, or `chua-xep-loai.pdf` for unclassified pages."""
    return f"{component}.pdf" if component else UNCLASSIFIED_NAME


@dataclass(frozen=True)
class DossierFolder:
    root: Path

    # --- names ---

    @property
    def scan_pdf(self) -> Path:
        return self.root / SCAN_NAME

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST_NAME

    @property
    def notices_path(self) -> Path:
        return self.root / NOTICES_NAME

    @property
    def notices_lock(self) -> Path:
        return self.root / NOTICES_LOCK_NAME

    def component_path(self, component: str | None) -> Path:
        return self.root / component_name(component)

    def require_scan(self) -> Path:
        """scan.pdf, or an `InputFileError` telling the officer to scan first."""
        if not self.scan_pdf.is_file():
            message = _("Thư mục không có scan.pdf: hãy chạy `dossier scan` trước.")
            raise InputFileError(message, path=self.root)
        return self.scan_pdf

    # --- the manifest ---

    def has_manifest(self) -> bool:
        return self.manifest_path.is_file()

    def manifest(self) -> Manifest:
        return load_manifest(self.manifest_path)

    def manifest_or_none(self) -> Manifest | None:
        """The manifest when there is one (a scan.pdf made elsewhere has none)."""
        return self.manifest() if self.has_manifest() else None

    def own_manifest(self) -> Manifest | None:
        """The manifest when the folder holds one of ours; None when it has none or a foreign one (another
        tool's manifest.json: the folder is then just a folder of files). A damaged one of ours raises."""
        try:
            return self.manifest_or_none()
        except ForeignManifestError:
            return None

    def write_manifest(self, manifest: Manifest) -> None:
        atomic_write_text(self.manifest_path, dump_manifest(manifest))

    def carry_manifest_to(self, other: DossierFolder, signed: tuple[Path, ...]) -> Path:
        """The manifest (checked to be ours) beside the signed copies, with each copy's SHA-256: that folder
        is then a dossier of its own, carrying its checklist, and `dossier submit` can tell a copy changed
        or gone since it was signed."""
        entries = tuple(SignedEntry(p.name, sha256_file(p)) for p in sorted(signed))
        other.write_manifest(replace(self.manifest(), signed=entries))
        return other.manifest_path

    def was_split(self) -> bool:
        """Whether `dossier scan --procedure` split this dossier into component files."""
        manifest = self.manifest_or_none()
        return manifest is not None and manifest.components is not None

    def component_files(self) -> tuple[Path, ...]:
        """The component files on disk (TPxx.pdf sorted, then chua-xep-loai.pdf)."""
        if not self.root.is_dir():
            return ()
        found = sorted(p for p in self.root.iterdir() if p.is_file() and COMPONENT_FILE.match(p.name))
        unclassified = self.root / UNCLASSIFIED_NAME
        return (*found, *([unclassified] if unclassified.is_file() else []))

    @staticmethod
    def component_of(path: Path) -> str | None:
        """`TP02` for TP02.pdf, None for anything else."""
        match = COMPONENT_FILE.match(path.name)
        return match.group(1) if match else None

    # --- the officers' records ---

    def _read_list(self, name: str) -> list[Any]:
        path = self.root / name
        if not path.exists():
            return []
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            message = _("Tệp {name} hỏng: {reason}").format(name=name, reason=error)
            raise InputFileError(message, path) from error
        if not isinstance(entries, list):
            message = _("Tệp {name} hỏng: {reason}").format(name=name, reason="not a list")
            raise InputFileError(message, path)
        return entries

    def _write_list(self, name: str, entries: list[dict[str, Any]]) -> None:
        atomic_write_text(self.root / name, json.dumps(entries, ensure_ascii=False, indent=2) + "\n")

    def corrections(self) -> tuple[Correction, ...]:
        try:
            return tuple(
                Correction(
                    str(e.get("officer", "")),
                    str(e["scan_sha256"]),
                    str(e.get("at", "")),
                    {int(page): str(component) for page, component in e["pages"].items()},
                )
                for e in self._read_list(CORRECTIONS_NAME)
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            path = self.root / CORRECTIONS_NAME
            message = _("Tệp {name} hỏng: {reason}").format(name=CORRECTIONS_NAME, reason=error)
            raise InputFileError(message, path) from error

    def add_correction(self, correction: Correction) -> None:
        entries = self._read_list(CORRECTIONS_NAME)
        entries.append(
            {
                "officer": correction.officer,
                "scan_sha256": correction.scan_sha256,
                "at": correction.at,
                "pages": {str(page): component for page, component in sorted(correction.pages.items())},
            }
        )
        self._write_list(CORRECTIONS_NAME, entries)

    def notices(self) -> tuple[NoticeRecord, ...]:
        try:
            return tuple(
                NoticeRecord(
                    str(e["kind"]),
                    str(e["code"]),
                    str(e["issued_at"]),
                    e.get("scan_sha256"),
                    tuple(e.get("component_ids", ())),
                    str(e.get("officer", "")),
                    str(e.get("file", "")),
                )
                for e in self._read_list(NOTICES_NAME)
            )
        except (KeyError, TypeError, ValueError) as error:
            path = self.root / NOTICES_NAME
            raise InputFileError(_("Tệp notices.json hỏng: {reason}").format(reason=error), path) from error

    def add_notice(self, record: NoticeRecord) -> None:
        """Append to notices.json; the caller holds `notices_lock` (two desks, one folder)."""
        entries = [
            {
                "kind": n.kind,
                "code": n.code,
                "issued_at": n.issued_at,
                "scan_sha256": n.scan_sha256,
                "component_ids": list(n.component_ids),
                "officer": n.officer,
                "file": n.file,
            }
            for n in (*self.notices(), record)
        ]
        self._write_list(NOTICES_NAME, entries)

    # --- rescans ---

    def plan_rescan(self, force: bool = False) -> RescanPlan:
        """May a scan replace this folder, and what must it keep? Refuses (`OutputError`, nothing touched)
        a folder the scan did not write itself, or one holding files it did not write, unless `force`."""
        root = self.root
        if not root.exists():
            return RescanPlan((), False)
        if not root.is_dir():
            raise OutputError(_("Đường dẫn đầu ra đã tồn tại và không phải là thư mục."), path=root)
        entries = sorted(root.iterdir())
        if not entries:
            return RescanPlan((), True)
        keep = self._records_to_keep(entries)
        if force:
            return RescanPlan(keep, True)
        foreign = self._not_written_by_scan(entries, keep)
        if foreign:
            names = ", ".join(foreign[:8]) + (" ..." if len(foreign) > 8 else "")
            raise OutputError(
                _(
                    "Thư mục đầu ra có nội dung không do lệnh quét ghi ra ({names}): không thay thế để khỏi"
                    " mất dữ liệu."
                ).format(names=names),
                path=root,
                hint=_("Chọn thư mục khác, hoặc thêm --force nếu chắc chắn muốn thay toàn bộ thư mục."),
            )
        return RescanPlan(keep, True)

    def _records_to_keep(self, entries: list[Path]) -> tuple[Path, ...]:
        keep = [p for p in entries if p.name in KEPT_ON_RESCAN and p.is_file() and not p.is_symlink()]
        try:
            issued = {Path(n.file).name for n in self.notices() if n.file}
        except InputFileError:
            issued = set()
        keep += [p for p in entries if p.name in issued and p.is_file() and not p.is_symlink()]
        return tuple(keep)

    def _not_written_by_scan(self, entries: list[Path], keep: tuple[Path, ...]) -> list[str]:
        """Names in the folder the scan did not write (or that changed since), by its own manifest."""
        written: dict[str, str] = {}
        foreign = []
        if self.manifest_path.is_file():
            try:
                written = self.manifest().written_files()
            except InputFileError:
                foreign.append(_("{name} (không phải của dossier)").format(name=MANIFEST_NAME))
        for path in entries:
            name = path.name
            if path in keep or name in (MANIFEST_NAME, NOTICES_LOCK_NAME) or _ATOMIC_LEFTOVER.match(name):
                continue
            if name not in written or path.is_symlink() or not path.is_file():
                foreign.append(name + ("/" if path.is_dir() else ""))
            elif sha256_file(path) != written[name]:
                foreign.append(_("{name} (đã thay đổi sau khi quét, có thể là bản đã ký)").format(name=name))
        return foreign


def resolve_output(out_dir: Path) -> Path:
    """The real folder behind `--out`: a symbolic link to a folder is followed (the folder is replaced where
    it is, the link stays); a link to nothing or to a file is refused."""
    out_dir = out_dir.expanduser().absolute()
    if out_dir.is_symlink() and not out_dir.exists():
        raise OutputError(_("--out là liên kết tượng trưng trỏ tới nơi không tồn tại."), path=out_dir)
    resolved = out_dir.resolve()
    if resolved.exists() and not resolved.is_dir():
        raise OutputError(_("Đường dẫn đầu ra đã tồn tại và không phải là thư mục."), path=out_dir)
    return resolved
