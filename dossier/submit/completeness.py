"""Before anything is queued: is the folder the whole dossier the procedure asks for, as it was signed?

Every required component of the procedure's profile is there (a `one_of` group by any member; papers only
shown at the counter are not sent), every file the manifest lists is still there, and every copy `dossier
sign` wrote has the SHA-256 it had when signed. All problems are reported at once: fixed in one go.
"""

from __future__ import annotations

from pathlib import Path

from dossier.errors import DossierError, ExitCode, InputFileError
from dossier.fsutil import sha256_file
from dossier.i18n import _
from dossier.profiles.checklist import Status, check_pages, read_page_texts
from dossier.profiles.model import Form, Profile, Requirement
from dossier.store.folder import DossierFolder

Documents = tuple[tuple[Path, str], ...]  # (file, component code) as `package.find_documents` gives them


class IncompleteDossierError(DossierError):
    """The folder lacks a required component, a listed file, or holds a copy changed since it was signed."""

    exit_code = ExitCode.dossier_incomplete


def _present(folder: DossierFolder, documents: Documents, profile: Profile) -> set[str]:
    """Component ids in the folder: by their files (TP01.pdf ...), or, for a dossier sent as one scan.pdf,
    by checking the scan's text the way `dossier check` does."""
    present = {code for path, code in documents if DossierFolder.component_of(path)}
    if not present and any(path == folder.scan_pdf for path, _code in documents):
        report = check_pages(read_page_texts(folder.scan_pdf), profile)
        present = {i.component.id for i in report.items if i.status in (Status.present, Status.review)}
    return present


def missing_components(profile: Profile, present: set[str]) -> list[str]:
    """`TP01 name`, or `TP02 / TP03` for a group none of whose members is there; each group once."""
    missing: list[str] = []
    groups_done: set[str] = set()
    for component in profile.components:
        if component.requirement is not Requirement.required or component.form is Form.present_only:
            continue
        if component.one_of:
            if component.one_of in groups_done:
                continue
            groups_done.add(component.one_of)
            members = [c for c in profile.components if c.one_of == component.one_of]
            if not any(m.id in present for m in members):
                missing.append(" / ".join(f"{m.id} {m.name}" for m in members))
        elif component.id not in present:
            missing.append(f"{component.id} {component.name}")
    return missing


def completeness_problems(
    folder: Path, profile: Profile, documents: tuple[tuple[Path, str], ...]
) -> list[str]:
    dossier = DossierFolder(folder)
    problems: list[str] = []
    try:
        manifest = dossier.own_manifest()
    except InputFileError as error:
        manifest = None
        problems.append(error.message)
    else:
        if manifest is None:
            problems.append(
                _(
                    "Thư mục không có manifest.json của dossier: không biết hồ sơ đã được quét, kiểm tra và"
                    " ký đủ chưa (lệnh ký bị ngắt giữa chừng?)."
                )
            )
    problems += [
        _("Thiếu thành phần bắt buộc: {component}").format(component=name)
        for name in missing_components(profile, _present(dossier, documents, profile))
    ]
    if manifest is None:
        return problems
    for entry in manifest.components or ():
        if not (folder / entry.path).is_file():
            problems.append(
                _("{name}: ghi trong manifest.json nhưng không có trong thư mục.").format(name=entry.path)
            )
    if manifest.signed is not None:
        recorded = {s.path: s.sha256 for s in manifest.signed}
        for name, digest in recorded.items():
            path = folder / name
            if not path.is_file():
                problems.append(_("{name}: bản đã ký không còn trong thư mục.").format(name=name))
            elif sha256_file(path) != digest:
                problems.append(
                    _("{name}: đã thay đổi sau khi ký (SHA-256 khác bản đã ghi).").format(name=name)
                )
        for path, _code in documents:
            if path.name not in recorded:
                problems.append(
                    _("{name}: không phải bản do `dossier sign` ký cho hồ sơ này.").format(name=path.name)
                )
    return problems


def require_complete(folder: Path, profile: Profile, documents: Documents) -> None:
    problems = completeness_problems(folder, profile, documents)
    if problems:
        raise IncompleteDossierError(
            _("Hồ sơ chưa đủ để nộp:") + "\n" + "\n".join(f"- {p}" for p in problems),
            path=folder,
            hint=_("Quét bổ sung, kiểm tra (`dossier check`) và ký lại (`dossier sign`) rồi nộp."),
        )
