"""Procedure profiles: shipped files, strict loading with file:line errors, overrides, versions, CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dossier.errors import ConfigError
from dossier.profiles.loader import PACKAGED_DIR, ProfileError, lint_paths, load_catalogue, profile_for
from dossier.profiles.model import Form, Level, Requirement
from dossier.profiles.profiles_cli import profiles

SIX = ("1.001193", "2.000815", "1.004222", "1.000894", "2.000720", "local.gpxd-nha-o-rieng-le")

GOOD = """\
code = "9.000001"
name = "Thủ tục thử"
field = "Thử nghiệm"
sources = ["Nguồn thử"]

[[versions]]
valid_to = 2025-06-30
level = "huyen"
agency = "UBND cấp huyện"
fee = "Miễn"
processing_days = 3

[[versions.components]]
id = "TP01"
name = "Đơn thử"
requirement = "required"
form = "original"
copies = 1

[[versions]]
valid_from = 2025-07-01
level = "xa"
agency = "UBND cấp xã"
fee = "Miễn"
processing_days = 2

[[versions.components]]
id = "TP01"
name = "Đơn thử"
requirement = "required"
form = "original"
copies = 1

[[versions.components]]
id = "TP02"
name = "Giấy tờ thử"
requirement = "conditional"
condition = "Khi có"
form = "copy"
copies = 2
"""


@pytest.fixture(autouse=True)
def _no_province_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOSSIER_PROFILES_DIR", raising=False)


def write(folder: Path, text: str, name: str = "9.000001.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


def only_problem(path: Path) -> tuple[int, str]:
    problems = lint_paths([path])
    assert len(problems) == 1, [str(p) for p in problems]
    assert problems[0].path == path
    return problems[0].line, problems[0].message


# --- the shipped profiles ---


def test_six_shipped_profiles_load_and_lint_clean() -> None:
    catalogue = load_catalogue()
    assert set(SIX) <= set(catalogue.codes())
    assert lint_paths([PACKAGED_DIR]) == ()
    for procedure in catalogue.procedures:
        for profile in procedure.versions:
            assert profile.sources, procedure.code
            assert profile.components, procedure.code


def test_shipped_profiles_carry_the_facts() -> None:
    today = date(2026, 1, 15)
    birth = profile_for("1.001193", today)
    assert birth.processing_days == 0 and birth.level is Level.xa
    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in birth.component("TP01").hints.titles
    proofs = [c for c in birth.components if c.one_of]
    assert {c.hints.titles for c in proofs} >= {("GIẤY CHỨNG SINH",)}
    copy = profile_for("2.000815", today)
    assert "200.000" in copy.fee and copy.processing_days == 0
    assert profile_for("1.004222", today).processing_days == 7
    assert "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ" in profile_for("1.004222", today).components[0].hints.titles
    marriage = profile_for("1.000894", today)
    assert marriage.component("TP01").hints.titles == ("TỜ KHAI ĐĂNG KÝ KẾT HÔN",)
    assert marriage.component("TP03").requirement is Requirement.conditional
    assert any(u.startswith("code:") for u in marriage.unconfirmed)
    business = profile_for("2.000720", today)
    assert "GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH" in business.component("TP01").hints.titles
    permit = profile_for("local.gpxd-nha-o-rieng-le", today)
    assert permit.sets == 2 and permit.processing_days == 15
    assert "ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG" in permit.component("TP01").hints.titles
    assert permit.component("TP02").form is Form.certified_copy


def test_shipped_rules_switch_from_district_to_commune_on_2025_07_01() -> None:
    assert profile_for("2.000720", date(2025, 6, 30)).level is Level.huyen
    assert profile_for("2.000720", date(2025, 7, 1)).level is Level.xa
    assert profile_for("local.gpxd-nha-o-rieng-le", date(2025, 7, 1)).level is Level.xa


# --- strict loading with file:line ---


def test_good_file_loads_with_versions_picked_by_date(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    before = profile_for("9.000001", date(2025, 6, 30), tmp_path)
    after = profile_for("9.000001", date(2025, 7, 1), tmp_path)
    assert (before.level, before.processing_days, len(before.components)) == (Level.huyen, 3, 1)
    assert (after.level, after.processing_days, len(after.components)) == (Level.xa, 2, 2)
    assert after.component("TP02").condition == "Khi có"


def test_toml_syntax_error_gives_its_line(tmp_path: Path) -> None:
    text = GOOD.replace('fee = "Miễn"\nprocessing_days = 2', 'fee = "Miễn\nprocessing_days = 2')
    line, message = only_problem(write(tmp_path, text))
    assert line == line_of(text, 'fee = "Miễn', 2)
    assert "TOML" in message


def test_unknown_key_is_named_at_its_line(tmp_path: Path) -> None:
    text = GOOD.replace("copies = 2\n", "copies = 2\ncopys = 3\n")
    line, message = only_problem(write(tmp_path, text))
    assert line == line_of(text, "copys = 3")
    assert "copys" in message


def test_missing_key_points_at_its_table(tmp_path: Path) -> None:
    text = GOOD.replace('agency = "UBND cấp xã"\n', "")
    line, message = only_problem(write(tmp_path, text))
    assert line == line_of(text, "[[versions]]", 2)
    assert "agency" in message


def test_bad_enum_lists_the_allowed_values(tmp_path: Path) -> None:
    text = GOOD.replace('form = "copy"', 'form = "photo"')
    line, message = only_problem(write(tmp_path, text))
    assert line == line_of(text, 'form = "photo"')
    assert "certified_copy" in message


def test_duplicate_component_id(tmp_path: Path) -> None:
    text = GOOD.replace('id = "TP02"', 'id = "TP01"')
    line, message = only_problem(write(tmp_path, text))
    assert line == line_of(text, 'id = "TP01"', 3)
    assert "TP01" in message


def test_overlapping_versions(tmp_path: Path) -> None:
    text = GOOD.replace("valid_from = 2025-07-01", "valid_from = 2025-06-01")
    line, message = only_problem(write(tmp_path, text))
    assert line == line_of(text, "valid_from = 2025-06-01")
    assert "chồng lấn" in message


def test_district_level_cannot_outlive_june_2025(tmp_path: Path) -> None:
    text = GOOD.replace("valid_to = 2025-06-30\n", "").replace("valid_from = 2025-07-01\n", "")
    problems = lint_paths([write(tmp_path, text)])
    assert any("cấp huyện" in p.message and p.line == line_of(text, 'level = "huyen"') for p in problems)


def test_conditional_component_needs_its_condition(tmp_path: Path) -> None:
    text = GOOD.replace('condition = "Khi có"\n', "")
    line, message = only_problem(write(tmp_path, text))
    assert line == line_of(text, 'requirement = "conditional"')
    assert "condition" in message


def test_load_raises_config_error_with_every_problem(tmp_path: Path) -> None:
    text = GOOD.replace('form = "copy"', 'form = "photo"').replace("copies = 2", "copies = 0")
    write(tmp_path, text)
    with pytest.raises(ProfileError) as caught:
        load_catalogue(tmp_path)
    assert isinstance(caught.value, ConfigError) and int(caught.value.exit_code) == 5
    assert len(caught.value.problems) == 2
    assert f"9.000001.toml:{line_of(text, 'copies = 0')}:" in str(caught.value)


# --- province folder, unknown codes ---


def test_province_file_overrides_a_packaged_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = GOOD.replace('code = "9.000001"', 'code = "2.000815"')
    text = text.replace("processing_days = 2", "processing_days = 1")
    write(tmp_path, text, "chung-thuc.toml")
    monkeypatch.setenv("DOSSIER_PROFILES_DIR", str(tmp_path))
    profile = profile_for("2.000815", date(2026, 1, 5))
    assert profile.processing_days == 1 and profile.path == tmp_path / "chung-thuc.toml"
    assert "1.001193" in load_catalogue().codes()  # the others stay


def test_two_files_with_one_code_in_a_folder(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.toml")
    second = write(tmp_path, GOOD, "b.toml")
    problems = lint_paths([tmp_path])
    assert [(p.path, p.line) for p in problems] == [(second, 1)]


def test_unknown_code_suggests_the_nearest() -> None:
    catalogue = load_catalogue()
    with pytest.raises(ConfigError) as caught:
        catalogue.get("1.001139")
    assert "1.001193" in (caught.value.hint or "")
    with pytest.raises(ConfigError) as by_name:
        catalogue.get("đăng ký kết hôn")
    assert "1.000894" in (by_name.value.hint or "")


# --- the CLI ---


def run(*args: str) -> tuple[int, str]:
    from dossier.cli import DossierGroup

    root = DossierGroup(commands={"profiles": profiles})  # the real error funnel around the group
    result = CliRunner().invoke(root, list(args))
    return result.exit_code, result.output


def test_cli_list_json() -> None:
    code, output = run("profiles", "list", "--json")
    assert code == 0
    assert set(SIX) <= {row["code"] for row in json.loads(output)["procedures"]}


def test_cli_show_picks_the_version_by_date() -> None:
    code, output = run("profiles", "show", "2.000720", "--on", "2025-06-30", "--json")
    assert code == 0
    document = json.loads(output)["profile"]
    assert document["level"] == "huyen" and document["valid_to"] == "2025-06-30"
    code, output = run("profiles", "show", "2.000720", "--on", "2025-07-01")
    assert code == 0 and "Cấp: xa" in output


def test_cli_show_unknown_code_exits_5_with_a_suggestion() -> None:
    code, output = run("profiles", "show", "1.00193")
    assert code == 5
    assert "1.001193" in output


def test_cli_lint_clean_and_broken(tmp_path: Path) -> None:
    assert run("profiles", "lint")[0] == 0
    text = GOOD.replace('form = "copy"', 'form = "photo"')
    path = write(tmp_path, text)
    code, output = run("profiles", "lint", str(tmp_path))
    assert code == 5
    bad_line = line_of(text, 'form = "photo"')
    assert f"{path}:{bad_line}: form:" in output
    code, output = run("profiles", "--profiles-dir", str(tmp_path), "lint", "--json")
    assert code == 5 and json.loads(output)["problems"][0]["line"] == line_of(text, 'form = "photo"')


def test_every_command_has_help_with_examples() -> None:
    for name, command in profiles.commands.items():
        assert isinstance(command, click.Command)
        assert "Ví dụ:" in (command.help or ""), name


def test_copy_of_must_name_another_component(tmp_path: Path) -> None:
    text = GOOD.replace('condition = "Khi có"\n', 'condition = "Khi có"\ncopy_of = "TP09"\n')
    line, message = only_problem(write(tmp_path, text))
    assert line == line_of(text, 'copy_of = "TP09"')
    assert "TP09" in message
    good = GOOD.replace('condition = "Khi có"\n', 'condition = "Khi có"\ncopy_of = "TP01"\n')
    write(tmp_path, good)
    assert profile_for("9.000001", date(2025, 7, 1), tmp_path).component("TP02").copy_of == "TP01"
