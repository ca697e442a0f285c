"""`dossier doctor`: print what is installed and where, and how to fix what is missing."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from dossier.cli_common import json_option
from dossier.doctor import DoctorReport, diagnose
from dossier.errors import ExitCode
from dossier.i18n import _

DOCTOR_HELP = _(
    """Kiểm tra cài đặt: thư mục làm việc, tệp cấu hình, Tesseract và dữ liệu tiếng Việt, phông chữ, máy quét
SANE, thư viện PKCS#11 của token, SoftHSM2, các gói bổ sung; mục nào thiếu kèm cách khắc phục.

\b
Ví dụ:
  dossier doctor
  dossier doctor --json"""
)

DOCTOR_EXIT_HELP = _(
    """Mã thoát: 0 đủ mọi thứ quầy cần (mục tùy chọn có thể thiếu); 4 thiếu hoặc hỏng một mục bắt buộc."""
)


def _render(report: DoctorReport) -> None:
    console = Console(highlight=False, markup=False)
    table = Table(show_header=True, header_style="bold", expand=False)
    table.add_column("", no_wrap=True)
    table.add_column(_("Mục"))
    table.add_column(_("Đã tìm thấy / ở đâu"), overflow="fold")
    table.add_column(_("Cách khắc phục"), overflow="fold")
    for finding in report.findings:
        if finding.ok:
            mark = Text("OK", style="green")
        else:
            mark = (
                Text(_("THIẾU"), style="bold red")
                if finding.required
                else Text(_("không có"), style="yellow")
            )
        table.add_row(mark, finding.label, finding.detail, finding.fix or "")
    console.print(table)
    if report.ready:
        console.print(_("Đủ mọi thứ quầy cần."))
    else:
        console.print(Text(_("Thiếu mục bắt buộc: xem cột «Cách khắc phục»."), style="bold red"))


@click.command(help=DOCTOR_HELP, epilog=DOCTOR_EXIT_HELP)
@json_option
@click.pass_context
def doctor(ctx: click.Context, as_json: bool) -> None:
    report = diagnose()
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        _render(report)
    ctx.exit(int(ExitCode.ok if report.ready else ExitCode.missing_dependency))
