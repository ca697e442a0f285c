"""The `dossier code` command group: issue the next dossier code (mã hồ sơ) and check a code's format."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from dossier.cli_common import json_option, workspace_option
from dossier.i18n import _
from dossier.store.codes import (
    DEFAULT_POLICY,
    MAX_SEQUENCE,
    STRICT_POLICY,
    CodePolicy,
    DossierCode,
    InvalidCodeError,
    issue_code,
    parse_code,
)

CODE_HELP = _(
    """Mã hồ sơ theo dạng <mã định danh cơ quan>-YYMMDD-XXXX (TT 01/2018/TT-VPCP Điều 19).

\b
Ví dụ:
  dossier code next --agency 000.00.06.H56
  dossier code check 000.00.06.H56-231027-0361"""
)

NEXT_HELP = _(
    """Cấp mã hồ sơ tiếp theo của cơ quan cho ngày tiếp nhận (giờ Việt Nam). Số thứ tự 4 chữ số, bắt đầu lại
mỗi ngày, không trùng kể cả khi nhiều quầy cấp cùng lúc (sổ ghi tại $DOSSIER_HOME/dossier.sqlite3).

\b
Ví dụ:
  dossier code next --agency 000.00.06.H56
  dossier code next --agency H57.132 --at 2026-08-04T09:32 --json
  dossier code next --agency 000.00.06.H56 --strict --start 362"""
)

CHECK_HELP = _(
    """Kiểm tra một mã hồ sơ có đúng dạng không và cho biết cơ quan, ngày tiếp nhận, số thứ tự.

\b
Ví dụ:
  dossier code check 000.00.06.H56-231027-0361
  dossier code check H57.132-260804-0583 --json"""
)


NEXT_EXIT_HELP = _(
    """Mã thoát: 0 đã cấp mã; 2 sai cú pháp lệnh, mã định danh cơ quan hoặc --at sai dạng; 1 đã hết số thứ
tự của ngày; 9 không mở hoặc không ghi được sổ cấp mã."""
)

CHECK_EXIT_HELP = _("Mã thoát: 0 mã đúng dạng; 2 sai cú pháp lệnh hoặc mã sai dạng (lý do được in ra).")

STRICT_OPTION_HELP = _("Chỉ chấp nhận mã định danh đủ dạng QCVN 102:2016, ví dụ 000.00.06.H56.")


def _policy(strict: bool, start: int = 1) -> CodePolicy:
    base = STRICT_POLICY if strict else DEFAULT_POLICY
    return CodePolicy(agency_pattern=base.agency_pattern, start=start)


def _code_document(code: DossierCode) -> dict[str, Any]:
    document = asdict(code)
    document["day"] = code.day.isoformat()
    return document


def _parse_at(value: str | None) -> datetime:
    if value is None:
        return datetime.now().astimezone()
    try:
        return datetime.fromisoformat(value)
    except ValueError as error:
        message = _("cần thời điểm ISO 8601, ví dụ 2026-08-04T09:32")
        raise click.BadParameter(message, param_hint="--at") from error


@click.group(name="code", help=CODE_HELP)
def code() -> None:
    pass


@code.command(name="next", help=NEXT_HELP, epilog=NEXT_EXIT_HELP)
@click.option("--agency", required=True, help=_("Mã định danh của cơ quan tiếp nhận, ví dụ 000.00.06.H56."))
@click.option(
    "--at",
    "at",
    metavar="ISO",
    help=_("Thời điểm tiếp nhận (ISO 8601; không ghi múi giờ thì hiểu là giờ Việt Nam). Mặc định: bây giờ."),
)
@click.option(
    "--start",
    default=1,
    show_default=True,
    type=click.IntRange(1, MAX_SEQUENCE),
    help=_("Số thứ tự đầu tiên của ngày (theo cấu hình của đơn vị)."),
)
@click.option("--strict", is_flag=True, help=STRICT_OPTION_HELP)
@workspace_option
@json_option
def next_command(
    agency: str, at: str | None, start: int, strict: bool, workspace: Path | None, as_json: bool
) -> None:
    from dossier.render import print_json
    from dossier.store.workspace import resolve_workspace

    issued = issue_code(resolve_workspace(workspace).database, agency, _parse_at(at), _policy(strict, start))
    if as_json:
        print_json(_code_document(issued))
    else:
        click.echo(issued.text)


@code.command(name="check", help=CHECK_HELP, epilog=CHECK_EXIT_HELP)
@click.argument("text", metavar="CODE")
@click.option("--strict", is_flag=True, help=STRICT_OPTION_HELP)
@json_option
@click.pass_context
def check_command(ctx: click.Context, text: str, strict: bool, as_json: bool) -> None:
    from dossier.render import print_json

    try:
        parsed = parse_code(text, _policy(strict))
    except InvalidCodeError as error:
        if not as_json:
            raise
        print_json({"ok": False, "code": text, "error": error.message})
        ctx.exit(int(error.exit_code))
    if as_json:
        print_json({"ok": True, **_code_document(parsed)})
        return
    summary = _("Mã hợp lệ: cơ quan {agency}, tiếp nhận ngày {day}, số thứ tự {sequence}.").format(
        agency=parsed.agency, day=f"{parsed.day:%d/%m/%Y}", sequence=parsed.sequence
    )
    click.echo(summary)
