"""Acquire pages from image files, folders and PDFs: check sources, list their pages, load pixels."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pikepdf
from PIL import Image, ImageOps, UnidentifiedImageError

from dossier.digitize import pdfsource
from dossier.digitize.pdfsource import PdfLimits
from dossier.errors import InputFileError
from dossier.i18n import _
from dossier.models import RawPage, SourceKind, SourceRef

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pnm", ".ppm", ".pgm", ".pbm", ".bmp"})
PDF_SUFFIXES = frozenset({".pdf"})
# A4 at 600 dpi is 35 Mpx; A3 at 600 dpi is 70 Mpx. Anything far larger is a decompression bomb, not a page.
DEFAULT_MAX_PIXELS = 150_000_000
# A PDF page with at least this many characters of text is treated as born digital (or already OCRed).
BORN_DIGITAL_MIN_CHARS = 20
A4_LONG_SIDE_INCHES = 11.69
# A rendered PDF page is capped at this many pixels (A3 at 300 dpi is 17.4 Mpx): its dpi is lowered to fit.
MAX_RENDER_PIXELS = 24_000_000


def max_pixels() -> int:
    return int(os.environ.get("DOSSIER_MAX_PIXELS", DEFAULT_MAX_PIXELS))


@dataclass(frozen=True)
class SourceFailure:
    name: str
    error: InputFileError


def _natural_key(path: Path) -> list[object]:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def expand_sources(sources: Sequence[Path]) -> list[Path]:
    """Files as given; folders replaced by their images and PDFs in natural order (page2 before page10)."""
    files: list[Path] = []
    for source in sources:
        if source.is_dir():
            found = [
                p
                for p in source.iterdir()
                if p.is_file()
                and not p.name.startswith(".")
                and p.suffix.lower() in IMAGE_SUFFIXES | PDF_SUFFIXES
            ]
            if not found:
                raise InputFileError(_("Thư mục không có tệp ảnh hay PDF nào."), path=source)
            files.extend(sorted(found, key=_natural_key))
        else:
            files.append(source)
    return files


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputFileError(_("Không tìm thấy tệp."), path=path)
    if not path.is_file():
        raise InputFileError(_("Không phải là tệp thông thường."), path=path)
    if path.stat().st_size == 0:
        raise InputFileError(_("Tệp rỗng (0 byte)."), path=path)
    if not os.access(path, os.R_OK):
        raise InputFileError(_("Không có quyền đọc tệp."), path=path)


def _is_pdf(path: Path) -> bool:
    """A `%PDF-` header in the first KB: qpdf, Poppler and pdfium all accept junk before it."""
    with path.open("rb") as fh:
        return b"%PDF-" in fh.read(1024)


def _check_pixels(path: Path, width: int, height: int) -> None:
    if width * height > max_pixels():
        raise InputFileError(
            _(
                "Ảnh quá lớn ({w} x {h} điểm ảnh, tối đa {limit} triệu điểm): có thể là ảnh gây tràn bộ nhớ."
            ).format(w=width, h=height, limit=max_pixels() // 1_000_000),
            path=path,
        )


def _image_dpi(image: Image.Image) -> float:
    dpi = image.info.get("dpi")
    if dpi and float(dpi[0]) >= 50:
        return float(dpi[0])
    return 0.0


def probe_image(path: Path, first_index: int) -> list[RawPage]:
    """List the pages (frames) of an image file after checking its header, size and dpi."""
    try:
        with Image.open(path) as image:
            frames = getattr(image, "n_frames", 1)
            pages = []
            for frame in range(frames):
                image.seek(frame)
                _check_pixels(path, *image.size)
                pages.append(
                    RawPage(
                        index=first_index + frame,
                        source=SourceRef(SourceKind.image, str(path), frame + 1),
                        path=path,
                        frame=frame,
                        dpi=_image_dpi(image),
                    )
                )
            return pages
    except UnidentifiedImageError as exc:
        raise InputFileError(_("Không phải là tệp ảnh hay PDF đọc được."), path=path) from exc
    except Image.DecompressionBombError as exc:
        raise InputFileError(_("Ảnh quá lớn: có thể là ảnh gây tràn bộ nhớ."), path=path) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InputFileError(
            _("Ảnh bị hỏng hoặc không đầy đủ ({reason}).").format(reason=exc), path=path
        ) from exc


def _open_pdf(path: Path):  # -> pypdfium2.PdfDocument
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise InputFileError(
                _("PDF được mã hóa bằng mật khẩu: hãy gỡ mật khẩu trước khi số hóa."), path=path
            ) from exc
        raise InputFileError(
            _("PDF bị hỏng, không đọc được ({reason}).").format(reason=exc), path=path
        ) from exc


def _page_facts(pdf, path: Path, number: int) -> tuple[int, float, float]:  # pdf: pypdfium2.PdfDocument
    """Characters of text and the size of one page; a page pdfium cannot load is this file's failure."""
    import pypdfium2 as pdfium

    try:
        page = pdf[number]
        try:
            width_pt, height_pt = page.get_size()
            textpage = page.get_textpage()
            chars = len(textpage.get_text_range().strip())
            textpage.close()
        finally:
            page.close()
    except pdfium.PdfiumError as exc:
        raise InputFileError(
            _("Trang {n} của PDF bị hỏng, không đọc được ({reason}).").format(n=number + 1, reason=exc),
            path=path,
        ) from exc
    if width_pt <= 0 or height_pt <= 0:
        raise InputFileError(
            _("Trang {n} của PDF có kích thước không hợp lệ.").format(n=number + 1), path=path
        )
    return chars, width_pt, height_pt


