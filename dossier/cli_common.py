"""Options and output shared by every command: declared once here, so they behave the same everywhere."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from dossier.console import stderr_console
from dossier.i18n import _
from dossier.models import ColourMode

F = TypeVar("F", bound=Callable[..., Any])


def workspace_option(command: F) -> F:
    """`--workspace DIR`: the registry, event log, outbox and code counters; every command that reads or
    writes them takes it, with one fallback for all (`$DOSSIER_HOME`, else the platform data folder)."""
    return click.option(
        "--workspace",
        type=click.Path(file_okay=False, path_type=Path),
        help=_(
            "Thư mục sổ đăng ký và hàng đợi (mặc định: DOSSIER_HOME hoặc thư mục dữ liệu của người dùng)."
        ),
    )(command)


def json_option(command: F) -> F:
    """`--json`: the result as one JSON document on stdout, for scripts (messages stay on stderr)."""
    return click.option("--json", "as_json", is_flag=True, help=_("In kết quả dạng JSON (cho script)."))(
        command
    )


def quiet(ctx: click.Context) -> bool:
    """Whether the top-level `-q/--quiet` was given."""
    root = ctx.find_root()
    return bool(root.obj.get("quiet")) if isinstance(root.obj, dict) else False


class ProgressBar:
    """One progress bar: `advance(n)` adds n units, `update(done, total)` sets both (the task is shown on the
    first call, so a total learnt late is fine)."""

    def __init__(self, progress: Progress, label: str, total: int | None) -> None:
        self._progress = progress
        self._label = label
        self._task: TaskID | None = None
        if total is not None:
            self._task = progress.add_task(label, total=total)

    def _ensure(self, total: int | None) -> TaskID:
        if self._task is None:
            self._task = self._progress.add_task(self._label, total=total)
        return self._task

    def advance(self, amount: int) -> None:
        self._progress.advance(self._ensure(None), amount)

    def update(self, done: int, total: int) -> None:
        self._progress.update(self._ensure(total), completed=done, total=total)


@contextlib.contextmanager
def progress_bar(
    total: int | None, label: str, quiet: bool = False, *, unit: str = "items", transient: bool = False
) -> Iterator[ProgressBar]:
    """The progress bar every long command shows on stderr (items or bytes); silent with `-q`, `--json` or
    when stderr is not a terminal."""
    columns: list[ProgressColumn] = [TextColumn("{task.description}"), BarColumn()]
    if unit == "bytes":
        columns += [DownloadColumn(), TransferSpeedColumn()]
    else:
        columns.append(MofNCompleteColumn())
    columns.append(TimeRemainingColumn())
    progress = Progress(
        *columns,
        console=stderr_console,
        disable=quiet or not stderr_console.is_terminal,
        transient=transient,
    )
    with progress:
        yield ProgressBar(progress, label, total)


@contextlib.contextmanager
def byte_progress(total: int, label: str, quiet: bool = False) -> Iterator[Callable[[int], None]]:
    """`progress_bar` counting bytes, as the callback the portal commands take (bytes just accepted)."""
    with progress_bar(total, label, quiet, unit="bytes") as bar:
        yield bar.advance


def page_options(command: F) -> F:
    """`--dpi`, `--colour` and `--lang`: how pages are rendered and read, the same for `scan` and `batch`."""
    options = (
        click.option(
            "--dpi",
            default=300,
            show_default=True,
            type=click.IntRange(100, 1200),
            help=_("Độ phân giải khi quét hoặc khi chuyển PDF thành ảnh (lưu trữ cần tối thiểu 200)."),
        ),
        click.option(
            "--colour",
            "--color",
            "colour",
            default="auto",
            show_default=True,
            type=click.Choice([m.value for m in ColourMode]),
            help=_("auto: mỗi trang tự chọn (trang có dấu đỏ giữ màu, trang chữ thành đen trắng)."),
        ),
        click.option(
            "--lang",
            "language",
            default="vie",
            show_default=True,
            help=_("Ngôn ngữ Tesseract, ví dụ vie+eng."),
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command
