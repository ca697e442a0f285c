"""Options and output shared by every command: declared once here, so they behave the same everywhere."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from dossier.i18n import _

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
