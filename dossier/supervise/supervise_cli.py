"""`dossier deadlines`, `dossier apologize`, `dossier report`: parse, call one library function, render."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from dossier.cli_common import json_option
from dossier.errors import ConfigError
from dossier.i18n import _
from dossier.supervise.indicators import Indicator, Indicators
from dossier.supervise.report import Filter, Report

BAND_STYLES = {
    "green": "bold green",
    "yellow": "bold yellow",
    "orange": "bold dark_orange",
    "red": "bold red",
}

DEADLINES_HELP = _(
    """Hồ sơ đang giải quyết theo ngày hẹn trả: còn bao nhiêu ngày làm việc và giờ, quá hạn lên đầu, đã có văn
bản xin lỗi hay chưa.

Nguồn: --portal URL (API danh sách của cổng, đọc theo trang) hoặc --workspace DIR (sổ đăng ký của quầy).

\b
Ví dụ:
  dossier deadlines --portal http://127.0.0.1:8765 --overdue
  dossier deadlines --workspace ~/.local/share/dossier --within 2 --agency 000.00.06.H56 --json"""
)

APOLOGIZE_HELP = _(
    """Lập văn bản xin lỗi và hẹn lại ngày trả kết quả (PDF/A) cho một hồ sơ đã quá hạn, ghi vào nhật ký
và gửi lên cổng. Mỗi hồ sơ chỉ được xin lỗi, hẹn lại một lần; hồ sơ chưa quá hạn bị từ chối (mã thoát 16).

\b
Ví dụ:
  dossier apologize 000.00.06.H56-261103-0007 --portal http://127.0.0.1:8765 \\
      --reason "Chờ ý kiến cơ quan phối hợp" --new-date 2026-11-20 --out xin-loi.pdf"""
)

REPORT_HELP = _(
    """Chỉ số giải quyết hồ sơ trong kỳ (tiếp nhận, số hóa, ký số, trước hạn / đúng hạn / quá hạn, quá hạn còn
tồn, yêu cầu bổ sung, yêu cầu bổ sung lần hai, từ chối, xin lỗi), theo đơn vị, cán bộ và thủ tục, mỗi tỉ lệ có
màu xanh / vàng / cam / đỏ theo ngưỡng trong tệp cấu hình. --html ghi bảng điều khiển một tệp, xem không cần
mạng.

\b
Ví dụ:
  dossier report --portal http://127.0.0.1:8765 --from 2026-10-01 --to 2026-10-31 --html bao-cao.html
  dossier report --workspace ~/.local/share/dossier --agency 000.00.06.H56 --json"""
)


DEADLINES_EXIT_HELP = _(
    """Mã thoát: 0 đã liệt kê; 2 sai cú pháp lệnh (cần đúng một nguồn); 3 không có sổ đăng ký, sổ do phiên
bản mới hơn tạo hoặc cổng trả dữ liệu sai; 5 cấu hình, lịch nghỉ hoặc cấu hình cổng sai; 10 cổng từ chối
yêu cầu (mã truy cập, quyền); 75 không kết nối được cổng."""
)

APOLOGIZE_EXIT_HELP = _(
    """Mã thoát: 0 đã lập và ghi nhận; 16 bị từ chối theo quy định (hồ sơ chưa quá hạn hoặc đã xin lỗi một
lần); 2 sai cú pháp lệnh, không có hồ sơ mã này, --new-date là ngày nghỉ hoặc không sau ngày hẹn cũ; 3
không có sổ đăng ký hoặc sổ do phiên bản mới hơn tạo; 5 cấu hình, lịch nghỉ hoặc cấu hình cổng sai; 9
tệp --out đã có hoặc không ghi được; 10 cổng từ chối yêu cầu; 75 không kết nối được cổng."""
)

REPORT_EXIT_HELP = _(
    """Mã thoát: 0 đã lập báo cáo; 2 sai cú pháp lệnh (cần đúng một nguồn, --from/--to sai); 3 không có sổ
