"""`dossier submit`, `sync`, `outbox`, `status` and `log verify`: the counter's side of the portal."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table

from dossier.citizen import read_citizen_file
from dossier.cli_common import byte_progress, json_option, quiet, workspace_option
from dossier.console import stderr_console
from dossier.errors import ConfigError, ExitCode
from dossier.i18n import _
from dossier.render import print_json, stdout_console
from dossier.store.workspace import resolve_workspace
from dossier.submit.adapter import Citizen
from dossier.submit.cli_support import (
    adapter_factory,
    ca_bundle_option,
    item_document,
    officer_actor,
    print_item_table,
    result_message,
    status_document,
)
from dossier.submit.settings import load_portal_settings

if TYPE_CHECKING:
    from dossier.submit.sync import SubmitResult

SUBMIT_HELP = _(
    """Nộp hồ sơ đã ký số lên cổng dịch vụ công thay mặt công dân, qua hàng đợi bền vững.

Hồ sơ (siêu dữ liệu và các tệp PDF kèm SHA-256) được lưu vào hàng đợi trước khi gửi, với một khóa chống
trùng (idempotency key): mất mạng, cổng lỗi hay máy tắt giữa chừng thì `dossier sync` gửi tiếp, không bao giờ
tạo hồ sơ thứ hai. Khi cổng cấp mã hồ sơ và ngày hẹn, Giấy tiếp nhận (Mẫu 01) được in vào thư mục hồ sơ.

Số định danh và họ tên công dân: nên đưa qua --citizen-file (tệp JSON chế độ 0600, các khóa id_number,
full_name, phone, email, consent_reference) hoặc nhập khi được hỏi, vì dòng lệnh hiện ra trong `ps` và lịch sử
shell của máy dùng chung; --citizen-id/--citizen-name vẫn được nhận cho các script cũ.
Mã thông báo (token) của cán bộ: biến môi trường DOSSIER_PORTAL_TOKEN hoặc OAuth2 (client_id trong [portal],
DOSSIER_PORTAL_CLIENT_SECRET). Mã thoát: 0 đã được tiếp nhận; 75 đã xếp hàng, gửi lại bằng `dossier sync`;
10 cổng từ chối; 3 tệp lỗi hoặc chưa ký; 6 hồ sơ chưa đủ (thiếu thành phần, tệp đổi sau khi ký: liệt kê hết).

\b
Ví dụ:
  dossier submit hs-001 --portal https://dvc.example.gov.vn --citizen-file cong-dan.json --consent PL-0815
  dossier submit hs-001 --portal http://127.0.0.1:8700 --citizen-id 001203012345 \\
      --citizen-name "Trần Thị Mỹ Duyên" --agency 000.00.06.H56 --officer motcua.hoatien --json"""
)

SYNC_HELP = _(
    """Gửi các hồ sơ đang chờ trong hàng đợi; tiếp tục đúng chỗ đã dừng (không gửi trùng).

\b
Ví dụ:
  dossier sync
  dossier sync --due --json      # chỉ các hồ sơ đã đến giờ thử lại (cho cron/systemd timer)"""
)

OUTBOX_HELP = _(
    """Liệt kê hồ sơ trong hàng đợi: trạng thái, số lần thử, lỗi gần nhất, lần thử tiếp theo.

\b
Ví dụ:
  dossier outbox
  dossier outbox --all --json"""
)

STATUS_HELP = _(
    """Hỏi cổng dịch vụ công trạng thái hồ sơ và cập nhật sổ đăng ký.

Trạng thái 5 (yêu cầu bổ sung), 3 (không được tiếp nhận), 9/10 (đã xong) được ghi vào sổ đăng ký.

\b
Ví dụ:
  dossier status 000.00.06.H56-261130-0001
  dossier status --all --json"""
)

