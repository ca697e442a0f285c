"""A damaged signature (CMS with its signer certificate removed or swapped) never stops a verification run:
every file gets a verdict, the damaged one INDETERMINATE with its reason."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest
from asn1crypto import cms, pem, x509
from click.testing import CliRunner

from dossier.errors import ExitCode
from dossier.samples.pki import TestPki
from dossier.signing.audit import audit_tree
from dossier.signing.verify import verify_file
from dossier.signing.verify_cli import audit, verify
from tests.signing.conftest import write_sample_pdf
from tests.signing.signed_samples import SignedSet, build_signed_set, load_root

pytestmark = pytest.mark.pki


@pytest.fixture(scope="session")
def samples(test_pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> SignedSet:
    return build_signed_set(test_pki, tmp_path_factory.mktemp("signed"), write_sample_pdf)


def rewrite_cms_certificates(source: Path, output: Path, certificates: list[x509.Certificate]) -> Path:
    """Replace the certificates of the last signature's CMS (same /Contents length, the signed bytes kept)."""
    data = bytearray(source.read_bytes())
    start = data.rindex(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", start)
    raw = bytes.fromhex(data[start:end].decode())
    length = len(cms.ContentInfo.load(raw, strict=False).dump())
    info = cms.ContentInfo.load(raw[:length])
    info["content"]["certificates"] = cms.CertificateSet(
        [cms.CertificateChoices(name="certificate", value=c) for c in certificates]
    )
    blob = info.dump(force=True).hex().encode()
    assert len(blob) <= end - start
    data[start:end] = blob + b"0" * (end - start - len(blob))
    output.write_bytes(bytes(data))
    return output


def load_certificate(path: Path) -> x509.Certificate:
    return x509.Certificate.load(pem.unarmor(path.read_bytes())[2])


@pytest.fixture(scope="session")
def damaged(
    samples: SignedSet, test_pki: TestPki, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("damaged")
    removed = rewrite_cms_certificates(samples.b_b, directory / "bo-chung-thu.pdf", [])
    swapped = rewrite_cms_certificates(
        samples.b_b, directory / "doi-chung-thu.pdf", [load_certificate(test_pki.intermediate)]
    )
    return removed, swapped


def test_a_removed_or_swapped_signer_certificate_is_indeterminate(
    damaged: tuple[Path, Path], test_pki: TestPki
) -> None:
    for path in damaged:
        result = verify_file(path, (load_root(test_pki.root),))
        assert result.indication.value == "INDETERMINATE", path
        assert not result.passed
        assert result.signatures and result.signatures[0].problem, path
        assert type(result.signatures[0].field_name) is str  # not pyHanko's object holding the reader
        pickle.loads(pickle.dumps(result))  # travels back from an audit worker


def test_verify_json_reports_every_file_despite_damaged_ones(
    damaged: tuple[Path, Path], samples: SignedSet, test_pki: TestPki
) -> None:
    files = [damaged[0], samples.b_lt, damaged[1], samples.b_b]
    result = CliRunner().invoke(verify, [*map(str, files), "--trust", str(test_pki.root), "--json"])
    assert result.exit_code == ExitCode.verification_failed, result.output
    document = json.loads(result.stdout)
    assert [Path(f["path"]).name for f in document["files"]] == [p.name for p in files]
    verdicts = [f["indication"] for f in document["files"]]
    assert verdicts[1] == verdicts[3] == "TOTAL-PASSED"
    assert verdicts[0] != "TOTAL-PASSED" and verdicts[2] != "TOTAL-PASSED"
    assert document["files"][0]["signatures"][0]["problem"]


def test_audit_with_two_workers_over_eight_files_finishes(
    damaged: tuple[Path, Path], samples: SignedSet, test_pki: TestPki, tmp_path: Path
) -> None:
    root = tmp_path / "luu-tru"
    root.mkdir()
    sources = [damaged[0], damaged[1], *samples.good[:4], samples.byte_changed, damaged[0], samples.b_t]
    for number, source in enumerate(sources):
        shutil.copyfile(source, root / f"{number:02d}-{source.name}")
    result = audit_tree(root, (load_root(test_pki.root),), jobs=2)
    assert result.summary.total == len(sources)
    by_name = {Path(f.path).name: f for f in result.files}
    assert by_name["00-bo-chung-thu.pdf"].indication.value != "TOTAL-PASSED"
    assert by_name["02-b-b.pdf"].passed
    cli = CliRunner().invoke(audit, [str(root), "--trust", str(test_pki.root), "--jobs", "2", "--json"])
    assert cli.exit_code == ExitCode.verification_failed, cli.output
    assert len(json.loads(cli.stdout)["files"]) == len(sources)
