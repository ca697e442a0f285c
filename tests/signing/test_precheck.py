"""The certificate check before signing, including a PKI whose OCSP and CRL services are down."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pyhanko_certvalidator import ValidationContext

from dossier.errors import ExitCode, SigningError
from dossier.samples.pki import TestPki, free_port, write_test_pki
from dossier.signing.precheck import check_certificate, check_dates
from tests.signing.conftest import P12_PASSWORD, load_pem_certificate, post_validate, run_cli

pytestmark = pytest.mark.pki


@pytest.fixture(scope="module")
def offline_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    """A second test PKI whose services are never started: its OCSP responder and CRLs are unreachable."""
    yield write_test_pki(
        tmp_path_factory.mktemp("offline-pki"),
        now=datetime.now(UTC),
        port=free_port(),
        p12_password=P12_PASSWORD,
    )


def check(pki: TestPki, name: str, mode: str = "hard-fail", fetching: bool = True) -> object:
    certificate = load_pem_certificate(pki.signer(name).cert)
    chain = (load_pem_certificate(pki.intermediate),)
    context = ValidationContext(
        trust_roots=[load_pem_certificate(pki.root)],
        allow_fetching=fetching,
        revocation_mode=mode,
        **({} if fetching else {"crls": [], "ocsps": []}),
    )
    return asyncio.run(check_certificate(certificate, chain, context))


def test_good_certificate_passes_and_ocsp_answered(test_pki: TestPki) -> None:
    result = check(test_pki, "officer")
    assert result.common_name == "Cán Bộ Thử Nghiệm"
    assert result.revocation_source == "OCSP"
    assert "Intermediate" in result.issuer


def test_revoked_is_refused_even_in_soft_mode(test_pki: TestPki) -> None:
    with pytest.raises(SigningError, match="thu hồi"):
        check(test_pki, "officer-revoked", mode="soft-fail")


def test_dates_are_checked_against_the_clock(test_pki: TestPki) -> None:
    certificate = load_pem_certificate(test_pki.signer("officer").cert)
    check_dates(certificate, datetime.now(UTC))
    with pytest.raises(SigningError, match="chưa có hiệu lực"):
        check_dates(certificate, datetime.now(UTC) - timedelta(days=60))
    with pytest.raises(SigningError, match="hết hạn"):
        check_dates(certificate, datetime.now(UTC) + timedelta(days=800))


def test_unanswered_revocation_refused_in_hard_mode_only(offline_pki: TestPki) -> None:
    with pytest.raises(SigningError, match="Không kiểm tra được tình trạng thu hồi"):
        check(offline_pki, "officer", fetching=False)
    assert check(offline_pki, "officer", mode="soft-fail", fetching=False).revocation_source is None


def test_unreachable_ocsp_and_crl_through_the_cli(
    offline_pki: TestPki, sample_pdf: Path, tmp_path: Path
) -> None:
    env = {"DOSSIER_P12_PASSWORD": P12_PASSWORD}
    base = ["sign", sample_pdf, "--p12", offline_pki.signer("officer").p12, "--trust", offline_pki.root]
    base += ["--level", "B-B", "--json"]
    result = run_cli([*base, "--out", tmp_path / "strict", "--strict-revocation"], env=env)
    assert result.exit_code == ExitCode.signing_failed
    assert "Không kiểm tra được tình trạng thu hồi" in result.stderr
    assert not (tmp_path / "strict").exists()

    result = run_cli([*base, "--out", tmp_path / "soft"], env=env)  # B-B asks no revocation proof by default
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["signer"]["revocation_source"] is None


def test_revoked_through_the_cli_names_the_source(
    test_pki: TestPki, sample_pdf: Path, tmp_path: Path
) -> None:
    env = {"DOSSIER_P12_PASSWORD": P12_PASSWORD}
    args = ["sign", sample_pdf, "--out", tmp_path / "o", "--p12", test_pki.signer("officer-revoked").p12]
    result = run_cli([*args, "--trust", test_pki.root, "--level", "B-B"], env=env)
    assert result.exit_code == ExitCode.signing_failed
    assert "OCSP" in result.stderr and "Cán Bộ Bị Thu Hồi" in result.stderr


def test_good_offline_signature_still_validates_against_its_own_root(
    test_pki: TestPki, sample_pdf: Path, tmp_path: Path
) -> None:
    env = {"DOSSIER_P12_PASSWORD": P12_PASSWORD}
    args = ["sign", sample_pdf, "--out", tmp_path / "o", "--p12", test_pki.signer("officer").p12]
    assert run_cli([*args, "--trust", test_pki.root, "--level", "B-B"], env=env).exit_code == 0
    post_validate(tmp_path / "o" / sample_pdf.name, test_pki)


class _OcspDownProxy:
    """Stands at the address the certificates name: OCSP requests (POST) get 503, CRL downloads (GET) are
    fetched from the real certomancer server; `crl_down` makes the CRLs fail too."""

    def __init__(self, port: int, upstream: str) -> None:
        import http.server
        import threading
        import urllib.request

        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.send_response(503)
                self.end_headers()

            def do_GET(self) -> None:
                if proxy.crl_down:
                    self.send_response(503)
                    self.end_headers()
                    return
                with urllib.request.urlopen(upstream + self.path, timeout=5) as answer:
                    body = answer.read()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.crl_down = False
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_ocsp_down_then_crl_answers(test_pki: TestPki, tmp_path: Path) -> None:
    """OCSP first, then CRL: with the responder down, the CRL decides, and the result says so."""
    import dataclasses

    from dossier.samples.pki import running_pki_server

    named_port = free_port()  # the port the certificates' OCSP and CRL addresses point at: the proxy's
    pki = write_test_pki(
        tmp_path / "pki",
        now=datetime.now(UTC),
        port=named_port,
        p12_password=P12_PASSWORD,
        reuse_keys_from=test_pki,
    )
    upstream = dataclasses.replace(pki, port=free_port())  # the real services, on another port
    with running_pki_server(upstream):
        proxy = _OcspDownProxy(named_port, upstream.base_url)
        try:
            result = check(pki, "officer")
            assert result.revocation_source == "CRL"
            with pytest.raises(SigningError, match="thu hồi"):
                check(pki, "officer-revoked")  # the CRL lists it: still refused without OCSP
            proxy.crl_down = True
            with pytest.raises(SigningError, match="OCSP và CRL không trả lời"):
                check(pki, "officer")
        finally:
            proxy.close()