LOG_VERIFY_HELP = _(
    """Kiểm tra chuỗi băm của nhật ký sự kiện: báo sự kiện đầu tiên bị sửa, xóa hoặc đổi chỗ (mã thoát 8).

In mã băm đầu chuỗi: ghi lại hằng ngày (hoặc gửi đi nơi khác) để phát hiện cả việc viết lại toàn bộ nhật ký.

\b
Ví dụ:
  dossier log verify
  dossier log verify --json"""
)


SYNC_EXIT_HELP = _(
    """Mã thoát: 0 mọi hồ sơ đã được tiếp nhận (hoặc hàng đợi trống); 75 không kết nối được cổng hoặc chưa có
mã truy cập: hồ sơ vẫn chờ trong hàng đợi, chạy lại sau; 10 cổng từ chối hồ sơ hoặc mã truy cập; 3 tệp
trong hàng đợi bị mất hoặc bị sửa (không gửi); 2 sai cú pháp lệnh; 5 cấu hình cổng sai; 9 không mở
được sổ đăng ký."""
)

OUTBOX_EXIT_HELP = _("Mã thoát: 0 đã liệt kê; 2 sai cú pháp lệnh; 9 không mở được sổ đăng ký.")

STATUS_EXIT_HELP = _(
    """Mã thoát: 0 đã hỏi và cập nhật; 2 sai cú pháp lệnh, không có hồ sơ này trong sổ đăng ký hoặc hồ sơ
chưa nộp xong; 5 cấu hình cổng hoặc mã truy cập sai; 9 không mở được sổ đăng ký; 10 cổng từ chối yêu
cầu; 75 không kết nối được cổng (thử lại sau)."""
)

LOG_VERIFY_EXIT_HELP = _(
    """Mã thoát: 0 nhật ký toàn vẹn; 8 chuỗi băm bị đứt (sự kiện bị sửa, xóa hoặc đổi chỗ); 2 sai cú pháp
lệnh; 9 không mở được sổ đăng ký."""
)

LOG_CHECKPOINT_EXIT_HELP = _(
    """Mã thoát: 0 đã ghi mốc (không có dấu thời gian khi dịch vụ cấp dấu thời gian không trả lời); 2 sai cú
pháp lệnh; 9 không mở được sổ đăng ký."""
)

LOG_SHOW_EXIT_HELP = _(
    """Mã thoát: 0 đã in; 2 sai cú pháp lệnh hoặc không có hồ sơ này trong sổ đăng ký; 9 không mở được sổ
đăng ký."""
)


# --- the citizen's data: file, options, prompt ---


def gather_citizen(
    citizen_file: Path | None,
    citizen_id: str | None,
    citizen_name: str | None,
    phone: str | None,
    email: str | None,
    consent: str | None,
) -> Citizen:
    values = read_citizen_file(citizen_file) if citizen_file is not None else {}
    given = {
        "id_number": citizen_id,
        "full_name": citizen_name,
        "phone": phone,
        "email": email,
        "consent_reference": consent,
    }
    values.update({k: v for k, v in given.items() if v})
    interactive = stderr_console.is_terminal and os.isatty(0)
    if not values.get("id_number"):
        if not interactive:
            raise ConfigError(_("Thiếu số định danh công dân: dùng --citizen-file hoặc --citizen-id."))
        values["id_number"] = click.prompt(_("Số định danh cá nhân của công dân"), hide_input=True, err=True)
    if not values.get("full_name"):
        if not interactive:
            raise ConfigError(_("Thiếu họ tên công dân: dùng --citizen-file hoặc --citizen-name."))
        values["full_name"] = click.prompt(_("Họ tên công dân"), err=True)
    return Citizen(
        id_number=values["id_number"],
        full_name=values["full_name"],
        phone=values.get("phone"),
        email=values.get("email"),
        consent_reference=values.get("consent_reference"),
    )


# --- submit ---


@dataclass(frozen=True)
class SubmitView:
    """What `dossier submit` prints: no personal data besides the masked ID number."""

    document: dict[str, Any]
    exit_code: ExitCode


