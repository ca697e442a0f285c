"""Splitting a stack into components and the one-pass checklist, on page texts and end to end with OCR."""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from dossier.cli import cli
from dossier.errors import ExitCode
from dossier.fsutil import sha256_file
from dossier.profiles.checklist import Status, Verdict, check_pages
from dossier.profiles.classify import fold, split_documents
from dossier.profiles.loader import profile_for
from dossier.profiles.validate import validate_report
from tests.conftest import render_text_page

HEADER = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
DECLARATION = (
    HEADER
    + "TỜ KHAI ĐĂNG KÝ KHAI SINH\nKính gửi: Ủy ban nhân dân xã Hòa Tiến\nQuan hệ với người được khai sinh: mẹ"
)
CONTINUATION = (
    "Số định danh cá nhân của người yêu cầu: 048196001234\n"
    "Tôi cam đoan nội dung trên đây là đúng sự thật.\nĐà Nẵng, ngày 18 tháng 9 năm 2026"
)
BIRTH_CERT = "BỆNH VIỆN ĐA KHOA ĐÀ NẴNG\n" + HEADER + "GIẤY CHỨNG SINH\nHọ và tên mẹ: Trần Thị Mỹ Duyên"
STRAY = HEADER + "ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG\nDiện tích xây dựng tầng 1: 80 m2"


def page_images(folder: Path, texts: list[str]) -> list[str]:
    """Each text rendered as a 150 dpi page image, ready for `dossier scan`."""
    paths = []
    for number, text in enumerate(texts, start=1):
        path = folder / f"p{number}.png"
        render_text_page(text.splitlines()).save(path, dpi=(150, 150))
        paths.append(str(path))
    return paths


@pytest.fixture(scope="module")
def birth():
    return profile_for("1.001193")


def test_fold_removes_diacritics_and_case() -> None:
    assert fold("TỜ KHAI  ĐĂNG KÝ\nKHAI SINH") == "to khai dang ky khai sinh"


def test_split_joins_continuations_and_keeps_strays_apart(birth) -> None:
    documents = split_documents([DECLARATION, CONTINUATION, STRAY, BIRTH_CERT], birth)
    assert [(d.component, d.pages) for d in documents] == [("TP01", (1, 2)), (None, (3,)), ("TP02", (4,))]
    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in documents[0].evidence


def test_titles_match_without_diacritics_and_with_ocr_errors(birth) -> None:
    ocr = HEADER + "TO KHAI DANG KY KHAI SlNH\nKinh gui: Uy ban nhan dan xa"
    (document,) = split_documents([ocr], birth)
    assert document.component == "TP01"
    assert document.confidence >= 0.8


def test_missing_required_component_makes_the_dossier_incomplete(birth) -> None:
    report = check_pages([DECLARATION, CONTINUATION], birth)
    assert report.verdict is Verdict.incomplete
    assert [c.id for c in report.missing] == [
        "TP02"
    ]  # TP03 stands in the same one-of group: one line, not two
    statuses = {item.component.id: item.status for item in report.items}
    assert statuses["TP01"] is Status.present
    assert statuses["TP05"] is Status.to_show


def test_a_stray_page_needs_review_until_set_aside(birth) -> None:
    report = check_pages([DECLARATION, STRAY, BIRTH_CERT], birth)
    assert report.verdict is Verdict.review
    assert report.unclassified_pages == (2,)
    assert check_pages([DECLARATION, STRAY, BIRTH_CERT], birth, {2: "none"}).verdict is Verdict.complete


def test_officer_assignment_overrides_the_classifier(birth) -> None:
    unreadable = "Xác nhận của cơ sở y tế\nngày 18 tháng 9 năm 2026"
    assert check_pages([DECLARATION, unreadable], birth).verdict is Verdict.incomplete
    report = check_pages([DECLARATION, unreadable], birth, {2: "TP02"})
    assert report.verdict is Verdict.complete
    assert next(i for i in report.items if i.component.id == "TP02").pages == (2,)