def probe_pdf(path: Path, first_index: int, limits: PdfLimits | None = None) -> list[RawPage]:
    """List a PDF's pages after checking its page tree and limits with pikepdf (before pdfium inflates
    anything); pages that carry real text and decode cleanly are born digital and will be copied."""
    limits = limits or PdfLimits.from_config()
    with pdfsource.open_checked(path) as checked:
        try:
            count = len(checked.pages)
        except (pikepdf.PdfError, RecursionError, RuntimeError) as exc:
            raise InputFileError(
                _("Cây trang của PDF bị hỏng ({reason}).").format(reason=exc), path=path
            ) from exc
        pdfsource.check_page_count(path, count, limits)
        cache = pdfsource.StreamCache()
        page_checks = [
            pdfsource.check_page(path, checked.pages[n], n + 1, limits, cache) for n in range(count)
        ]
        pdf = _open_pdf(path)
        try:
            if len(pdf) == 0 or count == 0:
                raise InputFileError(_("PDF không có trang nào."), path=path)
            if len(pdf) != count:
                raise InputFileError(
                    _("Cây trang của PDF bị hỏng: khai {n} trang, đọc được {m}.").format(n=len(pdf), m=count),
                    path=path,
                )
            pages = []
            for number in range(count):
                chars, _w, _h = _page_facts(pdf, path, number)
                born_digital = (
                    chars >= BORN_DIGITAL_MIN_CHARS
                    and not page_checks[number].broken
                    and not pdfsource.images_broken(checked.pages[number], cache)
                )
                removed = (
                    pdfsource.strip_active_content(checked.pages[number].obj, apply=False)
                    if born_digital
                    else ()
                )
                pages.append(
                    RawPage(
                        index=first_index + number,
                        source=SourceRef(SourceKind.pdf, str(path), number + 1),
                        path=path,
                        frame=number,
                        dpi=0.0,
                        born_digital=born_digital,
                        has_text=chars > 0,
                        removed_active_content=removed,
                    )
                )
            return pages
        finally:
            pdf.close()


def probe_file(path: Path, first_index: int, limits: PdfLimits | None = None) -> list[RawPage]:
    _check_file(path)
    if _is_pdf(path):
        return probe_pdf(path, first_index, limits)
    return probe_image(path, first_index)