@click.command(help=SUBMIT_HELP)
@click.argument("dossier_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--portal", "portal_url", help=_("Địa chỉ cổng dịch vụ công (mặc định: [portal] url)."))
@click.option(
    "--citizen-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=_("Tệp JSON thông tin công dân (0600)."),
)
@click.option(
    "--citizen-id", help=_("Số định danh 12 chữ số (nên dùng --citizen-file: dòng lệnh lộ trong `ps`).")
)
@click.option("--citizen-name", help=_("Họ tên công dân (nên dùng --citizen-file)."))
@click.option("--citizen-phone", help=_("Số điện thoại của công dân."))
@click.option("--citizen-email", help=_("Thư điện tử của công dân."))
@click.option("--consent", help=_("Số tham chiếu sự đồng ý của công dân tại quầy (phiếu hoặc mã OTP)."))
@click.option("--procedure", "procedure_code", help=_("Mã thủ tục (mặc định: ghi trong manifest.json)."))
@click.option("--officer", help=_("Tài khoản cán bộ trên cổng (mặc định: [portal] officer)."))
@click.option(
    "--agency", help=_("Mã định danh cơ quan tiếp nhận, ví dụ 000.00.06.H56 (mặc định: [portal] agency).")
)
@click.option(
    "--officer-name",
    default=lambda: os.environ.get("DOSSIER_OFFICER", ""),
    help=_("Tên cán bộ in trên giấy tiếp nhận."),
)
@click.option(
    "--allow-unsigned", is_flag=True, help=_("Cho nộp tệp chưa ký số (chỉ để tập huấn với cổng thử nghiệm).")
)
@click.option("--no-receipt", is_flag=True, help=_("Không in giấy tiếp nhận (Mẫu 01)."))
@click.option("--profiles-dir", type=click.Path(path_type=Path), help=_("Thư mục hồ sơ mẫu của tỉnh."))
@ca_bundle_option
@workspace_option
@json_option
@click.pass_context
def submit(
    ctx: click.Context,
    dossier_dir: Path,
    portal_url: str | None,
    citizen_file: Path | None,
    citizen_id: str | None,
    citizen_name: str | None,
    citizen_phone: str | None,
    citizen_email: str | None,
    consent: str | None,
    procedure_code: str | None,
    officer: str | None,
    agency: str | None,
    officer_name: str,
    allow_unsigned: bool,
    no_receipt: bool,
    profiles_dir: Path | None,
    ca_bundle: Path | None,
    workspace: Path | None,
    as_json: bool,
) -> None:
    from dossier.submit.sync import submit_dossier

    settings = load_portal_settings().with_overrides(
        url=portal_url, ca_bundle=ca_bundle, officer=officer, agency=agency
    )
    citizen = gather_citizen(citizen_file, citizen_id, citizen_name, citizen_phone, citizen_email, consent)
    silent = quiet(ctx) or as_json
    result = submit_dossier(
        dossier_dir,
        citizen,
        settings,
        resolve_workspace(workspace),
        adapter_factory(settings),
        procedure_code=procedure_code,
        allow_unsigned=allow_unsigned,
        receipt=not no_receipt,
        officer_name=officer_name.strip(),
        profiles_dir=profiles_dir,
        progress=lambda total: byte_progress(total, _("Đang gửi"), silent),
    )
    document = submit_document(result)
    if as_json:
        print_json(document)
    elif not quiet(ctx):
        print_item_table(_("Nộp hồ sơ"), document)
    ctx.exit(int(result.delivery.exit_code))


def submit_document(result: SubmitResult) -> dict[str, Any]:
    delivery = result.delivery
    document = {
        "result": str(delivery.result),
        "exit_code": int(delivery.exit_code),
        "message": result_message(str(delivery.result)),
        "already_queued": not result.enqueued.created,
        "citizen_id_masked": result.citizen_id_masked,
        **item_document(delivery.item),
        "error": delivery.error,
        "error_code": delivery.error_code,
        "receipt_pdf": str(result.receipt.path) if result.receipt and result.receipt.path else None,
        "receipt_error": result.receipt.error if result.receipt else None,
        "log_head": result.log_head,
    }
    return document


