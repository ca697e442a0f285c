"""`dossier batch`: parse, call `run_batch`, show the progress and the report."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import click
from rich.table import Table

from dossier.cli_common import json_option, page_options
from dossier.console import stderr_console
from dossier.i18n import _
from dossier.models import ColourMode

BATCH_HELP = _(
    """Số hóa cả một cây thư mục hồ sơ giấy, không cần người trông, chạy tiếp được sau mọi sự cố.

Mỗi tệp PDF là một hồ sơ; mỗi thư mục có tệp ảnh trang là một hồ sơ (các ảnh của nó, theo thứ tự tên).
Kết quả trong DEST theo đúng cây của SRC: mỗi hồ sơ một thư mục scan.pdf + manifest.json như `dossier scan`.
Nhật ký DEST/batch-journal.sqlite ghi từng trang xong: chạy lại lệnh sẽ bỏ qua hồ sơ đã xong, làm lại hồ sơ
lỗi hoặc đã thay đổi. Trang chạy song song trên Dask: mặc định một cụm cục bộ, hoặc --scheduler.

\b
Ví dụ:
  dossier batch /kho/2019 --out /so-hoa/2019
  dossier batch /kho/2019 --out /so-hoa/2019 --procedure 1.001193 --jobs 4 --json
  dossier batch /mnt/chung/2019 --out /mnt/chung/so-hoa --scheduler tcp://10.0.0.5:8786"""
)

BATCH_EXIT_HELP = _(
    """Mã thoát: 0 mọi hồ sơ xong hoặc đã xong từ trước; 11 có hồ sơ lỗi (xem batch-report.csv); 3 nguồn không
có, không có hồ sơ nào, chỉ mục không đọc được; 4 thiếu tesseract hoặc Dask; 5 DEST nằm trong SRC, mã thủ tục
sai, chỉ mục sai; 9 DEST không ghi được, có nhật ký của nguồn khác hoặc một lô khác đang chạy trên DEST; 15 bộ
lập lịch Dask không trả lời; 130 bị ngắt (Ctrl-C)."""
)


class _RichBatchProgress:
    """Two bars on stderr: pages (with pages per minute and ETA) and dossiers."""

    def __init__(self, progress: object) -> None:
        self.progress = progress
        self.pages = None
        self.dossiers = None

    def planned(self, dossiers: int, pages: int) -> None:
        p = self.progress
        self.pages = p.add_task(_("Trang"), total=pages)  # type: ignore[attr-defined]
        self.dossiers = p.add_task(_("Hồ sơ"), total=dossiers)  # type: ignore[attr-defined]

    def page_done(self) -> None:
        self.progress.advance(self.pages)  # type: ignore[attr-defined]

    def dossier_done(self) -> None:
        self.progress.advance(self.dossiers)  # type: ignore[attr-defined]


@contextlib.contextmanager
def batch_progress(quiet: bool) -> Iterator[_RichBatchProgress]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class PerMinute(ProgressColumn):
        def render(self, task: object) -> Text:
            speed = task.speed  # type: ignore[attr-defined]
            return Text(f"{speed * 60:.1f}/{_('phút')}" if speed else "")

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        PerMinute(),
        TimeRemainingColumn(),
        console=stderr_console,
        disable=quiet or not stderr_console.is_terminal,
    )
    with progress:
        yield _RichBatchProgress(progress)


def _print_summary(report: object) -> None:
    from dossier.render import stdout_console

    totals = report.totals()  # type: ignore[attr-defined]
    failed = [i for i in report.items if i.outcome == "failed" or i.failed_sources]  # type: ignore[attr-defined]
    if failed:
        table = Table(_("Hồ sơ lỗi"), _("Lý do"), show_lines=False)
        for item in failed:
            table.add_row(item.source, item.reason or "")
        stdout_console.print(table)
    stdout_console.print(
        _(
            "{dossiers} hồ sơ: {done} xong, {changed} thay đổi, {skipped} đã xong từ trước, {failed} lỗi, "
            "{pending} chưa làm; {pages_processed} trang xử lý ({pages_per_minute} trang/phút, "
            "{workers} worker)."
        ).format(**totals)
    )


@click.command(help=BATCH_HELP, epilog=BATCH_EXIT_HELP)
@click.argument("src", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--out",
    "dest",
    required=True,
    type=click.Path(path_type=Path),
    help=_("Thư mục kết quả (ngoài SRC): cây hồ sơ, nhật ký, batch-report.json/.csv."),
)
@click.option("--procedure", help=_("Mã thủ tục cho mọi hồ sơ: kiểm tra thành phần, mỗi thành phần một PDF."))
@click.option(
    "-j",
    "--jobs",
    default=os.cpu_count() or 1,
    show_default=True,
    type=click.IntRange(1, 256),
    help=_("Số tiến trình worker của cụm Dask cục bộ (bỏ qua khi có --scheduler)."),
)
@click.option(
    "--scheduler",
    metavar="tcp://HOST:8786",
    help=_("Bộ lập lịch Dask có sẵn; worker phải đọc được SRC ở cùng đường dẫn (thư mục dùng chung)."),
)
@click.option(
    "--index",
    type=click.Path(path_type=Path, dir_okay=False),
    help=_("Tệp CSV path,dossier_id,procedure,title liệt kê các hồ sơ thay cho quy tắc cây thư mục."),
)
@page_options
@click.option("--profiles-dir", type=click.Path(path_type=Path), help=_("Thư mục hồ sơ mẫu của tỉnh."))
@click.option("--dry-run", is_flag=True, help=_("Chỉ liệt kê việc sẽ làm; không ghi gì."))
@json_option
@click.pass_context
def batch(
    ctx: click.Context,
    src: Path,
    dest: Path,
    procedure: str | None,
    jobs: int,
    scheduler: str | None,
    index: Path | None,
    dpi: int,
    colour: str,
    language: str,
    profiles_dir: Path | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    from dossier.batch.report import report_document
    from dossier.batch.run import BatchOptions, run_batch
    from dossier.render import print_json

    options = BatchOptions(
        src=src,
        dest=dest,
        procedure=procedure,
        jobs=jobs,
        scheduler=scheduler,
        index=index,
        dry_run=dry_run,
        language=language,
        colour=ColourMode(colour),
        dpi=dpi,
        profiles_dir=profiles_dir,
        quiet_logs=(ctx.obj or {}).get("verbose", 0) < 2,
    )
    quiet = (ctx.obj or {}).get("quiet", False)
    with batch_progress(quiet) as progress:
        report = run_batch(options, progress)
    if as_json:
        print_json(report_document(report))
    elif not quiet:
        _print_summary(report)
    ctx.exit(int(report.exit_code))
