"""The English catalog covers every message, keeps placeholders, and the CLI speaks the chosen language."""

from __future__ import annotations

import gettext
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dossier.digitize import sane
from dossier.i18n import LOCALE_DIR, _, compile_mo, extract_messages, parse_po

EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "dossier.po"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
VIETNAMESE_LETTER = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE
)
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def catalog() -> dict[str, str]:
    return {k: v for k, v in parse_po(EN_PO.read_text(encoding="utf-8")).items() if k}


def run_dossier(args: list[str], lang: str | None, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a fresh interpreter: help texts are translated when the module is imported."""
    env = {k: v for k, v in os.environ.items() if k != "DOSSIER_LANG"}
    env["PYTHONPATH"] = str(REPO)
    env["COLUMNS"] = "100"
    if lang is not None:
        env["DOSSIER_LANG"] = lang
    return subprocess.run(
        [sys.executable, "-m", "dossier", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_every_extracted_message_has_an_english_translation(catalog: dict[str, str]) -> None:
    messages = extract_messages()
    assert len(messages) > 50
    untranslated = [m for m in messages if not catalog.get(m, "").strip()]
    assert untranslated == []


def test_messages_passed_through_a_variable_are_translated_too(catalog: dict[str, str]) -> None:
    # The extractor cannot see these (they reach _() as a variable), so they are kept in the .po by hand.
    untranslated = [m for m in sane._SANE_STATUS_MESSAGES.values() if not catalog.get(m, "").strip()]
    assert untranslated == []


def test_translations_keep_exactly_the_placeholders_of_the_source(catalog: dict[str, str]) -> None:
    mismatched = {
        msgid: msgstr
        for msgid, msgstr in catalog.items()
        if set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(msgstr))
    }
    assert mismatched == {}


def test_translations_are_english_and_keep_help_layout(catalog: dict[str, str]) -> None:
    for msgid, msgstr in catalog.items():
        example = ("dossier ", "--")  # example commands and their continuations may hold Vietnamese names
        prose = [line for line in msgstr.splitlines() if not line.lstrip().startswith(example)]
        text = "\n".join(prose)
        letters = sum(c.isalpha() for c in text)
        # English prose; a Vietnamese proper name given as an example (e.g. "Hòa Tiến") may remain
        assert len(VIETNAMESE_LETTER.findall(text)) <= max(2, 0.03 * letters), msgstr
        # click's no-rewrap marker and the example command lines must survive translation unchanged
        assert msgstr.count("\b") == msgid.count("\b"), msgid
        commands = [line for line in msgid.splitlines() if line.lstrip().startswith("dossier ")]
        assert [line for line in msgstr.splitlines() if line.lstrip().startswith("dossier ")] == commands


def test_underscore_follows_dossier_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOSSIER_LANG", "en")
    assert _("Không tìm thấy tệp.") == "File not found."
    page_error = _("Trang {n} của PDF có kích thước không hợp lệ.").format(n=2)
    assert page_error == "Page 2 of the PDF has an invalid size."
    monkeypatch.setenv("DOSSIER_LANG", "vi")
    assert _("Không tìm thấy tệp.") == "Không tìm thấy tệp."


def test_scan_help_is_english_with_dossier_lang_en(tmp_path: Path) -> None:
    result = run_dossier(["scan", "--help"], "en", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Examples:" in result.stdout
    assert "searchable PDF/A-2b" in result.stdout
    assert "dossier scan --device pnm:0 --device-option filename=trang.pnm --out hs-002" in result.stdout
    assert "Exit codes:" in result.stdout
    assert not VIETNAMESE_LETTER.search(result.stdout), result.stdout


def test_scan_help_is_vietnamese_by_default(tmp_path: Path) -> None:
    result = run_dossier(["scan", "--help"], None, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Ví dụ:" in result.stdout
    assert "Số hóa hồ sơ giấy thành PDF/A-2b" in result.stdout
    assert "Mã thoát:" in result.stdout
    assert "Examples:" not in result.stdout


def test_scan_error_is_english_with_dossier_lang_en(tmp_path: Path) -> None:
    result = run_dossier(["scan", "missing.jpg", "--out", str(tmp_path / "out")], "en", tmp_path)
    assert result.returncode == 3
    assert "Error: " in result.stderr
    assert "No usable pages; 1 source(s) failed." in result.stderr
    assert "File not found." in result.stderr
    assert not VIETNAMESE_LETTER.search(result.stderr), result.stderr
    assert not (tmp_path / "out").exists()


def test_scan_error_is_vietnamese_by_default(tmp_path: Path) -> None:
    result = run_dossier(["scan", "missing.jpg", "--out", str(tmp_path / "out")], None, tmp_path)
    assert result.returncode == 3
    assert "Lỗi: " in result.stderr
    assert "Không có trang nào dùng được; 1 nguồn bị lỗi." in result.stderr
    assert "Không tìm thấy tệp." in result.stderr


def test_parse_po_and_compile_mo_round_trip_through_gnu_gettext() -> None:
    po = "\n".join(
        [
            'msgid ""',
            'msgstr ""',
            "",
            "# a comment, ignored",
            'msgid "Đã ghi {path} (\\"{pages}\\" trang)\\n"',
            '"trong {s:.1f} giây."',
            'msgstr "Wrote {path} (\\"{pages}\\" pages)\\n"',
            '"in {s:.1f} s."',
            "",
            'msgid "Scanner busy"',
            'msgstr "Thiết bị đang bận: kẹt giấy ở khay nạp"',
            "",
            'msgid "Chưa dịch"',
            'msgstr ""',
        ]
    )
    entries = parse_po(po)
    source = 'Đã ghi {path} ("{pages}" trang)\ntrong {s:.1f} giây.'
    assert entries[source] == 'Wrote {path} ("{pages}" pages)\nin {s:.1f} s.'
    assert entries["Chưa dịch"] == ""

    translated = {k: v for k, v in entries.items() if k and v}
    translated[""] = "Content-Type: text/plain; charset=UTF-8\n"
    translations = gettext.GNUTranslations(io.BytesIO(compile_mo(translated)))
    assert translations.gettext(source) == 'Wrote {path} ("{pages}" pages)\nin {s:.1f} s.'
    assert translations.gettext("Scanner busy") == "Thiết bị đang bận: kẹt giấy ở khay nạp"
    assert translations.gettext("Chưa dịch") == "Chưa dịch"
