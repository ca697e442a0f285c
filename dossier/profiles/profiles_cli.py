"""The `dossier profiles` command group: list, show and lint procedure profiles (hồ sơ mẫu thủ tục)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import click

from dossier.cli_common import json_option
from dossier.errors import ExitCode
from dossier.i18n import _
from dossier.profiles.loader import PACKAGED_DIR, Catalogue, Problem, lint_paths, load_catalogue
from dossier.profiles.model import Procedure, Profile

PROFILES_HELP = _(
    """Hồ sơ mẫu của thủ tục hành chính: thành phần hồ sơ, thời hạn, lệ phí, cơ quan giải quyết.

Mỗi thủ tục là một tệp TOML. Tỉnh thêm hoặc thay hồ sơ mẫu (theo mã thủ tục) bằng các tệp trong thư mục
--profiles-dir hoặc DOSSIER_PROFILES_DIR, không cần sửa gói phần mềm.

\b
Ví dụ:
  dossier profiles list
  dossier profiles show 1.001193
  dossier profiles lint ~/ho-so-mau-tinh"""
)

LIST_HELP = _(
    """Liệt kê các thủ tục có hồ sơ mẫu (quy định đang có hiệu lực hôm nay).

\b
Ví dụ:
  dossier profiles list
  dossier profiles --profiles-dir ~/ho-so-mau-tinh list --json"""
)

SHOW_HELP = _(
    """Xem hồ sơ mẫu của một thủ tục theo quy định có hiệu lực vào một ngày (mặc định: hôm nay).

\b
Ví dụ:
  dossier profiles show 1.001193
  dossier profiles show 2.000720 --on 2025-06-30
  dossier profiles show 2.000815 --json"""
)

LINT_HELP = _(
    """Kiểm tra các tệp hồ sơ mẫu; mỗi lỗi in dạng tệp:dòng: thông báo. Mã thoát 0 nếu không có lỗi, 5 nếu có.
Không chỉ định đường dẫn thì kiểm tra hồ sơ mẫu của gói và thư mục của tỉnh.

\b
Ví dụ:
  dossier profiles lint
  dossier profiles lint ~/ho-so-mau-tinh/1.001193.toml
  dossier profiles lint ~/ho-so-mau-tinh --json"""
)


LIST_EXIT_HELP = _(
    "Mã thoát: 0 đã liệt kê; 2 sai cú pháp lệnh; 5 hồ sơ mẫu có lỗi (xem `dossier profiles lint`)."
)

SHOW_EXIT_HELP = _(
    """Mã thoát: 0 đã in; 2 sai cú pháp lệnh; 5 không có thủ tục này, không có quy định hiệu lực vào ngày đó
