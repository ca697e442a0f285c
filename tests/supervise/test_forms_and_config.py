"""The apology form of the rules in force on the day, and the thresholds' configuration errors."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

import pikepdf
import pytest

from dossier.errors import ConfigError
from dossier.profiles.deadlines import VIETNAM_TZ
from dossier.supervise.apology_pdf import ApologyLetter, form_on, render_apology
from dossier.supervise.thresholds import DEFAULTS, load_thresholds


def letter(issued: datetime) -> ApologyLetter:
    return ApologyLetter(
        code="000.00.06.H56-250602-0001",
        agency="UBND xã Hòa Tiến",
        procedure_name="Đăng ký thường trú",
        procedure_code="1.004222",
        received_at=datetime(2025, 6, 2, 9, tzinfo=VIETNAM_TZ),
        old_appointment=datetime(2025, 6, 11, 9, tzinfo=VIETNAM_TZ),
        new_appointment=datetime(2025, 6, 16, 9, tzinfo=VIETNAM_TZ),
        reason="Chờ ý kiến cơ quan phối hợp",
        status_name="Đang xử lý",
        issued=issued,
    )


@pytest.mark.parametrize(
    ("issued", "title", "circular"),
    [
        (
            datetime(2025, 6, 30, 16, tzinfo=VIETNAM_TZ),
            "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
            "01/2018",
        ),
        (
            datetime(2025, 7, 1, 8, tzinfo=VIETNAM_TZ),
            "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
            "03/2025",
        ),
    ],
)
def test_the_form_of_the_rules_in_force_on_the_day(
    tmp_path: Path, issued: datetime, title: str, circular: str
) -> None:
    assert form_on(issued.date()).title == title
    pdf = tmp_path / "xin-loi.pdf"
    pdf.write_bytes(render_apology(letter(issued)))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert title in text and circular in text
    assert "Lý do chậm trả kết quả: Chờ ý kiến cơ quan phối hợp" in text
    assert "16/06/2025" in text and "11/06/2025" in text  # the new and the old appointment
    with pikepdf.open(pdf) as document, document.open_metadata() as meta:
        assert meta.pdfa_status == "2B"
    assert subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True).returncode == 0


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[supervise.thresholds]\non_time_rate = [80, 90, 95]\n", "[80, 90, 95]"),
        ("[supervise.thresholds]\noverdue_open_rate = [10, 5, 2]\n", "[10, 5, 2]"),
        ("[supervise.thresholds]\nsigned_rate = [95, 90]\n", "[95, 90]"),
        ("[supervise.thresholds]\napology_rate = [120, 90, 75]\n", "[120, 90, 75]"),
        ("[supervise.thresholds]\nspeed = [1, 2, 3]\n", "speed"),
        ("[supervise]\ncolours = 1\n", "colours"),
    ],
)
def test_bad_thresholds_name_the_value(tmp_path: Path, text: str, named: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_thresholds(config)
    assert named in str(error.value) and str(config) in str(error.value)


def test_configured_thresholds_replace_the_defaults(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[supervise.thresholds]\non_time_rate = [98, 94.5, 85]\n", encoding="utf-8")
    loaded = load_thresholds(config)
    assert (loaded["on_time_rate"].green, loaded["on_time_rate"].yellow) == (98, 94.5)
    assert loaded["signed_rate"] == DEFAULTS["signed_rate"]
