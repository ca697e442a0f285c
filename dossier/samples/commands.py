"""The `dossier samples` command group: write synthetic Vietnamese scanned pages with ground truth."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import click
from rich.table import Table

from dossier.cli_common import json_option
from dossier.console import stdout_console
from dossier.i18n import _
from dossier.samples.degrade import PROFILES
from dossier.samples.make import GROUND_TRUTH_NAME, SampleSet, make_samples

MAKE_EXIT_HELP = _(
    "Mã thoát: 0 đã tạo; 2 sai cú pháp lệnh; 9 không tạo được thư mục hoặc không ghi được tệp mẫu."
)

DOSSIER_EXIT_HELP = _("Mã thoát: 0 đã tạo; 2 sai cú pháp lệnh; 5 không có thủ tục này hoặc hồ sơ mẫu có lỗi.")


@click.group(
    name="samples",
    help=_(
        "Tạo trang mẫu tổng hợp (giả lập bản quét giấy tờ hành chính tiếng Việt) kèm văn bản chuẩn, "
        "dùng để thử, trình diễn và đo hiệu năng.\n\nVí dụ: dossier samples make ./mau --count 12"
    ),
)
def samples() -> None:
    pass


@samples.command(
    name="make",
    epilog=MAKE_EXIT_HELP,
    help=_(
        "Tạo COUNT trang mẫu trong thư mục DIR: ảnh PNG, JPEG, TIFF (có tệp TIFF nhiều trang) và tệp "
        "ground_truth.json ghi văn bản chuẩn, góc xoay, độ nghiêng của từng trang. Cùng SEED luôn cho "
        "cùng kết quả. Dữ liệu hoàn toàn giả, không có thông tin cá nhân thật.\n\n"
        "Ví dụ:\n\n  dossier samples make ./mau\n\n  dossier samples make ./mau --count 30 --seed 7\n\n"
        "  dossier samples make ./mau --profile seal --profile photo --count 4"
    ),
)
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--count", "-n", default=12, show_default=True, type=click.IntRange(min=1), help=_("Số trang cần tạo.")
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=int,
    help=_("Hạt giống ngẫu nhiên (cùng hạt giống, cùng kết quả)."),
)
@click.option(
    "--profile",
    "profiles",
    multiple=True,
    type=click.Choice(PROFILES),
    help=_("Kiểu xuống cấp của trang (lặp lại để dùng nhiều kiểu; mặc định: bộ đủ mọi kiểu)."),
)
@json_option
def make_command(directory: Path, count: int, seed: int, profiles: tuple[str, ...], as_json: bool) -> None:
    started = time.monotonic()
    sample_set = make_samples(directory, count=count, seed=seed, profiles=profiles or None)
    if as_json:
        click.echo(sample_set.to_json(), nl=False)
        return
    _print_summary(sample_set, time.monotonic() - started)


def _print_summary(sample_set: SampleSet, seconds: float) -> None:
    console = stdout_console
    console.print(
        _("Đã tạo {count} trang mẫu trong {dir} ({seconds:.1f} giây).").format(
            count=len(sample_set.pages), dir=sample_set.out_dir, seconds=seconds
        )
    )
    table = Table(_("Tệp"), _("Trang"), _("Kiểu"), _("Xoay"), _("Nghiêng"), _("Số dòng"))
    for page in sample_set.pages:
        lines = len(page.text.splitlines())
        table.add_row(
            page.file, str(page.page), page.profile, f"{page.rotation}°", f"{page.skew:+.2f}°", str(lines)
        )
    console.print(table)
    kinds = Counter(Path(name).suffix for name in sample_set.files)
    console.print(
        _("{files} tệp ảnh ({kinds}); văn bản chuẩn: {gt}").format(
            files=len(sample_set.files),
            kinds=", ".join(f"{n} {suffix}" for suffix, n in sorted(kinds.items())),
            gt=sample_set.out_dir / GROUND_TRUTH_NAME,
        )
    )


@samples.command(
    name="dossier",
    epilog=DOSSIER_EXIT_HELP,
    help=_(
        "Tạo một hồ sơ mẫu của thủ tục CODE trong thư mục DIR: mỗi thành phần một hoặc hai trang (ảnh PNG đã "
        "xuống cấp như bản quét), thêm trang lạc, có thể bỏ bớt thành phần để thử phiếu yêu cầu bổ sung; "
        "truth.json ghi trang nào thuộc thành phần nào. Dữ liệu hoàn toàn giả.\n\n"
        "Ví dụ:\n\n  dossier samples dossier ./ks --procedure 1.001193\n\n"
        "  dossier samples dossier ./ks-thieu --procedure 1.001193 --drop TP02"
    ),
)
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--procedure", "code", required=True, help=_("Mã thủ tục, ví dụ 1.001193."))
@click.option("--drop", multiple=True, metavar="TPxx", help=_("Thành phần bỏ ra khỏi hồ sơ (lặp lại được)."))
@click.option("--strays", default=1, show_default=True, type=click.IntRange(0, 10), help=_("Số trang lạc."))
@click.option("--seed", default=0, show_default=True, type=int, help=_("Hạt giống ngẫu nhiên."))
def dossier_command(directory: Path, code: str, drop: tuple[str, ...], strays: int, seed: int) -> None:
    from datetime import date

    from dossier.profiles.loader import load_catalogue
    from dossier.samples.dossier import write_dossier_samples

    profile = load_catalogue().profile_for(code, date.today())
    paths = write_dossier_samples(directory, profile, seed=seed, drop=drop, strays=strays)
    click.echo(
        _("Đã tạo {n} trang hồ sơ mẫu thủ tục {code} trong {dir}").format(
            n=len(paths), code=code, dir=directory
        )
    )


def _add_pki_command() -> None:
    from dossier.samples.pki import pki_command

    samples.add_command(pki_command)


_add_pki_command()


def _add_history_command() -> None:
    from dossier.supervise.history_cli import history_command

    samples.add_command(history_command)


_add_history_command()
