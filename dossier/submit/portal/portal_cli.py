"""`dossier portal serve`: the sandbox portal of the v1 submission contract, in the foreground."""

from __future__ import annotations

import os
from pathlib import Path

import click

from dossier.errors import ConfigError
from dossier.extras import require_extra
from dossier.i18n import _
from dossier.submit.portal.settings import (
    CLIENT_SECRET_ENV,
    MEBIBYTE,
    TOKEN_ENV,
    FaultSettings,
    PortalSettings,
)

PORTAL_HELP = _("Cổng dịch vụ công thử nghiệm (sandbox) theo hợp đồng API v1, để kiểm thử và tập huấn.")

SERVE_HELP = _(
    """Chạy cổng thử nghiệm (sandbox) cho tới khi bị dừng (Ctrl+C hoặc SIGTERM: dừng êm).

Cổng lưu hồ sơ trong SQLite ở thư mục --data (0700, tệp 0600), kiểm tra mã truy cập, SHA-256 và chữ ký số
của tệp, cấp mã hồ sơ <mã định danh>-YYMMDD-XXXX và ngày hẹn trả theo lịch làm việc. Khi khởi động, in đúng
một dòng URL (ví dụ http://127.0.0.1:8765) ra stdout; --port 0 chọn một cổng trống.

Mã truy cập: đặt trong biến môi trường DOSSIER_PORTAL_SERVER_TOKEN để không lộ trong danh sách tiến trình
(ps); --token chỉ dành cho sandbox. Ứng dụng OAuth2 (client credentials): --client-id và khóa bí mật trong
DOSSIER_PORTAL_CLIENT_SECRET.

\b
Ví dụ:
  DOSSIER_PORTAL_SERVER_TOKEN=bi-mat dossier portal serve --port 8765 --data /tmp/cong-thu
  dossier portal serve --port 0 --fail-rate 0.3 --drop-rate 0.1 --fault-seed 7"""
)


SERVE_EXIT_HELP = _(
    """Mã thoát: 0 dừng êm (SIGTERM); 130 dừng bằng Ctrl+C; 2 sai cú pháp lệnh; 4 thiếu gói bổ sung 'portal';
5 thiếu mã truy cập, thiếu khóa bí mật OAuth2 hoặc tệp --credentials sai; 1 lỗi khác, ví dụ cổng TCP đang
bị chương trình khác dùng."""
)


@click.group("portal", help=PORTAL_HELP)
def portal() -> None:
    pass


@portal.command("serve", help=SERVE_HELP, epilog=SERVE_EXIT_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help=_("Địa chỉ lắng nghe."))
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help=_("Cổng TCP; 0 = chọn cổng trống và in URL ra stdout."),
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    default=None,
    help=_("Thư mục dữ liệu của cổng (mặc định: $DOSSIER_HOME/portal-sandbox)."),
)
@click.option(
    "--token",
    envvar=TOKEN_ENV,
    default=None,
    metavar="TOKEN",
    help=_("Mã truy cập tĩnh của sandbox; nên dùng biến môi trường DOSSIER_PORTAL_SERVER_TOKEN."),
)
@click.option(
    "--client-id",
    default=None,
    help=_("Mã ứng dụng OAuth2; khóa bí mật lấy từ DOSSIER_PORTAL_CLIENT_SECRET."),
)
@click.option(
    "--fail-rate",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    help=_("Tỉ lệ yêu cầu bị trả lỗi 500/503 ngay (0 đến 1)."),
)
@click.option(
    "--latency-ms", type=click.IntRange(0, 600_000), default=0, help=_("Độ trễ thêm cho mỗi yêu cầu (ms).")
)
@click.option(
    "--drop-rate",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    help=_("Tỉ lệ yêu cầu bị cắt kết nối, không trả lời (0 đến 1)."),
)
@click.option(
    "--lose-response-rate",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    help=_("Tỉ lệ yêu cầu được xử lý và lưu nhưng mất câu trả lời (giao trùng khi gửi lại)."),
)
@click.option(
    "--fault-seed", type=int, default=None, help=_("Hạt giống ngẫu nhiên để lặp lại đúng chuỗi lỗi.")
)
@click.option(
    "--max-file-mb",
    type=click.IntRange(1, 10_000),
    default=50,
    show_default=True,
    help=_("Dung lượng tối đa của một tệp (MB)."),
)
@click.option("--no-require-signatures", is_flag=True, help=_("Không bắt buộc tệp PDF phải có chữ ký số."))
@click.option(
    "--credentials",
    "credentials_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help=_("Tệp TOML tài khoản cán bộ (đơn vị, vai trò, SHA-256 của mã truy cập)."),
)
def serve_command(
    host: str,
    port: int,
    data_dir: Path | None,
    token: str | None,
    client_id: str | None,
    fail_rate: float,
    latency_ms: int,
    drop_rate: float,
    lose_response_rate: float,
    fault_seed: int | None,
    max_file_mb: int,
    no_require_signatures: bool,
    credentials_file: Path | None,
) -> None:
    require_extra("portal")
    from dossier.home import dossier_home
    from dossier.submit.portal.access import load_credentials

    credentials = load_credentials(credentials_file) if credentials_file is not None else ()
    from dossier.submit.portal.serve import serve

    client_secret = os.environ.get(CLIENT_SECRET_ENV, "").strip() or None
    if client_id and not client_secret:
        raise ConfigError(_("Có --client-id nhưng thiếu khóa bí mật trong DOSSIER_PORTAL_CLIENT_SECRET."))
    if not (token or client_id or credentials):
        raise ConfigError(
            _("Cổng cần một mã truy cập: đặt DOSSIER_PORTAL_SERVER_TOKEN (hoặc --token) hoặc --client-id."),
        )
    settings = PortalSettings(
        data_dir=data_dir if data_dir is not None else dossier_home() / "portal-sandbox",
        token=token or None,
        client_id=client_id,
        client_secret=client_secret,
        max_file_bytes=max_file_mb * MEBIBYTE,
        require_signatures=not no_require_signatures,
        credentials=credentials,
        faults=FaultSettings(
            fail_rate=fail_rate,
            latency_ms=latency_ms,
            drop_rate=drop_rate,
            lose_response_rate=lose_response_rate,
            seed=fault_seed,
        ),
    )
    serve(settings, host=host, port=port)
