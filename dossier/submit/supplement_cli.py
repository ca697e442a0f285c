"""`dossier supplement CODE FOLDER`: send the papers the portal asked for (status 5), through the outbox."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dossier.cli_common import byte_progress, json_option, quiet, workspace_option
from dossier.i18n import _
from dossier.render import print_json
from dossier.store.workspace import resolve_workspace
from dossier.submit.cli_support import (
    adapter_factory,
    ca_bundle_option,
    item_document,
    print_item_table,
    result_message,
    status_document,
)
from dossier.submit.settings import load_portal_settings

if TYPE_CHECKING:
    from dossier.submit.supplement import SupplementResult

SUPPLEMENT_HELP = _(
    """Nộp bổ sung giấy tờ cho hồ sơ mà cổng dịch vụ công yêu cầu bổ sung (trạng thái 5).

Cán bộ quét và ký số giấy tờ bổ sung vào một thư mục riêng (cùng cách đặt tên như khi quét hồ sơ:
TP01.pdf..., chua-xep-loai.pdf hoặc scan.pdf). Trước khi gửi, lệnh hỏi cổng trạng thái hồ sơ và từ chối nếu
cổng không yêu cầu bổ sung. Giấy tờ đi qua hàng đợi bền vững như khi nộp hồ sơ: mất mạng hay máy tắt giữa
chừng thì `dossier sync` gửi tiếp, không gửi trùng. Tệp TPxx.pdf thay thế thành phần cùng tên trên cổng;
scan.pdf và chua-xep-loai.pdf được gửi thành bsN-scan.pdf, bsN-chua-xep-loai.pdf (N: lần bổ sung).
Khi cổng nhận đủ, hồ sơ trở lại trạng thái 4 (Đang xử lý), giữ nguyên mã hồ sơ và ngày hẹn.

Mã thoát: 0 cổng đã nhận; 75 đã xếp hàng, gửi lại bằng `dossier sync`; 10 cổng không yêu cầu bổ sung hoặc từ
chối; 3 tệp lỗi hoặc chưa ký; 2 không có hồ sơ này trong sổ đăng ký.

\b
Ví dụ:
  dossier supplement 000.00.06.H56-261130-0001 bo-sung-1 --note "Bổ sung bản sao giấy khai sinh"
  dossier supplement 000.00.06.H56-261130-0001 bo-sung-1 --json"""
)


@click.command(help=SUPPLEMENT_HELP)
@click.argument("code")
@click.argument("supplement_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--note", help=_("Ghi chú gửi kèm cho cổng (mặc định: công dân nộp bổ sung theo yêu cầu)."))
@click.option(
    "--allow-unsigned", is_flag=True, help=_("Cho nộp tệp chưa ký số (chỉ để tập huấn với cổng thử nghiệm).")
)
@click.option("--profiles-dir", type=click.Path(path_type=Path), help=_("Thư mục hồ sơ mẫu của tỉnh."))
@ca_bundle_option
@workspace_option
@json_option
@click.pass_context
def supplement(
    ctx: click.Context,
    code: str,
    supplement_dir: Path,
    note: str | None,
    allow_unsigned: bool,
    profiles_dir: Path | None,
    ca_bundle: Path | None,
    workspace: Path | None,
    as_json: bool,
) -> None:
    from dossier.submit.supplement import submit_supplement

    settings = load_portal_settings().with_overrides(ca_bundle=ca_bundle)
    silent = quiet(ctx) or as_json
    result = submit_supplement(
        code,
        supplement_dir,
        settings,
        resolve_workspace(workspace),
        adapter_factory(settings),
        note=note,
        allow_unsigned=allow_unsigned,
        profiles_dir=profiles_dir,
        progress=lambda total: byte_progress(total, _("Đang gửi bổ sung"), silent),
    )
    document = supplement_document(result)
    if as_json:
        print_json(document)
    elif not quiet(ctx):
        print_item_table(_("Nộp bổ sung giấy tờ"), document)
    ctx.exit(int(result.delivery.exit_code))


def supplement_document(result: SupplementResult) -> dict[str, Any]:
    delivery = result.delivery
    polled = result.polled
    return {
        "result": str(delivery.result),
        "exit_code": int(delivery.exit_code),
        "message": _supplement_message(str(delivery.result)),
        "already_queued": not result.enqueued.created,
        "round": result.round_number,
        "status_before": status_document(polled.code) if polled is not None else None,
        **item_document(delivery.item),
        "error": delivery.error,
        "error_code": delivery.error_code,
    }


def _supplement_message(result: str) -> str:
    if result == "acknowledged":
        return _("Cổng đã nhận giấy tờ bổ sung; hồ sơ tiếp tục được xử lý.")
    return result_message(result)
