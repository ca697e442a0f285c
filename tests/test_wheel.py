"""The built wheel, installed without -e into a fresh venv, runs the main commands on its own.

A plain venv (no system site-packages, nothing from this checkout on sys.path): a dependency missing from
setup.cfg, a data file missing from package_data or a module that needs an extra fails here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from dossier.errors import ExitCode

pytestmark = [pytest.mark.slow, pytest.mark.tesseract]

REPO = Path(__file__).resolve().parents[1]
P12_PASSWORD = "mat-khau-thu-wheel"


def _usage(**flags: bool) -> x509.KeyUsage:
    names = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment")
    names += ("key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")
    return x509.KeyUsage(**{name: flags.get(name, False) for name in names})


def write_signer(folder: Path) -> tuple[Path, Path]:
    """A throwaway root and signer (PKCS#12) made here: the installed package has no test PKI extra."""
    now = datetime.now(UTC)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Wheel TEST Root - KHONG DUNG THAT")])
    root = (
        x509.CertificateBuilder(
            issuer_name=root_name,
            subject_name=root_name,
            public_key=root_key.public_key(),
            serial_number=x509.random_serial_number(),
        )
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Can Bo Thu Wheel")])
    cert = (
        x509.CertificateBuilder(
            issuer_name=root_name,
            subject_name=name,
            public_key=key.public_key(),
            serial_number=x509.random_serial_number(),
        )
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(_usage(digital_signature=True, content_commitment=True), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    folder.mkdir()
    (folder / "root.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    encryption = serialization.BestAvailableEncryption(P12_PASSWORD.encode())
    p12 = pkcs12.serialize_key_and_certificates(b"signer", key, cert, [root], encryption)
    (folder / "signer.p12").write_bytes(p12)
    (folder / "signer.p12").chmod(0o600)
    return folder / "root.pem", folder / "signer.p12"


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without anything that points at the checkout or the test venv."""
    drop = {"PYTHONPATH", "VIRTUAL_ENV", "DOSSIER_CONFIG", "PIP_REQUIRE_VIRTUALENV"}
    return {**{k: v for k, v in os.environ.items() if k not in drop}, **extra}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # built from a copy of the release's files: setuptools writes build/ and *.egg-info beside the source
    source = tmp_path_factory.mktemp("source")
    for name in ("setup.cfg", "pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "dossier", source / "dossier", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("dist")
    build = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    log = build.stdout + build.stderr
    # setuptools' "Package would be ignored" (data folders not declared) and deprecation warnings
    assert "would be ignored" not in log and "SetuptoolsDeprecationWarning" not in log, log[-5000:]
    (path,) = out.glob("dossier-*.whl")
    return path


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("venv") / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, timeout=120)
    install = subprocess.run(
        [
            str(root / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    return root


def run(venv: Path, args: list[str], cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(DOSSIER_HOME=str(cwd / "home"), **extra)
    return subprocess.run(
        [str(venv / "bin" / "dossier"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_wheel_holds_the_data_files_and_the_licences(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "dossier/fonts/LiberationSerif-Regular.ttf",
        "dossier/fonts/LiberationSerif-Bold.ttf",
        "dossier/fonts/OFL.txt",
        "dossier/locale/en/LC_MESSAGES/dossier.po",
        "dossier/profiles/data/procedures/1.001193.toml",
        "dossier/signing/data/pkcs11_modules.toml",
        "dossier/digitize/data/vi_syllables.tsv",
        "dossier/digitize/data/vi_bigrams.tsv",
        "dossier/submit/openapi.yaml",
        "dossier/py.typed",
    ):
        assert needed in names, needed
    assert any(name.endswith("licenses/LICENSE") for name in names)
    assert not any(name.startswith("tests/") for name in names)


def test_the_installed_package_runs_the_main_commands(venv: Path, tmp_path: Path) -> None:
    python = venv / "bin" / "python"
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import dossier, dossier.fonts; print(dossier.__file__); print(dossier.fonts.FONT_DIR)",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    ).stdout.splitlines()
    assert all(str(venv) in line and "site-packages" in line for line in where), where  # not this checkout

    assert run(venv, ["--help"], tmp_path).returncode == 0
    profiles = run(venv, ["profiles", "list"], tmp_path)
    assert profiles.returncode == 0 and "1.001193" in profiles.stdout

    made = run(venv, ["samples", "make", "mau", "--count", "2"], tmp_path)
    assert made.returncode == 0, made.stderr
    page = sorted((tmp_path / "mau").glob("sample-*.png"))[0]

    scanned = run(venv, ["scan", str(page), "--out", "hs", "--json"], tmp_path)
    assert scanned.returncode == 0, scanned.stderr
    assert json.loads(scanned.stdout)["pages"] == 1
    (pdf,) = (tmp_path / "hs").glob("*.pdf")

    root, p12 = write_signer(tmp_path / "pki")
    args = ["sign", str(pdf), "--out", "ky", "--p12", str(p12), "--trust", str(root), "--level", "B-B"]
    signed = run(venv, args, tmp_path, DOSSIER_P12_PASSWORD=P12_PASSWORD)
    assert signed.returncode == 0, signed.stderr
    verified = run(
        venv, ["verify", str(tmp_path / "ky" / pdf.name), "--trust", str(root), "--json"], tmp_path
    )
    assert verified.returncode in (ExitCode.ok, ExitCode.verification_failed), verified.stderr
    (signature,) = json.loads(verified.stdout)["files"][0]["signatures"]
    assert signature["intact"] and signature["signer"] == "Can Bo Thu Wheel"


def test_doctor_in_the_fresh_venv_finds_the_packaged_fonts_and_names_the_extras(
    venv: Path, tmp_path: Path
) -> None:
    process = run(venv, ["doctor", "--json"], tmp_path)
    assert process.returncode == ExitCode.ok, process.stdout + process.stderr
    found = {f["key"]: f for f in json.loads(process.stdout)["findings"]}
    assert found["fonts"]["ok"] and str(venv) in found["fonts"]["detail"]  # the package's copy, not Debian's
    assert not found["extra_portal"]["ok"] and found["extra_portal"]["fix"] == 'pip install "dossier[portal]"'
    assert not found["extra_pki"]["ok"]
    refused = run(venv, ["portal", "serve", "--port", "0"], tmp_path, DOSSIER_PORTAL_SERVER_TOKEN="bi-mat")
    assert refused.returncode == ExitCode.missing_dependency
    assert 'pip install "dossier[portal]"' in refused.stderr and "Traceback" not in refused.stderr
