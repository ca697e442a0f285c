"""`dossier check`: the checklist of a scanned dossier against a procedure profile, in one pass."""

from __future__ import annotations

import json
import os
import re
from datetime import date, datetime
from pathlib import Path

import click
from rich.table import Table

from dossier.cli_common import json_option, workspace_option
from dossier.console import stdout_console
from dossier.errors import ExitCode
from dossier.i18n import _
from dossier.profiles.check import check_dossier
from dossier.profiles.checklist import (
    ChecklistReport,
    Status,
    Verdict,
)
from dossier.profiles.loader import load_catalogue
from dossier.profiles.validate import report_document
from dossier.store.registry import DossierState, note_dossier_event
from dossier.store.workspace import resolve_workspace

_ASSIGN = re.compile(r"^(\d+)(?:-(\d+))?=([\w.-]+)$")
_MARKS = {
    Status.present: "✓",
    Status.missing: "✗",
    Status.review: "?",
    Status.to_show: "↺",
    Status.not_applicable: "–",
}
VERDICT_EXIT = {
    Verdict.complete: ExitCode.ok,
    Verdict.incomplete: ExitCode.dossier_incomplete,
    Verdict.review: ExitCode.needs_review,
}

CHECK_HELP = _(
    """Kiểm tra hồ sơ đã số hóa theo thành phần hồ sơ của thủ tục, một lần, đủ mọi thiếu sót.

Trang được xếp vào thành phần theo tiêu đề và cụm từ (chịu được lỗi OCR, mất dấu); trang không có tiêu đề được
nối vào giấy tờ trước nó; trang không khớp được liệt kê để cán bộ xem. Kết luận: complete (đủ), incomplete
(thiếu, kèm danh sách đầy đủ) hoặc review (cần cán bộ xem). Cán bộ sửa bằng --assign (TRANG=none: trang không
thuộc hồ sơ), được ghi lại kèm tên.

\b
Ví dụ:
  dossier check hs-001 --procedure 1.001193
  dossier check hs-001 --procedure 1.001193 --assign 3-4=TP02 --officer "Nguyễn Văn A" --json"""
)


CHECK_EXIT_HELP = _(
    """Mã thoát: 0 hồ sơ đầy đủ; 6 hồ sơ còn thiếu thành phần (liệt kê hết); 12 cần cán bộ xem lại; 2 sai cú
pháp lệnh (--assign); 3 không đọc được bản quét hoặc manifest.json; 5 không có thủ tục, sửa trang sai hoặc
thiếu --officer."""
)


def parse_assignments(values: tuple[str, ...]) -> dict[int, str]:
    assignments: dict[int, str] = {}
    for value in values:
        match = _ASSIGN.match(value.strip())
        if not match:
            raise click.BadParameter(_("cần dạng TRANG=THÀNH_PHẦN hoặc TỪ-ĐẾN=THÀNH_PHẦN, ví dụ 3-4=TP02"))
        first = int(match.group(1))
        last = int(match.group(2) or first)
        for page in range(first, last + 1):
            assignments[page] = match.group(3)
    return assignments


def print_report(report: ChecklistReport, unreadable: list[int] | None = None) -> None:
    console = stdout_console
    table = Table(title=f"{report.profile.code} {report.profile.name}")
    for header in (_("Thành phần"), "", _("Trang"), _("Căn cứ")):
        table.add_column(header)
    for item in report.items:
        pages = ", ".join(str(p) for p in item.pages) or "-"
        table.add_row(f"{item.component.id} {item.component.name}", _MARKS[item.status], pages, item.evidence)
    console.print(table)
    if report.unclassified_pages:
        pages = ", ".join(str(p) for p in report.unclassified_pages)
        console.print(_("Trang không xếp được vào thành phần nào: {pages}").format(pages=pages))
    if unreadable:
        pages = ", ".join(str(p) for p in unreadable)
        console.print(
            _(
                "Trang {pages}: Tesseract hầu như không đọc được chữ (tiếng nước ngoài, chữ viết tay"
                " hoặc ảnh quá mờ); cán bộ xem trực tiếp bản giấy."
            ).format(pages=pages)
        )
    verdict = {
        Verdict.complete: _("Hồ sơ đầy đủ."),
        Verdict.incomplete: _("Hồ sơ còn thiếu: {items}").format(
            items="; ".join(c.name for c in report.missing)
        ),
        Verdict.review: _("Cần cán bộ xem lại các mục đánh dấu ? và trang chưa xếp."),
    }[report.verdict]
    console.print(verdict)


@click.command(help=CHECK_HELP, epilog=CHECK_EXIT_HELP)
@click.argument("dossier_dir", type=click.Path(path_type=Path))
@click.option(
    "--procedure", "code", required=True, help=_("Mã thủ tục, ví dụ 1.001193 (xem `dossier profiles list`).")
)
@click.option(
    "--on", "on", type=click.DateTime(["%Y-%m-%d"]), help=_("Ngày tiếp nhận (quy định có hiệu lực).")
)
@click.option("--assign", "assign", multiple=True, metavar="PAGES=COMPONENT", help=_("Cán bộ sửa: 3-4=TP02."))
@click.option("--officer", default=lambda: os.environ.get("DOSSIER_OFFICER", ""), help=_("Tên cán bộ sửa."))
@click.option("--profiles-dir", type=click.Path(path_type=Path), help=_("Thư mục hồ sơ mẫu của tỉnh."))
@workspace_option
@json_option
@click.pass_context
def check(
    ctx: click.Context,
    dossier_dir: Path,
    code: str,
    on: datetime | None,
    assign: tuple[str, ...],
    officer: str,
    profiles_dir: Path | None,
    workspace: Path | None,
    as_json: bool,
) -> None:
    profile = load_catalogue(profiles_dir).profile_for(code, on.date() if on else date.today())
    checked = check_dossier(
        dossier_dir,
        profile,
        on.date() if on else None,
        assignments=parse_assignments(assign),
        officer=officer,
    )
    report = checked.report
    details = {"verdict": str(report.verdict), "missing": [c.id for c in report.missing]}
    note_dossier_event(
        dossier_dir,
        DossierState.checked,
        details,
        procedure_code=profile.code,
        workspace=resolve_workspace(workspace),
    )
    unreadable = list(checked.unreadable_pages)
    if as_json:
        document = report_document(report, dict(checked.checks)) | {"unreadable_pages": unreadable}
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        print_report(report, unreadable)
    ctx.exit(int(VERDICT_EXIT[report.verdict]))
