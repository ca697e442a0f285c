"""The report as one self-contained HTML dashboard: inline CSS and SVG, no script, no network, A4 print.

Cards for the indicators (coloured by band), the weekly on-time trend, bars per officer, tables per unit and
procedure, the overdue list and the violations (second supplement requests).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from pathlib import Path

from dossier.errors import OutputError
from dossier.fsutil import atomic_write_text
from dossier.i18n import _
from dossier.supervise.charts import BAND_COLOURS, officer_bars_svg, weekly_trend_svg
from dossier.supervise.indicators import Indicator, Indicators
from dossier.supervise.report import Group, Report
from dossier.supervise.thresholds import Band

CSS = """
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1a1a1a; margin: 0 auto;
  max-width: 1100px; padding: 16px; font-size: 13px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 22px 0 8px; break-after: avoid; }
.meta { color: #555; margin: 0 0 12px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 8px; }
.card { border: 1px solid #ddd; border-left: 8px solid #9e9e9e; border-radius: 4px; padding: 8px 10px;
  break-inside: avoid; background: #fff; }
.card .label { font-size: 12px; color: #444; } .card .value { font-size: 24px; font-weight: 700; }
.card .band { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; }
.green { border-left-color: #2e7d32; } .yellow { border-left-color: #f9a825; }
.orange { border-left-color: #ef6c00; } .red { border-left-color: #c62828; }
.dot { display: inline-block; width: .8em; height: .8em; border-radius: 50%; margin-right: .3em;
  vertical-align: baseline; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: right; vertical-align: top; }
th { background: #f3f3f3; } td { white-space: nowrap; }
td.text, th.text { text-align: left; white-space: normal; }
tr { break-inside: avoid; } thead { display: table-header-group; }
.chart svg { max-width: 100%; height: auto; }
.legend span { margin-right: 1em; } .muted { color: #666; }
@media print { body { padding: 0; font-size: 11px; } .card .value { font-size: 18px; }
  h2 { margin-top: 14px; } }
"""

CARDS = (
    ("on_time_rate", "Tỉ lệ giải quyết đúng hạn", "%"),
    ("received", "Hồ sơ tiếp nhận", ""),
    ("resolved", "Hồ sơ đã giải quyết", ""),
    ("overdue_open", "Quá hạn còn tồn", ""),
    ("overdue_open_rate", "Quá hạn trong hồ sơ tồn", "%"),
    ("second_supplement_requests", "Yêu cầu bổ sung lần 2", ""),
    ("apology_rate", "Hồ sơ quá hạn có xin lỗi", "%"),
    ("digitized_rate", "Tỉ lệ số hóa", "%"),
    ("signed_rate", "Tỉ lệ ký số", "%"),
    ("supplement_requests", "Yêu cầu bổ sung", ""),
    ("refusals", "Từ chối", ""),
    ("apologies", "Văn bản xin lỗi", ""),
)
BAND_NAMES = {Band.green: "xanh", Band.yellow: "vàng", Band.orange: "cam", Band.red: "đỏ"}
COLUMNS = (
    ("received", "Tiếp nhận"),
    ("received_online", "Trực tuyến"),
    ("resolved", "Giải quyết"),
    ("resolved_early", "Trước hạn"),
    ("resolved_on_time", "Đúng hạn"),
    ("resolved_late", "Quá hạn"),
    ("on_time_rate", "Đúng hạn %"),
    ("overdue_open", "Quá hạn tồn"),
    ("supplement_requests", "Bổ sung"),
    ("second_supplement_requests", "Bổ sung lần 2"),
    ("refusals", "Từ chối"),
    ("apology_rate", "Xin lỗi %"),
)


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _value(indicator: Indicator) -> str:
    return "—" if indicator.value is None else str(indicator.value)


def _cell(indicator: Indicator) -> str:
    band = indicator.band
    if band is None:
        return f"<td>{_e(_value(indicator))}</td>"
    dot = f'<span class="dot" style="background:{BAND_COLOURS[band]}" title="{_e(BAND_NAMES[band])}"></span>'
    return f"<td>{dot}{_e(_value(indicator))}</td>"


def _card(name: str, label: str, unit: str, indicators: Indicators) -> str:
    indicator: Indicator = getattr(indicators, name)
    band = indicator.band
    css = f"card {band}" if band is not None else "card"
    value = _value(indicator) + (unit if indicator.value is not None else "")
    band_text = f'<div class="band">{_e(BAND_NAMES[band])}</div>' if band is not None else ""
    return (
        f'<div class="{css}" data-indicator="{_e(name)}"><div class="label">{_e(label)}</div>'
        f'<div class="value">{_e(value)}</div>{band_text}</div>'
    )


def _table(groups: tuple[Group, ...], head: str, with_key: bool = False) -> str:
    header = f'<th class="text">{_e(head)}</th>' + ("<th class='text'>Mã</th>" if with_key else "")
    header += "".join(f"<th>{_e(label)}</th>" for _name, label in COLUMNS)
    rows = []
    for group in groups:
        key = f'<td class="text">{_e(group.key)}</td>' if with_key else ""
        cells = "".join(_cell(getattr(group.indicators, name)) for name, _label in COLUMNS)
        rows.append(f'<tr><td class="text">{_e(group.label)}</td>{key}{cells}</tr>')
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _when(moment: datetime | None) -> str:
    return "—" if moment is None else f"{moment:%H:%M %d/%m/%Y}"


def _overdue(report: Report) -> str:
    if not report.overdue:
        return f'<p class="muted">{_e("Không có hồ sơ quá hạn còn tồn.")}</p>'
    rows = "".join(
        f'<tr><td class="text">{_e(o.code)}</td><td class="text">{_e(o.unit)}</td>'
        f'<td class="text">{_e(o.officer)}</td><td class="text">{_e(o.procedure_code)}</td>'
        f"<td>{_e(_when(o.appointment))}</td><td>{o.working_days_late}</td>"
        f"<td>{_e(_when(o.apology_new_appointment)) if o.apology_new_appointment else 'chưa'}</td></tr>"
        for o in report.overdue
    )
    head = "".join(
        f'<th class="text">{h}</th>' if i < 4 else f"<th>{h}</th>"
        for i, h in enumerate(
            ("Mã hồ sơ", "Đơn vị", "Cán bộ", "Thủ tục", "Hẹn trả", "Ngày LV quá hạn", "Xin lỗi, hẹn lại")
        )
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _violations(report: Report) -> str:
    if not report.violations:
        return f'<p class="muted">{_e("Không có hồ sơ bị yêu cầu bổ sung lần thứ hai.")}</p>'
    rows = "".join(
        f'<tr><td class="text">{_e(v.code)}</td><td class="text">{_e(v.unit)}</td>'
        f'<td class="text">{_e(v.officer)}</td><td class="text">{_e(v.procedure_code)}</td>'
        f'<td class="text">{_e(", ".join(_when(t) for t in v.requests))}</td></tr>'
        for v in report.violations
    )
    head = "".join(
        f'<th class="text">{h}</th>'
        for h in ("Mã hồ sơ", "Đơn vị", "Cán bộ", "Thủ tục", "Các lần yêu cầu bổ sung")
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _legend(report: Report) -> str:
    limits = report.thresholds["on_time_rate"]
    steps = (
        (Band.green, f"xanh ≥ {limits.green:g}%"),
        (Band.yellow, f"vàng ≥ {limits.yellow:g}%"),
        (Band.orange, f"cam ≥ {limits.orange:g}%"),
        (Band.red, f"đỏ dưới {limits.orange:g}%"),
    )
    parts = [
        f'<span><span class="dot" style="background:{BAND_COLOURS[b]}"></span>{t}</span>' for b, t in steps
    ]
    return '<p class="legend muted">Tỉ lệ đúng hạn: ' + "".join(parts) + " (ngưỡng trong tệp cấu hình)</p>"


def render_dashboard(report: Report) -> str:
    period = report.period
    last_day = (period.end - timedelta(seconds=1)).date()
    title = "Bảng điều khiển giải quyết hồ sơ TTHC"
    scope = ", ".join(
        f"{label} {value}"
        for label, value in (
            ("đơn vị", report.filter.agency),
            ("thủ tục", report.filter.procedure),
            ("cán bộ", report.filter.officer),
        )
        if value
    )
    body = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">Kỳ báo cáo {period.start:%d/%m/%Y} – {last_day:%d/%m/%Y}; tính đến '
        f"{_e(_when(period.as_of))} (giờ Việt Nam, +07:00); nguồn {_e(report.source)}; "
        f"{report.dossiers} hồ sơ{_e('; ' + scope) if scope else ''}.</p>",
        '<section class="cards">'
        + "".join(_card(name, label, unit, report.total) for name, label, unit in CARDS)
        + "</section>",
        _legend(report),
        "<h2>Xu hướng tỉ lệ đúng hạn theo tuần</h2>",
        f'<div class="chart" id="trend">{weekly_trend_svg(report)}</div>',
        "<h2>Theo cán bộ tiếp nhận</h2>",
        f'<div class="chart" id="officers">{officer_bars_svg(report.officers)}</div>',
        "<h2>Theo đơn vị</h2>",
        _table(report.units, "Đơn vị"),
        "<h2>Theo thủ tục</h2>",
        _table(report.procedures, "Thủ tục", with_key=True),
        f"<h2>Hồ sơ quá hạn còn tồn ({len(report.overdue)})</h2>",
        _overdue(report),
        f"<h2>Vi phạm: yêu cầu bổ sung lần thứ hai ({len(report.violations)})</h2>",
        _violations(report),
        '<p class="muted">Đúng hạn: hồ sơ có trạng thái 9 (hoặc 10) đầu tiên không muộn hơn ngày hẹn trả '
        "ghi trên Giấy tiếp nhận và không có văn bản xin lỗi; trước hạn: giải quyết trước ngày hẹn. "
        "Ngưỡng màu là quy ước của công cụ, cấu hình trong mục [supervise.thresholds].</p>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def write_dashboard(report: Report, path: Path) -> None:
    """Write the dashboard atomically, mode 0600 (it names officers)."""
    html = render_dashboard(report)
    try:
        atomic_write_text(path, html)
    except OSError as error:
        raise OutputError(
            _("Không ghi được bảng điều khiển HTML ({reason}).").format(reason=error.strerror or error),
            path=path,
        ) from error
