"""The audit as one self-contained HTML file for supervisors: inline CSS, no external resources, all escaped.

Summary counts first, then the files that need attention (linked), then every file with each signature.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

from dossier.errors import OutputError
from dossier.fsutil import atomic_write_text
from dossier.i18n import _
from dossier.signing.audit import AuditResult
from dossier.signing.indication import Indication
from dossier.signing.verify_result import FileVerification, SignatureVerification, TimestampInfo

_CSS = """
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; margin: 2em; color: #1a1a1a; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; } h3 { font-size: 1em; margin: 0 0 .4em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #ccc; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; font-weight: 600; }
.summary td { font-size: 1.3em; text-align: center; min-width: 5em; }
section.file { border-left: 6px solid #999; padding: .5em 1em; margin: 1em 0; background: #fafafa; }
.passed { border-color: #2e7d32 !important; } .indeterminate { border-color: #f9a825 !important; }
.failed { border-color: #c62828 !important; }
.badge { display: inline-block; padding: .1em .5em; border-radius: 3px; color: #fff; font-weight: 600; }
.badge.passed { background: #2e7d32; } .badge.indeterminate { background: #b28704; }
.badge.failed { background: #c62828; }
.path { font-family: "DejaVu Sans Mono", monospace; word-break: break-all; }
.muted { color: #666; }
"""

_CLASS = {
    Indication.total_passed: "passed",
    Indication.indeterminate: "indeterminate",
    Indication.total_failed: "failed",
}


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _time(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value is not None else "—"


def _badge(indication: Indication, sub_indication: object) -> str:
    sub = f" / {_e(sub_indication)}" if sub_indication else ""
    return f'<span class="badge {_CLASS[indication]}">{_e(indication)}{sub}</span>'


def _yes_no(value: bool) -> str:
    return _("có") if value else _("không")


def _timestamp(info: TimestampInfo | None) -> str:
    if info is None:
        return "—"
    state = _("hợp lệ") if info.ok else _("KHÔNG hợp lệ")
    return f"{_e(_time(info.time))} ({_e(state)}; {_e(info.tsa)})"


def _modification(sig: SignatureVerification) -> str:
    if not sig.modified_after_signing:
        return _("không")
    allowed = _("được phép") if sig.modification_allowed else _("KHÔNG được phép")
    return _("có ({level}: {allowed})").format(level=sig.modification_level, allowed=allowed)


def _signature_rows(sig: SignatureVerification) -> list[tuple[str, str]]:
    cert = sig.certificate
    rows = [
        (_("Kết luận"), _badge(sig.indication, sig.sub_indication)),
        (_("Người ký"), _e(sig.signer)),
        (_("Tổ chức cấp"), _e(cert.issuer if cert else None)),
        (_("Số hiệu chứng thư"), _e(cert.serial if cert else None)),
        (
            _("Hiệu lực chứng thư"),
            f"{_e(_time(cert.not_before))} → {_e(_time(cert.not_after))}" if cert else "—",
        ),
        (_("Thời điểm ký (người ký khai)"), _e(_time(sig.signing_time))),
        (_("Dấu thời gian của chữ ký"), _timestamp(sig.signature_timestamp)),
        (_("Dấu thời gian tài liệu"), _timestamp(sig.document_timestamp)),
        (_("Mức PAdES đạt được"), _e(sig.level or "—")),
        (_("Xác thực tại thời điểm"), _e(_time(sig.validated_at))),
        (_("Toàn vẹn"), _e(_yes_no(sig.intact))),
        (_("Tin cậy (chuỗi tới gốc)"), _e(_yes_no(sig.trusted))),
        (
            _("Thu hồi"),
            _e(f"{sig.revocation} ({sig.revocation_source})")
            + (_e(f" — {_time(sig.revoked_at)}") if sig.revoked_at else ""),
        ),
        (_("Phạm vi chữ ký"), _e(sig.coverage or "—")),
        (_("Sửa sau khi ký"), _e(_modification(sig))),
    ]
    if sig.problem:
        rows.append((_("Chi tiết"), _e(sig.problem)))
    return rows


def _file_section(index: int, result: FileVerification) -> str:
    parts = [
        f'<section class="file {_CLASS[result.indication]}" id="f{index}">',
        f'<h3 class="path">{_e(result.path)}</h3>',
        f"<p>{_badge(result.indication, result.sub_indication)}</p>",
    ]
    if result.error:
        parts.append(f"<p>{_e(result.error)}</p>")
    elif not result.signatures:
        parts.append(f"<p>{_e(_('Tệp không có chữ ký số nào.'))}</p>")
    for sig in result.signatures:
        parts.append(f"<table><caption>{_e(_('Chữ ký'))}: {_e(sig.field_name)}</caption>")
        parts.extend(
            f"<tr><th>{_e(label)}</th><td>{value}</td></tr>" for label, value in _signature_rows(sig)
        )
        parts.append("</table>")
    parts.append("</section>")
    return "\n".join(parts)


def render_audit_html(result: AuditResult) -> str:
    summary = result.summary
    title = _("Báo cáo kiểm tra chữ ký số")
    counts = [
        (_("Tổng số tệp"), summary.total),
        ("TOTAL-PASSED", summary.passed),
        ("INDETERMINATE", summary.indeterminate),
        ("TOTAL-FAILED", summary.failed),
        (_("Không có chữ ký"), summary.unsigned),
    ]
    validated = result.files[0].validation_time if result.files else None
    attention = [(i, f) for i, f in enumerate(result.files) if not f.passed]
    body = [
        f"<h1>{_e(title)}</h1>",
        f'<p>{_e(_("Thư mục"))}: <span class="path">{_e(result.root)}</span><br>'
        f"{_e(_('Thời điểm kiểm tra'))}: {_e(_time(validated))}<br>"
        f"{_e(_('Thời gian chạy'))}: {result.seconds:.1f} s, {result.jobs} {_e(_('tiến trình'))}</p>",
        "<h2>" + _e(_("Tóm tắt")) + "</h2>",
        '<table class="summary"><tr>'
        + "".join(f"<th>{_e(label)}</th>" for label, _n in counts)
        + "</tr><tr>",
        "".join(f"<td>{n}</td>" for _label, n in counts) + "</tr></table>",
    ]
    if attention:
        body.append("<h2>" + _e(_("Tệp cần xem")) + "</h2><ul>")
        body.extend(
            f'<li><a href="#f{i}" class="path">{_e(f.path)}</a> {_badge(f.indication, f.sub_indication)}</li>'
            for i, f in attention
        )
        body.append("</ul>")
    body.append("<h2>" + _e(_("Chi tiết từng tệp")) + "</h2>")
    body.extend(_file_section(i, f) for i, f in enumerate(result.files))
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def write_audit_html(result: AuditResult, path: Path) -> None:
    """Write the report atomically, mode 0600 (it names officers and files)."""
    try:
        atomic_write_text(path, render_audit_html(result))
    except OSError as error:
        reason = error.strerror or str(error)
        raise OutputError(
            _("Không ghi được báo cáo HTML ({reason}).").format(reason=reason), path=path
        ) from error
