"""Validation contexts for one file: trust roots plus the document's DSS, offline; or online, fetching OCSP
and CRLs through fetchers shared by the whole process."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import x509
from pyhanko.sign.validation import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers import Fetchers

from dossier.errors import MissingDependencyError
from dossier.i18n import _
from dossier.signing.verify_result import RevocationSource


@dataclass
class Contexts:
    """Builds validation contexts for one file: trust roots, the document's DSS, the revocation mode."""

    trust_roots: Sequence[x509.Certificate]
    dss: DocumentSecurityStore | None
    at: datetime | None = None  # an offline validation time other than now

    @property
    def has_embedded_revinfo(self) -> bool:
        return self.dss is not None and bool(self.dss.ocsps or self.dss.crls)

    def offline(self, moment: datetime | None = None) -> ValidationContext:
        """From the DSS alone; at `moment` (a proof of existence) revocation data issued later also counts."""
        kwargs: dict[str, Any] = {
            "trust_roots": list(self.trust_roots),
            "revocation_mode": "hard-fail",
            "allow_fetching": False,
        }
        if moment is not None:
            kwargs.update(moment=moment, retroactive_revinfo=True)
        elif self.at is not None:
            kwargs.update(moment=self.at)
        if self.dss is not None:
            return self.dss.as_validation_context(kwargs)
        return ValidationContext(**kwargs, crls=[], ocsps=[])

    def online(self) -> ValidationContext:
        certs = list(self.dss.load_certs()) if self.dss is not None else []
        return ValidationContext(
            trust_roots=list(self.trust_roots),
            other_certs=certs,
            revocation_mode="hard-fail",
            allow_fetching=True,
            fetchers=shared_fetchers(),
        )


_FETCHERS_REUSE = 200
_fetchers_state: dict[str, object] = {}


def shared_fetchers(*, count_use: bool = True) -> Fetchers:
    """One set of OCSP/CRL/certificate fetchers per process, renewed every few hundred uses.

    A batch of files signed by the same officers asks the same responders about the same certificates: the
    fetchers keep the answers, so a folder costs one OCSP request per certificate, not one per file. They
    are renewed before pyHanko's per-fetcher request budget could run out.
    """
    uses = int(_fetchers_state.get("uses", 0))  # type: ignore[call-overload]
    if "fetchers" not in _fetchers_state or uses >= _FETCHERS_REUSE:
        # requests, not aiohttp: its sessions outlive the event loop of one file's validation
        try:
            from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend
        except ImportError as error:
            raise MissingDependencyError(
                _("Thiếu gói Python `requests` để hỏi OCSP/CRL: cài lại dossier (pip install -e .).")
            ) from error
        _fetchers_state["fetchers"] = RequestsFetcherBackend(per_request_timeout=10).get_fetchers()
        uses = 0
    _fetchers_state["uses"] = uses + (1 if count_use else 0)
    return _fetchers_state["fetchers"]  # type: ignore[return-value]


def fetched_source(cert: x509.Certificate) -> RevocationSource:
    """Which kind of answer the online check got about the signer's own certificate."""
    fetchers = shared_fetchers(count_use=False)
    if list(fetchers.ocsp_fetcher.fetched_responses_for_cert(cert)):
        return RevocationSource.ocsp
    try:
        crls = list(fetchers.crl_fetcher.fetched_crls_for_cert(cert))
    except KeyError:
        crls = []
    return RevocationSource.crl if crls else RevocationSource.none
