"""The counter's forms: PDF/A-2b with embedded Vietnamese fonts, a readable QR code, the one-time rule."""

from __future__ import annotations

import json
import subprocess
from datetime import date, datetime
from pathlib import Path

import cv2
import pikepdf
import pytest
from click.testing import CliRunner
from reportlab.pdfgen.canvas import Canvas

from dossier.cli import DossierGroup
from dossier.errors import ConfigError, ExitCode, InputFileError
from dossier.profiles.deadlines import load_calendar
from dossier.profiles.loader import profile_for
from dossier.profiles.notices import (
    REGULAR_FONT,
    NothingToSupplementError,
    NoticeDetails,
    NoticeKind,
    SupplementAlreadyIssuedError,
    form_reference,
    issue_notice,
    register_fonts,
)
from dossier.profiles.notices_cli import notice

# The real top-level group class (errors become exit codes) holding only `notice`; the global `cli` stays.
cli = DossierGroup(name="dossier", commands=[notice])

CODE = "000.00.06.H56-261123-0007"
APPLICANT = "Trần Thị Mỹ Duyên"
HEADER = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
DECLARATION = [
    *HEADER,
    "TỜ KHAI ĐĂNG KÝ KHAI SINH",
    "Kính gửi: Ủy ban nhân dân xã Hòa Tiến",
    "Quan hệ với người được khai sinh: mẹ",
]
CONTINUATION = ["Nơi sinh: Bệnh viện Đa khoa Đà Nẵng", "Tôi cam đoan nội dung trên đây là đúng sự thật."]
RECEIVED = datetime(2026, 11, 23, 9, 32)