@pytest.mark.tesseract
def test_check_command_end_to_end(tmp_path: Path) -> None:
    pages = page_images(tmp_path, [DECLARATION, CONTINUATION, STRAY])
    out = tmp_path / "hs"
    runner = CliRunner()
    assert runner.invoke(cli, ["scan", *pages, "--out", str(out)], catch_exceptions=False).exit_code == 0

    result = runner.invoke(
        cli, ["check", str(out), "--procedure", "1.001193", "--json"], catch_exceptions=False
    )
    assert result.exit_code == ExitCode.dossier_incomplete
    document = json.loads(result.stdout)
    assert document["verdict"] == "incomplete"
    assert document["missing"] == ["Giấy chứng sinh"]
    assert document["unclassified_pages"] == [3]
    tp01 = next(c for c in document["components"] if c["id"] == "TP01")
    assert tp01["pages"] == [1, 2] and tp01["status"] == "present"

    args = ["check", str(out), "--procedure", "1.001193", "--assign", "3=TP02", "--json"]
    refused = runner.invoke(cli, args, catch_exceptions=False)
    assert refused.exit_code == ExitCode.config  # corrections need the officer's name
    fixed = runner.invoke(cli, [*args, "--officer", "Cán bộ Thử Nghiệm"], catch_exceptions=False)
    # page 3 now counts as the birth certificate, but it carries no red seal: the officer must look at it
    assert fixed.exit_code == ExitCode.needs_review
    fixed_document = json.loads(fixed.stdout)
    assert fixed_document["verdict"] == "review" and fixed_document["missing"] == []
    tp02 = next(c for c in fixed_document["components"] if c["id"] == "TP02")
    assert tp02["status"] == "review"
    assert [c["ok"] for c in tp02["checks"] if c["name"] == "red_seal"] == [False]
    (entry,) = json.loads((out / "corrections.json").read_text())
    assert entry["officer"] == "Cán bộ Thử Nghiệm" and entry["pages"] == {"3": "TP02"}
    assert entry["scan_sha256"] == sha256_file(out / "scan.pdf")
    again = runner.invoke(cli, ["check", str(out), "--procedure", "1.001193"], catch_exceptions=False)
    assert again.exit_code == ExitCode.needs_review  # the correction is remembered: nothing missing

    rescanned = runner.invoke(cli, ["scan", *pages[:2], "--out", str(out)], catch_exceptions=False)
    assert rescanned.exit_code == 0  # a new scan: the record stays, but its correction no longer applies
    assert json.loads((out / "corrections.json").read_text())[0]["officer"] == "Cán bộ Thử Nghiệm"
    after = runner.invoke(cli, ["check", str(out), "--procedure", "1.001193"], catch_exceptions=False)
    assert after.exit_code == ExitCode.dossier_incomplete

    tp01 = next(c for c in fixed_document["components"] if c["id"] == "TP01")
    checks = {c["name"]: c for c in tp01["checks"]}
    assert checks["personal_id"]["ok"] and checks["personal_id"]["found"] == "048196******"  # masked
    assert checks["date"]["found"] == "2026-09-18"

    from contextlib import closing

    from dossier.store.eventlog import read_events, verify_chain
    from dossier.store.registry import dossier_for_folder
    from dossier.store.workspace import resolve_workspace

    with closing(resolve_workspace().connect()) as conn:  # scan and check noted the dossier in the registry
        record = dossier_for_folder(conn, out)
        assert record is not None and (record.state, record.procedure_code) == ("checked", "1.001193")
        actions = [e.action for e in read_events(conn, record.id)]
        assert actions[0] == "scanned" and actions[-1] == "checked" and "scanned" in actions[1:]
        assert verify_chain(conn).ok

    unknown = runner.invoke(cli, ["check", str(out), "--procedure", "1.00119"], catch_exceptions=False)
    assert unknown.exit_code == ExitCode.config
    assert "1.001193" in unknown.output  # the nearest code is suggested


def test_a_malformed_id_on_the_declaration_sends_it_to_review(birth) -> None:
    bad = CONTINUATION.replace("048196001234", "999196001234")  # no province has code 999
    report, checks = validate_report(
        check_pages([DECLARATION, bad, BIRTH_CERT], birth), [DECLARATION, bad, BIRTH_CERT]
    )
    tp01 = next(i for i in report.items if i.component.id == "TP01")
    assert tp01.status is Status.review
    assert report.verdict is Verdict.review
    assert "999" in tp01.evidence
    assert not checks["TP01"][0].ok
    good, _ = validate_report(
        check_pages([DECLARATION, CONTINUATION, BIRTH_CERT], birth), [DECLARATION, CONTINUATION, BIRTH_CERT]
    )
    assert good.verdict is Verdict.complete