hoặc hồ sơ mẫu có lỗi."""
)


@click.group(name="profiles", help=PROFILES_HELP)
@click.option(
    "--profiles-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help=_("Thư mục hồ sơ mẫu của tỉnh (mặc định: DOSSIER_PROFILES_DIR)."),
)
@click.pass_context
def profiles(ctx: click.Context, profiles_dir: Path | None) -> None:
    ctx.ensure_object(dict)
    ctx.obj["profiles_dir"] = profiles_dir


def _catalogue(ctx: click.Context) -> Catalogue:
    return load_catalogue(ctx.obj.get("profiles_dir"))


def _origin(procedure: Procedure) -> str:
    return "package" if procedure.path.parent == PACKAGED_DIR else "province"


def _profile_document(profile: Profile) -> dict[str, Any]:
    document = asdict(profile)
    document["valid_from"] = profile.valid_from.isoformat() if profile.valid_from else None
    document["valid_to"] = profile.valid_to.isoformat() if profile.valid_to else None
    document["path"] = str(profile.path) if profile.path else None
    return document


@profiles.command(name="list", help=LIST_HELP, epilog=LIST_EXIT_HELP)
@json_option
@click.pass_context
def list_command(ctx: click.Context, as_json: bool) -> None:
    from dossier.render import print_json, stdout_console

    catalogue = _catalogue(ctx)
    today = date.today()
    rows: list[dict[str, Any]] = []
    for procedure in catalogue.procedures:
        profile = procedure.version_on(today) or procedure.current
        rows.append(
            {
                "code": procedure.code,
                "name": profile.name,
                "level": str(profile.level),
                "processing_days": profile.processing_days,
                "versions": len(procedure.versions),
                "unconfirmed": len(profile.unconfirmed),
                "origin": _origin(procedure),
                "path": str(procedure.path),
            }
        )
    if as_json:
        print_json({"procedures": rows})
        return
    from rich.table import Table

    table = Table(title=_("Hồ sơ mẫu thủ tục"))
    table.add_column(_("Mã"), no_wrap=True)
    for title in (_("Tên thủ tục"), _("Cấp"), _("Ngày làm việc"), _("Chưa xác nhận"), _("Nguồn")):
        table.add_column(title)
    for row in rows:
        days = str(row["processing_days"]) if row["processing_days"] else _("trong ngày")
        origin = _("gói") if row["origin"] == "package" else _("tỉnh")
        table.add_row(row["code"], row["name"], row["level"], days, str(row["unconfirmed"]), origin)
    stdout_console.print(table)


@profiles.command(name="show", help=SHOW_HELP, epilog=SHOW_EXIT_HELP)
@click.argument("code")
@click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help=_("Ngày tiếp nhận hồ sơ (YYYY-MM-DD); chọn quy định có hiệu lực ngày đó."),
)
@json_option
@click.pass_context
def show_command(ctx: click.Context, code: str, on: Any, as_json: bool) -> None:
    from dossier.render import print_json

    day = on.date() if on is not None else date.today()
    profile = _catalogue(ctx).profile_for(code, day)
    if as_json:
        print_json({"on": day.isoformat(), "profile": _profile_document(profile)})
        return
    for line in _profile_lines(profile):
        click.echo(line)


def _profile_lines(profile: Profile) -> list[str]:
    start = profile.valid_from.isoformat() if profile.valid_from else "…"
    end = profile.valid_to.isoformat() if profile.valid_to else "…"
    days = str(profile.processing_days) if profile.processing_days else _("trong ngày")
    lines = [
        f"{profile.code}  {profile.name}",
        _("Lĩnh vực: {v}").format(v=profile.field),
        _("Cấp: {level}; cơ quan: {agency}").format(level=profile.level, agency=profile.agency),
        _("Hiệu lực: {start} đến {end} ({label})").format(start=start, end=end, label=profile.label),
        _("Thời hạn (ngày làm việc): {days}; số bộ hồ sơ: {sets}").format(days=days, sets=profile.sets),
        _("Lệ phí: {fee}").format(fee=profile.fee),
    ]
    if profile.processing_note:
        lines.append(_("Ghi chú thời hạn: {note}").format(note=profile.processing_note))
    lines.append(_("Thành phần hồ sơ:"))
    for c in profile.components:
        condition = f" ({c.condition})" if c.condition else ""
        group = f" [{_('thay thế nhau')}: {c.one_of}]" if c.one_of else ""
        lines.append(f"  {c.id}  {c.name}: {c.requirement}{condition}, {c.form} x{c.copies}{group}")
    lines.append(_("Nguồn:"))
    lines += [f"  - {s}" for s in profile.sources]
    if profile.unconfirmed:
        lines.append(_("Chưa xác nhận (cần kiểm tra):"))
        lines += [f"  - {u}" for u in profile.unconfirmed]
    return lines


@profiles.command(name="lint", help=LINT_HELP)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@json_option
@click.pass_context
def lint_command(ctx: click.Context, paths: tuple[Path, ...], as_json: bool) -> None:
    from dossier.profiles.loader import profiles_dir_from_env
    from dossier.render import print_json

    if not paths:
        province = ctx.obj.get("profiles_dir") or profiles_dir_from_env()
        paths = (PACKAGED_DIR, *([province] if province else []))
    problems = lint_paths(paths)
    if as_json:
        print_json({"ok": not problems, "problems": [_problem_document(p) for p in problems]})
    else:
        for problem in problems:
            click.echo(str(problem))
        if not problems:
            click.echo(_("Không có lỗi."), err=True)
    if problems:
        ctx.exit(int(ExitCode.config))


def _problem_document(problem: Problem) -> dict[str, Any]:
    return {"path": str(problem.path), "line": problem.line, "message": problem.message}
