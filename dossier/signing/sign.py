"""Sign a batch of PDFs with one key: precheck the certificate once, then PAdES B-B/B-T/B-LT/B-LTA per file.

One event loop and one HTTP session for the whole batch: the ValidationContext (and the OCSP/CRL answers it
fetched) and the timestamp client are shared by every file. Each signed copy is an incremental update of the
original (PDF/A stays PDF/A), written atomically with mode 0600; a file that fails leaves no output.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asn1crypto import x509

from dossier.errors import DossierError, ExitCode, InputFileError, OutputError, SigningError
from dossier.fsutil import atomic_write_bytes, make_private_dir, sha256_bytes
from dossier.i18n import _
from dossier.progress import ProgressCallback
from dossier.signing.appearance import (
    StampSpec,
    StampStyleFactory,
    page_index,
    signing_time_text,
    top_right_box,
)
from dossier.signing.inputs import SignJob
from dossier.signing.keys import OpenedSigner
from dossier.signing.precheck import CertificateCheck, check_certificate
from dossier.signing.settings import Level

if TYPE_CHECKING:
    from pyhanko.sign.fields import SigFieldSpec

FIELD_PREFIX = "Signature"
CONCURRENCY = 2  # files in flight: one is hashed and signed while another waits for the TSA
TSA_TIMEOUT = 10


@dataclass(frozen=True)
class SignRequest:
    """The "what": level, timestamp service, appearance (None = invisible), strictness."""

    level: Level
    tsa_url: str | None = None
    stamp: StampSpec | None = None
    allow_fallback_bb: bool = False
    strict_revocation: bool = False
    reason: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class SignedFile:
    path: Path
    output: Path
    level: Level
    field: str
    signing_time: str
    sha256_before: str
    sha256_after: str
    seconds: float


@dataclass(frozen=True)
class FailedFile:
    path: Path
    reason: str
    exit_code: ExitCode


@dataclass(frozen=True)
class BatchResult:
    signer: CertificateCheck
    source: str
    level_requested: Level
    level_reached: Level
    fell_back_to_bb: bool
    files: tuple[SignedFile, ...]
    failed: tuple[FailedFile, ...]
    seconds: float

    @property
    def exit_code(self) -> ExitCode:
        if not self.failed:
            return ExitCode.ok
        if self.files:
            return ExitCode.partial
        return self.failed[0].exit_code


def sign_batch(
    jobs: Sequence[SignJob],
    out_dir: Path,
    request: SignRequest,
    key: OpenedSigner,
    trust_roots: Sequence[x509.Certificate],
    progress: ProgressCallback | None = None,
) -> BatchResult:
    """Check the certificate (SigningError, nothing written, when it is refused), then sign every job."""
    if request.level.needs_timestamp and not request.tsa_url:
        raise SigningError(
            _("Mức {level} cần dịch vụ cấp dấu thời gian: dùng --tsa hoặc [signing] tsa_url.").format(
                level=request.level
            )
        )
    if not trust_roots:
        raise SigningError(_("Chưa có CA gốc tin cậy nào: dùng --trust hoặc [signing] trust."))
    return asyncio.run(_sign_batch(jobs, out_dir, request, key, tuple(trust_roots), progress))


async def _sign_batch(
    jobs: Sequence[SignJob],
    out_dir: Path,
    request: SignRequest,
    key: OpenedSigner,
    trust_roots: tuple[x509.Certificate, ...],
    progress: ProgressCallback | None,
) -> BatchResult:
    import aiohttp
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

    started = time.monotonic()
    async with aiohttp.ClientSession() as session:
        hard_fail = request.strict_revocation or request.level.embeds_validation_info
        context = ValidationContext(
            trust_roots=list(trust_roots),
            other_certs=list(key.chain),
            allow_fetching=True,
            revocation_mode="hard-fail" if hard_fail else "soft-fail",
            fetcher_backend=AIOHttpFetcherBackend(session),
        )
        check = await check_certificate(key.certificate, key.chain, context)
        level = request.level
        timestamper = None
        if level.needs_timestamp:
            assert request.tsa_url is not None
            timestamper = HTTPTimeStamper(request.tsa_url, timeout=TSA_TIMEOUT, session=session)
            if not await _tsa_answers(timestamper, request):
                level = Level.b_b
                timestamper = None
        stamp = StampStyleFactory(request.stamp, check.common_name) if request.stamp is not None else None
        make_private_dir(out_dir)
        state = _BatchState(level, request, key, context, timestamper, stamp)
        try:
            outcomes = await _sign_concurrently(jobs, state, progress)
        finally:
            if stamp is not None:
                stamp.close()
    signed = [o for o in outcomes if isinstance(o, SignedFile)]
    failed = [o for o in outcomes if isinstance(o, FailedFile)]
    return BatchResult(
        signer=check,
        source=key.source,
        level_requested=request.level,
        level_reached=level,
        fell_back_to_bb=level is not request.level,
        files=tuple(signed),
        failed=tuple(failed),
        seconds=time.monotonic() - started,
    )


async def _tsa_answers(timestamper: object, request: SignRequest) -> bool:
    """One probe per batch, so an unreachable TSA stops the batch before anything is written."""
    import aiohttp
    from pyhanko.sign.timestamps import TimestampRequestError

    probe = hashlib.sha256(b"dossier TSA probe").digest()
    try:
        await timestamper.async_timestamp(probe, "sha256")  # type: ignore[attr-defined]
        return True
    except (TimeoutError, TimestampRequestError, OSError, aiohttp.ClientError) as error:
        if request.allow_fallback_bb:
            return False
        raise SigningError(
            _(
                "Không kết nối được dịch vụ cấp dấu thời gian {url} ({reason}): không ký tệp nào. "
                "Dùng --allow-fallback-bb để ký mức B-B không có dấu thời gian."
            ).format(url=request.tsa_url, reason=error or type(error).__name__)
        ) from None


@dataclass
class _BatchState:
    """What every file of a batch shares; `reserved` is the signature size learnt from the first file."""

    level: Level
    request: SignRequest
    key: OpenedSigner
    context: object
    timestamper: object
    stamp: StampStyleFactory | None
    reserved: int | None = None


async def _sign_concurrently(
    jobs: Sequence[SignJob], state: _BatchState, progress: ProgressCallback | None
) -> list[SignedFile | FailedFile]:
    """A few files in flight at once: while one waits for the TSA, another is hashed and signed."""
    gate = asyncio.Semaphore(CONCURRENCY)
    done = 0

    async def one(job: SignJob) -> SignedFile | FailedFile:
        nonlocal done
        async with gate:
            try:
                outcome: SignedFile | FailedFile = await _sign_one(job, state)
            except DossierError as error:
                outcome = FailedFile(job.source, error.message, error.exit_code)
        done += 1
        if progress is not None:
            progress(done, len(jobs))
        return outcome

    return list(await asyncio.gather(*(one(job) for job in jobs)))


def _field_name(existing: set[str]) -> str:
    number = len(existing) + 1
    while f"{FIELD_PREFIX}{number}" in existing:
        number += 1
    return f"{FIELD_PREFIX}{number}"


async def _sign_one(job: SignJob, state: _BatchState) -> SignedFile:
    from pyhanko.sign.general import SigningError as PyHankoSigningError

    try:
        try:
            return await _sign_one_sized(job, state, state.reserved)
        except PyHankoSigningError as error:
            if state.reserved is None or "larger than expected" not in str(error):
                raise
            return await _sign_one_sized(
                job, state, None
            )  # an unusually large signature: let pyHanko estimate
    except PyHankoSigningError as error:
        raise SigningError(_("Ký thất bại: {reason}").format(reason=error), job.source) from error


async def _sign_one_sized(job: SignJob, state: _BatchState, reserved: int | None) -> SignedFile:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers

    level, request, key, stamp = state.level, state.request, state.key, state.stamp
    started = time.monotonic()
    try:
        data = job.source.read_bytes()
    except OSError as error:
        raise InputFileError(_("Không đọc được tệp: {reason}").format(reason=error), job.source) from error
    try:
        writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
        if writer.prev.encrypted:
            raise InputFileError(_("Tệp PDF được mã hóa: không ký được."), job.source)
        _keep_pdfa_metadata_consistent(writer)
        existing = {name for name, _value, _ref in fields.enumerate_sig_fields(writer)}
        field = _field_name(existing)
        spec = _field_spec(writer, field, stamp, job.source)
        moment = datetime.now(UTC)
        meta = signers.PdfSignatureMetadata(
            field_name=field,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            embed_validation_info=level.embeds_validation_info,
            use_pades_lta=level is Level.b_lta,
            validation_context=state.context if level.embeds_validation_info else None,  # type: ignore[arg-type]
            reason=request.reason,
            location=request.location,
        )
        pdf_signer = signers.PdfSigner(
            meta,
            signer=key.signer,  # type: ignore[arg-type]
            timestamper=state.timestamper,  # type: ignore[arg-type]
            stamp_style=stamp.style if stamp is not None else None,
            new_field_spec=spec,
        )
        output = BytesIO()
        await pdf_signer.async_sign_pdf(
            writer,
            output=output,
            bytes_reserved=reserved,
            appearance_text_params=stamp.text_params(moment) if stamp else None,
        )
    except DossierError:
        raise
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as error:
        raise InputFileError(
            _("Tệp PDF hỏng hoặc không đọc được: {reason}").format(reason=error), job.source
        ) from error
    signed = output.getvalue()
    if state.reserved is None:
        state.reserved = _reserved_size(signed, field)
    try:
        atomic_write_bytes(job.output, signed)
    except OSError as error:
        raise OutputError(_("Không ghi được tệp đã ký: {reason}").format(reason=error), job.output) from error
    return SignedFile(
        path=job.source,
        output=job.output,
        level=level,
        field=field,
        signing_time=signing_time_text(moment),
        sha256_before=sha256_bytes(data),
        sha256_after=sha256_bytes(signed),
        seconds=time.monotonic() - started,
    )


# Our scans' XMP extension schema (dossier/digitize/pdf.py): pyHanko rewrites the XMP packet with lxml when it
# signs, which would rename this prefix to ns0, no longer the prefix the PDF/A extension schema declares.
_XMP_PREFIXES = {"dossier": "http://ns.dossier.local/xmp/1.0/"}


def _keep_pdfa_metadata_consistent(writer: object) -> None:
    """PDF/A wants the Info dictionary and the XMP packet to agree. pyHanko sets XMP pdf:Producer to its
    own name but appends its name to the Info /Producer; making the Info value pyHanko's name keeps them
    equal (the original producer stays in the first revision)."""
    from lxml import etree
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.metadata.model import VENDOR

    for prefix, uri in _XMP_PREFIXES.items():
        etree.register_namespace(prefix, uri)
    try:
        info = writer.trailer_view["/Info"]  # type: ignore[attr-defined]
    except KeyError:
        return
    if "/Metadata" in writer.root and "/Producer" in info:  # type: ignore[attr-defined]
        info["/Producer"] = generic.TextStringObject(VENDOR)


def _reserved_size(signed: bytes, field: str) -> int | None:
    """The size pyHanko reserved for the signature container in a signed file, to reuse for the next files
    of the batch (its estimate costs a dry-run signature per file)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    for embedded in PdfFileReader(BytesIO(signed)).embedded_regular_signatures:
        if embedded.field_name == field:
            return 2 * len(embedded.sig_object.get_object()["/Contents"].original_bytes)  # hex digits
    return None


def _field_spec(writer: object, field: str, stamp: StampStyleFactory | None, path: Path) -> SigFieldSpec:
    from pyhanko.sign import fields

    if stamp is None:
        return fields.SigFieldSpec(sig_field_name=field)
    count = int(writer.root["/Pages"]["/Count"])  # type: ignore[attr-defined]
    index = page_index(stamp.spec.page, count, path)
    if stamp.spec.box is not None:
        box = tuple(round(v) for v in stamp.spec.box)
    else:
        page = writer.find_page_for_modification(index)[0].get_object()  # type: ignore[attr-defined]
        media_box = tuple(float(v) for v in _inherited(page, "/MediaBox"))
        box = top_right_box(media_box)  # type: ignore[arg-type]
    return fields.SigFieldSpec(sig_field_name=field, on_page=index, box=box)  # type: ignore[arg-type]


def _inherited(page: object, key: str) -> Iterable[Any]:
    node = page
    while node is not None:
        if key in node:  # type: ignore[operator]
            return node[key]  # type: ignore[index]
        parent = node.get("/Parent")  # type: ignore[attr-defined]
        node = parent.get_object() if parent is not None else None
    return (0, 0, 595, 842)  # A4, when a broken file declares no page size