@pytest.mark.tesseract
def test_scan_with_procedure_writes_one_pdf_per_component(tmp_path: Path) -> None:
    pages = page_images(tmp_path, [DECLARATION, CONTINUATION, STRAY])
    out = tmp_path / "hs"
    args = ["scan", *pages, "--out", str(out), "--procedure", "1.001193", "--json"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == ExitCode.dossier_incomplete
    document = json.loads(result.stdout)
    assert document["checklist"]["missing"] == ["Giấy chứng sinh"]
    with pikepdf.open(out / "TP01.pdf") as tp01, pikepdf.open(out / "chua-xep-loai.pdf") as stray:
        assert len(tp01.pages) == 2 and len(stray.pages) == 1
        assert tp01.open_metadata()["pdfaid:part"] == "2"
    manifest = json.loads((out / "manifest.json").read_text())
    parts = {c["path"]: c for c in manifest["components"]}
    assert parts["TP01.pdf"]["pages"] == [1, 2]
    assert parts["TP01.pdf"]["sha256"] == sha256_file(out / "TP01.pdf")
    assert manifest["checklist"]["verdict"] == "incomplete"

    # the officer sets the stray page aside and files page 2 as the birth certificate: the files follow
    args = ["check", str(out), "--procedure", "1.001193", "--assign", "3=none", "--assign", "2=TP02"]
    corrected = CliRunner().invoke(cli, [*args, "--officer", "Cán bộ Thử Nghiệm"], catch_exceptions=False)
    assert corrected.exit_code in (ExitCode.ok, ExitCode.needs_review), corrected.output
    assert not (out / "chua-xep-loai.pdf").exists()  # handed back to the citizen, not sent on
    manifest = json.loads((out / "manifest.json").read_text())
    assert {c["path"]: c["pages"] for c in manifest["components"]} == {"TP01.pdf": [1], "TP02.pdf": [2]}
    with pikepdf.open(out / "TP01.pdf") as tp01, pikepdf.open(out / "TP02.pdf") as tp02:
        assert len(tp01.pages) == 1 and len(tp02.pages) == 1
    assert manifest["checklist"]["missing"] == []


def test_scan_with_an_unknown_procedure_fails_before_scanning(tmp_path: Path) -> None:
    page = tmp_path / "p.png"
    render_text_page(["TỜ KHAI"]).save(page)
    out = tmp_path / "hs"
    result = CliRunner().invoke(cli, ["scan", str(page), "--out", str(out), "--procedure", "9.999999"])
    assert result.exit_code == ExitCode.config
    assert not out.exists()


def test_a_component_that_can_be_any_paper_takes_the_unmatched_pages() -> None:
    certify = profile_for("2.000815")  # chứng thực bản sao: the paper to certify can be anything
    report = check_pages([STRAY, CONTINUATION], certify)
    (document,) = report.documents
    assert document.component == "TP01" and document.pages == (1, 2)
    assert "TP01" in document.evidence
    assert report.verdict is Verdict.complete
    birth_report = check_pages([STRAY], profile_for("1.001193"))
    assert birth_report.unclassified_pages == (1,)  # other procedures still set unmatched pages apart


def test_a_page_repeating_the_original_is_its_copy() -> None:
    certify = profile_for("2.000815")  # TP02 (the copy to certify) is declared copy_of TP01
    photocopied = STRAY.replace("Diện tích", "Dien tich").replace("80 m2", "80 rn2")  # the copy, OCRed worse
    other = HEADER + "BẰNG TỐT NGHIỆP TRUNG HỌC PHỔ THÔNG\nXếp loại: Khá"
    report = check_pages([STRAY, photocopied, other], certify)
    assert [(d.component, d.pages) for d in report.documents] == [
        ("TP01", (1,)),
        ("TP02", (2,)),
        ("TP01", (3,)),
    ]
    assert "trang 1" in report.documents[1].evidence
    assert report.verdict is Verdict.complete
    # other procedures have no copy component: the same repeat is not filed as a copy
    birth = check_pages([DECLARATION, DECLARATION], profile_for("1.001193"))
    assert [d.component for d in birth.documents] == ["TP01", "TP01"]