# --- sync, outbox ---


@click.command(help=SYNC_HELP, epilog=SYNC_EXIT_HELP)
@click.option("--due", "due_only", is_flag=True, help=_("Chỉ gửi hồ sơ đã đến giờ thử lại."))
@click.option("--no-receipt", is_flag=True, help=_("Không in giấy tiếp nhận (Mẫu 01)."))
@click.option(
    "--officer-name",
    default=lambda: os.environ.get("DOSSIER_OFFICER", ""),
    help=_("Tên cán bộ in trên giấy tiếp nhận."),
)
@click.option("--profiles-dir", type=click.Path(path_type=Path), help=_("Thư mục hồ sơ mẫu của tỉnh."))
@ca_bundle_option
@workspace_option
@json_option
@click.pass_context
def sync(
    ctx: click.Context,
    due_only: bool,
    no_receipt: bool,
    officer_name: str,
    profiles_dir: Path | None,
    ca_bundle: Path | None,
    workspace: Path | None,
    as_json: bool,
) -> None:
    from dossier.store.checkpoint import head_hash
    from dossier.submit.sync import flush_outbox, print_receipts, purge_personal_data

    settings = load_portal_settings().with_overrides(ca_bundle=ca_bundle)
    space = resolve_workspace(workspace)
    silent = quiet(ctx) or as_json
    with contextlib.closing(space.connect()) as conn:
        from dossier.submit.sync import due_items

        items = due_items(conn, due_only=due_only)
        total = sum(f.size for item in items for f in item.files if not f.complete)
        with byte_progress(total, _("Đang gửi hàng đợi"), silent) as tick:
            report = flush_outbox(
                conn,
                space,
                adapter_factory(settings),
                actor=officer_actor(settings),
                items=items,
                progress=tick,
            )
        receipts = {}
        if not no_receipt:
            receipts = print_receipts(
                space,
                report.deliveries,
                officer_name=officer_name.strip(),
                profiles_dir=profiles_dir,
            )
        purge_personal_data(conn, space)
        log_head = head_hash(conn)
    documents = []
    for d in report.deliveries:
        receipt = receipts.get(d.item.id)
        documents.append(
            {
                "result": str(d.result),
                "message": result_message(str(d.result)),
                **item_document(d.item),
                "error": d.error,
                "error_code": d.error_code,
                "receipt_pdf": str(receipt.path) if receipt and receipt.path else None,
                "receipt_error": receipt.error if receipt else None,
            }
        )
    if as_json:
        print_json({"exit_code": int(report.exit_code), "items": documents, "log_head": log_head})
    elif not quiet(ctx):
        if not documents:
            stdout_console.print(_("Hàng đợi trống: không có hồ sơ nào chờ gửi."))
        else:
            _print_items(_("Gửi hàng đợi"), documents)
            for document in documents:
                if document["receipt_pdf"] or document["receipt_error"]:
                    stdout_console.print(
                        _("Giấy tiếp nhận") + f" ({document.get('code') or '-'}): "
                        f"{document['receipt_pdf'] or document['receipt_error']}"
                    )
            stdout_console.print(_("Mã băm đầu chuỗi nhật ký: {hash}").format(hash=log_head or "-"))
    ctx.exit(int(report.exit_code))


def _print_items(title: str, documents: list[dict[str, Any]]) -> None:
    table = Table(title=title)
    for header in (
        _("Thư mục hồ sơ"),
        _("Trạng thái"),
        _("Mã hồ sơ"),
        _("Lần gửi"),
        _("Tệp đã gửi"),
        _("Lỗi gần nhất"),
    ):
        table.add_column(header)
    for document in documents:
        files = document["files"]
        sent = sum(1 for f in files if f["sent"])
        table.add_row(
            Path(document["folder"]).name,
            document.get("result") or document["state"],
            document.get("code") or "-",
            str(document["attempts"]),
            f"{sent}/{len(files)}",
            document.get("last_error") or "-",
        )
    stdout_console.print(table)


