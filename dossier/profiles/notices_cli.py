"""`dossier notice receipt|supplement|refusal`: print the counter's forms for a dossier as PDF/A files."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from dossier.citizen import read_citizen_file
from dossier.cli_common import workspace_option
from dossier.errors import ConfigError
from dossier.i18n import _
from dossier.profiles.deadlines import to_vietnam_time
from dossier.profiles.loader import load_catalogue
from dossier.profiles.notices import TITLES, NoticeDetails, NoticeKind, issue_notice
from dossier.store.codes import parse_code
from dossier.store.workspace import resolve_workspace

NOTICE_HELP = _(
    """In giấy tờ của Bộ phận Một cửa cho một hồ sơ, dạng PDF/A có mã QR chứa mã hồ sơ.

receipt: Giấy tiếp nhận hồ sơ và hẹn trả kết quả; supplement: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (liệt kê
mọi thành phần thiếu một lần; chỉ được ra lần hai khi hồ sơ đã quét lại); refusal: Phiếu từ chối tiếp nhận.

\b
Ví dụ:
  dossier notice receipt hs-001 --procedure 1.001193 --code 000.00.06.H56-261123-0001 \\
      --applicant-name "Trần Thị Mỹ Duyên" --officer "Nguyễn Văn Bình" --out hs-001/giay-tiep-nhan.pdf
  dossier notice supplement hs-001 --procedure 1.001193 --code 000.00.06.H56-261123-0001 \\
      --applicant-name "Trần Thị Mỹ Duyên" --out hs-001/phieu-bo-sung.pdf
  dossier notice refusal hs-001 --procedure 1.001193 --code 000.00.06.H56-261123-0001 \\
      --applicant-name "Trần Thị Mỹ Duyên" --reason "Không thuộc thẩm quyền" --out hs-001/phieu-tu-choi.pdf"""
)


RECEIPT_EXIT_HELP = _(
    """Mã thoát: 0 đã ghi giấy tiếp nhận; 2 sai cú pháp lệnh hoặc mã hồ sơ sai dạng; 3 không có thư mục hồ
sơ, bản quét hoặc tệp người nộp không đọc được; 5 không có thủ tục, --received sai hoặc lịch nghỉ sai; 9
không ghi được tệp PDF."""
)

SUPPLEMENT_EXIT_HELP = _(
    """Mã thoát: 0 đã ghi phiếu yêu cầu bổ sung; 6 bản quét này đã có phiếu yêu cầu bổ sung (lần hai chỉ khi
hồ sơ đã quét lại); 2 sai cú pháp lệnh hoặc mã hồ sơ sai dạng; 3 không có thư mục hồ sơ, bản quét hoặc
tệp người nộp không đọc được; 5 hồ sơ không thiếu gì, --invalid không có trong thủ tục, không có thủ tục
hoặc --received sai; 9 không ghi được tệp PDF."""
)

REFUSAL_EXIT_HELP = _(
    """Mã thoát: 0 đã ghi phiếu từ chối; 2 sai cú pháp lệnh hoặc mã hồ sơ sai dạng; 3 không có thư mục hồ sơ
