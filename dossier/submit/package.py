"""Build the submission (metadata and the list of PDFs with their SHA-256) from a dossier folder.

The folder is what `dossier scan --procedure` wrote (manifest.json, TP01.pdf, TP02.pdf, ..., maybe
chua-xep-loai.pdf) or the same names in the signing output folder; a folder with only `scan.pdf` is sent
as one document. Every PDF must carry a signature unless the officer is training against the sandbox.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from dossier.errors import ConfigError, InputFileError
from dossier.fsutil import sha256_file
from dossier.i18n import _
from dossier.profiles.deadlines import to_vietnam_time
from dossier.profiles.fields import check_personal_id, normalise_id_text
from dossier.profiles.loader import PROFILES_DIR_ENV, Catalogue, load_catalogue
from dossier.profiles.model import Profile
from dossier.store.codes import InvalidAgencyError, validate_agency
from dossier.store.folder import DossierFolder
from dossier.submit.adapter import Citizen, Officer, SubmissionFile, SubmissionMetadata
from dossier.submit.completeness import require_complete

UNCLASSIFIED_CODE = "KHAC"  # pages matching no component: sent so nothing the citizen handed in is lost
WHOLE_SCAN_CODE = "HS"  # the whole stack as one document, when it was not split into components
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 .-]{8,15}$")


class UnsignedFileError(InputFileError):
    """A PDF of the dossier carries no signature: it must be signed before it goes to the portal."""


@dataclass(frozen=True)
class PackageFile:
    source: Path  # the file in the dossier folder
    entry: SubmissionFile
    fingerprint: tuple[int, int, int]  # (inode, size, mtime_ns) when hashed: a hard link is checked by it


@dataclass(frozen=True)
class SubmissionPackage:
    folder: Path
    metadata: SubmissionMetadata
    files: tuple[PackageFile, ...]
    unsigned: tuple[str, ...]  # names of PDFs without a signature (allowed only with --allow-unsigned)


def citizen_problems(citizen: Citizen) -> tuple[Citizen, list[str]]:
    """The citizen's data cleaned, and every problem with it; messages never repeat the ID number or name."""
    problems = []
    digits = normalise_id_text(citizen.id_number)
    check = check_personal_id(digits)
    if not check.ok or len(digits) != 12:
        reason = check.reason if not check.ok else _("Cần số định danh cá nhân 12 chữ số (CCCD).")
        problems.append(_("Số định danh của công dân không hợp lệ: {reason}").format(reason=reason))
    name = " ".join(citizen.full_name.split())
    if not name:
        problems.append(_("Thiếu họ tên công dân."))
    phone = citizen.phone.strip() if citizen.phone else None
    if phone and not _PHONE.match(phone):
        problems.append(_("Số điện thoại của công dân không đúng dạng."))
    email = citizen.email.strip() if citizen.email else None
    if email and not _EMAIL.match(email):
        problems.append(_("Thư điện tử của công dân không đúng dạng."))
    if not phone and not email:
        problems.append(_("Cần số điện thoại hoặc thư điện tử của công dân (để cổng báo kết quả)."))
    consent = citizen.consent_reference.strip() if citizen.consent_reference else None
    if not consent:
        problems.append(
            _("Thiếu số tham chiếu sự đồng ý của công dân (--consent): hồ sơ nộp thay cần sự đồng ý đó.")
        )
    return Citizen(digits, name, phone or None, email or None, consent or None, citizen.id_type), problems


def validate_citizen(citizen: Citizen) -> Citizen:
    """The citizen's data cleaned and checked (every problem in one `ConfigError`)."""
    cleaned, problems = citizen_problems(citizen)
    if problems:
        raise ConfigError("\n".join(problems))
    return cleaned


def officer_problems(officer: Officer) -> list[str]:
    problems = []
    if not officer.account.strip():
        problems.append(_("Thiếu tài khoản cán bộ (--officer hoặc [portal] officer)."))
    if not officer.agency_code.strip():
        problems.append(_("Thiếu mã định danh cơ quan tiếp nhận: --agency hoặc [portal] agency."))
    else:
        try:
            validate_agency(officer.agency_code)
        except InvalidAgencyError as error:
            problems.append(error.message)
    return problems


def read_manifest_procedure(folder: Path) -> str | None:
    """The procedure code `dossier scan --procedure` recorded in the manifest, if any."""
    manifest = DossierFolder(folder).manifest_or_none()
    return manifest.checklist.procedure if manifest is not None and manifest.checklist is not None else None


