"""`dossier samples history`: a seeded month of history into the sandbox portal or a registry."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from dossier.cli_common import json_option
from dossier.i18n import _

HISTORY_HELP = _(
    """Đổ một tháng lịch sử hồ sơ mẫu (một tỉnh, bốn đơn vị, chín cán bộ, sáu thủ tục) vào cổng thử nghiệm
(mã truy cập quản trị sandbox trong DOSSIER_PORTAL_TOKEN) hoặc vào sổ đăng ký; cùng --seed cho cùng dữ liệu.

\b
Ví dụ:
  DOSSIER_PORTAL_TOKEN=... dossier samples history --portal http://127.0.0.1:8765 --seed 7
  dossier samples history --workspace ./so-mau --count 600 --end 2026-10-31"""
)


HISTORY_EXIT_HELP = _(
    """Mã thoát: 0 đã ghi; 2 sai cú pháp lệnh (cần đúng một nơi nhận); 3 sổ đăng ký do phiên bản mới hơn
tạo; 5 cấu hình cổng sai; 9 không ghi được sổ đăng ký; 10 cổng từ chối (mã truy cập quản trị); 75 không
kết nối được cổng."""
)


@click.command("history", help=HISTORY_HELP, epilog=HISTORY_EXIT_HELP)
@click.option("--portal", metavar="URL", default=None, help=_("Cổng thử nghiệm nhận dữ liệu."))
@click.option(
    "--workspace",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help=_("Sổ đăng ký nhận dữ liệu."),
)
@click.option("--count", type=click.IntRange(1, 200_000), default=400, show_default=True, help=_("Số hồ sơ."))
@click.option("--seed", type=int, default=1, show_default=True, help=_("Hạt giống ngẫu nhiên."))
@click.option(
    "--end",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help=_("Ngày tiếp nhận cuối của tháng (mặc định: hôm nay)."),
)
@json_option
def history_command(
    portal: str | None, workspace: Path | None, count: int, seed: int, end: datetime | None, as_json: bool
) -> None:
    from dossier.supervise.history_samples import HistorySpec, fill

    if (portal is None) == (workspace is None):
        raise click.UsageError(_("Cần đúng một nơi nhận: --portal URL hoặc --workspace DIR."))
    written = fill(HistorySpec(count=count, seed=seed, end=end.date() if end else None), portal, workspace)
    if as_json:
        click.echo(json.dumps({"dossiers": written, "seed": seed}))
    else:
        click.echo(
            _("Đã ghi {n} hồ sơ mẫu (seed {seed}) vào {target}.").format(
                n=written, seed=seed, target=portal or workspace
            )
        )
