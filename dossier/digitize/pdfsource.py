"""A PDF source checked with pikepdf before any page is rendered: limits, broken streams, active content.

Limits (`[scan]` in the configuration file, or the environment for one run):
- `max-pages` (`DOSSIER_MAX_PAGES`, default 2000): pages in one PDF and in one scan;
- `max-decompressed-mb` (`DOSSIER_MAX_DECOMPRESSED_MB`, default 256): bytes one page's streams inflate to
  (content, fonts, forms; images by their declared size), so a compression bomb is refused before a renderer
  inflates it. Both are checked before any page is rendered; an over-limit file is a refused source (exit 3).

Active content (actions, JavaScript, launch links, embedded files, sound and movie) is forbidden in PDF/A:
`strip_active_content` removes it from a copied born-digital page and says what it removed.
"""

from __future__ import annotations

import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image

from dossier.config import config_section
from dossier.errors import ConfigError, InputFileError
from dossier.i18n import _

DEFAULT_MAX_PAGES = 2000
DEFAULT_MAX_DECOMPRESSED_MB = 256
_CHUNK = 1024 * 1024
# PDF/A-2 (ISO 19005-2, 6.5/6.6): forbidden action types, and annotations that carry them or foreign content
FORBIDDEN_ACTIONS = {"/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/JavaScript", "/Hide"}
FORBIDDEN_ANNOTATIONS = {"/FileAttachment", "/Sound", "/Movie", "/Screen", "/3D", "/RichMedia"}
ACTION_NAMES = {"/Launch": "launch-action", "/JavaScript": "javascript-action"}


@dataclass(frozen=True)
class PdfLimits:
    max_pages: int = DEFAULT_MAX_PAGES
    max_decompressed: int = DEFAULT_MAX_DECOMPRESSED_MB * 1024 * 1024  # bytes per page

    @classmethod
    def from_config(cls) -> PdfLimits:
        """`[scan]` of the configuration file; `DOSSIER_MAX_PAGES` / `DOSSIER_MAX_DECOMPRESSED_MB` win."""
        section = config_section("scan")

        def number(key: str, env: str, default: int) -> int:
            value = os.environ.get(env) or section.get(key, default)
            try:
                parsed = int(value)
            except (TypeError, ValueError):
                parsed = 0
            if parsed <= 0:
                raise ConfigError(_("[scan] {key} phải là số nguyên dương.").format(key=key))
            return parsed

        return cls(
            max_pages=number("max-pages", "DOSSIER_MAX_PAGES", DEFAULT_MAX_PAGES),
            max_decompressed=number(
                "max-decompressed-mb", "DOSSIER_MAX_DECOMPRESSED_MB", DEFAULT_MAX_DECOMPRESSED_MB
            )
            * 1024
            * 1024,
        )


class _OverBudget(Exception):
    pass


class _Broken(Exception):
    pass


def _filters(stream: pikepdf.Stream) -> list[str]:
    value = stream.get("/Filter")
    if value is None:
        return []
    return [str(f) for f in value] if isinstance(value, pikepdf.Array) else [str(value)]


def _inflate_size(data: bytes, budget: int) -> int:
    """How many bytes zlib `data` inflates to, never holding more than a chunk; over `budget` stops early."""
    inflater = zlib.decompressobj()
    total = 0
    pending = data
    try:
        while pending:
            total += len(inflater.decompress(pending, _CHUNK))
            if total > budget:
                raise _OverBudget
            pending = inflater.unconsumed_tail
    except zlib.error as exc:
        raise _Broken(str(exc)) from exc
    return total


def _stream_size(stream: pikepdf.Stream, budget: int) -> int:
    """Bytes this stream decodes to (images: their declared raster size, never inflated here)."""
    if stream.get("/Subtype") == pikepdf.Name.Image:
        try:
            bits = int(stream.get("/BitsPerComponent", 8))
            declared = int(stream.get("/Width", 0)) * int(stream.get("/Height", 0)) * 4 * max(bits, 1) // 8
        except (TypeError, ValueError):
            declared = 0
        if declared > budget:
            raise _OverBudget
        return declared
    filters = _filters(stream)
    raw = stream.read_raw_bytes()
    if filters[:1] == ["/FlateDecode"]:
        return _inflate_size(raw, budget)
    if not filters:
        return len(raw)
    try:
        return len(stream.read_bytes())  # LZW, RunLength, ASCII filters: small in practice
    except pikepdf.PdfError:
        return len(raw)


def _reachable_streams(root: pikepdf.Object) -> Iterator[pikepdf.Stream]:
    """Every stream a page uses (contents, resources, annotations' appearances), each once."""
    seen: set[tuple[int, int]] = set()
    pending: list[pikepdf.Object] = [root]
    while pending:
        item = pending.pop()
        if not isinstance(item, pikepdf.Stream | pikepdf.Dictionary | pikepdf.Array):
            continue  # names, numbers, strings
        if item.is_indirect:
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
        if isinstance(item, pikepdf.Stream):
            yield item
            pending.extend(v for k, v in item.stream_dict.items() if k not in ("/Parent", "/Length"))
        elif isinstance(item, pikepdf.Dictionary):
            pending.extend(v for k, v in item.items() if k not in ("/Parent", "/P"))
        elif isinstance(item, pikepdf.Array):
            pending.extend(item)


