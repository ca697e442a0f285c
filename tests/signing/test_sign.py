"""`dossier sign` with the real test PKI: every level, refusals, the timestamp service, batches, dossiers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pikepdf
import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from dossier.errors import ExitCode
from dossier.fsutil import sha256_file
from dossier.samples.pki import TestPki, free_port
from tests.signing.conftest import P12_PASSWORD, post_validate, run_cli, write_sample_pdf

pytestmark = pytest.mark.pki
P12_ENV = {"DOSSIER_P12_PASSWORD": P12_PASSWORD}


def sign_args(pki: TestPki, inputs: list[Path], out: Path, *extra: str, signer: str = "officer") -> list[str]:
    return [
        "sign",
        *map(str, inputs),
        "--out",
        str(out),
        "--p12",
        str(pki.signer(signer).p12),
        "--trust",
        str(pki.root),
        "--tsa",
        pki.tsa_url,
        *extra,
    ]


@pytest.mark.parametrize("level", ["B-B", "B-T", "B-LT", "B-LTA"])
def test_each_level_is_reached_and_validates(test_pki: TestPki, tmp_path: Path, level: str) -> None:
    inputs = [write_sample_pdf(tmp_path / "TP01.pdf"), write_sample_pdf(tmp_path / "TP02.pdf")]
    out = tmp_path / "signed"
    result = run_cli([*sign_args(test_pki, inputs, out, "--level", level, "--json")], env=P12_ENV)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["level_reached"] == level
    assert [f["level"] for f in document["files"]] == [level, level]
    for entry in document["files"]:
        signed = Path(entry["output"])
        assert signed.parent == out and signed.stat().st_mode & 0o777 == 0o600
        (status,) = post_validate(signed, test_pki)
        assert (status.timestamp_validity is not None) == (level != "B-B")
        with signed.open("rb") as fh:
            reader = PdfFileReader(fh)
            assert ("/DSS" in reader.root) == (level in ("B-LT", "B-LTA"))
            assert bool(reader.embedded_timestamp_signatures) == (level == "B-LTA")


def test_json_reports_each_file(test_pki: TestPki, sample_pdf: Path, tmp_path: Path) -> None:
    result = run_cli(sign_args(test_pki, [sample_pdf], tmp_path / "out", "--json"), env=P12_ENV)
    document = json.loads(result.stdout)
    assert document["ok"] is True and document["exit_code"] == 0
    assert document["level_requested"] == "B-LT"  # the default when a TSA is given
    assert document["signer"]["common_name"] == "Cán Bộ Thử Nghiệm"
    assert document["signer"]["revocation_source"] == "OCSP"
    (entry,) = document["files"]
    assert entry["path"] == str(sample_pdf)
    assert entry["output"] == str(tmp_path / "out" / sample_pdf.name)
    assert entry["signer"] == "Cán Bộ Thử Nghiệm"
    assert entry["field"] == "Signature1"
    assert entry["signing_time"].endswith("+07:00")
    assert entry["sha256_before"] != entry["sha256_after"]


def test_default_level_without_tsa_is_bb(test_pki: TestPki, sample_pdf: Path, tmp_path: Path) -> None:
    args = sign_args(test_pki, [sample_pdf], tmp_path / "out", "--json")
    args.remove("--tsa")
    args.remove(test_pki.tsa_url)
    result = run_cli(args, env=P12_ENV)
    assert json.loads(result.stdout)["level_reached"] == "B-B"


@pytest.mark.parametrize(
    ("signer", "reason"),
    [
        ("officer-expired", "hết hạn"),
        ("officer-revoked", "thu hồi"),
        ("officer-no-usage", "không dùng để ký"),
        ("untrusted", "không dẫn tới CA gốc"),
    ],
)
@pytest.mark.parametrize("level", ["B-B", "B-LT"])
def test_bad_certificates_are_refused_before_signing(
    test_pki: TestPki, sample_pdf: Path, tmp_path: Path, signer: str, reason: str, level: str
) -> None:
    out = tmp_path / "out"
    result = run_cli(sign_args(test_pki, [sample_pdf], out, "--level", level, signer=signer), env=P12_ENV)
    assert result.exit_code == ExitCode.signing_failed
    assert reason in result.stderr
    assert test_pki.signer(signer).common_name in result.stderr  # the refusal names the certificate
    assert not out.exists() or not any(out.iterdir())


def test_wrong_p12_password_is_refused(test_pki: TestPki, sample_pdf: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli(sign_args(test_pki, [sample_pdf], out), env={"DOSSIER_P12_PASSWORD": "sai"})
    assert result.exit_code == ExitCode.signing_failed
    assert "sai mật khẩu" in result.stderr
    assert not out.exists()


def test_password_file_is_read(test_pki: TestPki, sample_pdf: Path, tmp_path: Path) -> None:
    password_file = tmp_path / "pw.txt"
    password_file.write_text(P12_PASSWORD + "\n")
    args = sign_args(
        test_pki, [sample_pdf], tmp_path / "out", "--level", "B-B", "--p12-password-file", password_file
    )
    assert run_cli(args).exit_code == 0


def test_unreachable_tsa_writes_nothing_unless_fallback_asked(
    test_pki: TestPki, sample_pdf: Path, tmp_path: Path
) -> None:
    dead_tsa = f"http://127.0.0.1:{free_port()}/tsa"
    out = tmp_path / "out"
    args = sign_args(test_pki, [sample_pdf], out, "--level", "B-T", "--tsa", dead_tsa)
    result = run_cli(args, env=P12_ENV)
    assert result.exit_code == ExitCode.signing_failed
    assert "dấu thời gian" in result.stderr and dead_tsa in result.stderr
    assert not (out / sample_pdf.name).exists()

    result = run_cli([*args, "--allow-fallback-bb", "--json"], env=P12_ENV)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["level_requested"] == "B-T"
    assert document["level_reached"] == "B-B" and document["fell_back_to_bb"] is True
    (status,) = post_validate(out / sample_pdf.name, test_pki)
    assert status.timestamp_validity is None


def test_signed_file_gets_a_further_signature(test_pki: TestPki, sample_pdf: Path, tmp_path: Path) -> None:
    first = tmp_path / "first"
    second = tmp_path / "second"
    assert run_cli(sign_args(test_pki, [sample_pdf], first, "--level", "B-T"), env=P12_ENV).exit_code == 0
    result = run_cli(sign_args(test_pki, [first / sample_pdf.name], second, "--json"), env=P12_ENV)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["files"][0]["field"] == "Signature2"
    statuses = post_validate(second / sample_pdf.name, test_pki)
    assert [s.signer_reported_dt is not None for s in statuses] == [True, True]
    assert (second / sample_pdf.name).read_bytes().startswith((first / sample_pdf.name).read_bytes())


def test_corrupt_file_is_named_and_the_batch_goes_on(
    test_pki: TestPki, sample_pdf: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "hong.pdf"
    broken.write_bytes(sample_pdf.read_bytes()[:400])
    out = tmp_path / "out"
    result = run_cli(sign_args(test_pki, [broken, sample_pdf], out, "--level", "B-B", "--json"), env=P12_ENV)
    assert result.exit_code == ExitCode.partial
    document = json.loads(result.stdout)
    assert [f["path"] for f in document["failed"]] == [str(broken)]
    assert document["failed"][0]["exit_code"] == ExitCode.input_file
    assert sorted(p.name for p in out.iterdir()) == [
        sample_pdf.name
    ]  # no temp files, nothing for the broken one
    post_validate(out / sample_pdf.name, test_pki)


def test_only_corrupt_files_exit_with_their_code(test_pki: TestPki, tmp_path: Path) -> None:
    broken = tmp_path / "hong.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot really\n")
    result = run_cli(sign_args(test_pki, [broken], tmp_path / "out", "--level", "B-B"), env=P12_ENV)
    assert result.exit_code == ExitCode.input_file
    assert "hong.pdf" in result.stderr


def test_dossier_folder_means_its_component_files(test_pki: TestPki, tmp_path: Path) -> None:
    folder = tmp_path / "hs-001"
    folder.mkdir()
    write_sample_pdf(folder / "scan.pdf")
    for name in ("TP01.pdf", "chua-xep-loai.pdf"):
        shutil.copy(folder / "scan.pdf", folder / name)
    components = [{"component": "TP01", "pages": [1], "path": "TP01.pdf", "sha256": "-"}]
    components.append({"component": None, "pages": [2], "path": "chua-xep-loai.pdf", "sha256": "-"})
    scan = {"path": "scan.pdf", "sha256": "-", "size": 1, "pages": 2}
    manifest = {"format": "dossier-scan/1", "files": [scan], "pages": [], "components": components}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    out = tmp_path / "signed"
    result = run_cli(sign_args(test_pki, [folder], out, "--level", "B-B", "--json"), env=P12_ENV)
    assert result.exit_code == 0, result.output
    # the manifest travels with the signed copies: the signed folder is a dossier of its own
    assert sorted(p.name for p in out.iterdir()) == ["TP01.pdf", "chua-xep-loai.pdf", "manifest.json"]
    carried = json.loads((out / "manifest.json").read_text())
    assert carried.pop("signed") == [
        {"path": name, "sha256": sha256_file(out / name)} for name in ("TP01.pdf", "chua-xep-loai.pdf")
    ]  # each signed copy with its hash, for `dossier submit` to check
    assert carried["components"] == components and carried["format"] == "dossier-scan/1"
    from contextlib import closing

    from dossier.store.registry import dossier_for_folder
    from dossier.store.workspace import resolve_workspace

    with closing(resolve_workspace().connect()) as conn:
        record = dossier_for_folder(conn, out)
    assert record is not None and record.state == "signed"

    manifest = {"format": "dossier-scan/1", "files": [scan], "pages": []}  # scanned without a procedure
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = run_cli(sign_args(test_pki, [folder], tmp_path / "scan-only", "--level", "B-B"), env=P12_ENV)
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "scan-only").iterdir()) == ["manifest.json", "scan.pdf"]


def test_same_name_twice_is_refused_up_front(test_pki: TestPki, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    inputs = [write_sample_pdf(tmp_path / "a" / "TP01.pdf"), write_sample_pdf(tmp_path / "b" / "TP01.pdf")]
    result = run_cli(sign_args(test_pki, inputs, tmp_path / "out", "--level", "B-B"), env=P12_ENV)
    assert result.exit_code == ExitCode.config
    assert not (tmp_path / "out").exists()


def test_visible_signature_keeps_pdfa_and_embeds_the_font(
    test_pki: TestPki, sample_pdf: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = sign_args(test_pki, [sample_pdf], out, "--level", "B-T", "--agency", "UBND xã Hòa Tiến")
    assert run_cli(args, env=P12_ENV).exit_code == 0
    signed = out / sample_pdf.name
    post_validate(signed, test_pki)
    original = sample_pdf.read_bytes()
    assert signed.read_bytes().startswith(original)  # an incremental update: the scan's bytes are untouched
    with pikepdf.open(signed) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        assert str(pdf.docinfo["/Producer"]) == meta["pdf:Producer"]  # PDF/A: Info and XMP agree
        assert meta["{http://ns.dossier.local/xmp/1.0/}DossierId"] == "000.00.06.H56-250304-0001"
        assert b"xmlns:dossier=" in pdf.Root.Metadata.read_bytes()
        (widget,) = [a for a in pdf.pages[0].Annots if a.get("/FT") == "/Sig"]
        x1, y1, x2, y2 = (float(v) for v in widget.Rect)
        width, height = (float(v) for v in pdf.pages[0].MediaBox[2:])
        assert x2 > width * 0.6 and y2 > height * 0.85  # top-right of the first page
        assert int(widget.F) & 4  # printable, as PDF/A requires
        fonts = list(_fonts_in(widget.AP.N))
        assert fonts, "the stamp uses no font"
        for font in fonts:
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            assert "/FontFile2" in descendant.FontDescriptor or "/FontFile3" in descendant.FontDescriptor
    text = _text_in_box(signed, (x1, y1, x2, y2), height)
    assert "Ký bởi: Cán Bộ Thử Nghiệm" in text
    for word, (left, top, right, bottom) in _word_boxes(signed, height):
        if x1 - 5 < left < x2:  # a word of the stamp: drawn inside it, not stretched beyond its right edge
            assert right <= x2 + 0.5 and y1 - 0.5 <= bottom and top <= y2 + 0.5, word
    assert "Cơ quan: UBND xã Hòa Tiến" in text
    assert "Thời gian ký: " in text and "+07:00" in text


def test_invisible_signature_has_no_widget_area(test_pki: TestPki, sample_pdf: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert (
        run_cli(
            sign_args(test_pki, [sample_pdf], out, "--level", "B-B", "--invisible"), env=P12_ENV
        ).exit_code
        == 0
    )
    with pikepdf.open(out / sample_pdf.name) as pdf:
        (field,) = pdf.Root.AcroForm.Fields
        assert [float(v) for v in field.Rect] == [0, 0, 0, 0]
    post_validate(out / sample_pdf.name, test_pki)


def _fonts_in(xobject: pikepdf.Object, depth: int = 0) -> list[pikepdf.Object]:
    found: list[pikepdf.Object] = []
    resources = xobject.get("/Resources", pikepdf.Dictionary())
    for font in resources.get("/Font", pikepdf.Dictionary()).values():
        found.append(font)
    if depth < 5:
        for inner in resources.get("/XObject", pikepdf.Dictionary()).values():
            if inner.get("/Subtype") == "/Form":
                found.extend(_fonts_in(inner, depth + 1))
    return found


def _word_boxes(path: Path, page_height: float) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Words of page 1 with their boxes in PDF coordinates (origin bottom-left), as pdftotext sees them."""
    import re
    import subprocess

    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    words = []
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    for x_min, y_min, x_max, y_max, word in re.findall(pattern, html):
        box = (float(x_min), page_height - float(y_max), float(x_max), page_height - float(y_min))
        words.append((word, box))
    assert words, "pdftotext found no words"
    return words


