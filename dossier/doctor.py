"""`diagnose()`: what this installation has and where, each missing piece with its fix (`dossier doctor`).

The first thing a help desk asks for. Nothing here writes: the workspace's writability is tried with a
temporary file that is removed at once, and a workspace that does not exist yet is judged by the folder
that would hold it.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from dossier import __version__
from dossier.config import config_path, load_config
from dossier.errors import DossierError
from dossier.extras import EXTRAS, install_command, missing_modules
from dossier.fonts import FONT_DIR, FontStyle, font_path
from dossier.home import HOME_ENV, dossier_home
from dossier.i18n import _
from dossier.signing.modules import modules_for, present_modules
from dossier.tools import (
    TESSERACT_ENV,
    install_hint,
    tesseract_command,
    tesseract_languages,
    tesseract_path,
    tesseract_version,
)
from dossier.workers import START_ENV, start_method


@dataclass(frozen=True)
class Finding:
    """One thing checked: `ok`, what was found and where (`detail`), and how to fix it when not ok."""

    key: str  # stable, for scripts: workspace, config, tesseract, tesseract_vie, fonts, ...
    label: str
    ok: bool
    required: bool  # the counter cannot work without it (scan, check, sign from a file, submit)
    detail: str
    fix: str | None = None


@dataclass(frozen=True)
class DoctorReport:
    findings: tuple[Finding, ...]

    @property
    def ready(self) -> bool:
        """Everything the counter needs is there (optional pieces may be missing)."""
        return all(f.ok for f in self.findings if f.required)

    def to_json(self) -> dict[str, object]:
        return {"ready": self.ready, "version": __version__, "findings": [asdict(f) for f in self.findings]}


def _writable_folder(folder: Path) -> tuple[bool, str]:
    """Whether files can be created in `folder`, or in the nearest existing folder that would hold it."""
    probe = folder
    while not probe.exists():
        if probe.parent == probe:
            return False, _("không có thư mục nào chứa được nó")
        probe = probe.parent
    if not probe.is_dir():
        return False, _("{path} không phải là thư mục").format(path=probe)
    try:
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as error:
        return False, error.strerror or str(error)
    return True, _("ghi được") if probe == folder else _("chưa có, sẽ được tạo trong {path}").format(
        path=probe
    )


def _workspace() -> Finding:
    home = dossier_home()
    ok, how = _writable_folder(home)
    source = f"${HOME_ENV}" if os.environ.get(HOME_ENV, "").strip() else _("mặc định của hệ điều hành")
    return Finding(
        "workspace",
        _("Thư mục làm việc (sổ đăng ký, hàng đợi)"),
        ok,
        True,
        f"{home} ({source}; {how})",
        None
        if ok
        else _("Đặt {env} tới một thư mục ghi được, hoặc sửa quyền của {path}").format(
            env=HOME_ENV, path=home
        ),
    )


def _config() -> Finding:
    path = config_path()
    label = _("Tệp cấu hình")
    if not path.exists() and not os.environ.get("DOSSIER_CONFIG", "").strip():
        return Finding("config", label, True, True, _("{path} (chưa có: dùng mặc định)").format(path=path))
    try:
        sections = load_config(path)
    except DossierError as error:
        return Finding(
            "config", label, False, True, f"{path}: {error.message}", _("Sửa hoặc đổi tên tệp này")
        )
    names = ", ".join(f"[{name}]" for name in sections) or _("trống")
    return Finding("config", label, True, True, f"{path} ({names})")


def _tesseract() -> list[Finding]:
    command = tesseract_command()
    path = tesseract_path()
    source = f"${TESSERACT_ENV}" if os.environ.get(TESSERACT_ENV, "").strip() else "PATH"
    fix = _("Cài đặt: {install}; hoặc đặt {env}=/đường/dẫn/tesseract").format(
        install=install_hint("tesseract"), env=TESSERACT_ENV
    )
    vie_label = _("Dữ liệu tiếng Việt của Tesseract (vie)")
    if path is None:
        return [
            Finding(
                "tesseract",
                "Tesseract OCR",
                False,
                True,
                _("không tìm thấy {command} ({source})").format(command=command, source=source),
                fix,
            ),
            Finding("tesseract_vie", vie_label, False, True, _("chưa kiểm tra được: thiếu Tesseract"), fix),
        ]
    try:
        version = tesseract_version()
        languages = tesseract_languages()
    except DossierError as error:
        return [
            Finding("tesseract", "Tesseract OCR", False, True, f"{path}: {error.message}", fix),
            Finding("tesseract_vie", vie_label, False, True, _("chưa kiểm tra được: thiếu Tesseract"), fix),
        ]
    vie_ok = "vie" in languages
    return [
        Finding("tesseract", "Tesseract OCR", True, True, f"{path} ({version}; {source})"),
        Finding(
            "tesseract_vie",
            vie_label,
            vie_ok,
            True,
            _("ngôn ngữ có: {languages}").format(languages=", ".join(sorted(languages)) or "-"),
            None
            if vie_ok
            else _("Cài đặt: {install}").format(install=install_hint("tesseract-lang", lang="vie")),
        ),
    ]


def _fonts() -> Finding:
    label = _("Phông chữ tiếng Việt (Liberation Serif, đi kèm gói)")
    try:
        files = [font_path(style).name for style in FontStyle]
    except DossierError as error:
        return Finding("fonts", label, False, True, f"{error.path}: {error.message}", error.hint)
    return Finding("fonts", label, True, True, f"{FONT_DIR} ({', '.join(files)})")


def _start_method() -> Finding:
    label = _("Tiến trình song song")
    try:
        method = start_method()
    except DossierError as error:
        return Finding("workers", label, False, True, error.message, _("Bỏ đặt {env}").format(env=START_ENV))
    return Finding("workers", label, True, True, f"{method} ({START_ENV})")


def _scanner() -> Finding:
    path = shutil.which("scanimage")
    return Finding(
        "scanimage",
        _("Máy quét qua SANE (scanimage)"),
        path is not None,
        False,
        path or _("không có: quét vào một thư mục rồi dossier scan THƯ_MỤC"),
        None if path else _("Cài đặt: {install}").format(install=install_hint("scanimage")),
    )


def _pkcs11() -> list[Finding]:
    from dossier.signing.settings import load_signing_settings

    findings: list[Finding] = []
    label = _("Thư viện PKCS#11 của token ký số")
    try:
        configured = load_signing_settings().pkcs11_module
    except DossierError:
        configured = None  # the configuration finding already reports the broken file
    if configured is not None:
        exists = Path(configured).is_file()
        findings.append(
            Finding(
                "pkcs11_configured",
                _("Thư viện PKCS#11 trong cấu hình ([signing] pkcs11_module)"),
                exists,
                True,
                str(configured),
                None if exists else _("Cài trình điều khiển token, hoặc sửa đường dẫn trong tệp cấu hình"),
            )
        )
    present = present_modules()
    known = len(modules_for())
    findings.append(
        Finding(
            "pkcs11",
            label,
            bool(present),
            False,
            "; ".join(f"{m.name}: {m.path}" for m in present)
            or _("không thấy thư viện nào trong {count} đường dẫn đã biết").format(count=known),
            None
            if present
            else _(
                "Cài trình điều khiển token của CA (xem bảng PKCS#11 trong README), rồi đặt pkcs11_module"
            ),
        )
    )
    return findings


def _softhsm() -> Finding:
    path = shutil.which("softhsm2-util")
    return Finding(
        "softhsm",
        _("SoftHSM2 (token phần mềm để thử)"),
        path is not None,
        False,
        path or _("không có"),
        None if path else "apt-get install softhsm2 / brew install softhsm",
    )


def _extras() -> list[Finding]:
    findings = []
    for name, extra in EXTRAS.items():
        missing = missing_modules(name)
        findings.append(
            Finding(
                f"extra_{name}",
                _("Gói bổ sung [{extra}] ({command})").format(extra=name, command=extra.purpose),
                not missing,
                False,
                ", ".join(extra.modules)
                if not missing
                else _("thiếu: {modules}").format(modules=", ".join(missing)),
                None if not missing else install_command(name),
            )
        )
    return findings


def _python() -> Finding:
    detail = (
        f"Python {platform.python_version()} ({sys.executable}); {platform.platform()}; dossier {__version__}"
    )
    return Finding("python", "Python", True, True, detail)


CHECKS: tuple[Callable[[], Finding | list[Finding]], ...] = (
    _python,
    _workspace,
    _config,
    _tesseract,
    _fonts,
    _start_method,
    _scanner,
    _pkcs11,
    _softhsm,
    _extras,
)


def diagnose() -> DoctorReport:
    findings: list[Finding] = []
    for check in CHECKS:
        result = check()
        findings.extend(result if isinstance(result, list) else [result])
    return DoctorReport(tuple(findings))
