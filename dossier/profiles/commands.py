"""The `dossier due` command: print the appointment (ngày hẹn trả kết quả) for a received dossier."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from rich.text import Text

from dossier.cli_common import json_option
from dossier.errors import ConfigError
from dossier.i18n import N_, _
from dossier.profiles.deadlines import VIETNAM_TZ, Appointment, load_calendar, to_vietnam_time
from dossier.profiles.loader import ProfileError, load_catalogue
from dossier.profiles.model import Profile

_PROCEDURE_CODE = re.compile(r"^\s*(\d\.\d{6})(?:\.[0-9A-Za-z.]*)?\s*$")
_WEEKDAYS = (
    N_("thứ Hai"),
    N_("thứ Ba"),
    N_("thứ Tư"),
    N_("thứ Năm"),
    N_("thứ Sáu"),
    N_("thứ Bảy"),
    N_("Chủ nhật"),
)

DUE_HELP = _(
    """Tính ngày hẹn trả kết quả: ngày tiếp nhận cộng số ngày làm việc, bỏ qua thứ Bảy, Chủ nhật, ngày lễ, Tết
(kể cả Tết âm lịch, ngày nghỉ bù) và ngày làm bù theo lịch nghỉ từng năm.

Thủ tục trong ngày (0 ngày) tiếp nhận sau 15 giờ được hẹn sang ngày làm việc tiếp theo; thủ tục nhiều ngày
tính từ ngày làm việc kế tiếp và hẹn vào cùng giờ (làm tròn xuống giờ chẵn). Giờ không ghi múi giờ là giờ
Việt Nam.
Lịch nghỉ của tỉnh: các tệp NĂM.toml trong --calendar-dir hoặc DOSSIER_CALENDAR_DIR.

\b
Ví dụ:
  dossier due --days 5 --received 2023-10-27T09:32
  dossier due --procedure 2.000815 --received "2026-02-13 15:20"
  dossier due --procedure 1.004222 --received 2026-08-28T10:00 --json"""
)


DUE_EXIT_HELP = _(
    """Mã thoát: 0 đã tính ngày hẹn; 2 sai cú pháp lệnh; 5 thiếu --procedure hoặc --days, không có thủ tục
này, thời điểm tiếp nhận sai hoặc lịch nghỉ sai."""
)


def procedure_profile(code: str, on: date, profiles_dir: Path | None = None) -> Profile:
    """The profile of `code` in force on `on` (a full code like 2.000815.000.00.00.H38 works too): its
    `processing_days` is the procedure's processing time, the same figure `dossier profiles show` prints."""
    match = _PROCEDURE_CODE.match(code)
    try:
        return load_catalogue(profiles_dir).profile_for(match.group(1) if match else code.strip(), on)
    except ProfileError:
        raise  # a broken profile folder: its own list of problems
    except ConfigError as error:
        days = _("Hoặc cho biết số ngày làm việc bằng --days N (0 = trả trong ngày).")
        raise ConfigError(
            error.message, path=error.path, hint=f"{error.hint}\n{days}" if error.hint else days
        ) from error


def unconfirmed_processing_time(profile: Profile) -> bool:
    """Whether the profile marks its processing time as not yet confirmed against an official source."""
    return any(note.strip().startswith("processing_days") for note in profile.unconfirmed)


