"""The supplement's papers, from the folder the officer scanned them into: named, hashed, signature-checked.

A TPxx.pdf keeps its name, so it replaces the component of the same name at the portal (the corrected paper
the agency asked for); `scan.pdf` and `chua-xep-loai.pdf` are sent as `bsN-scan.pdf` /
`bsN-chua-xep-loai.pdf` (N = the supplement round) so they never overwrite what the citizen handed in first.
Nothing is written here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dossier.errors import ConfigError, InputFileError
from dossier.fsutil import sha256_file
from dossier.i18n import _
from dossier.profiles.deadlines import to_vietnam_time
from dossier.profiles.loader import load_catalogue
from dossier.store.folder import DossierFolder
from dossier.store.registry import DossierRecord
from dossier.submit.adapter import SubmissionFile, SupplementMetadata
from dossier.submit.package import (
    UNCLASSIFIED_CODE,
    WHOLE_SCAN_CODE,
    PackageFile,
    UnsignedFileError,
    file_fingerprint,
    find_documents,
    signature_count,
)

# Sent to the portal as it is (data in Vietnamese, like the portal's own history notes), not translated.
DEFAULT_NOTE = "Công dân nộp bổ sung giấy tờ theo yêu cầu"
SUPPLEMENT_COMPONENT_NAMES = {
    UNCLASSIFIED_CODE: "Giấy tờ bổ sung chưa xếp loại",
    WHOLE_SCAN_CODE: "Giấy tờ bổ sung",
}


@dataclass(frozen=True)
class SupplementPackage:
    folder: Path
    dossier_id: str
    metadata: SupplementMetadata
    files: tuple[PackageFile, ...]  # entry.name is the name at the portal (bsN- prefix where needed)
    unsigned: tuple[str, ...]


def _portal_name(path: Path, component: str, round_number: int) -> str:
    if component in SUPPLEMENT_COMPONENT_NAMES or path == DossierFolder(path.parent).scan_pdf:
        return f"bs{round_number}-{path.name}"
    return path.name


def _component_name(dossier: DossierRecord, component: str, path: Path, profiles_dir: Path | None) -> str:
    if component in SUPPLEMENT_COMPONENT_NAMES:
        return SUPPLEMENT_COMPONENT_NAMES[component]
    if not dossier.procedure_code:
        raise ConfigError(_("Sổ đăng ký không ghi mã thủ tục của hồ sơ."), path=dossier.folder)
    today = to_vietnam_time(datetime.now().astimezone()).date()
    profile = load_catalogue(profiles_dir).profile_for(dossier.procedure_code, today)
    found = profile.component(component)
    if found is None:
        raise ConfigError(
            _("Thủ tục {procedure} không có thành phần {code}.").format(
                procedure=profile.code, code=component
            ),
            path,
        )
    return found.name


def _hashed(path: Path, entry_name: str, component: str, component_name: str) -> PackageFile:
    before = file_fingerprint(path)
    digest = sha256_file(path)
    if file_fingerprint(path) != before:
        raise InputFileError(_("Tệp đang bị ghi trong lúc tính SHA-256; hãy nộp lại khi đã ghi xong."), path)
    entry = SubmissionFile(entry_name, component, component_name, before[1], digest)
    return PackageFile(path, entry, before)


def build_supplement(
    folder: Path,
    dossier: DossierRecord,
    round_number: int,
    *,
    note: str | None = None,
    allow_unsigned: bool = False,
    profiles_dir: Path | None = None,
) -> SupplementPackage:
    """The supplement's files (the same layout `dossier scan` writes), hashed and signature-checked."""
    folder = folder.expanduser().absolute()
    documents = find_documents(folder)
    unsigned = tuple(path.name for path, _code in documents if signature_count(path) == 0)
    if unsigned and not allow_unsigned:
        raise UnsignedFileError(
            _("Tệp chưa được ký số, không nộp được: {names}").format(names=", ".join(unsigned)),
            path=folder / unsigned[0],
            hint=_(
                "Ký số hồ sơ trước khi nộp; chỉ khi tập huấn với cổng thử nghiệm mới dùng --allow-unsigned."
            ),
        )
    files = tuple(
        _hashed(
            path,
            _portal_name(path, component, round_number),
            component,
            _component_name(dossier, component, path, profiles_dir),
        )
        for path, component in documents
    )
    text = " ".join((note or "").split()) or DEFAULT_NOTE
    metadata = SupplementMetadata(note=text[:2000], files=tuple(f.entry for f in files))
    return SupplementPackage(folder, dossier.id, metadata, files, unsigned)
