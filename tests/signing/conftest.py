"""The signing area's real services: a fresh certomancer PKI on 127.0.0.1, SoftHSM2 tokens, an NSS database.

Session-scoped and xdist-safe: every worker process generates its own PKI in its own folder, on its own free
port, and its own SoftHSM2 token folder (SOFTHSM2_CONF is set for the worker's whole session, before any
PKCS#11 module is loaded in it).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import click
import numpy as np
import pytest
from asn1crypto import pem, x509
from click.testing import CliRunner, Result
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from dossier.cli import DossierGroup
from dossier.digitize.encode import encode_page_image
from dossier.digitize.pdf import PdfMetadata, PdfPageSpec, write_pdf
from dossier.models import ColourMode
from dossier.samples.pki import (
    SoftHsmToken,
    TestPki,
    add_key_to_token,
    init_softhsm_token,
    install_on_softhsm,
    running_pki_server,
    write_test_pki,
)
from dossier.signing.sign_cli import sign, tokens
from tests.conftest import VIETNAMESE_LINES, render_text_page

P12_PASSWORD = "mat-khau-thu-nghiem"  # the test PKCS#12 files' password (a test secret, not a real one)
TOKEN_PIN = "246810"
SO_PIN = "13579111"
OFFICER_TOKEN = "dossier-officer"  # officer key+cert, label "officer", id b"officer" (hex 6f666669636572)
UNLABELLED_TOKEN = (
    "dossier-unlabelled"  # officer key+cert with an empty label and id 0x01, like many VN tokens
)
TWO_KEYS_TOKEN = (
    "dossier-two-keys"  # officer (label "officer") and officer-no-usage (label "officer-no-usage")
)
VN = timezone(timedelta(hours=7))


@dataclass(frozen=True)
class SoftHsmTokens:
    officer: SoftHsmToken
    unlabelled: SoftHsmToken
    two_keys: SoftHsmToken


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    """A freshly generated test PKI with `certomancer animate` serving it on a free loopback port."""
    pki = write_test_pki(tmp_path_factory.mktemp("pki"), now=datetime.now(UTC), p12_password=P12_PASSWORD)
    with running_pki_server(pki):
        yield pki


@pytest.fixture(scope="session")
def softhsm_tokens(test_pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHsmTokens]:
    """Three SoftHSM2 tokens in one private token folder; SOFTHSM2_CONF points at it for the session."""
    token_dir = tmp_path_factory.mktemp("softhsm")
    officer = install_on_softhsm(test_pki, "officer", token_dir, OFFICER_TOKEN, TOKEN_PIN, SO_PIN)
    unlabelled = init_softhsm_token(token_dir, UNLABELLED_TOKEN, TOKEN_PIN, SO_PIN)
    add_key_to_token(unlabelled, test_pki, "officer", object_label="", object_id=b"\x01")
    two_keys = init_softhsm_token(token_dir, TWO_KEYS_TOKEN, TOKEN_PIN, SO_PIN)
    add_key_to_token(two_keys, test_pki, "officer")
    add_key_to_token(two_keys, test_pki, "officer-no-usage", include_chain=False)
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(officer.conf)
    try:
        yield SoftHsmTokens(officer, unlabelled, two_keys)
    finally:
        if previous is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture(scope="session")
def softhsm_token(softhsm_tokens: SoftHsmTokens) -> SoftHsmToken:
    """The officer's key and certificate (label "officer") with its chain on a SoftHSM2 token."""
    return softhsm_tokens.officer


@pytest.fixture(scope="session")
def nss_db(test_pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An NSS database (for pdfsig -nssdir / vfychain -d) trusting the test root CA."""
    directory = tmp_path_factory.mktemp("nssdb")
    database = f"sql:{directory}"
    subprocess.run(["certutil", "-N", "--empty-password", "-d", database], check=True, capture_output=True)
    subprocess.run(
        ["certutil", "-A", "-n", "root", "-t", "CT,C,C", "-i", str(test_pki.root), "-d", database],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            "certutil",
            "-A",
            "-n",
            "intermediate",
            "-t",
            ",,",
            "-i",
            str(test_pki.intermediate),
            "-d",
            database,
        ],
        check=True,
        capture_output=True,
    )
    return directory


SAMPLE_METADATA = PdfMetadata(
    title="Tờ khai đăng ký khai sinh",
    scan_time=datetime(2025, 3, 4, 9, 30, 0, tzinfo=VN),
    device="test:virtual-scanner",
    software="dossier tests",
    dossier_id="000.00.06.H56-250304-0001",
)


def write_sample_pdf(path: Path) -> Path:
    """A one-page PDF/A-2b like our scans (bilevel CCITT G4 page image, A4 at 100 dpi)."""
    image = np.asarray(render_text_page(VIETNAMESE_LINES, size=(827, 1169), font_px=20, dpi=100).convert("L"))
    write_pdf(
        [PdfPageSpec.scanned(encode_page_image(image, ColourMode.bw, 100), None)], path, SAMPLE_METADATA
    )
    return path


@pytest.fixture
def sample_pdf(tmp_path: Path) -> Path:
    return write_sample_pdf(tmp_path / "to-khai.pdf")


def signing_cli() -> click.Group:
    """Our commands inside the real `dossier` group class: DossierError -> message + exit code, as in use."""
    group = DossierGroup(name="dossier")
    group.add_command(sign)
    group.add_command(tokens)
    return group


def run_cli(args: list[str], env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(signing_cli(), [str(a) for a in args], env=env, catch_exceptions=False)


def load_pem_certificate(path: Path) -> x509.Certificate:
    return x509.Certificate.load(pem.unarmor(path.read_bytes())[2])


def post_validate(path: Path, pki: TestPki) -> list[PdfSignatureStatus]:
    """Every signature in `path` must be intact, valid and trusted (pyHanko's post_validate habit)."""
    root = load_pem_certificate(pki.root)
    statuses = []
    with path.open("rb") as fh:
        reader = PdfFileReader(fh)
        assert reader.embedded_regular_signatures, f"{path} has no signature"
        for embedded in reader.embedded_regular_signatures:
            context = ValidationContext(trust_roots=[root], allow_fetching=True)
            status = validate_pdf_signature(embedded, context)
            assert status.intact and status.valid and status.trusted, status.pretty_print_details()
            statuses.append(status)
    return statuses
