"""Profile-declared document age limits and signature areas: loaded, linted, checked with what they found."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from dossier.profiles.checklist import ChecklistItem, ChecklistReport, Status, Verdict
from dossier.profiles.loader import lint_paths, profile_for
from dossier.profiles.validate import issue_date, item_checks, validate_report
from tests.profiles.test_profiles import GOOD, line_of, write

LIMITED = GOOD.replace(
    'condition = "Khi có"\nform = "copy"\ncopies = 2\n',
    'condition = "Khi có"\nform = "copy"\ncopies = 2\n'
    "max_age_months = 6\nsignature_box = [0.5, 0.7, 0.4, 0.2]\n",
)
PAGE = """CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
GIẤY TỜ THỬ
Cấp ngày 01/03/2026 tại Công an tỉnh
Hà Nội, ngày 15 tháng 3 năm 2026
"""


@pytest.fixture(autouse=True)
def _no_province_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOSSIER_PROFILES_DIR", raising=False)


def _item(folder: Path) -> ChecklistItem:
    component = profile_for("9.000001", date(2026, 11, 1), folder).component("TP02")
    assert component is not None
    return ChecklistItem(component, Status.present, (1,), 0.95, "tiêu đề")


def _page(ink_in_box: bool) -> np.ndarray:
    image = np.full((1000, 700, 3), 255, np.uint8)
    if ink_in_box:
        image[780:840, 380:620] = 0  # a thick scribble inside [0.5, 0.7, 0.4, 0.2]
    image[100:140, 60:600] = 0  # text elsewhere does not count
    return image


def test_declared_limits_load(tmp_path: Path) -> None:
    write(tmp_path, LIMITED)
    component = _item(tmp_path).component
    assert component.max_age_months == 6 and component.max_age_days is None
    assert component.signature_box == (0.5, 0.7, 0.4, 0.2)


@pytest.mark.parametrize(
    ("bad", "needle"),
    [
        ("signature_box = [0.5, 0.7, 0.6, 0.2]", "signature_box"),  # runs off the page
        ("signature_box = [0.5, 0.7]", "signature_box"),
        ("max_age_months = 0", "max_age_months"),
    ],
)
def test_bad_declarations_are_linted_at_their_line(tmp_path: Path, bad: str, needle: str) -> None:
    key = bad.split(" = ")[0]
    good_line = next(line for line in LIMITED.splitlines() if line.startswith(key))
    text = LIMITED.replace(good_line, bad)
    problems = lint_paths([write(tmp_path, text)])
    assert [p.line for p in problems] == [line_of(text, bad)]
    assert needle in problems[0].message


def test_both_age_keys_at_once_are_refused(tmp_path: Path) -> None:
    text = LIMITED.replace("max_age_months = 6\n", "max_age_months = 6\nmax_age_days = 30\n")
    problems = lint_paths([write(tmp_path, text)])
    assert len(problems) == 1 and "max_age_days" in problems[0].message


def test_the_issue_date_is_the_one_after_cap_else_the_last() -> None:
    found = issue_date(PAGE)
    assert found is not None and found.value == date(2026, 3, 1)
    closing = issue_date("Ngày sinh: 02/01/1990\nĐà Nẵng, ngày 18 tháng 9 năm 2026")
    assert closing is not None and closing.value == date(2026, 9, 18)
    assert issue_date("Không có ngày nào") is None


def test_age_and_signature_checks_say_what_they_found(tmp_path: Path) -> None:
    write(tmp_path, LIMITED)
    item = _item(tmp_path)
    fresh = {c.name: c for c in item_checks(item, [PAGE], lambda page, dpi: _page(True), date(2026, 8, 31))}
    assert fresh["document_age"].ok and fresh["document_age"].found == "01/03/2026"
    assert "01/09/2026" in fresh["document_age"].reason  # valid through 6 months after issue
    assert fresh["signature"].ok and fresh["signature"].where.startswith("trang 1")
    stale = {c.name: c for c in item_checks(item, [PAGE], lambda page, dpi: _page(False), date(2026, 11, 30))}
    assert not stale["document_age"].ok and "quá thời hạn 6 tháng" in stale["document_age"].reason
    assert not stale["signature"].ok and "trống" in stale["signature"].reason


def test_a_failed_check_sends_the_component_to_review(tmp_path: Path) -> None:
    write(tmp_path, LIMITED)
    item = _item(tmp_path)
    profile = profile_for("9.000001", date(2026, 11, 1), tmp_path)
    tp01 = ChecklistItem(profile.component("TP01"), Status.present, (2,), 0.95, "tiêu đề")  # type: ignore[arg-type]
    report = ChecklistReport(profile, (tp01, item), ())
    checked, checks = validate_report(
        report, [PAGE, "ĐƠN THỬ"], lambda page, dpi: _page(True), date(2026, 11, 30)
    )
    assert checked.verdict is Verdict.review
    assert [c.ok for c in checks["TP02"] if c.name == "document_age"] == [False]
