"""The `dossier samples` command group: write synthetic Vietnamese scanned pages with ground truth."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from dossier.i18n import _
from dossier.samples.degrade import PROFILES
from dossier.samples.make import GROUND_TRUTH_NAME, SampleSet, make_samples


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
@click.option("--json", "as_json", is_flag=True, help=_("In văn bản chuẩn dạng JSON thay cho bảng tóm tắt."))
def make_command(directory: Path, count: int, seed: int, profiles: tuple[str, ...], as_json: bool) -> None:
    started = time.monotonic()
    sample_set = make_samples(directory, count=count, seed=seed, profiles=profiles or None)
    if as_json:
        click.echo(sample_set.to_json(), nl=False)
        return
    _print_summary(sample_set, time.monotonic() - started)


def _print_summary(sample_set: SampleSet, seconds: float) -> None:
    console = Console(highlight=False)
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