def find_documents(folder: Path) -> tuple[tuple[Path, str], ...]:
    """(file, component code) of each PDF to send: TPxx.pdf and chua-xep-loai.pdf, else scan.pdf."""
    if not folder.is_dir():
        raise InputFileError(_("Không tìm thấy thư mục hồ sơ."), path=folder)
    dossier = DossierFolder(folder)
    files = dossier.component_files()
    if any(DossierFolder.component_of(path) for path in files):
        return tuple((path, DossierFolder.component_of(path) or UNCLASSIFIED_CODE) for path in files)
    if dossier.scan_pdf.is_file():
        return ((dossier.scan_pdf, WHOLE_SCAN_CODE),)
    raise InputFileError(
        _("Thư mục không có tệp PDF nào để nộp (TP01.pdf..., chua-xep-loai.pdf hoặc scan.pdf)."),
        path=folder,
        hint=_("Chạy `dossier scan --procedure MÃ` rồi ký số trước khi nộp."),
    )


def signature_count(path: Path) -> int:
    """How many signatures the PDF embeds (pyHanko); an unreadable PDF is an `InputFileError`."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        with path.open("rb") as fh:
            return len(PdfFileReader(fh, strict=False).embedded_signatures)
    except (OSError, PdfReadError, ValueError, KeyError, TypeError) as error:
        raise InputFileError(_("Không đọc được tệp PDF: {reason}").format(reason=error), path) from error


def _component_name(profile: Profile, code: str, path: Path) -> str:
    if code == UNCLASSIFIED_CODE:
        return "Giấy tờ chưa xếp loại"
    if code == WHOLE_SCAN_CODE:
        return "Toàn bộ hồ sơ"
    component = profile.component(code)
    if component is None:
        raise ConfigError(
            _("Thủ tục {procedure} không có thành phần {code}.").format(procedure=profile.code, code=code),
            path,
        )
    return component.name


def file_fingerprint(path: Path) -> tuple[int, int, int]:
    info = path.stat()
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def _package_file(path: Path, component: str, component_name: str) -> PackageFile:
    before = file_fingerprint(path)
    digest = sha256_file(path)
    if file_fingerprint(path) != before:
        raise InputFileError(_("Tệp đang bị ghi trong lúc tính SHA-256; hãy nộp lại khi đã ghi xong."), path)
    entry = SubmissionFile(path.name, component, component_name, before[1], digest)
    return PackageFile(path, entry, before)


@lru_cache(maxsize=4)
def _catalogue(profiles_dir: Path | None, env_dir: str) -> Catalogue:
    """Profiles read once per process (a sync of many dossiers would otherwise re-read every TOML file)."""
    return load_catalogue(profiles_dir)


def build_package(
    folder: Path,
    citizen: Citizen,
    officer: Officer,
    *,
    procedure_code: str | None = None,
    allow_unsigned: bool = False,
    received_at: datetime | None = None,
    profiles_dir: Path | None = None,
) -> SubmissionPackage:
    """Check everything the portal will check, before anything is queued; nothing is written here."""
    folder = folder.expanduser().absolute()
    citizen, problems = citizen_problems(citizen)
    problems += officer_problems(officer)
    code = procedure_code or read_manifest_procedure(folder)
    if not code:
        problems.append(_("Không biết mã thủ tục của hồ sơ: manifest.json không ghi, hãy cho --procedure."))
    if problems:  # everything the officer must supply, at once
        raise ConfigError("\n".join(problems), path=folder)
    assert code is not None
    documents = find_documents(folder)
    officer = Officer(officer.account.strip(), officer.agency_code.strip())
    received = to_vietnam_time(received_at or datetime.now().astimezone()).replace(microsecond=0)
    profile = _catalogue(profiles_dir, os.environ.get(PROFILES_DIR_ENV, "")).profile_for(
        code, received.date()
    )
    require_complete(folder, profile, documents)
    unsigned = tuple(path.name for path, _code in documents if signature_count(path) == 0)
    if unsigned and not allow_unsigned:
        first = folder / unsigned[0]
        raise UnsignedFileError(
            _("Tệp chưa được ký số, không nộp được: {names}").format(names=", ".join(unsigned)),
            path=first,
            hint=_(
                "Ký số hồ sơ trước khi nộp; chỉ khi tập huấn với cổng thử nghiệm mới dùng --allow-unsigned."
            ),
        )
    files = tuple(
        _package_file(path, component, _component_name(profile, component, path))
        for path, component in documents
    )
    metadata = SubmissionMetadata(
        procedure_code=profile.code,
        procedure_name=profile.name,
        received_at=received.isoformat(),
        summary=profile.name[:1000],
        citizen=citizen,
        officer=officer,
        files=tuple(f.entry for f in files),
    )
    return SubmissionPackage(folder, metadata, files, unsigned)