def parse_received(value: str) -> datetime:
    """An ISO 8601 date-time; a naive one is Vietnam time. A date without a time is refused."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise ConfigError(
            _("Thời điểm tiếp nhận không hợp lệ: {value}").format(value=value),
            hint=_("Dùng dạng ISO 8601, ví dụ 2026-02-13T09:30 hoặc 2026-02-13T09:30+07:00."),
        ) from error
    if "T" not in text.upper() and " " not in text:
        raise ConfigError(
            _("Thời điểm tiếp nhận cần có cả giờ: {value}").format(value=value),
            hint=_("Dùng dạng ISO 8601, ví dụ 2026-02-13T09:30 hoặc 2026-02-13T09:30+07:00."),
        )
    return to_vietnam_time(moment)


def describe_moment(moment: datetime) -> str:
    """'09:00 thứ Sáu 03/11/2023', the way an appointment slip writes it."""
    return f"{moment:%H:%M} {_(_WEEKDAYS[moment.weekday()])} {moment:%d/%m/%Y}"


def due_document(
    appointment: Appointment, procedure_code: str | None, provisional: bool, sources: tuple[Path, ...]
) -> dict[str, Any]:
    return {
        "procedure": procedure_code,
        "working_days": appointment.working_days,
        "provisional": provisional,
        "received": appointment.received.isoformat(),
        "counted_from": appointment.counted_from.isoformat(),
        "appointment": appointment.due.isoformat(),
        "days_off_skipped": [{"date": day.isoformat(), "name": name} for day, name in appointment.skipped],
        "calendar_files": [str(path) for path in sources],
    }


def print_due(appointment: Appointment, profile: Profile | None) -> None:
    from dossier.render import stdout_console

    stdout_console.print(
        Text.assemble(
            (_("Ngày hẹn trả kết quả") + ": ", "bold"), (describe_moment(appointment.due), "bold green")
        )
    )
    stdout_console.print(
        _("Tiếp nhận: {received}; thời hạn: {days} ngày làm việc.").format(
            received=describe_moment(appointment.received), days=appointment.working_days
        )
    )
    if appointment.counted_from != appointment.received:
        stdout_console.print(
            _("Tiếp nhận ngoài giờ hoặc ngày nghỉ: tính từ {start}.").format(
                start=describe_moment(appointment.counted_from)
            )
        )
    for day, name in appointment.skipped:
        stdout_console.print(_("Bỏ qua ngày nghỉ {day}: {name}").format(day=f"{day:%d/%m/%Y}", name=name))
    if profile is not None and unconfirmed_processing_time(profile):
        stdout_console.print(
            Text(
                _(
                    "Thời hạn của {code} ({name}) trong hồ sơ thủ tục chưa được đối chiếu với văn bản: hãy"
                    " kiểm tra lại."
                ).format(code=profile.code, name=profile.name),
                style="yellow",
            )
        )


@click.command("due", help=DUE_HELP, epilog=DUE_EXIT_HELP)
@click.option(
    "--procedure",
    "procedure_code",
    metavar="CODE",
    help=_("Mã thủ tục, ví dụ 2.000815: thời hạn giải quyết lấy từ hồ sơ thủ tục (`dossier profiles show`)."),
)
@click.option(
    "--days",
    type=click.IntRange(0, 365),
    help=_("Số ngày làm việc để giải quyết (0 = trả trong ngày); ưu tiên hơn --procedure."),
)
@click.option(
    "--received",
    metavar="ISO_DATETIME",
    help=_("Thời điểm tiếp nhận, ví dụ 2026-02-13T09:30 (mặc định: bây giờ)."),
)
@click.option(
    "--calendar-dir",
    type=click.Path(path_type=Path),
    help=_("Thư mục lịch nghỉ của tỉnh (tệp NĂM.toml); mặc định lấy từ DOSSIER_CALENDAR_DIR."),
)
@click.option("--profiles-dir", type=click.Path(path_type=Path), help=_("Thư mục hồ sơ mẫu của tỉnh."))
@json_option
def due(
    procedure_code: str | None,
    days: int | None,
    received: str | None,
    calendar_dir: Path | None,
    profiles_dir: Path | None,
    as_json: bool,
) -> None:
    from dossier.render import print_json

    if procedure_code is None and days is None:
        raise ConfigError(
            _("Cần --procedure MÃ hoặc --days N."),
            hint=_("Cho biết số ngày làm việc bằng --days N (0 = trả trong ngày)."),
        )
    moment = (
        parse_received(received) if received else datetime.now(VIETNAM_TZ).replace(second=0, microsecond=0)
    )
    # --days wins: it is how an officer overrides the profile's processing time.
    profile = None
    if days is None and procedure_code:
        profile = procedure_profile(procedure_code, moment.date(), profiles_dir)
    working_days = profile.processing_days if profile is not None else int(days or 0)
    calendar = load_calendar(calendar_dir)
    appointment = calendar.schedule(moment, working_days)
    if as_json:
        provisional = profile is not None and unconfirmed_processing_time(profile)
        print_json(due_document(appointment, procedure_code, provisional, calendar.sources))
    else:
        print_due(appointment, profile)
