"""`dossier separators`: print the QR-coded separator sheets of a procedure's components as one PDF/A file."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from dossier.i18n import _
from dossier.profiles.loader import load_catalogue
from dossier.profiles.separators import write_separator_pdf

SEPARATORS_HELP = _(
    """In tờ phân cách có mã QR, mỗi thành phần hồ sơ của thủ tục một trang A4.

Đặt tờ phân cách ngay trước giấy tờ của thành phần đó khi quét: `dossier check` nhận ra tờ phân cách (qua mã
QR, hoặc tiêu đề "TỜ PHÂN CÁCH" khi mã không đọc được), xếp các trang sau nó vào đúng thành phần và bỏ tờ
phân cách khỏi hồ sơ.

\b
Ví dụ:
  dossier separators --procedure 1.001193 --out to-phan-cach.pdf"""
)


SEPARATORS_EXIT_HELP = _(
    """Mã thoát: 0 đã ghi; 2 sai cú pháp lệnh; 5 không có thủ tục, không có quy định hiệu lực vào ngày đó hoặc
hồ sơ mẫu có lỗi; 9 không ghi được tệp PDF."""
)


@click.command(help=SEPARATORS_HELP, epilog=SEPARATORS_EXIT_HELP)
@click.option(
    "--procedure", "code", required=True, help=_("Mã thủ tục, ví dụ 1.001193 (xem `dossier profiles list`).")
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help=_("Tệp PDF ghi ra."),
)
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help=_("Ngày áp dụng (quy định có hiệu lực)."))
@click.option("--profiles-dir", type=click.Path(path_type=Path), help=_("Thư mục hồ sơ mẫu của tỉnh."))
def separators(code: str, out: Path, on: datetime | None, profiles_dir: Path | None) -> None:
    profile = load_catalogue(profiles_dir).profile_for(code, on.date() if on else date.today())
    count = write_separator_pdf(profile, out)
    click.echo(_("Đã ghi {count} tờ phân cách vào {path}.").format(count=count, path=out))
