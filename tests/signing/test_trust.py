"""Trust roots from PEM bundles, DER files and the configuration file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from dossier.errors import ConfigError, InputFileError
from dossier.signing.trust import load_certificates, load_trust_roots


def _self_signed(name: str) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


def test_pem_bundle_and_der_file(tmp_path: Path) -> None:
    first, second = _self_signed("Root A"), _self_signed("Root B")
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(
        first.public_bytes(serialization.Encoding.PEM) + second.public_bytes(serialization.Encoding.PEM)
    )
    der = tmp_path / "root.cer"
    der.write_bytes(first.public_bytes(serialization.Encoding.DER))
    names = [c.subject.native["common_name"] for c in load_certificates(bundle)]
    assert names == ["Root A", "Root B"]
    assert load_certificates(der)[0].subject.native["common_name"] == "Root A"
    # the same certificate from two files is trusted once
    assert len(load_trust_roots([bundle, der])) == 2


@pytest.mark.parametrize(
    "content", [b"", b"not a certificate", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"]
)
def test_a_file_without_certificates_is_named(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.pem"
    path.write_bytes(content)
    with pytest.raises(InputFileError) as raised:
        load_certificates(path)
    assert raised.value.path == path


def test_configured_roots_are_added(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "roots").mkdir()
    (tmp_path / "roots" / "national.pem").write_bytes(
        _self_signed("National Root").public_bytes(serialization.Encoding.PEM)
    )
    config = tmp_path / "config.toml"
    config.write_text('[signing]\ntrust = ["roots/national.pem"]\n', encoding="utf-8")
    monkeypatch.setenv("DOSSIER_CONFIG", str(config))
    extra = tmp_path / "extra.pem"
    extra.write_bytes(_self_signed("Extra").public_bytes(serialization.Encoding.PEM))
    names = {c.subject.native["common_name"] for c in load_trust_roots([extra])}
    assert names == {"National Root", "Extra"}
    assert {c.subject.native["common_name"] for c in load_trust_roots([extra], include_configured=False)} == {
        "Extra"
    }
    config.write_text("[signing]\ntrust = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_trust_roots()
