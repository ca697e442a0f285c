"""`dossier result CODE --out DIR`: download the result documents of a finished dossier, hash-checked."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table

from dossier.cli_common import json_option, quiet, workspace_option
from dossier.console import stderr_console
from dossier.i18n import _
from dossier.render import print_json, stdout_console
from dossier.store.workspace import resolve_workspace
from dossier.submit.cli_support import (
    adapter_factory,
    ca_bundle_option,
    officer_actor,
    status_document,
)
from dossier.submit.settings import load_portal_settings

if TYPE_CHECKING:
    from dossier.submit.result import ResultReport

RESULT_HELP = _(
    """Tải kết quả giải quyết của hồ sơ đã xử lý xong (trạng thái 9 hoặc 10) về thư mục --out.

Mỗi tài liệu được kiểm SHA-256 với giá trị cổng công bố trước khi lưu (chế độ 0600); tài liệu sai không bao
giờ xuất hiện trong thư mục. Việc tải được ghi vào nhật ký sự kiện và sổ đăng ký chuyển sang "done".

Mã thoát: 0 đã tải; 75 cổng chưa có kết quả (hoặc không kết nối được): thử lại sau; 10 hồ sơ không được tiếp
nhận, đã rút hoặc dừng xử lý nên sẽ không có kết quả; 8 tài liệu sai SHA-256; 2 không có hồ sơ này.

\b
Ví dụ:
  dossier result 000.00.06.H56-261130-0001 --out ket-qua
  dossier result 000.00.06.H56-261130-0001 --out ket-qua --json"""
)


@click.command(help=RESULT_HELP)
@click.argument("code")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help=_("Thư mục lưu kết quả (tạo mới với chế độ 0700 nếu chưa có)."),
)
@ca_bundle_option
@workspace_option
@json_option
@click.pass_context
def result(
    ctx: click.Context,
    code: str,
    out_dir: Path,
    ca_bundle: Path | None,
    workspace: Path | None,
    as_json: bool,
) -> None:
    from dossier.submit.result import fetch_result

    settings = load_portal_settings().with_overrides(ca_bundle=ca_bundle)
    report = fetch_result(
        code, out_dir, resolve_workspace(workspace), adapter_factory(settings), actor=officer_actor(settings)
    )
    document = result_document(report)
    if as_json:
        print_json(document)
    elif not quiet(ctx):
        _print_report(document)
    ctx.exit(int(report.exit_code))


def _outcome_message(outcome: str) -> str:
    return {
        "downloaded": _("Đã tải và kiểm SHA-256 kết quả giải quyết."),
        "not_ready": _("Cổng chưa có kết quả giải quyết cho hồ sơ này: thử lại sau."),
        "no_result": _("Hồ sơ không được tiếp nhận, đã rút hoặc dừng xử lý: sẽ không có kết quả."),
    }[outcome]


def result_document(report: ResultReport) -> dict[str, Any]:
    return {
        "result": str(report.outcome),
        "exit_code": int(report.exit_code),
        "message": _outcome_message(str(report.outcome)),
        "dossier_id": report.dossier.id,
        "code": report.dossier.portal_code,
        "state": str(report.dossier.state),
        "status": status_document(report.status.code) if report.status is not None else None,
        "documents": [
            {"name": d.name, "path": str(d.path), "sha256": d.sha256, "size": d.size}
            for d in report.documents
        ],
    }


def _print_report(document: dict[str, Any]) -> None:
    status = document["status"]
    status_text = f"{status['code']} {status['name']}" if status else "-"
    if not document["documents"]:
        console = stdout_console if document["result"] == "downloaded" else stderr_console
        console.print(f"{document['code']}: {document['message']} ({status_text})")
        return
    table = Table(
        title=_("Kết quả giải quyết {code} ({status})").format(code=document["code"], status=status_text)
    )
    for header in (_("Tệp"), _("Kích thước (byte)"), "SHA-256", _("Đường dẫn")):
        table.add_column(header, overflow="fold")  # a hash or a path is never cut short
    for d in document["documents"]:
        table.add_row(d["name"], str(d["size"]), d["sha256"], d["path"])
    stdout_console.print(table)