def write_vietnamese_pdf(path: Path, pages: list[list[str]]) -> None:
    """A born-digital dossier scan with a Vietnamese text layer (embedded Liberation Serif)."""
    register_fonts()
    canvas = Canvas(str(path), initialFontName=REGULAR_FONT)
    for lines in pages:
        canvas.setFont(REGULAR_FONT, 12)
        for number, line in enumerate(lines):
            canvas.drawString(72, 780 - 18 * number, line)
        canvas.showPage()
    canvas.save()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A birth-registration dossier with the declaration but neither birth proof (TP02/TP03) missing."""
    path = tmp_path / "hs-001"
    path.mkdir()
    write_vietnamese_pdf(path / "scan.pdf", [DECLARATION])
    return path


def details(**changes: object) -> NoticeDetails:
    values: dict[str, object] = {
        "code": CODE,
        "agency_name": "Ủy ban nhân dân xã Hòa Tiến",
        "applicant_name": APPLICANT,
        "received": RECEIVED,
        "officer": "Nguyễn Văn Bình",
        "place": "Hòa Tiến",
        "reason": "Hồ sơ không thuộc thẩm quyền giải quyết của xã.",
    }
    values.update(changes)
    return NoticeDetails(**values)  # type: ignore[arg-type]


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        (NoticeKind.receipt, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
        (NoticeKind.supplement, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
        (NoticeKind.refusal, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
    ],
)
def test_each_form_renders_as_pdfa_with_vietnamese_text(folder: Path, kind: NoticeKind, title: str) -> None:
    out = folder / f"{kind}.pdf"
    issued = datetime(2026, 11, 24, 8, 5)
    issue_notice(kind, folder, profile_for("1.001193", RECEIVED.date()), details(), out, issued=issued)
    text = flat(pdf_text(out))
    assert title in text
    assert CODE in text
    assert APPLICANT in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Hòa Tiến, ngày 24 tháng 11 năm 2026" in text
    assert "Mẫu số 0" in text and "03/2025/TT-VPCP" in text
    fonts = subprocess.run(["pdffonts", str(out)], check=True, capture_output=True, text=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes yes " in row for row in rows), fonts
    assert any("LiberationSerif" in row for row in rows)
    with pikepdf.open(out) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2"
        assert meta["pdfaid:conformance"] == "B"
        assert pdf.Root.OutputIntents[0].OutputConditionIdentifier == "sRGB"
    assert out.stat().st_mode & 0o777 == 0o600


def test_receipt_lists_received_components_and_the_appointment(folder: Path) -> None:
    profile = profile_for("1.001193", RECEIVED.date())
    out = folder / "receipt.pdf"
    issued = issue_notice(NoticeKind.receipt, folder, profile, details(), out)
    assert issued.component_ids == ("TP01",)
    text = flat(pdf_text(out))
    assert "Tờ khai đăng ký khai sinh theo mẫu" in text
    assert "9 giờ 32 phút, ngày 23/11/2026" in text
    due = load_calendar().appointment(RECEIVED, profile.processing_days)
    assert f"{due.hour} giờ {due.minute:02d} phút, ngày {due:%d/%m/%Y}" in text


def test_supplement_lists_every_missing_component_at_once(folder: Path) -> None:
    profile = profile_for("1.001193", RECEIVED.date())
    out = folder / "supplement.pdf"
    issued = issue_notice(NoticeKind.supplement, folder, profile, details(), out, invalid_ids=("TP01",))
    assert issued.component_ids == (
        "TP01",
        "TP02",
    )  # the officer's invalid one plus the checklist's missing one
    text = flat(pdf_text(out))
    for component_id in issued.component_ids:
        component = profile.component(component_id)
        assert component is not None and flat(component.name) in text
    assert f"Số: {CODE}/HDHS" in text


def test_the_qr_code_decodes_to_the_dossier_code(folder: Path, tmp_path: Path) -> None:
    out = folder / "refusal.pdf"
    issue_notice(NoticeKind.refusal, folder, profile_for("1.001193", RECEIVED.date()), details(), out)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(out), str(tmp_path / "page")], check=True
    )
    image = cv2.imread(str(tmp_path / "page.png"))
    decoded, _points, _straight = cv2.QRCodeDetector().detectAndDecode(image)
    assert decoded == CODE


def test_the_qr_code_carries_the_lookup_url(folder: Path, tmp_path: Path) -> None:
    out = folder / "receipt.pdf"
    lookup = details(lookup_url="https://dichvucong.example.vn/tra-cuu")
    issue_notice(NoticeKind.receipt, folder, profile_for("1.001193", RECEIVED.date()), lookup, out)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(out), str(tmp_path / "page")], check=True
    )
    decoded, _points, _straight = cv2.QRCodeDetector().detectAndDecode(cv2.imread(str(tmp_path / "page.png")))
    assert decoded == f"https://dichvucong.example.vn/tra-cuu?code={CODE}"


def test_a_notice_record_of_an_unknown_kind_is_reported_as_damage(folder: Path) -> None:
    profile = profile_for("1.001193", RECEIVED.date())
    issue_notice(NoticeKind.supplement, folder, profile, details(), folder / "bo-sung-1.pdf")
    entries = json.loads((folder / "notices.json").read_text(encoding="utf-8"))
    (folder / "notices.json").write_text(json.dumps([{**entries[0], "kind": "giay-khen"}]), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        issue_notice(NoticeKind.supplement, folder, profile, details(), folder / "bo-sung-2.pdf")
    assert "notices.json" in caught.value.message and "giay-khen" in caught.value.message
    assert not (folder / "bo-sung-2.pdf").exists()


def test_a_second_supplement_for_the_same_scan_is_refused_with_the_reason(folder: Path) -> None:
    profile = profile_for("1.001193", RECEIVED.date())
    issue_notice(NoticeKind.supplement, folder, profile, details(), folder / "bo-sung-1.pdf")
    with pytest.raises(SupplementAlreadyIssuedError) as caught:
        issue_notice(NoticeKind.supplement, folder, profile, details(), folder / "bo-sung-2.pdf")
    assert caught.value.exit_code is ExitCode.dossier_incomplete
    assert "Đã ra phiếu yêu cầu bổ sung ngày" in caught.value.message
    assert "một lần" in caught.value.message
    assert not (folder / "bo-sung-2.pdf").exists()
    entries = json.loads((folder / "notices.json").read_text(encoding="utf-8"))
    assert [e["kind"] for e in entries] == ["supplement"]
    assert entries[0]["component_ids"] == ["TP02"]
    assert (folder / "notices.json").stat().st_mode & 0o777 == 0o600


def test_a_new_supplement_is_allowed_after_the_scan_changed(folder: Path) -> None:
    profile = profile_for("1.001193", RECEIVED.date())
    issue_notice(NoticeKind.supplement, folder, profile, details(), folder / "bo-sung-1.pdf")
    write_vietnamese_pdf(folder / "scan.pdf", [DECLARATION, CONTINUATION])
    issued = issue_notice(NoticeKind.supplement, folder, profile, details(), folder / "bo-sung-2.pdf")
    assert issued.component_ids == ("TP02",)
    assert (folder / "bo-sung-2.pdf").exists()
    entries = json.loads((folder / "notices.json").read_text(encoding="utf-8"))
    assert len({e["scan_sha256"] for e in entries}) == 2


def test_a_folder_without_scan_pdf_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"scan\.pdf"):
        issue_notice(NoticeKind.receipt, tmp_path, profile_for("1.001193"), details(), tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_form_numbers_follow_the_rules_in_force() -> None:
    assert "01/2018/TT-VPCP" in form_reference(NoticeKind.supplement, date(2025, 6, 30))
    assert "03/2025/TT-VPCP" in form_reference(NoticeKind.supplement, date(2025, 7, 1))
    assert form_reference(NoticeKind.refusal, date(2026, 1, 1)).startswith("Mẫu số 03")


def _cli_args(kind: str, folder: Path, out: Path, *extra: str) -> list[str]:
    return [
        "notice",
        kind,
        str(folder),
        "--out",
        str(out),
        "--procedure",
        "1.001193",
        "--code",
        CODE,
        "--applicant-name",
        APPLICANT,
        "--received",
        "2026-11-23T09:32",
        "--officer",
        "Nguyễn Văn Bình",
        *extra,
    ]


def test_cli_supplement_then_refused_second_time(folder: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, _cli_args("supplement", folder, folder / "a.pdf"))
    assert first.exit_code == 0, first.output
    assert "TP02" in first.output
    second = runner.invoke(cli, _cli_args("supplement", folder, folder / "b.pdf"))
    assert second.exit_code == ExitCode.dossier_incomplete
    assert "Đã ra phiếu yêu cầu bổ sung" in flat(second.output)


def test_cli_refusal_needs_a_reason_and_bad_codes_are_usage_errors(folder: Path) -> None:
    runner = CliRunner()
    missing_reason = runner.invoke(cli, _cli_args("refusal", folder, folder / "r.pdf"))
    assert missing_reason.exit_code == ExitCode.usage
    bad = _cli_args("refusal", folder, folder / "r.pdf", "--reason", "Sai thẩm quyền")
    bad[bad.index(CODE)] = "not-a-code"
    assert runner.invoke(cli, bad).exit_code == ExitCode.usage
    good = runner.invoke(cli, _cli_args("refusal", folder, folder / "r.pdf", "--reason", "Sai thẩm quyền"))
    assert good.exit_code == 0, good.output
    assert "Sai thẩm quyền" in pdf_text(folder / "r.pdf")


def test_cli_without_scan_pdf_exits_with_input_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, _cli_args("receipt", tmp_path, tmp_path / "x.pdf"))
    assert result.exit_code == ExitCode.input_file
    assert "scan.pdf" in result.output


def test_a_form_for_a_dossier_received_before_july_2025_cites_the_2018_circular(folder: Path) -> None:
    received = datetime(2025, 6, 2, 10, 0)
    out = folder / "receipt.pdf"
    profile = profile_for("1.001193", received.date())
    issue_notice(NoticeKind.receipt, folder, profile, details(received=received), out)
    text = flat(pdf_text(out))
    assert "Mẫu số 01, ban hành kèm theo Thông tư số 01/2018/TT-VPCP" in text


def test_a_complete_dossier_needs_no_supplement_request(folder: Path) -> None:
    birth_cert = [*HEADER, "GIẤY CHỨNG SINH", "Họ và tên mẹ: Trần Thị Mỹ Duyên"]
    write_vietnamese_pdf(folder / "scan.pdf", [DECLARATION, birth_cert])
    with pytest.raises(NothingToSupplementError) as caught:
        issue_notice(NoticeKind.supplement, folder, profile_for("1.001193"), details(), folder / "s.pdf")
    assert caught.value.exit_code is ExitCode.config
    assert not (folder / "s.pdf").exists()
    assert not (folder / "notices.json").exists()


def test_a_refusal_needs_no_scan_and_is_recorded(tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    issued = issue_notice(NoticeKind.refusal, tmp_path, profile_for("1.001193"), details(), out)
    assert issued.scan_sha256 is None
    entries = json.loads((tmp_path / "notices.json").read_text(encoding="utf-8"))
    assert entries[0]["kind"] == "refusal"
    assert "Hồ sơ không thuộc thẩm quyền giải quyết của xã." in flat(pdf_text(tmp_path / "r.pdf"))


def _issue_supplement_in_another_process(folder: str, out: str, start: object) -> str:
    start.wait()  # type: ignore[attr-defined]
    profile = profile_for("1.001193", RECEIVED.date())
    try:
        issue_notice(NoticeKind.supplement, Path(folder), profile, details(), Path(out))
    except SupplementAlreadyIssuedError:
        return "refused"
    return "issued"


def test_two_desks_issuing_a_supplement_at_once_give_exactly_one(folder: Path) -> None:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Barrier(2)
        with context.Pool(2) as pool:
            outcomes = pool.starmap(
                _issue_supplement_in_another_process,
                [(str(folder), str(folder / f"bo-sung-{n}.pdf"), start) for n in (1, 2)],
            )
    assert sorted(outcomes) == ["issued", "refused"]
    entries = json.loads((folder / "notices.json").read_text(encoding="utf-8"))
    assert [e["kind"] for e in entries] == ["supplement"]
    assert sum((folder / f"bo-sung-{n}.pdf").exists() for n in (1, 2)) == 1


def _args_without_name(kind: str, folder: Path, out: Path, *extra: str) -> list[str]:
    args = _cli_args(kind, folder, out, *extra)
    at = args.index("--applicant-name")
    return args[:at] + args[at + 2 :]


def test_the_applicant_name_can_stay_off_the_command_line(folder: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    applicant = tmp_path / "nguoi-nop.json"
    applicant.write_text(
        json.dumps({"full_name": APPLICANT, "address": "Thôn 3, Hòa Tiến"}), encoding="utf-8"
    )
    applicant.chmod(0o644)
    readable = runner.invoke(
        cli, _args_without_name("receipt", folder, folder / "a.pdf", "--applicant-file", str(applicant))
    )
    assert readable.exit_code == ExitCode.input_file and "chmod 600" in readable.output  # personal data
    applicant.chmod(0o600)
    from_file = runner.invoke(
        cli, _args_without_name("receipt", folder, folder / "a.pdf", "--applicant-file", str(applicant))
    )
    assert from_file.exit_code == 0, from_file.output
    assert APPLICANT in flat(pdf_text(folder / "a.pdf")) and "Thôn 3, Hòa Tiến" in flat(
        pdf_text(folder / "a.pdf")
    )
    prompted = runner.invoke(
        cli, _args_without_name("receipt", folder, folder / "b.pdf"), input=APPLICANT + "\n"
    )
    assert prompted.exit_code == 0, prompted.output
    assert APPLICANT in flat(pdf_text(folder / "b.pdf"))
    applicant.write_text("[1, 2]", encoding="utf-8")
    broken = runner.invoke(
        cli, _args_without_name("receipt", folder, folder / "c.pdf", "--applicant-file", str(applicant))
    )
    assert broken.exit_code == ExitCode.input_file and "nguoi-nop.json" in broken.output
    assert not (folder / "c.pdf").exists()


def test_a_supplement_request_follows_the_officers_assign(tmp_path: Path) -> None:
    """`notice supplement` lists exactly what `dossier check` says is missing, corrections included."""
    from dossier.cli import cli as dossier_cli

    folder = tmp_path / "hs-002"
    folder.mkdir()
    write_vietnamese_pdf(folder / "scan.pdf", [DECLARATION, CONTINUATION])
    runner = CliRunner()
    check = ["check", str(folder), "--procedure", "1.001193", "--json"]
    before = json.loads(runner.invoke(dossier_cli, check, catch_exceptions=False).output)
    assert before["missing_ids"] == ["TP02"]
    # the officer sees that page 1 is not the declaration at all: it goes back to the citizen
    assigned = runner.invoke(
        dossier_cli, [*check, "--assign", "1-2=none", "--officer", "Nguyễn Văn Bình"], catch_exceptions=False
    )
    assert assigned.exit_code == ExitCode.dossier_incomplete
    missing = json.loads(assigned.output)["missing_ids"]
    assert missing == ["TP01", "TP02"]

    out = folder / "phieu-bo-sung.pdf"
    args = ["notice", "supplement", str(folder), "--procedure", "1.001193", "--code", CODE]
    result = runner.invoke(
        dossier_cli,
        [*args, "--applicant-name", APPLICANT, "--received", "2026-11-23T09:32", "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert f"Thành phần: {', '.join(missing)}" in result.output
    (entry,) = json.loads((folder / "notices.json").read_text())
    assert entry["component_ids"] == missing