đăng ký, sổ do phiên bản mới hơn tạo hoặc cổng trả dữ liệu sai; 5 cấu hình, ngưỡng màu, lịch nghỉ hoặc
cấu hình cổng sai; 9 không ghi được tệp --html; 10 cổng từ chối yêu cầu (mã truy cập, quyền); 75 không
kết nối được cổng."""
)


def _source_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--portal", metavar="URL", default=None, help=_("Đọc từ cổng qua API danh sách (theo trang).")
        ),
        click.option(
            "--workspace",
            type=click.Path(path_type=Path, file_okay=False),
            default=None,
            help=_("Đọc từ sổ đăng ký của quầy (thư mục chứa dossier.sqlite3)."),
        ),
        click.option("--agency", default=None, help=_("Chỉ đơn vị này (mã định danh).")),
        click.option("--procedure", default=None, help=_("Chỉ thủ tục này (mã TTHC).")),
        click.option("--officer", default=None, help=_("Chỉ cán bộ tiếp nhận này (tài khoản).")),
        json_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _source(portal: str | None, workspace: Path | None) -> Any:
    from dossier.supervise.sources import Source

    if (portal is None) == (workspace is None):
        raise click.UsageError(_("Cần đúng một nguồn: --portal URL hoặc --workspace DIR."))
    return Source(portal=portal, workspace=workspace)


def _progress(as_json: bool) -> Callable[[int], None] | None:
    from dossier.console import stderr_console

    if not stderr_console.is_terminal:
        return None

    def show(count: int) -> None:
        stderr_console.print(_("Đã đọc {n} hồ sơ…").format(n=count), end="\r")

    return show


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.command("deadlines", help=DEADLINES_HELP, epilog=DEADLINES_EXIT_HELP)
@_source_options
@click.option("--overdue", is_flag=True, help=_("Chỉ hồ sơ đã quá hạn."))
@click.option(
    "--within", type=click.IntRange(0, 365), default=None, help=_("Chỉ hồ sơ đến hạn trong N ngày làm việc.")
)
def deadlines_command(
    portal: str | None,
    workspace: Path | None,
    agency: str | None,
    procedure: str | None,
    officer: str | None,
    as_json: bool,
    overdue: bool,
    within: int | None,
) -> None:
    from dossier.supervise.deadlines import Window, deadline_document
    from dossier.supervise.service import list_deadlines

    if overdue and within is not None:
        raise click.UsageError(_("--overdue và --within không dùng cùng nhau."))
    window = Window.overdue if overdue else Window.within if within is not None else Window.all
    items = list_deadlines(
        _source(portal, workspace),
        Filter(agency=agency, procedure=procedure, officer=officer),
        window,
        within,
        progress=_progress(as_json),
    )
    if as_json:
        click.echo(
            json.dumps({"dossiers": [deadline_document(i) for i in items]}, ensure_ascii=False, indent=2)
        )
        return
    table = Table(title=_("Hồ sơ đang giải quyết theo hạn ({n})").format(n=len(items)))
    for header in (_("Mã hồ sơ"), _("Cán bộ"), _("Thủ tục"), _("Hẹn trả"), _("Còn lại"), _("Xin lỗi")):
        table.add_column(header, no_wrap=True)
    for item in items:
        left = _("{d} ngày LV ({h} giờ)").format(d=item.working_days_left, h=round(item.hours_left))
        table.add_row(
            item.code,
            item.officer,
            item.procedure_code,
            f"{item.appointment:%H:%M %d/%m/%Y}",
            Text(left, style="bold red" if item.overdue else ""),
            _("có, hẹn lại {d:%d/%m/%Y}").format(d=item.new_appointment)
            if item.new_appointment
            else _("chưa"),
        )
    _console().print(table)


def _console() -> Console:
    """stdout; a pipe or file gets wide lines instead of codes cut at 80 columns."""
    return Console() if sys.stdout.isatty() else Console(width=200)


@click.command("apologize", help=APOLOGIZE_HELP, epilog=APOLOGIZE_EXIT_HELP)
@click.argument("code")
@click.option("--reason", required=True, help=_("Lý do chậm trả kết quả."))
@click.option(
    "--new-date",
    "new_date",
    required=True,
    type=DATE,
    help=_("Ngày hẹn trả mới (YYYY-MM-DD), ngày làm việc."),
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help=_("Tệp PDF/A (mặc định xin-loi-MÃ.pdf)."),
)
@click.option("--portal", metavar="URL", default=None, help=_("Hồ sơ trên cổng (văn bản được gửi lên cổng)."))
@click.option(
    "--workspace",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help=_("Sổ đăng ký của quầy (nguồn khi không có --portal; nơi ghi nhật ký sự kiện)."),
)
@click.option("--place", default="", help=_("Địa danh in trên văn bản."))
@click.option("--agency-name", default=None, help=_("Tên cơ quan in trên văn bản (mặc định: mã đơn vị)."))
@json_option
def apologize_command(
    code: str,
    reason: str,
    new_date: datetime,
    out: Path | None,
    portal: str | None,
    workspace: Path | None,
    place: str,
    agency_name: str | None,
    as_json: bool,
) -> None:
    from dossier.profiles.deadlines import load_calendar
    from dossier.store.workspace import resolve_workspace
    from dossier.supervise.apology import ApologyRequest, apology_document, issue_apology
    from dossier.supervise.sources import Source

    if not reason.strip():
        raise click.BadParameter(_("lý do không được để trống"), param_hint="--reason")
    source = (
        Source(portal=portal) if portal is not None else Source(workspace=resolve_workspace(workspace).root)
    )
    issued = issue_apology(
        source,
        ApologyRequest(code, reason, new_date.date(), out, place, agency_name),
        load_calendar(),
        resolve_workspace(workspace).root,
    )
    if as_json:
        click.echo(json.dumps(apology_document(issued), ensure_ascii=False, indent=2))
        return
    click.echo(
        _(
            "Đã lập văn bản xin lỗi cho hồ sơ {code}: hẹn cũ {old:%H:%M %d/%m/%Y}, "
            "hẹn lại {new:%H:%M %d/%m/%Y}. Tệp: {out}"
        ).format(code=issued.code, old=issued.old_appointment, new=issued.new_appointment, out=issued.out)
    )


@click.command("report", help=REPORT_HELP, epilog=REPORT_EXIT_HELP)
@_source_options
@click.option("--from", "start", type=DATE, default=None, help=_("Từ ngày (YYYY-MM-DD, giờ Việt Nam)."))
@click.option("--to", "end", type=DATE, default=None, help=_("Đến hết ngày (YYYY-MM-DD)."))
@click.option(
    "--html",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help=_("Ghi bảng điều khiển HTML."),
)
def report_command(
    portal: str | None,
    workspace: Path | None,
    agency: str | None,
    procedure: str | None,
    officer: str | None,
    as_json: bool,
    start: datetime | None,
    end: datetime | None,
    html: Path | None,
) -> None:
    from dossier.supervise.report import report_document
    from dossier.supervise.service import make_report

    source = _source(portal, workspace)
    try:
        selection = Filter(_day(start), _day(end), agency, procedure, officer)
    except ConfigError as error:
        raise click.BadParameter(error.message, param_hint="--from/--to") from None
    report = make_report(source, selection, html, progress=_progress(as_json))
    if as_json:
        document = report_document(report)
        if html is not None:
            document["html"] = str(html)
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    render_report(report, _console())
    if html is not None:
        click.echo(_("Bảng điều khiển: {path}").format(path=html))


LABELS = {
    "received": _("Tiếp nhận"),
    "received_counter": "  " + _("tại quầy"),
    "received_online": "  " + _("trực tuyến"),
    "digitized_rate": _("Tỉ lệ số hóa (%)"),
    "signed_rate": _("Tỉ lệ ký số (%)"),
    "resolved": _("Đã giải quyết"),
    "resolved_early": "  " + _("trước hạn"),
    "resolved_on_time": "  " + _("đúng hạn"),
    "resolved_late": "  " + _("quá hạn"),
    "on_time_rate": _("Tỉ lệ đúng hạn (%)"),
    "overdue_open": _("Quá hạn còn tồn"),
    "overdue_open_rate": _("Tỉ lệ quá hạn trong hồ sơ tồn (%)"),
    "supplement_requests": _("Yêu cầu bổ sung"),
    "second_supplement_requests": _("Yêu cầu bổ sung lần 2 (vi phạm)"),
    "refusals": _("Từ chối"),
    "apologies": _("Văn bản xin lỗi"),
    "apology_rate": _("Tỉ lệ hồ sơ quá hạn có xin lỗi (%)"),
}
GROUP_COLUMNS = (
    "received",
    "resolved",
    "on_time_rate",
    "overdue_open",
    "second_supplement_requests",
    "apology_rate",
)
SHORT = {
    "received": _("Nhận"),
    "resolved": _("Giải quyết"),
    "on_time_rate": _("Đúng hạn %"),
    "overdue_open": _("Quá hạn tồn"),
    "second_supplement_requests": _("BS lần 2"),
    "apology_rate": _("Xin lỗi %"),
}


def _cell(indicator: Indicator) -> Text:
    value = "—" if indicator.value is None else str(indicator.value)
    band = str(indicator.band) if indicator.band is not None else None
    marker = f" {band}" if band else ""
    return Text(value + marker, style=BAND_STYLES.get(band or "", ""))


def render_report(report: Report, console: Console) -> None:
    period = report.period
    console.print(
        _(
            "Báo cáo {start:%d/%m/%Y} – {end:%d/%m/%Y} (tính đến {as_of:%H:%M %d/%m/%Y}), "
            "nguồn {source}: {n} hồ sơ"
        ).format(
            start=period.start,
            end=period.end - timedelta(seconds=1),
            as_of=period.as_of,
            source=report.source,
            n=report.dossiers,
        )
    )
    summary = Table(title=_("Chỉ số chung"))
    summary.add_column(_("Chỉ số"))
    summary.add_column(_("Giá trị"), justify="right")
    for name, label in LABELS.items():
        summary.add_row(label, _cell(getattr(report.total, name)))
    console.print(summary)
    for title, head, groups in (
        (_("Theo đơn vị"), _("Đơn vị"), report.units),
        (_("Theo cán bộ"), _("Cán bộ"), report.officers),
        (_("Theo thủ tục"), _("Thủ tục"), report.procedures),
    ):
        table = Table(title=title)
        table.add_column(head, no_wrap=True, max_width=28, overflow="ellipsis")
        for name in GROUP_COLUMNS:
            table.add_column(SHORT[name], justify="right", no_wrap=True)
        for group in groups:
            indicators: Indicators = group.indicators
            table.add_row(group.label, *(_cell(getattr(indicators, name)) for name in GROUP_COLUMNS))
        console.print(table)
    if report.violations:
        console.print(Text(_("Vi phạm: yêu cầu bổ sung lần hai"), style="bold red"))
        for v in report.violations:
            console.print(
                f"  {v.code}  {v.unit}  {v.officer}  " + ", ".join(f"{t:%d/%m %H:%M}" for t in v.requests)
            )