def _image_is_broken(stream: pikepdf.Stream) -> bool:
    """A page image a viewer or checker cannot decode (a corrupt Flate or JPEG stream)."""
    try:
        data = stream.read_bytes(pikepdf.StreamDecodeLevel.generalized)
    except pikepdf.PdfError:
        return True
    if _filters(stream)[-1:] == ["/DCTDecode"]:
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.load()
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            return True
    return False


@dataclass(frozen=True)
class PdfPageCheck:
    broken: bool  # a stream of the page cannot be decoded: render it, never copy it
    decompressed: int  # bytes its streams inflate to


class StreamCache:
    """Per file: each shared stream (a font, a form used on every page) is inflated and checked once."""

    def __init__(self) -> None:
        self.sizes: dict[tuple[int, int], int | None] = {}  # None: broken
        self.images: dict[tuple[int, int], bool] = {}

    def size(self, stream: pikepdf.Stream, budget: int) -> int | None:
        key = stream.objgen
        if key != (0, 0) and key in self.sizes:
            return self.sizes[key]
        try:
            size: int | None = _stream_size(stream, budget)
        except _Broken:
            size = None
        if key != (0, 0):
            self.sizes[key] = size
        return size

    def image_broken(self, stream: pikepdf.Stream) -> bool:
        key = stream.objgen
        if key not in self.images:
            self.images[key] = _image_is_broken(stream)
        return self.images[key]


def check_page(
    path: Path, page: pikepdf.Page, number: int, limits: PdfLimits, cache: StreamCache | None = None
) -> PdfPageCheck:
    """Inflate (counting, not keeping) what the page uses; refuse it past the limit."""
    cache = cache or StreamCache()
    total = 0
    broken = False
    for stream in _reachable_streams(page.obj):
        try:
            size = cache.size(stream, limits.max_decompressed - total)
        except _OverBudget:
            raise InputFileError(
                _(
                    "Trang {n} giải nén ra hơn {mb} MB (giới hạn [scan] max-decompressed-mb): "
                    "có thể là tệp gây tràn bộ nhớ."
                ).format(n=number, mb=limits.max_decompressed // (1024 * 1024)),
                path=path,
            ) from None
        broken = broken or size is None
        total += size or 0
    return PdfPageCheck(broken, total)


def images_broken(page: pikepdf.Page, cache: StreamCache) -> bool:
    """A page image a viewer or `qpdf --check` cannot decode (checked only for pages to be copied)."""
    return any(
        cache.image_broken(stream)
        for stream in _reachable_streams(page.obj)
        if stream.get("/Subtype") == pikepdf.Name.Image
    )


def check_page_count(path: Path, count: int, limits: PdfLimits) -> None:
    if count > limits.max_pages:
        raise InputFileError(
            _("PDF có {n} trang, quá giới hạn {limit} trang (cấu hình [scan] max-pages).").format(
                n=count, limit=limits.max_pages
            ),
            path=path,
        )


def open_checked(path: Path) -> pikepdf.Pdf:
    try:
        return pikepdf.open(path)
    except pikepdf.PasswordError as exc:
        raise InputFileError(
            _("PDF được mã hóa bằng mật khẩu: hãy gỡ mật khẩu trước khi số hóa."), path=path
        ) from exc
    except (pikepdf.PdfError, OSError, RecursionError) as exc:
        raise InputFileError(
            _("PDF bị hỏng, không đọc được ({reason}).").format(reason=exc), path=path
        ) from exc


def _action_kinds(action: pikepdf.Object) -> Iterator[str]:
    """The forbidden types in an action and the actions chained after it (/Next)."""
    seen = 0
    pending = [action]
    while pending and seen < 100:
        item = pending.pop()
        seen += 1
        if isinstance(item, pikepdf.Array):
            pending.extend(item)
            continue
        if not isinstance(item, pikepdf.Dictionary):
            continue
        kind = str(item.get("/S", ""))
        if kind in FORBIDDEN_ACTIONS:
            yield ACTION_NAMES.get(kind, kind.lstrip("/").lower() + "-action")
        if "/Next" in item:
            pending.append(item.Next)


def strip_active_content(page: pikepdf.Dictionary, *, apply: bool = True) -> tuple[str, ...]:
    """Remove from one page what PDF/A forbids; return what was (with `apply=False`: would be) removed."""
    removed: set[str] = set()
    if "/AA" in page:
        removed.add("page-actions")
        if apply:
            del page["/AA"]
    annots = page.get("/Annots")
    if isinstance(annots, pikepdf.Array):
        kept = pikepdf.Array()
        for annot in annots:
            if not isinstance(annot, pikepdf.Dictionary):
                continue
            subtype = str(annot.get("/Subtype", ""))
            if subtype in FORBIDDEN_ANNOTATIONS:
                removed.add("embedded-file" if subtype == "/FileAttachment" else subtype.lstrip("/").lower())
                continue
            if "/AA" in annot:
                removed.add("annotation-actions")
                if apply:
                    del annot["/AA"]
            kinds = set(_action_kinds(annot.A)) if "/A" in annot else set()
            if kinds:
                removed.update(kinds)
                if apply:
                    del annot["/A"]
            kept.append(annot)
        if apply and len(kept) != len(annots):
            page.Annots = kept
    return tuple(sorted(removed))
