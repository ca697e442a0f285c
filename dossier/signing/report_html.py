"""The audit as one self-contained HTML file for supervisors: inline CSS, no external resources, all escaped.

Summary counts first, then the files that need attention (linked), then every file with each signature.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

from dossier.errors import OutputError
from dossier.fsutil import atomic_write_text
from dossier.i18n import _
from dossier.profiles.deadlines import to_vietnam_time
from dossier.signing.audit import AuditResult
from dossier.signing.indication import Indication
from dossier.signing.verify_result import (
    CertificateInfo,
    FileVerification,
    SignatureVerification,
    TimestampInfo,
)

EXPIRY_DAYS = 30

_CSS = """
@page { size: A4; margin: 12mm; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; margin: 1.5em auto;
  max-width: 1100px; color: #1a1a1a; font-size: 13px; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; break-after: avoid; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; font-weight: 600; }
tr { break-inside: avoid; } thead { display: table-header-group; }
.summary td { font-size: 1.3em; text-align: center; min-width: 5em; }
table.files { width: 100%; } table.files td.n { text-align: right; color: #666; }
details > summary { cursor: pointer; color: #1565c0; }
details table { font-size: .92em; }
.badge { display: inline-block; padding: .1em .5em; border-radius: 3px; color: #fff; font-weight: 600;
  white-space: nowrap; }
.badge.passed { background: #2e7d32; } .badge.indeterminate { background: #b28704; }
.badge.failed { background: #c62828; }
.path { font-family: "DejaVu Sans Mono", monospace; word-break: break-all; }
.muted { color: #666; } .warn { color: #c62828; font-weight: 600; }
@media print { body { margin: 0; font-size: 10.5px; } }
"""

_CLASS = {
    Indication.total_passed: "passed",
    Indication.indeterminate: "indeterminate",
    Indication.total_failed: "failed",
}


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _time(value: datetime | None) -> str:
    """ISO 8601 in Vietnam time (+07:00), as the signature rules want times shown."""
    return to_vietnam_time(value).isoformat(timespec="seconds") if value is not None else "—"


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


def relative_path(path: str, root: str) -> str:
    """`path` relative to the audited folder (as given when it lies outside it)."""
    try:
        relative = os.path.relpath(path, root)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def _signature_details(result: FileVerification) -> str:
    if result.error:
        return f"<p>{_e(result.error)}</p>"
    if not result.signatures:
        return f"<p>{_e(_('Tệp không có chữ ký số nào.'))}</p>"
    parts = []
    for sig in result.signatures:
        parts.append(f"<table><caption>{_e(_('Chữ ký'))}: {_e(sig.field_name)}</caption>")
        parts.extend(
            f"<tr><th>{_e(label)}</th><td>{value}</td></tr>" for label, value in _signature_rows(sig)
        )
        parts.append("</table>")
    return "\n".join(parts)


def _signed_at(sig: SignatureVerification) -> datetime | None:
    """When the signature was made: its timestamp's time if it has one, else the time the signer claims."""
    return sig.signature_timestamp.time if sig.signature_timestamp else sig.signing_time


def _file_row(index: int, result: FileVerification, root: str) -> str:
    signers = "; ".join(sorted({s.signer for s in result.signatures})) or "—"
    times = [t for t in (_signed_at(s) for s in result.signatures) if t is not None]
    when = _e(_time(max(times))) if times else "—"
    return (
        f'<tr id="f{index}" class="{_CLASS[result.indication]}"><td class="n">{index + 1}</td>'
        f'<td class="path">{_e(relative_path(result.path, root))}</td>'
        f"<td>{_badge(result.indication, result.sub_indication)}</td><td>{_e(signers)}</td><td>{when}</td>"
        f"<td><details><summary>{_e(_('Chi tiết'))}</summary>{_signature_details(result)}</details></td></tr>"
    )


def _per_signer(result: AuditResult) -> str:
    counts: dict[str, list[int]] = {}
    for file in result.files:
        for signer in {s.signer for s in file.signatures}:
            row = counts.setdefault(signer, [0, 0])
            row[0] += 1
            row[1] += file.passed
    if not counts:
        return f'<p class="muted">{_e(_("Không có chữ ký nào."))}</p>'
    rows = "".join(
        f"<tr><td>{_e(signer)}</td><td>{n}</td><td>{passed}</td><td>{n - passed}</td></tr>"
        for signer, (n, passed) in sorted(counts.items())
    )
    head = (_("Người ký"), _("Số tệp"), "TOTAL-PASSED", _("Chưa đạt"))
    return "<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + f"</tr></thead>{rows}</table>"


def _per_month(result: AuditResult) -> str:
    counts: dict[str, int] = {}
    for file in result.files:
        for sig in file.signatures:
            moment = _signed_at(sig)
            key = f"{to_vietnam_time(moment):%Y-%m}" if moment is not None else _("không rõ")
            counts[key] = counts.get(key, 0) + 1
    if not counts:
        return f'<p class="muted">{_e(_("Không có chữ ký nào."))}</p>'
    rows = "".join(f"<tr><td>{_e(month)}</td><td>{n}</td></tr>" for month, n in sorted(counts.items()))
    head = (_("Tháng (giờ Việt Nam)"), _("Số chữ ký"))
    return "<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + f"</tr></thead>{rows}</table>"


def expiring_certificates(result: AuditResult, days: int = EXPIRY_DAYS) -> list[tuple[CertificateInfo, int]]:
    """Signer certificates that expire within `days` of the validation time (or have expired), with the
    number of files signed with each; soonest first."""
    validated = next((f.validation_time for f in result.files), None)
    if validated is None:
        return []
    found: dict[str, tuple[CertificateInfo, set[str]]] = {}
    for file in result.files:
        for sig in file.signatures:
            cert = sig.certificate
            if cert is not None and cert.not_after <= validated + timedelta(days=days):
                found.setdefault(cert.sha256, (cert, set()))[1].add(file.path)
    return sorted(((c, len(paths)) for c, paths in found.values()), key=lambda item: item[0].not_after)


def _expiring(result: AuditResult) -> str:
    items = expiring_certificates(result)
    if not items:
        none = _("Không có chứng thư nào hết hạn trong {n} ngày tới.").format(n=EXPIRY_DAYS)
        return f'<p class="muted">{_e(none)}</p>'
    rows = "".join(
        f"<tr><td>{_e(c.display_name)}</td><td>{_e(c.serial)}</td><td>{_e(c.issuer)}</td>"
        f'<td class="warn">{_e(_time(c.not_after))}</td><td>{n}</td></tr>'
        for c, n in items
    )
    head = (_("Người ký"), _("Số hiệu"), _("Tổ chức cấp"), _("Hết hạn"), _("Số tệp"))
    return "<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + f"</tr></thead>{rows}</table>"


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
            f'<li><a href="#f{i}" class="path">{_e(relative_path(f.path, result.root))}</a> '
            f"{_badge(f.indication, f.sub_indication)}</li>"
            for i, f in attention
        )
        body.append("</ul>")
    body.append("<h2>" + _e(_("Chứng thư hết hạn trong {n} ngày").format(n=EXPIRY_DAYS)) + "</h2>")
    body.append(_expiring(result))
    body.append("<h2>" + _e(_("Theo người ký")) + "</h2>" + _per_signer(result))
    body.append("<h2>" + _e(_("Theo tháng ký")) + "</h2>" + _per_month(result))
    body.append("<h2>" + _e(_("Chi tiết từng tệp")) + "</h2>")
    head = ("#", _("Tệp (trong thư mục kiểm tra)"), _("Kết luận"), _("Người ký"), _("Thời điểm ký"), "")
    body.append(
        '<table class="files"><thead><tr>'
        + "".join(f"<th>{_e(h)}</th>" for h in head)
        + "</tr></thead><tbody>"
    )
    body.extend(_file_row(i, f, result.root) for i, f in enumerate(result.files))
    body.append("</tbody></table>")
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