def probe_files(paths: Iterable[Path], first_index: int = 1) -> tuple[list[RawPage], list[SourceFailure]]:
    """Probe every file; a bad file is reported and skipped, the others keep their pages."""
    pages: list[RawPage] = []
    failures: list[SourceFailure] = []
    limits = PdfLimits.from_config()
    for path in paths:
        try:
            found = probe_file(path, first_index + len(pages), limits)
            if len(pages) + len(found) > limits.max_pages:
                raise InputFileError(
                    _("Lần quét vượt quá {limit} trang (cấu hình [scan] max-pages).").format(
                        limit=limits.max_pages
                    ),
                    path=path,
                )
        except InputFileError as error:
            failures.append(SourceFailure(str(path), error))
            continue
        pages.extend(found)
    return pages, failures


def _guess_dpi(width: int, height: int) -> float:
    """A photo or an image without resolution: assume the page is A4 and fills the picture."""
    return max(width, height) / A4_LONG_SIDE_INCHES


def _to_bgr(image: Image.Image) -> np.ndarray:
    if image.mode in ("1", "L", "I;16", "I", "F"):
        grey = np.asarray(image.convert("L"))
        return grey
    rgb = np.asarray(image.convert("RGB"))
    return np.ascontiguousarray(rgb[:, :, ::-1])


def load_image_page(page: RawPage, default_dpi: float) -> tuple[np.ndarray, float]:
    """Decode one page to a BGR (or grey) array and its dpi. Runs in worker processes."""
    if page.source.kind == SourceKind.pdf:
        return _render_pdf_page(page, default_dpi)
    image: Image.Image  # exif_transpose gives a plain Image
    try:
        with Image.open(page.path) as image:
            image.seek(page.frame)
            _check_pixels(page.path, *image.size)
            image.load()
            if page.frame == 0:
                image = ImageOps.exif_transpose(image)
            dpi = page.dpi or _guess_dpi(*image.size)
            return _to_bgr(image), dpi
    except InputFileError:
        raise
    except Image.DecompressionBombError as exc:
        raise InputFileError(_("Ảnh quá lớn: có thể là ảnh gây tràn bộ nhớ."), path=page.path) from exc
    except (OSError, SyntaxError, ValueError, EOFError, UnidentifiedImageError) as exc:
        raise InputFileError(
            _("Ảnh bị hỏng hoặc không đầy đủ ({reason}).").format(reason=exc), path=page.path
        ) from exc


def render_dpi(width_pt: float, height_pt: float, dpi: float) -> float:
    """`dpi`, lowered so that one rendered page stays under MAX_RENDER_PIXELS (a poster-sized page must not
    take gigabytes: the cleaner holds a few copies of it)."""
    pixels = (width_pt * dpi / 72) * (height_pt * dpi / 72)
    if pixels <= MAX_RENDER_PIXELS:
        return dpi
    return dpi * (MAX_RENDER_PIXELS / pixels) ** 0.5


def _render_pdf_page(page: RawPage, default_dpi: float) -> tuple[np.ndarray, float]:
    import pypdfium2 as pdfium

    pdf = _open_pdf(page.path)
    try:
        pdf_page = pdf[page.frame]
        width_pt, height_pt = pdf_page.get_size()
        dpi = render_dpi(width_pt, height_pt, default_dpi)
        _check_pixels(page.path, int(width_pt * dpi / 72), int(height_pt * dpi / 72))
        bitmap = pdf_page.render(scale=dpi / 72, rev_byteorder=False)
        array = np.array(bitmap.to_numpy()[:, :, :3], copy=True)  # BGR(x) from pdfium
        return array, dpi
    except pdfium.PdfiumError as exc:
        raise InputFileError(
            _("Trang {n} của PDF bị hỏng, không đọc được ({reason}).").format(n=page.frame + 1, reason=exc),
            path=page.path,
        ) from exc
    finally:
        pdf.close()
