"""Working days and appointments across Tết, National Day and 30/4-1/5, the 15:00 rule, province files."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.cli import DossierGroup
from dossier.errors import ConfigError, ExitCode
from dossier.profiles.commands import due
from dossier.profiles.deadlines import (
    CALENDAR_DIR_ENV,
    OfficeHours,
    WorkingCalendar,
    load_calendar,
    read_year_file,
)


@pytest.fixture(autouse=True)
def no_province_calendar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CALENDAR_DIR_ENV, raising=False)


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return load_calendar()


def iso(calendar: WorkingCalendar, received: datetime, days: int, **options: int) -> str:
    return calendar.appointment(received, days, **options).isoformat()


# --- the real Thanh Hóa receipt ---


def test_thanh_hoa_receipt_five_working_days_returned_on_the_hour(calendar: WorkingCalendar) -> None:
    assert iso(calendar, datetime(2023, 10, 27, 9, 32), 5) == "2023-11-03T09:00:00+07:00"


def test_rounding_is_a_parameter(calendar: WorkingCalendar) -> None:
    received = datetime(2023, 10, 27, 9, 32)
    assert iso(calendar, received, 5, round_to_minutes=1) == "2023-11-03T09:32:00+07:00"
    assert iso(calendar, received, 5, round_to_minutes=30) == "2023-11-03T09:30:00+07:00"


def test_aware_reception_times_are_converted_to_vietnam_time(calendar: WorkingCalendar) -> None:
    received_utc = datetime(2023, 10, 27, 2, 32, tzinfo=UTC)
    assert iso(calendar, received_utc, 5) == "2023-11-03T09:00:00+07:00"


# --- Tết ---


def test_tet_2026_days_are_not_working_days(calendar: WorkingCalendar) -> None:
    tet = [date(2026, 2, d) for d in range(16, 21)]
    assert [calendar.is_working_day(d) for d in tet] == [False] * 5
    assert calendar.is_working_day(date(2026, 2, 13))
    assert calendar.is_working_day(date(2026, 2, 23))
    assert calendar.day_off_name(date(2026, 2, 17)) == "Tết Nguyên Đán"


def test_dossier_received_just_before_tet_2026_is_due_after_it(calendar: WorkingCalendar) -> None:
    assert iso(calendar, datetime(2026, 2, 12, 10, 0), 1) == "2026-02-13T10:00:00+07:00"
    assert iso(calendar, datetime(2026, 2, 12, 10, 0), 2) == "2026-02-23T10:00:00+07:00"
    appointment = calendar.schedule(datetime(2026, 2, 13, 10, 0), 5)
    assert appointment.due.isoformat() == "2026-02-27T10:00:00+07:00"
    assert [d for d, _name in appointment.skipped] == [date(2026, 2, d) for d in range(16, 21)]
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 27)) == 5


def test_tet_2027_crossing_counts_only_working_days(calendar: WorkingCalendar) -> None:
    # Off Thu 4, Fri 5 (29 Tết, giao thừa), Mon 8 - Wed 10 (mùng 3-5, after mùng 1-2 on the weekend).
    off = [date(2027, 2, d) for d in (4, 5, 8, 9, 10)]
    assert not any(calendar.is_working_day(d) for d in off)
    assert iso(calendar, datetime(2027, 2, 3, 10, 0), 1) == "2027-02-11T10:00:00+07:00"
    assert iso(calendar, datetime(2027, 2, 3, 10, 0), 3) == "2027-02-15T10:00:00+07:00"
    assert calendar.working_days_between(date(2027, 2, 3), date(2027, 2, 15)) == 3


def test_same_day_procedure_after_15h_before_tet_waits_until_after_tet(calendar: WorkingCalendar) -> None:
    assert iso(calendar, datetime(2026, 2, 13, 14, 30), 0) == "2026-02-13T17:00:00+07:00"
    assert iso(calendar, datetime(2026, 2, 13, 15, 20), 0) == "2026-02-23T15:00:00+07:00"


# --- National Day, 30/4 - 1/5 ---


def test_national_day_2025_and_its_adjacent_day(calendar: WorkingCalendar) -> None:
    assert not calendar.is_working_day(date(2025, 9, 1))
    assert not calendar.is_working_day(date(2025, 9, 2))
    assert iso(calendar, datetime(2025, 8, 29, 10, 0), 1) == "2025-09-03T10:00:00+07:00"
    assert iso(calendar, datetime(2025, 8, 29, 10, 0), 2) == "2025-09-04T10:00:00+07:00"


def test_national_day_2026_with_the_swapped_saturday(calendar: WorkingCalendar) -> None:
    # Mon 31/8 is off in exchange for Saturday 22/8, then 1/9 and 2/9.
    assert calendar.is_working_day(date(2026, 8, 22))
    assert [calendar.is_working_day(date(2026, m, d)) for m, d in ((8, 31), (9, 1), (9, 2))] == [False] * 3
    assert iso(calendar, datetime(2026, 8, 21, 10, 0), 1) == "2026-08-22T10:00:00+07:00"
    assert iso(calendar, datetime(2026, 8, 28, 10, 0), 1) == "2026-09-03T10:00:00+07:00"
    assert iso(calendar, datetime(2026, 8, 28, 10, 0), 7) == "2026-09-11T10:00:00+07:00"


def test_reunification_and_labour_day_2025_with_the_swap(calendar: WorkingCalendar) -> None:
    # 30/4 and 1/5 are holidays; Fri 2/5 is off in exchange for Saturday 26/4.
    assert iso(calendar, datetime(2025, 4, 29, 10, 0), 1) == "2025-05-05T10:00:00+07:00"
    assert iso(calendar, datetime(2025, 4, 25, 10, 0), 1) == "2025-04-26T10:00:00+07:00"


def test_reunification_and_labour_day_2026(calendar: WorkingCalendar) -> None:
    assert not calendar.is_working_day(date(2026, 4, 27))  # Giỗ Tổ (Sunday 26/4) compensated
    assert iso(calendar, datetime(2026, 4, 29, 10, 0), 1) == "2026-05-04T10:00:00+07:00"


# --- the 15:00 rule and reception outside working time ---


def test_15h_rule_boundary(calendar: WorkingCalendar) -> None:
    assert iso(calendar, datetime(2026, 3, 10, 15, 0), 0) == "2026-03-10T17:00:00+07:00"
    assert iso(calendar, datetime(2026, 3, 10, 15, 0, 1), 0) == "2026-03-11T15:00:00+07:00"
    assert iso(calendar, datetime(2026, 3, 13, 15, 30), 0) == "2026-03-16T15:00:00+07:00"  # Friday -> Monday


def test_cutoff_is_a_parameter(calendar: WorkingCalendar) -> None:
    received = datetime(2026, 3, 10, 15, 30)
    assert calendar.appointment(received, 0, same_day_cutoff=time(16, 0)).date() == date(2026, 3, 10)


def test_reception_on_a_saturday_counts_from_monday_opening(calendar: WorkingCalendar) -> None:
    appointment = calendar.schedule(datetime(2026, 11, 7, 9, 0), 0)
    assert appointment.counted_from.isoformat() == "2026-11-09T07:30:00+07:00"
    assert appointment.due.isoformat() == "2026-11-09T17:00:00+07:00"
    assert iso(calendar, datetime(2026, 11, 7, 9, 0), 2) == "2026-11-11T07:30:00+07:00"


def test_reception_on_a_holiday_or_after_hours(calendar: WorkingCalendar) -> None:
    assert iso(calendar, datetime(2025, 9, 2, 10, 0), 1) == "2025-09-04T07:30:00+07:00"
    assert iso(calendar, datetime(2026, 3, 9, 18, 0), 1) == "2026-03-11T07:30:00+07:00"
    assert iso(calendar, datetime(2026, 3, 9, 6, 0), 0) == "2026-03-09T17:00:00+07:00"


def test_saturday_morning_counter_option() -> None:
    counter = load_calendar(hours=OfficeHours(saturday_until=time(11, 30)))
    assert iso(counter, datetime(2026, 11, 7, 9, 0), 0) == "2026-11-07T11:30:00+07:00"
    assert iso(counter, datetime(2026, 11, 7, 12, 0), 0) == "2026-11-09T17:00:00+07:00"
    # A Saturday that is a Tết day is not a counter day.
    assert iso(counter, datetime(2027, 2, 6, 9, 0), 0) == "2027-02-11T17:00:00+07:00"
    assert not counter.is_working_day(date(2026, 11, 7))


def test_add_working_days_basics(calendar: WorkingCalendar) -> None:
    friday = date(2026, 3, 13)
    assert calendar.add_working_days(friday, 0) == friday
    assert calendar.add_working_days(friday, 1) == date(2026, 3, 16)
    with pytest.raises(ValueError):
        calendar.add_working_days(friday, -1)


def test_appointment_is_a_working_day_at_least_n_working_days_later(calendar: WorkingCalendar) -> None:
    day = date(2025, 1, 1)
    while day <= date(2027, 12, 31):
        for n in (0, 1, 5, 7):
            received = datetime.combine(day, time(10, 0))
            appointment = calendar.schedule(received, n)
            assert calendar.is_working_day(appointment.due.date()), (day, n)
            assert appointment.due > appointment.received
            start = appointment.counted_from.date()
            assert calendar.working_days_between(start, appointment.due.date()) == n, (day, n)
        day += timedelta(days=1)


# --- data files: packaged and province ---


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


PROVINCE_2026 = """
days_off = [{ date = 2026-03-02, name = "Nghỉ riêng của tỉnh" }]
working_days = [{ date = 2026-02-21, name = "Làm bù" }, { date = 2026-11-24 }]
"""


def test_packaged_files_are_read(calendar: WorkingCalendar) -> None:
    assert [p.name for p in calendar.sources] == ["2025.toml", "2026.toml", "2027.toml"]
    assert calendar.day_off_name(date(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"


def test_province_file_changes_the_result(tmp_path: Path, calendar: WorkingCalendar) -> None:
    write(tmp_path, "2026.toml", PROVINCE_2026)
    province = load_calendar(tmp_path)
    # Swapped working Saturday during Tết week.
    assert iso(calendar, datetime(2026, 2, 13, 10, 0), 1) == "2026-02-23T10:00:00+07:00"
    assert iso(province, datetime(2026, 2, 13, 10, 0), 1) == "2026-02-21T10:00:00+07:00"
    # Extra day off.
    assert iso(calendar, datetime(2026, 2, 27, 10, 0), 1) == "2026-03-02T10:00:00+07:00"
    assert iso(province, datetime(2026, 2, 27, 10, 0), 1) == "2026-03-03T10:00:00+07:00"
    assert province.day_off_name(date(2026, 3, 2)) == "Nghỉ riêng của tỉnh"
    # The province wins over the packaged file.
    assert province.is_working_day(date(2026, 11, 24))
    assert not calendar.is_working_day(date(2026, 11, 24))


def test_province_folder_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "2026.toml", PROVINCE_2026)
    monkeypatch.setenv(CALENDAR_DIR_ENV, str(tmp_path))
    assert load_calendar().is_working_day(date(2026, 2, 21))


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("2026.toml", "days_off = [{ date = 2026-02-30 }]", "không đọc được"),
        ("2026.toml", "days_off = [{ date = 2027-01-04 }]", "không thuộc năm 2026"),
        ("2026.toml", "holidays = []", "khóa không hợp lệ: holidays"),
        ("2026.toml", "days_off = [{ date = 2026-03-02T08:00:00 }]", "date = YYYY-MM-DD"),
        ("2026.toml", 'days_off = "2026-03-02"', "phải là một danh sách"),
        ("2026.toml", "days_off = [2026-03-02]\nworking_days = [2026-03-02]", "vừa là ngày nghỉ"),
        ("tinh-2026.toml", "days_off = []", "Tên tệp lịch nghỉ"),
    ],
)
def test_malformed_province_file_is_a_clear_error_naming_the_file(
    tmp_path: Path, name: str, text: str, reason: str
) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(ConfigError) as caught:
        load_calendar(tmp_path)
    assert caught.value.path == path
    assert str(path) in str(caught.value)
    assert reason in str(caught.value)
    assert caught.value.exit_code == ExitCode.config


def test_missing_province_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_calendar(tmp_path / "missing")
    assert caught.value.path == tmp_path / "missing"


def test_plain_dates_are_accepted_as_entries(tmp_path: Path) -> None:
    path = write(tmp_path, "2026.toml", "working_days = [2026-02-21]")
    (entry,) = read_year_file(path)
    assert (entry.day, entry.off) == (date(2026, 2, 21), False)


# --- the command line ---


def run_due(*args: str) -> tuple[int, str, str]:
    group = DossierGroup(commands=[due])
    result = CliRunner().invoke(group, ["due", *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_json_appointment_in_vietnam_time() -> None:
    code, out, _err = run_due("--days", "5", "--received", "2023-10-27T09:32", "--json")
    assert code == 0
    document = json.loads(out)
    assert document["appointment"] == "2023-11-03T09:00:00+07:00"
    assert document["appointment"].endswith("+07:00")
    assert document["provisional"] is False


def test_cli_procedure_time_comes_from_its_profile() -> None:
    code, out, _err = run_due("--procedure", "1.004222", "--received", "2026-08-28T10:00", "--json")
    assert code == 0
    document = json.loads(out)
    assert (document["working_days"], document["provisional"]) == (7, False)  # confirmed in the profile
    assert document["appointment"] == "2026-09-11T10:00:00+07:00"
    assert [d["date"] for d in document["days_off_skipped"]] == ["2026-08-31", "2026-09-01", "2026-09-02"]


def test_cli_full_procedure_code_and_human_output() -> None:
    code, out, _err = run_due("--procedure", "2.000815.000.00.00.H38", "--received", "2026-02-13 15:20")
    assert code == 0
    assert "15:00 thứ Hai 23/02/2026" in out
    assert "chưa được đối chiếu" not in out  # 2.000815's same-day time is confirmed


def test_cli_days_override_the_table() -> None:
    code, out, _err = run_due(
        "--procedure", "1.004222", "--days", "1", "--received", "2026-03-10T10:00", "--json"
    )
    assert code == 0
    assert json.loads(out)["appointment"] == "2026-03-11T10:00:00+07:00"


def test_cli_due_reads_the_processing_time_of_any_profile() -> None:
    """2.000720 was missing from the old built-in table; its profile (and `profiles show`) says 3 days."""
    from dossier.profiles.profiles_cli import profiles

    shown = CliRunner().invoke(DossierGroup(commands=[profiles]), ["profiles", "show", "2.000720", "--json"])
    assert shown.exit_code == 0, shown.output
    days = json.loads(shown.stdout)["profile"]["processing_days"]
    code, out, _err = run_due("--procedure", "2.000720", "--received", "2026-03-10T10:00", "--json")
    assert code == 0, _err
    document = json.loads(out)
    assert document["working_days"] == days == 3
    assert document["appointment"] == "2026-03-13T10:00:00+07:00"
    assert document["provisional"] is True  # the profile marks its 3 days as not yet checked
    code, out, _err = run_due("--procedure", "2.000720", "--received", "2026-03-10T10:00")
    assert "chưa được đối chiếu" in out


def test_cli_unknown_procedure_suggests_days() -> None:
    code, _out, err = run_due("--procedure", "9.999999", "--received", "2026-03-10T10:00")
    assert code == ExitCode.config
    assert "9.999999" in err
    assert "--days" in err


@pytest.mark.parametrize("value", ["2026-13-01T10:00", "hôm qua", "2026-03-10"])
def test_cli_bad_reception_time(value: str) -> None:
    code, _out, err = run_due("--days", "1", "--received", value)
    assert code == ExitCode.config
    assert value in err


def test_cli_calendar_dir_option(tmp_path: Path) -> None:
    write(tmp_path, "2026.toml", PROVINCE_2026)
    args = ("--days", "1", "--received", "2026-02-13T10:00", "--json")
    code, out, _err = run_due(*args, "--calendar-dir", str(tmp_path))
    assert code == 0
    assert json.loads(out)["appointment"] == "2026-02-21T10:00:00+07:00"


def test_cli_needs_procedure_or_days() -> None:
    code, _out, err = run_due("--received", "2026-03-10T10:00")
    assert code == ExitCode.config
    assert "--days" in err
