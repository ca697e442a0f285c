"""`dossier code next` and `dossier code check`, run through the same error funnel as the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.testing import CliRunner, Result

from dossier.cli import DossierGroup
from dossier.codes_cli import code
from dossier.errors import ExitCode

# The lead wires `code` into dossier.cli; until then this group gives it the same exception funnel.
dossier = DossierGroup(name="dossier", commands={"code": code})


def run(*args: str) -> Result:
    return CliRunner().invoke(dossier, list(args), catch_exceptions=False)


def test_next_prints_consecutive_codes() -> None:
    first = run("code", "next", "--agency", "000.00.06.H56", "--at", "2023-10-27T09:32")
    second = run("code", "next", "--agency", "000.00.06.H56", "--at", "2023-10-27T15:00+07:00")
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert first.output == "000.00.06.H56-231027-0001\n"
    assert second.output == "000.00.06.H56-231027-0002\n"


def test_next_writes_the_counter_into_dossier_home(dossier_home: Path) -> None:
    run("code", "next", "--agency", "H57.132", "--at", "2026-08-04T09:32")
    assert (dossier_home / "dossier.sqlite3").stat().st_size > 0


def test_next_json_carries_every_part() -> None:
    result = run(
        "code", "next", "--agency", "H57.132", "--at", "2026-08-04T02:00Z", "--start", "583", "--json"
    )
    assert result.exit_code == 0
    assert json.loads(result.output) == {
        "agency": "H57.132",
        "day": "2026-08-04",
        "sequence": 583,
        "text": "H57.132-260804-0583",
    }


def test_next_without_at_uses_today_in_vietnam() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    before = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%y%m%d")
    result = run("code", "next", "--agency", "000.00.06.H56")
    after = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%y%m%d")
    assert result.output.strip() in {f"000.00.06.H56-{day}-0001" for day in (before, after)}


def test_next_with_an_invalid_agency_is_a_usage_error_in_vietnamese() -> None:
    result = run("code", "next", "--agency", "abc")
    assert result.exit_code == ExitCode.usage
    assert "Mã định danh cơ quan không hợp lệ" in result.output
    assert "000.00.06.H56" in result.output  # the hint shows the expected shape


def test_strict_refuses_short_agency_identifiers() -> None:
    result = run("code", "next", "--agency", "H57.132", "--strict")
    assert result.exit_code == ExitCode.usage


def test_next_with_a_bad_time_is_a_usage_error() -> None:
    result = run("code", "next", "--agency", "000.00.06.H56", "--at", "hôm qua")
    assert result.exit_code == ExitCode.usage
    assert "ISO 8601" in result.output


def test_check_explains_a_valid_code() -> None:
    result = run("code", "check", "000.00.06.H56-231027-0361")
    assert result.exit_code == 0
    assert (
        result.output.strip() == "Mã hợp lệ: cơ quan 000.00.06.H56, tiếp nhận ngày 27/10/2023, số thứ tự 361."
    )


def test_check_json_for_valid_and_invalid_codes() -> None:
    good = run("code", "check", "H57.132-260804-0583", "--json")
    assert good.exit_code == 0
    assert json.loads(good.output)["ok"] is True
    bad = run("code", "check", "000.00.06.H56-231327-0001", "--json")
    assert bad.exit_code == ExitCode.usage
    document = json.loads(bad.output)
    assert document["ok"] is False
    assert "231327" in document["error"]


def test_check_refuses_a_malformed_code() -> None:
    result = run("code", "check", "000.00.06.H56-231027-361")
    assert result.exit_code == ExitCode.usage
    assert "YYMMDD-XXXX" in result.output


def test_every_code_command_has_help_with_an_example() -> None:
    assert "Ví dụ" in run("code", "--help").output
    for name, command in code.commands.items():
        assert isinstance(command, click.Command)
        result = run("code", name, "--help")
        assert result.exit_code == 0
        assert "Ví dụ" in result.output
        assert f"dossier code {name}" in result.output


def test_after_9999_the_command_fails_with_a_clear_message() -> None:
    args = ("code", "next", "--agency", "000.00.06.H56", "--at", "2023-10-27T09:32", "--start", "9999")
    assert run(*args).output == "000.00.06.H56-231027-9999\n"
    result = run(*args)
    assert result.exit_code == ExitCode.error
    assert "9999" in result.output
    assert "27/10/2023" in result.output
