"""Trust roots: the certificates a province decides to trust (national root CA, public CAs, its test CA).

Read from PEM bundles or DER files given with `--trust` and from `trust = [...]` in the `[signing]` section of
the configuration file. We ship no certificate: a province puts the ones it has verified into its trust store.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from asn1crypto import pem, x509

from dossier.config import config_path, config_section, resolve_config_path
from dossier.errors import ConfigError, InputFileError
from dossier.i18n import _


def load_certificates(path: Path) -> tuple[x509.Certificate, ...]:
    """Every certificate in a PEM bundle or a single DER file."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputFileError(
            _("Không đọc được tệp chứng thư số: {reason}").format(reason=error), path
        ) from error
    try:
        if pem.detect(data):
            certificates = tuple(
                x509.Certificate.load(der)
                for kind, _headers, der in pem.unarmor(data, multiple=True)
                if kind == "CERTIFICATE"
            )
        else:
            certificates = (x509.Certificate.load(data),)
        for certificate in certificates:
            certificate.native  # noqa: B018 - parse fully now, so a corrupt file fails here, not mid-batch
    except (ValueError, TypeError) as error:
        raise InputFileError(
            _("Tệp không phải chứng thư số X.509 (PEM/DER): {reason}").format(reason=error), path
        ) from error
    if not certificates:
        raise InputFileError(_("Tệp không chứa chứng thư số nào."), path)
    return certificates


def configured_trust_paths() -> tuple[Path, ...]:
    """The `trust` entries of the `[signing]` section, relative to the configuration file."""
    value = config_section("signing").get("trust", [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(_("[signing] trust phải là danh sách đường dẫn tệp PEM."), config_path())
    return tuple(resolve_config_path(item) for item in value)


def load_trust_roots(
    extra: Iterable[Path] = (), *, include_configured: bool = True
) -> tuple[x509.Certificate, ...]:
    """The configured trust roots plus those given on the command line, without duplicates."""
    paths = (*configured_trust_paths(), *extra) if include_configured else tuple(extra)
    seen: dict[bytes, x509.Certificate] = {}
    for path in paths:
        for certificate in load_certificates(path):
            seen.setdefault(certificate.sha256, certificate)
    return tuple(seen.values())
