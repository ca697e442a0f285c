"""A freshly generated, clearly labelled test PKI for tests and the demo (never for real documents).

RSA-2048 keys made with `cryptography` on the spot, a certomancer configuration whose validity windows are
relative to `now`, certificates and PKCS#12 files written from it, `certomancer animate` serving OCSP, CRLs,
the certificate repository and an RFC 3161 timestamp authority on 127.0.0.1, and a helper that puts an
officer's key on a SoftHSM2 token. Nothing here is committed: every run makes new keys.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

import click
from asn1crypto import pem
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from dossier.cli_common import json_option
from dossier.extras import require_extra
from dossier.fsutil import FILE_MODE, atomic_write_bytes, atomic_write_text, make_private_dir
from dossier.i18n import _

ARCH = "dossier-test"
ROOT_CN = "Dossier TEST Root CA - KHÔNG DÙNG THẬT"
SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
READY_TIMEOUT = 20.0

# Officer certificates: label -> (common name, key usages, validity offsets from now, revoked days ago).
OFFICERS: dict[str, tuple[str, list[str], tuple[timedelta, timedelta], int | None]] = {
    "officer": (
        "Cán Bộ Thử Nghiệm",
        ["digital_signature", "non_repudiation"],
        (timedelta(days=-30), timedelta(days=730)),
        None,
    ),
    "officer-expired": (
        "Cán Bộ Hết Hạn",
        ["digital_signature", "non_repudiation"],
        (timedelta(days=-730), timedelta(days=-365)),
        None,
    ),
    "officer-revoked": (
        "Cán Bộ Bị Thu Hồi",
        ["digital_signature", "non_repudiation"],
        (timedelta(days=-30), timedelta(days=730)),
        10,
    ),
    "officer-no-usage": (
        "Cán Bộ Sai Mục Đích Khóa",
        ["key_encipherment"],
        (timedelta(days=-30), timedelta(days=730)),
        None,
    ),
}
UNTRUSTED = "untrusted"
SIGNERS = (*OFFICERS, UNTRUSTED)


@dataclass(frozen=True)
class SignerFiles:
    """One end-entity certificate of the test PKI with its key, as PEM files and a PKCS#12 file."""

    name: str
    common_name: str
    cert: Path
    key: Path
    p12: Path


@dataclass(frozen=True)
class TestPki:
    """Paths and service URLs of a test PKI written by `write_test_pki`."""

    __test__ = False  # not a pytest test class, whatever its name

    directory: Path
    config_path: Path
    port: int
    root: Path  # the trust anchor (PEM)
    intermediate: Path
    untrusted_root: Path  # a root that is NOT meant to be trusted
    tsa_cert: Path
    ocsp_cert: Path
    password_file: Path  # the PKCS#12 password, mode 0600
    signers: tuple[SignerFiles, ...]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/{ARCH}/tsa/tsa"

    @property
    def ocsp_url(self) -> str:
        return f"{self.base_url}/{ARCH}/ocsp/interm"

    @property
    def crl_url(self) -> str:
        return f"{self.base_url}/{ARCH}/crls/interm/latest.crl"

    @property
    def p12_password(self) -> str:
        return self.password_file.read_text(encoding="utf-8").strip()

    def signer(self, name: str) -> SignerFiles:
        for files in self.signers:
            if files.name == name:
                return files
        raise KeyError(name)

    def to_json(self) -> dict[str, object]:
        return {
            "directory": str(self.directory),
            "config": str(self.config_path),
            "port": self.port,
            "root": str(self.root),
            "intermediate": str(self.intermediate),
            "untrusted_root": str(self.untrusted_root),
            "tsa_url": self.tsa_url,
            "ocsp_url": self.ocsp_url,
            "crl_url": self.crl_url,
            "password_file": str(self.password_file),
            "signers": {
                s.name: {
                    "common_name": s.common_name,
                    "cert": str(s.cert),
                    "key": str(s.key),
                    "p12": str(s.p12),
                }
                for s in self.signers
            },
        }


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (bind to port 0 and let the kernel choose)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _validity(now: datetime, start: timedelta, end: timedelta) -> dict[str, str]:
    return {"valid-from": _when(now + start), "valid-to": _when(now + end)}