@click.command(help=OUTBOX_HELP, epilog=OUTBOX_EXIT_HELP)
@click.option("--all", "show_all", is_flag=True, help=_("Cả hồ sơ đã gửi xong và bị từ chối."))
@workspace_option
@json_option
def outbox(show_all: bool, workspace: Path | None, as_json: bool) -> None:
    from dossier.submit.outbox import list_items

    with contextlib.closing(resolve_workspace(workspace).connect()) as conn:
        items = list_items(conn, open_only=not show_all)
    documents = [item_document(item) for item in items]
    if as_json:
        print_json({"items": documents})
    elif not documents:
        stdout_console.print(_("Hàng đợi trống: không có hồ sơ nào chờ gửi."))
    else:
        _print_items(_("Hàng đợi gửi cổng dịch vụ công"), documents)


# --- status ---


@click.command(help=STATUS_HELP, epilog=STATUS_EXIT_HELP)
@click.argument("code", required=False)
@click.option("--all", "poll_all", is_flag=True, help=_("Mọi hồ sơ đã nộp và chưa xong."))
@ca_bundle_option
@workspace_option
@json_option
@click.pass_context
def status(
    ctx: click.Context,
    code: str | None,
    poll_all: bool,
    ca_bundle: Path | None,
    workspace: Path | None,
    as_json: bool,
) -> None:
    from dossier.submit.status import poll_statuses

    if bool(code) == poll_all:
        raise click.UsageError(_("Cho đúng một trong hai: MÃ_HỒ_SƠ hoặc --all."))
    settings = load_portal_settings().with_overrides(ca_bundle=ca_bundle)
    with contextlib.closing(resolve_workspace(workspace).connect()) as conn:
        report = poll_statuses(conn, adapter_factory(settings), actor=officer_actor(settings), code=code)
    documents: list[dict[str, Any]] = [
        {
            "dossier_id": u.dossier.id,
            "folder": str(u.dossier.folder),
            "code": u.dossier.portal_code,
            "state": str(u.dossier.state),
            "status": status_document(u.portal.status.code) if u.portal else None,
            "appointment": u.portal.appointment if u.portal else None,
            "changed": u.changed,
            "citizen_id_masked": u.dossier.masked_citizen_id,
            "error": u.error,
        }
        for u in report.updates
    ]
    if as_json:
        print_json({"exit_code": int(report.exit_code), "dossiers": documents})
    elif not quiet(ctx):
        table = Table(title=_("Trạng thái hồ sơ trên cổng"))
        for header in (
            _("Mã hồ sơ"),
            _("Trạng thái trên cổng"),
            _("Sổ đăng ký"),
            _("Hẹn trả"),
            _("Công dân"),
            _("Lỗi"),
        ):
            table.add_column(header)
        for d in documents:
            status_text = f"{d['status']['code']} {d['status']['name']}" if d["status"] else "-"
            table.add_row(
                d["code"] or "-",
                status_text,
                d["state"],
                d["appointment"] or "-",
                d["citizen_id_masked"],
                d["error"] or "-",
            )
        stdout_console.print(table)
    ctx.exit(int(report.exit_code))


# --- the event log ---


@click.group(help=_("Nhật ký sự kiện của sổ đăng ký hồ sơ (chuỗi băm chống sửa)."))
def log() -> None:
    """The group; `verify` and `show` are its subcommands."""


