"""What the portal commands (submit, sync, outbox, status, supplement, result) share: the TLS option, the
officer's adapter, and the outbox item as a document and a table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from dossier.i18n import _
from dossier.render import stdout_console
from dossier.submit.settings import PortalSettings
from dossier.submit.statuses import STATUS_NAMES

__all__ = ["STATUS_NAMES"]  # the status table, for the commands that print statuses


def ca_bundle_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--ca-bundle",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        help=_("Tệp PEM các CA tin cậy cho TLS của cổng (mặc định: CA của hệ thống; luôn xác minh)."),
    )(command)


def officer_actor(settings: PortalSettings) -> str:
    from dossier.store.eventlog import default_actor

    return settings.officer or default_actor()


def adapter_factory(settings: PortalSettings) -> Callable[[str], Any]:
    from dossier.submit.auth import token_provider
    from dossier.submit.rest import RestPortalAdapter

    def make(url: str) -> RestPortalAdapter:
        return RestPortalAdapter(url, settings, token_provider(settings, url))

    return make


def item_document(item: Any) -> dict[str, Any]:
    return {
        "outbox_id": item.id,
        "dossier_id": item.dossier_id,
        "idempotency_key": item.idempotency_key,
        "portal": item.portal_url,
        "folder": str(item.folder),
        "state": str(item.state),
        "portal_id": item.portal_id,
        "code": item.portal_code,
        "appointment": item.appointment,
        "status_url": item.status_url,
        "status": status_document(item.portal_status),
        "attempts": item.attempts,
        "last_error": item.last_error,
        "next_attempt_at": item.next_attempt_at,
        "supplement": item.is_supplement,  # papers added to an acknowledged dossier (`dossier supplement`)
        "files": [
            {
                "name": f.name,
                "component_code": f.component_code,
                "size": f.size,
                "sha256": f.sha256,
                "sent": f.complete,
            }
            for f in item.files
        ],
    }


def status_document(code: int | None) -> dict[str, Any] | None:
    return {"code": code, "name": STATUS_NAMES.get(code, "")} if code is not None else None


def result_message(result: str) -> str:
    return {
        "acknowledged": _("Cổng đã tiếp nhận hồ sơ."),
        "queued": _("Cổng chưa phản hồi: hồ sơ đã xếp hàng, sẽ gửi lại bằng `dossier sync`."),
        "rejected": _("Cổng từ chối hồ sơ."),
        "unauthorized": _(
            "Cổng từ chối thông tin đăng nhập của cán bộ: hồ sơ vẫn chờ; sửa rồi chạy `dossier sync`."
        ),
        "blocked": _("Tệp trong hàng đợi bị thay đổi: không gửi."),
    }[result]


def print_item_table(title: str, document: dict[str, Any]) -> None:
    table = Table(title=title, show_header=False)
    table.add_column()
    table.add_column(overflow="fold")  # paths and the 64-digit head hash wrap instead of being cut short
    status = document.get("status")
    rows = [
        (_("Kết quả"), document.get("message", "")),
        (_("Mã hồ sơ"), document.get("code") or "-"),
        (_("Hẹn trả kết quả"), document.get("appointment") or "-"),
        (_("Trạng thái trên cổng"), f"{status['code']} {status['name']}" if status else "-"),
        (_("Công dân"), document.get("citizen_id_masked") or "-"),
        (_("Thư mục hồ sơ"), document.get("folder", "")),
        (_("Số lần gửi"), str(document.get("attempts", 0))),
        (_("Lỗi gần nhất"), document.get("last_error") or "-"),
        (_("Giấy tiếp nhận"), document.get("receipt_pdf") or document.get("receipt_error") or "-"),
    ]
    if "log_head" in document:  # `submit`: the event log's head after this submission
        rows.append((_("Mã băm đầu chuỗi nhật ký"), document["log_head"] or "-"))
    for label, value in rows:
        table.add_row(label, str(value))
    stdout_console.print(table)