def _key_usage(*usages: str) -> dict[str, object]:
    return {
        "id": "key_usage",
        "critical": True,
        "smart-value": {"schema": "key-usage", "params": list(usages)},
    }


def _revocation_pointers() -> list[dict[str, object]]:
    return [
        {
            "id": "crl_distribution_points",
            "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["interm"]}},
        },
        {
            "id": "authority_information_access",
            "smart-value": {
                "schema": "aia-urls",
                "params": {"ocsp-responder-names": ["interm"], "ca-issuer-links": [{"repo": "interm"}]},
            },
        },
    ]


def certomancer_config(now: datetime, port: int) -> dict[str, object]:
    """The whole PKI as a certomancer configuration; dates are absolute, so they are computed from `now`."""
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware")
    now_utc = now.astimezone(UTC).replace(microsecond=0)
    ca_window = _validity(now_utc, timedelta(days=-3 * 365), timedelta(days=10 * 365))
    ca_extensions = [
        {"id": "basic_constraints", "critical": True, "value": {"ca": True}},
        _key_usage("digital_signature", "key_cert_sign", "crl_sign"),
    ]
    entities: dict[str, dict[str, str]] = {
        "root": {"common-name": ROOT_CN},
        "interm": {"common-name": "Dossier TEST Intermediate CA - KHÔNG DÙNG THẬT"},
        "ocsp": {"common-name": "Dossier TEST OCSP Responder"},
        "tsa": {"common-name": "Dossier TEST Time Stamping Authority"},
        "untrusted-root": {
            "common-name": "Untrusted TEST Root CA - KHÔNG TIN CẬY",
            "organization-name": "Untrusted TEST PKI",
        },
        UNTRUSTED: {"common-name": "Người Ký Không Tin Cậy", "organization-name": "Untrusted TEST PKI"},
    }
    certs: dict[str, dict[str, object]] = {
        "root": {"subject": "root", "issuer": "root", "validity": ca_window, "extensions": ca_extensions},
        "interm": {
            "subject": "interm",
            "issuer": "root",
            "validity": ca_window,
            "extensions": [
                {
                    "id": "basic_constraints",
                    "critical": True,
                    "value": {"ca": True, "path-len-constraint": 0},
                },
                _key_usage("digital_signature", "key_cert_sign", "crl_sign"),
                {
                    "id": "crl_distribution_points",
                    "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["root"]}},
                },
            ],
        },
        "ocsp": {
            "subject": "ocsp",
            "issuer": "interm",
            "validity": _validity(now_utc, timedelta(days=-365), timedelta(days=5 * 365)),
            "extensions": [
                _key_usage("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["ocsp_signing"]},
                {"id": "ocsp_no_check"},
            ],
        },
        "tsa": {
            "subject": "tsa",
            "issuer": "root",
            "validity": _validity(now_utc, timedelta(days=-365), timedelta(days=5 * 365)),
            "extensions": [
                _key_usage("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
            ],
        },
        "untrusted-root": {
            "subject": "untrusted-root",
            "issuer": "untrusted-root",
            "validity": ca_window,
            "extensions": ca_extensions,
        },
        UNTRUSTED: {
            "subject": UNTRUSTED,
            "issuer": "untrusted-root",
            "validity": _validity(now_utc, timedelta(days=-30), timedelta(days=730)),
            "extensions": [_key_usage("digital_signature", "non_repudiation")],
        },
    }
    for name, (common_name, usages, (start, end), revoked_days) in OFFICERS.items():
        entities[name] = {"common-name": common_name}
        spec: dict[str, object] = {
            "subject": name,
            "issuer": "interm",
            "validity": _validity(now_utc, start, end),
            "extensions": [_key_usage(*usages), *_revocation_pointers()],
        }
        if revoked_days is not None:
            spec["revocation"] = {
                "revoked-since": _when(now_utc - timedelta(days=revoked_days)),
                "reason": "key_compromise",
            }
        certs[name] = spec
    keys = {name: {"path": f"{name}.key.pem"} for name in certs}
    return {
        "external-url-prefix": f"http://127.0.0.1:{port}",
        "keysets": {ARCH: {"path-prefix": "keys", "keys": keys}},
        "pki-architectures": {
            ARCH: {
                "keyset": ARCH,
                "entity-defaults": {
                    "country-name": "VN",
                    "organization-name": "Dossier TEST PKI - KHÔNG DÙNG THẬT",
                },
                "entities": entities,
                "certs": certs,
                "services": {
                    "ocsp": {
                        "interm": {"for-issuer": "interm", "responder-cert": "ocsp", "signing-key": "ocsp"}
                    },
                    "crl-repo": {
                        "root": {
                            "for-issuer": "root",
                            "signing-key": "root",
                            "simulated-update-schedule": "P1D",
                        },
                        "interm": {
                            "for-issuer": "interm",
                            "signing-key": "interm",
                            "simulated-update-schedule": "P1D",
                        },
                    },
                    "cert-repo": {
                        "root": {"for-issuer": "root", "publish-issued-certs": True},
                        "interm": {"for-issuer": "interm", "publish-issued-certs": True},
                    },
                    "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
                },
            }
        },
    }


def _new_key_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def write_test_pki(
    directory: Path,
    *,
    now: datetime,
    port: int | None = None,
    p12_password: str | None = None,
    reuse_keys_from: TestPki | None = None,
) -> TestPki:
    """Generate keys, the certomancer configuration, certificates and PKCS#12 files under `directory`.

    `port` is where `certomancer animate` will listen (the URLs inside the certificates point there); a free
    one is chosen when omitted. The PKCS#12 password is `p12_password` or a random one, written 0600 to
    `p12-password.txt`; it is never printed. `reuse_keys_from` copies another test PKI's keys instead of
    generating new ones (tests that need a second PKI, e.g. with its services down, save the key generation).
    """
    require_extra("pki")
    import yaml
    from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig

    directory = directory.absolute()  # the server runs in this folder: paths inside must not be relative
    port = port if port is not None else free_port()
    password = p12_password if p12_password is not None else secrets.token_urlsafe(18)
    make_private_dir(directory)
    keys_dir = make_private_dir(directory / "keys")
    certs_dir = make_private_dir(directory / "certs")
    config = certomancer_config(now, port)
    for name in config["pki-architectures"][ARCH]["certs"]:  # type: ignore[index]
        if reuse_keys_from is not None:
            key_pem = (reuse_keys_from.directory / "keys" / f"{name}.key.pem").read_bytes()
        else:
            key_pem = _new_key_pem()
        atomic_write_bytes(keys_dir / f"{name}.key.pem", key_pem)
    config_path = directory / "certomancer.yml"
    atomic_write_text(config_path, yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    password_file = directory / "p12-password.txt"
    atomic_write_text(password_file, password + "\n")

    arch = CertomancerConfig.from_file(str(config_path)).get_pki_arch(ArchLabel(ARCH))
    for name in config["pki-architectures"][ARCH]["certs"]:  # type: ignore[index]
        cert = arch.get_cert(CertLabel(name))
        atomic_write_bytes(certs_dir / f"{name}.cert.pem", pem.armor("CERTIFICATE", cert.dump()))
    signers = []
    for name in SIGNERS:
        p12 = directory / f"{name}.pfx"
        atomic_write_bytes(p12, arch.package_pkcs12(CertLabel(name), password=password.encode()))
        common_name = OFFICERS[name][0] if name in OFFICERS else "Người Ký Không Tin Cậy"
        signers.append(
            SignerFiles(name, common_name, certs_dir / f"{name}.cert.pem", keys_dir / f"{name}.key.pem", p12)
        )
    return TestPki(
        directory=directory,
        config_path=config_path,
        port=port,
        root=certs_dir / "root.cert.pem",
        intermediate=certs_dir / "interm.cert.pem",
        untrusted_root=certs_dir / "untrusted-root.cert.pem",
        tsa_cert=certs_dir / "tsa.cert.pem",
        ocsp_cert=certs_dir / "ocsp.cert.pem",
        password_file=password_file,
        signers=tuple(signers),
    )


class PkiServer:
    """A running `certomancer animate` serving the test PKI on 127.0.0.1 (OCSP, CRLs, certificates, TSA)."""

    def __init__(self, pki: TestPki, process: subprocess.Popen[bytes]) -> None:
        self.pki = pki
        self.process = process

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# `certomancer animate`, with certomancer's documented crypto backend swapped for one that parses each private
# key once: the stock backend re-parses the key for every OCSP answer and timestamp (about 60 ms each with
# today's `cryptography`), which a real TSA does not do and which would make the local TSA the bottleneck.
_ANIMATE_SCRIPT = """
import sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from certomancer import crypto_utils
from certomancer.cli import cli

class KeyCachingBackend(crypto_utils.PycaCryptographyBackend):
    def __init__(self):
        self._keys = {}

    def generic_sign(self, private_key, tbs_bytes, sd_algo):
        der = private_key.dump()
        key = self._keys.get(der)
        if key is None:
            key = self._keys[der] = serialization.load_der_private_key(der, password=None)
        if sd_algo.signature_algo == 'rsassa_pkcs1v15' and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(tbs_bytes, padding.PKCS1v15(), getattr(hashes, sd_algo.hash_algo.upper())())
        return super().generic_sign(private_key, tbs_bytes, sd_algo)

crypto_utils.CRYPTO_BACKEND = KeyCachingBackend()
cli(sys.argv[1:], prog_name='certomancer')
"""


def start_pki_server(pki: TestPki, timeout: float = READY_TIMEOUT) -> PkiServer:
    """Start `certomancer animate` for `pki` and wait until it answers (about 1.5 s)."""
    command = [sys.executable, "-c", _ANIMATE_SCRIPT, "--config", str(pki.config_path)]
    command += ["animate", "--port", str(pki.port), "--no-web-ui"]
    log = os.fdopen(
        os.open(pki.directory / "animate.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE), "ab"
    )
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=pki.directory)
    log.close()
    server = PkiServer(pki, process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"certomancer animate exited with {process.returncode}: see {pki.directory / 'animate.log'}"
            )
        try:
            with urlopen(pki.crl_url, timeout=2) as answer:
                if answer.status == 200:
                    return server
        except (URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"certomancer animate did not answer on port {pki.port} within {timeout:.0f} s")


@contextmanager
def running_pki_server(pki: TestPki) -> Iterator[PkiServer]:
    server = start_pki_server(pki)
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class SoftHsmToken:
    """A SoftHSM2 token in a private folder; `conf` goes into SOFTHSM2_CONF of whoever loads `module`."""

    conf: Path
    module: Path
    label: str
    pin: str
    so_pin: str

    def environ(self) -> dict[str, str]:
        return {**os.environ, "SOFTHSM2_CONF": str(self.conf)}


def softhsm_conf(token_dir: Path) -> Path:
    """A private SoftHSM2 configuration whose tokens live in `token_dir/tokens`."""
    make_private_dir(token_dir / "tokens")
    conf = token_dir / "softhsm2.conf"
    if not conf.exists():
        atomic_write_text(
            conf,
            f"directories.tokendir = {token_dir / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n",
        )
    return conf


def init_softhsm_token(token_dir: Path, label: str, pin: str, so_pin: str) -> SoftHsmToken:
    """A new empty token labelled `label` (SoftHSM gives it a new slot number: select tokens by label)."""
    conf = softhsm_conf(token_dir)
    token = SoftHsmToken(conf, SOFTHSM_MODULE, label, pin, so_pin)
    # A test token's PINs: softhsm2-util only takes them as arguments.
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", so_pin],
        env=token.environ(),
        check=True,
        capture_output=True,
    )
    return token


_IMPORT_SCRIPT = """
import os, sys
from asn1crypto import keys, pem, x509
from certomancer.integrations.alchemist import DefaultAlchemistBackend, open_pkcs11_session
label, module, cert_path, key_path, object_label, object_id, chain = sys.argv[1:8]
def load(path, kind):
    data = open(path, 'rb').read()
    return kind.load(pem.unarmor(data)[2])
with open_pkcs11_session(module, token_label=label, pin=os.environ['TOKEN_PIN']) as session:
    backend = DefaultAlchemistBackend(session)
    ident = bytes.fromhex(object_id)
    backend.cert_to_token(load(cert_path, x509.Certificate), object_label, ident)
    backend.private_key_to_token(load(key_path, keys.PrivateKeyInfo), object_label, ident)
    for index, extra in enumerate(p for p in chain.split(os.pathsep) if p):
        cert = load(extra, x509.Certificate)
        backend.cert_to_token(cert, 'chain-%d' % index, b'chain-%d' % index)
"""


def add_key_to_token(
    token: SoftHsmToken,
    pki: TestPki,
    name: str,
    *,
    object_label: str | None = None,
    object_id: bytes | None = None,
    include_chain: bool = True,
) -> None:
    """Put signer `name`'s private key and certificate on `token` (label/id default to `name`; "" = no label).

    Runs in a child process so that this process's PKCS#11 module is initialised only once, later, by the
    code under test.
    """
    files = pki.signer(name)
    chain = (pki.intermediate, pki.root) if include_chain and name != UNTRUSTED else ()
    arguments = [
        token.label,
        str(token.module),
        str(files.cert),
        str(files.key),
        name if object_label is None else object_label,
        (object_id if object_id is not None else name.encode()).hex(),
        os.pathsep.join(str(p) for p in chain),
    ]
    subprocess.run(
        [sys.executable, "-c", _IMPORT_SCRIPT, *arguments],
        env={**token.environ(), "TOKEN_PIN": token.pin},
        check=True,
        capture_output=True,
    )


def install_on_softhsm(
    pki: TestPki, name: str, token_dir: Path, label: str, pin: str, so_pin: str
) -> SoftHsmToken:
    """A new SoftHSM2 token `label` with signer `name`'s key, certificate (label, id = `name`) and chain."""
    token = init_softhsm_token(token_dir, label, pin, so_pin)
    add_key_to_token(token, pki, name)
    return token


PKI_HELP = _(
    """Tạo một hạ tầng khóa công khai THỬ NGHIỆM mới trong thư mục DIR (KHÔNG DÙNG THẬT):
CA gốc, CA trung gian, máy chủ OCSP, CRL, dịch vụ cấp dấu thời gian và chứng thư số cán bộ
(tốt, hết hạn, bị thu hồi, sai mục đích khóa, không tin cậy), kèm tệp PKCS#12. Mật khẩu PKCS#12
được sinh ngẫu nhiên và ghi vào DIR/p12-password.txt (quyền 0600), không in ra. --serve chạy luôn
các dịch vụ trên 127.0.0.1:PORT cho tới khi dừng (Ctrl-C).

\b
Ví dụ:
  dossier samples pki ./pki-thu --port 9123 --serve
  DOSSIER_P12_PASSWORD=$(cat ./pki-thu/p12-password.txt) dossier sign hs-001 --out ky \\
      --p12 ./pki-thu/officer.pfx --trust ./pki-thu/certs/root.cert.pem \\
      --tsa http://127.0.0.1:9123/dossier-test/tsa/tsa"""
)


PKI_EXIT_HELP = _(
    """Mã thoát: 0 đã tạo (với --serve: khi dừng bằng Ctrl+C hoặc SIGTERM); 2 sai cú pháp lệnh; 4 thiếu gói bổ
sung 'pki' (certomancer); 1 máy chủ certomancer không trả lời hoặc lỗi khác."""
)


@click.command(name="pki", help=PKI_HELP, epilog=PKI_EXIT_HELP)
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--port", type=click.IntRange(1, 65535), help=_("Cổng trên 127.0.0.1 (mặc định: một cổng trống).")
)
@click.option("--serve", is_flag=True, help=_("Chạy OCSP, CRL, TSA trên 127.0.0.1 cho tới khi dừng."))
@json_option
def pki_command(directory: Path, port: int | None, serve: bool, as_json: bool) -> None:
    require_extra("pki")
    pki = write_test_pki(directory, now=datetime.now(UTC), port=port)
    if as_json:
        click.echo(json.dumps(pki.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(_("Đã tạo PKI thử nghiệm (KHÔNG DÙNG THẬT) trong {dir}").format(dir=directory))
        click.echo(_("CA gốc (để tin cậy): {path}").format(path=pki.root))
        for signer in pki.signers:
            click.echo(f"  {signer.name}: {signer.p12}  ({signer.common_name})")
        click.echo(_("Mật khẩu PKCS#12: trong {path}").format(path=pki.password_file))
        click.echo(f"TSA: {pki.tsa_url}\nOCSP: {pki.ocsp_url}\nCRL: {pki.crl_url}")
    if serve:
        # `kill PID` (SIGTERM) must stop the certomancer child too, as Ctrl-C does.
        signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
        with running_pki_server(pki) as server:
            click.echo(_("Đang phục vụ trên {url} (Ctrl-C để dừng)").format(url=pki.base_url), err=True)
            with contextlib.suppress(KeyboardInterrupt):
                server.process.wait()