@log.command("verify", help=LOG_VERIFY_HELP, epilog=LOG_VERIFY_EXIT_HELP)
@workspace_option
@json_option
@click.pass_context
def log_verify(ctx: click.Context, workspace: Path | None, as_json: bool) -> None:
    from dossier.store.eventlog import verify_log

    with contextlib.closing(resolve_workspace(workspace).connect()) as conn:
        report = verify_log(conn)
    exit_code = ExitCode.ok if report.ok else ExitCode.verification_failed
    if as_json:
        problem = report.problem
        print_json(
            {
                "ok": report.ok,
                "exit_code": int(exit_code),
                "events": report.events,
                "head_hash": report.head_hash,
                "problem": (
                    {"kind": str(problem.kind), "seq": problem.seq, "message": problem.message}
                    if problem
                    else None
                ),
            }
        )
    elif report.problem is not None:
        stderr_console.print(
            _("Nhật ký sự kiện KHÔNG toàn vẹn: {message}").format(message=report.problem.message)
        )
    else:
        stdout_console.print(
            _("Nhật ký sự kiện toàn vẹn: {n} sự kiện, mã băm đầu chuỗi {hash}.").format(
                n=report.events, hash=report.head_hash
            )
        )
    ctx.exit(int(exit_code))


@log.command(
    "checkpoint",
    help=_(
        "Ghi mốc đầu chuỗi nhật ký ra tệp chỉ-ghi-thêm ngoài cơ sở dữ liệu (kèm dấu thời gian RFC 3161 nếu "
        "có [log] tsa_url hoặc [signing] tsa_url)."
    ),
    epilog=LOG_CHECKPOINT_EXIT_HELP,
)
@click.option("--tsa", "tsa_url", help=_("Địa chỉ dịch vụ cấp dấu thời gian (mặc định: cấu hình)."))
@workspace_option
@json_option
def log_checkpoint(tsa_url: str | None, workspace: Path | None, as_json: bool) -> None:
    from dossier.store.checkpoint import checkpoint_path, write_checkpoint

    with contextlib.closing(resolve_workspace(workspace).connect()) as conn:
        checkpoint = write_checkpoint(conn, tsa_url)
        path = checkpoint_path(conn)
    document = {
        "file": str(path),
        "checkpoint": checkpoint.__dict__ if checkpoint is not None else None,
        "timestamped": bool(checkpoint and checkpoint.timestamp_token),
    }
    if as_json:
        print_json(document)
    elif checkpoint is None:
        stdout_console.print(_("Nhật ký chưa có sự kiện nào: không có gì để ghi mốc."))
    else:
        stdout_console.print(
            _("Đã ghi mốc nhật ký: {n} sự kiện, mã băm đầu chuỗi {hash}, vào {file}{stamp}.").format(
                n=checkpoint.count,
                hash=checkpoint.hash,
                file=path,
                stamp=_(" (có dấu thời gian)") if checkpoint.timestamp_token else "",
            )
        )


@log.command(
    "show",
    help=_("In các sự kiện (của một hồ sơ nếu cho MÃ): thời điểm, người, việc, trạng thái."),
    epilog=LOG_SHOW_EXIT_HELP,
)
@click.argument("dossier", required=False)
@workspace_option
@json_option
def log_show(dossier: str | None, workspace: Path | None, as_json: bool) -> None:
    from dossier.store.eventlog import read_events
    from dossier.store.registry import get_dossier

    with contextlib.closing(resolve_workspace(workspace).connect()) as conn:
        dossier_id = get_dossier(conn, dossier).id if dossier else None
        events = read_events(conn, dossier_id)
    if as_json:
        print_json(
            {
                "events": [
                    {
                        "seq": e.seq,
                        "dossier_id": e.dossier_id,
                        "actor": e.actor,
                        "action": e.action,
                        "state": e.state,
                        "details": json.loads(e.details),
                        "at": e.at,
                        "hash": e.hash,
                    }
                    for e in events
                ]
            }
        )
        return
    table = Table(title=_("Nhật ký sự kiện"))
    for header in ("#", _("Thời điểm (UTC)"), _("Người thực hiện"), _("Việc"), _("Trạng thái"), _("Hồ sơ")):
        table.add_column(header)
    for e in events:
        table.add_row(str(e.seq), e.at, e.actor, e.action, e.state or "-", (e.dossier_id or "-")[:8])
    stdout_console.print(table)