hoặc tệp người nộp không đọc được; 5 không có thủ tục, thiếu lý do hoặc --received sai; 9 không ghi được
tệp PDF."""
)


def parse_received(value: str | None) -> datetime:
    """An ISO 8601 date-time (naive = Vietnam time), or now."""
    if not value:
        return to_vietnam_time(datetime.now().astimezone())
    try:
        return to_vietnam_time(datetime.fromisoformat(value))
    except ValueError as exc:
        raise ConfigError(
            _("--received cần dạng ISO 8601, ví dụ 2026-11-23T09:32: {value!r}").format(value=value)
        ) from exc


def _common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.argument("dossier_dir", type=click.Path(path_type=Path)),
        click.option("--out", type=click.Path(path_type=Path), required=True, help=_("Tệp PDF sẽ ghi.")),
        click.option("--procedure", "procedure_code", required=True, help=_("Mã thủ tục, ví dụ 1.001193.")),
        click.option(
            "--code", "dossier_code", required=True, help=_("Mã hồ sơ, ví dụ 000.00.06.H56-261123-0001.")
        ),
        click.option(
            "--applicant-name",
            default="",
            help=_(
                "Họ tên người nộp hồ sơ. Dòng lệnh bị lộ qua `ps` và lịch sử shell: nên dùng --applicant-file"
                " hoặc để chương trình hỏi."
            ),
        ),
        click.option(
            "--applicant-file",
            type=click.Path(path_type=Path, dir_okay=False),
            help=_(
                "Tệp JSON của người nộp, quyền 0600 (như --citizen-file của `dossier submit`):"
                ' {"full_name": "...", "address": "..."}.'
            ),
        ),
        click.option("--agency-name", default="", help=_("Tên cơ quan (mặc định: cơ quan của thủ tục).")),
        click.option(
            "--received", default=None, help=_("Thời điểm nhận hồ sơ, ISO 8601 (mặc định: bây giờ).")
        ),
        click.option(
            "--officer", default=lambda: os.environ.get("DOSSIER_OFFICER", ""), help=_("Tên cán bộ ký phiếu.")
        ),
        click.option("--place", default="", help=_("Địa danh ghi trước ngày tháng, ví dụ Hòa Tiến.")),
        click.option("--address", default="", help=_("Địa chỉ người nộp.")),
        click.option("--lookup-url", default="", help=_("Địa chỉ tra cứu hồ sơ, đưa vào mã QR.")),
        click.option(
            "--profiles-dir", type=click.Path(path_type=Path), help=_("Thư mục hồ sơ mẫu của tỉnh.")
        ),
        workspace_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _applicant(values: dict[str, Any]) -> tuple[str, str]:
    name, address = values["applicant_name"].strip(), values["address"].strip()
    if values["applicant_file"] is not None:
        from_file = read_citizen_file(values["applicant_file"])
        name, address = name or from_file.get("full_name", ""), address or from_file.get("address", "")
    if not name:
        name = click.prompt(_("Họ tên người nộp hồ sơ")).strip()
    return name, address


def _issue(kind: NoticeKind, reason: str = "", invalid: tuple[str, ...] = (), **values: Any) -> None:
    received = parse_received(values["received"])
    applicant_name, address = _applicant(values)
    code = parse_code(values["dossier_code"]).text
    profile = load_catalogue(values["profiles_dir"]).profile_for(values["procedure_code"], received.date())
    details = NoticeDetails(
        code=code,
        agency_name=values["agency_name"].strip() or profile.agency,
        applicant_name=applicant_name,
        received=received,
        officer=values["officer"].strip(),
        place=values["place"].strip(),
        address=address,
        reason=reason.strip(),
        lookup_url=values["lookup_url"].strip(),
    )
    issued = issue_notice(
        kind,
        values["dossier_dir"],
        profile,
        details,
        values["out"],
        invalid,
        workspace=resolve_workspace(values["workspace"]),
    )
    click.echo(
        _("Đã ghi {title} ({code}) vào {out}").format(title=TITLES[kind], code=issued.code, out=values["out"])
    )
    if issued.component_ids:
        click.echo(_("Thành phần: {ids}").format(ids=", ".join(issued.component_ids)))


@click.group(help=NOTICE_HELP)
def notice() -> None:
    """The group; each form is a subcommand."""


@notice.command(
    help=_("Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01), với ngày hẹn theo lịch làm việc."),
    epilog=RECEIPT_EXIT_HELP,
)
@_common_options
def receipt(**values: Any) -> None:
    _issue(NoticeKind.receipt, **values)


@notice.command(
    help=_("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02): mọi thành phần thiếu, một lần."),
    epilog=SUPPLEMENT_EXIT_HELP,
)
@_common_options
@click.option("--invalid", multiple=True, metavar="TPxx", help=_("Thành phần có nhưng không hợp lệ."))
@click.option("--reason", default="", help=_("Lý do yêu cầu bổ sung (tùy chọn)."))
def supplement(invalid: tuple[str, ...], reason: str, **values: Any) -> None:
    _issue(NoticeKind.supplement, reason=reason, invalid=invalid, **values)


@notice.command(
    help=_("Phiếu từ chối tiếp nhận giải quyết hồ sơ (Mẫu 03), với lý do."), epilog=REFUSAL_EXIT_HELP
)
@_common_options
@click.option("--reason", required=True, help=_("Lý do từ chối tiếp nhận."))
def refusal(reason: str, **values: Any) -> None:
    _issue(NoticeKind.refusal, reason=reason, **values)