def _text_in_box(path: Path, box: tuple[float, float, float, float], page_height: float) -> str:
    import subprocess

    x1, y1, x2, y2 = box
    crop = [
        "-x",
        str(int(x1)),
        "-y",
        str(int(page_height - y2)),
        "-W",
        str(int(x2 - x1)),
        "-H",
        str(int(y2 - y1)),
    ]
    done = subprocess.run(
        ["pdftotext", "-r", "72", *crop, "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8")


def test_pdfsig_agrees_the_signature_is_valid(
    test_pki: TestPki, sample_pdf: Path, tmp_path: Path, nss_db: Path
) -> None:
    import subprocess

    out = tmp_path / "out"
    assert run_cli(sign_args(test_pki, [sample_pdf], out, "--level", "B-T"), env=P12_ENV).exit_code == 0
    done = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss_db}", str(out / sample_pdf.name)], capture_output=True, text=True
    )
    assert "Signature is Valid." in done.stdout, done.stdout + done.stderr
    assert "Cán Bộ Thử Nghiệm" in done.stdout


def test_seal_image_and_page_choice(test_pki: TestPki, tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    seal = tmp_path / "con-dau.png"
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((10, 10, 230, 230), outline=(220, 0, 0, 255), width=14)
    image.save(seal)
    two_pages = tmp_path / "hai-trang.pdf"
    with pikepdf.open(write_sample_pdf(tmp_path / "mot.pdf")) as pdf:
        pdf.pages.append(pdf.pages[0])
        pdf.save(two_pages)
    out = tmp_path / "out"
    args = sign_args(test_pki, [two_pages], out, "--level", "B-B", "--seal-image", seal, "--page", "-1")
    result = run_cli(args, env=P12_ENV)
    assert result.exit_code == 0, result.output
    post_validate(out / two_pages.name, test_pki)
    with pikepdf.open(out / two_pages.name) as pdf:
        assert not [a for a in pdf.pages[0].get("/Annots", []) if a.get("/FT") == "/Sig"]
        (widget,) = [a for a in pdf.pages[1].Annots if a.get("/FT") == "/Sig"]
        assert _images_in(widget.AP.N), "the seal image is not in the stamp"


def _images_in(xobject: pikepdf.Object, depth: int = 0) -> list[pikepdf.Object]:
    found: list[pikepdf.Object] = []
    for inner in (
        xobject.get("/Resources", pikepdf.Dictionary()).get("/XObject", pikepdf.Dictionary()).values()
    ):
        if inner.get("/Subtype") == "/Image":
            found.append(inner)
        elif inner.get("/Subtype") == "/Form" and depth < 5:
            found.extend(_images_in(inner, depth + 1))
    return found
