"""`dossier audit` on a folder mixing good and bad files: counts, exit code, JSON, the HTML report."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dossier.cli import DossierGroup
from dossier.errors import ExitCode
from dossier.samples.pki import TestPki
from dossier.signing.audit import audit_tree, find_pdfs
from dossier.signing.indication import Indication
from dossier.signing.verify_cli import audit
from tests.signing.conftest import write_sample_pdf
from tests.signing.signed_samples import SignedSet, build_signed_set, load_root

pytestmark = pytest.mark.pki

ODD_NAME = "tờ khai <1> & 2.pdf"  # names may hold markup characters: the report must escape them


@pytest.fixture(scope="session")
def samples(test_pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> SignedSet:
    return build_signed_set(test_pki, tmp_path_factory.mktemp("signed"), write_sample_pdf)


@pytest.fixture
def mixed_folder(samples: SignedSet, tmp_path: Path) -> Path:
    root = tmp_path / "luu-tru"
    layout = {
        "hs-001/TP01.pdf": samples.b_lt,
        "hs-001/con/TP02.pdf": samples.b_b,
        "hs-002/TP01.pdf": samples.scan_b_lt,
        f"hs-002/{ODD_NAME}": samples.byte_changed,
        "hs-003/them-trang.pdf": samples.page_added,
        "hs-003/khong-tin-cay.pdf": samples.untrusted,
        "hs-004/bo-chu-ky.pdf": samples.stripped,
        ".tam/bo-qua.pdf": samples.byte_changed,  # hidden folders (staging, temporary) are not audited
    }
    for name, source in layout.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, root / name)
    (root / "hs-004" / "HONG.PDF").write_bytes(b"%PDF-1.7\nnot really")
    (root / "hs-004" / "ghi-chu.txt").write_text("không phải PDF", encoding="utf-8")
    return root


def test_find_pdfs_walks_the_tree(mixed_folder: Path) -> None:
    names = [p.relative_to(mixed_folder).as_posix() for p in find_pdfs(mixed_folder)]
    assert names == sorted(names) and len(names) == 8
    assert "hs-001/con/TP02.pdf" in names and "hs-004/HONG.PDF" in names
    assert not any(name.startswith(".tam") for name in names)


def test_audit_counts_in_parallel(mixed_folder: Path, test_pki: TestPki) -> None:
    result = audit_tree(mixed_folder, (load_root(test_pki.root),), jobs=2)
    summary = result.summary
    assert (summary.total, summary.passed, summary.indeterminate, summary.failed, summary.unsigned) == (
        8,
        3,
        1,
        3,
        1,
    )
    by_name = {Path(f.path).name: f for f in result.files}
    assert by_name[ODD_NAME].sub_indication == "HASH_FAILURE"
    assert by_name["them-trang.pdf"].sub_indication == "FORMAT_FAILURE"
    assert by_name["HONG.PDF"].error
    assert not result.passed


class TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(path: Path) -> str:
    parser = TextOnly()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return "".join(parser.parts)


def test_cli_audit_writes_json_and_html_and_fails(
    mixed_folder: Path, test_pki: TestPki, tmp_path: Path
) -> None:
    report = tmp_path / "bao-cao.html"
    result = CliRunner().invoke(
        audit,
        [str(mixed_folder), "--trust", str(test_pki.root), "--html", str(report), "--json", "--jobs", "2"],
    )
    assert result.exit_code == ExitCode.verification_failed, result.output
    document = json.loads(result.stdout)
    assert document["summary"] == {"total": 8, "passed": 3, "indeterminate": 1, "failed": 3, "unsigned": 1}
    assert all({"indication", "sub_indication", "signatures"} <= set(f) for f in document["files"])
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    text = html_text(report)
    for entry in document["files"]:
        # named by the path relative to the audited folder (the JSON keeps the full path)
        assert str(Path(entry["path"]).relative_to(mixed_folder)) in text
        assert entry["indication"] in text
    assert ODD_NAME in text and "&lt;1&gt; &amp; 2.pdf" in report.read_text(encoding="utf-8")
    assert "NO_SIGNATURE" in text and "HASH_FAILURE" in text and "NO_CERTIFICATE_CHAIN_FOUND" in text


def test_cli_audit_of_good_files_exits_0(samples: SignedSet, test_pki: TestPki, tmp_path: Path) -> None:
    for index, path in enumerate(samples.good):
        shutil.copyfile(path, tmp_path / f"{index}.pdf")
    result = CliRunner().invoke(audit, [str(tmp_path), "--trust", str(test_pki.root), "--jobs", "1"])
    assert result.exit_code == ExitCode.ok, result.output
    assert "TOTAL-PASSED" in result.stdout and str(len(samples.good)) in result.stdout


def test_an_empty_folder_is_an_input_error(tmp_path: Path) -> None:
    @click.group(cls=DossierGroup)
    def group() -> None:
        """The error funnel of `dossier`, around the audit command alone."""

    group.add_command(audit)
    result = CliRunner().invoke(group, ["audit", str(tmp_path)])
    assert result.exit_code == ExitCode.input_file
    assert str(tmp_path) in result.stderr


def test_a_real_process_audits_with_two_workers(mixed_folder: Path, test_pki: TestPki) -> None:
    process = subprocess.run(
        [
            sys.executable,
            "-c",
            "from dossier.signing.verify_cli import audit; audit()",
            str(mixed_folder),
            "--trust",
            str(test_pki.root),
            "--json",
            "--jobs",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert process.returncode == ExitCode.verification_failed, process.stderr
    document = json.loads(process.stdout)
    assert document["summary"]["passed"] == 3
    assert [f["indication"] for f in document["files"]].count(Indication.total_passed.value) == 3
