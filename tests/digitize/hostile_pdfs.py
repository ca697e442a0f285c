"""Odd and hostile PDFs made with pikepdf, each named by what is wrong with it (scan input tests)."""

from __future__ import annotations

import warnings
import zlib
from pathlib import Path

import pikepdf

TEXT_FONT = {"/Type": pikepdf.Name.Font, "/Subtype": pikepdf.Name.Type1, "/BaseFont": pikepdf.Name.Helvetica}


def text_page(
    pdf: pikepdf.Pdf, text: str, size: tuple[float, float] = (595, 842), font_size: float = 14
) -> pikepdf.Dictionary:
    font = pdf.make_indirect(pikepdf.Dictionary(TEXT_FONT))
    return pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, *size],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        Contents=pdf.make_stream(f"BT /F1 {font_size} Tf 72 700 Td ({text}) Tj ET".encode()),
    )


def text_pdf(path: Path, *texts: str, size: tuple[float, float] = (595, 842), font_size: float = 14) -> Path:
    """One page per text, born digital (the text extracts)."""
    pdf = pikepdf.new()
    for text in texts:
        pdf.pages.append(pikepdf.Page(text_page(pdf, text, size, font_size)))
    pdf.save(path)
    return path


def blank_pdf(path: Path) -> Path:
    """A page with nothing on it: no text, no ink."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.save(path)
    return path


def orphan_widget_pdf(path: Path, text: str) -> Path:
    """A born-digital page with a form widget no /AcroForm lists (pikepdf warns when saving such a page)."""
    pdf = pikepdf.new()
    page = text_page(pdf, text)
    widget = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Widget,
        FT=pikepdf.Name.Tx,
        T=pikepdf.String("ho_ten"),
        Rect=[72, 500, 300, 520],
    )
    page.Annots = pikepdf.Array([pdf.make_indirect(widget)])
    pdf.pages.append(pikepdf.Page(page))
    with warnings.catch_warnings():  # the very warning the scan must not leak: expected here
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        pdf.save(path)
    return path


def _patch(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data, old
    path.write_bytes(data.replace(old, new, 1))


def empty_kids_pdf(path: Path) -> Path:
    """`/Count 1` with an empty `/Kids`: a page tree that promises a page and holds none."""
    pdf = pikepdf.new()
    pdf.pages.append(pikepdf.Page(text_page(pdf, "promised page")))
    pdf.save(path, object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=False)
    data = path.read_bytes()
    start = data.index(b"/Kids [")
    end = data.index(b"]", start)
    path.write_bytes(data[:start] + b"/Kids [" + b" " * (end - start - len(b"/Kids [")) + data[end:])
    return path


def looping_tree_pdf(path: Path) -> Path:
    """A page tree whose intermediate node lists itself among its kids."""
    pdf = pikepdf.new()
    pdf.pages.append(pikepdf.Page(text_page(pdf, "page in a loop")))
    pdf.save(path, object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=False)
    with pikepdf.open(path) as source:
        pages_ref = source.Root.Pages.objgen[0]
        page_ref = source.Root.Pages.Kids[0].objgen[0]
    _patch(path, f"/Kids [ {page_ref} 0 R ]".encode(), f"/Kids [ {pages_ref} 0 R ]".encode())
    return path


def junk_prefixed_pdf(path: Path, text: str) -> Path:
    """14 bytes of junk before `%PDF` (qpdf, Poppler and pdfium all read it)."""
    text_pdf(path, text)
    path.write_bytes(b"JUNK-14-BYTES\n" + path.read_bytes())
    return path


def broken_jpeg_pdf(path: Path, text: str) -> Path:
    """A born-digital page that draws an image whose (Flate + JPEG) stream is corrupt."""
    pdf = pikepdf.new()
    page = text_page(pdf, text)
    image = pikepdf.Stream(pdf, zlib.compress(b"\xff\xd8\xff\xe0 not a jpeg at all" * 10)[:40])
    image.Type = pikepdf.Name.XObject
    image.Subtype = pikepdf.Name.Image
    image.Width = 64
    image.Height = 64
    image.ColorSpace = pikepdf.Name.DeviceRGB
    image.BitsPerComponent = 8
    image.Filter = pikepdf.Array([pikepdf.Name.FlateDecode, pikepdf.Name.DCTDecode])
    page.Resources.XObject = pikepdf.Dictionary(Im0=image)
    page.Contents = pdf.make_stream(page.Contents.read_bytes() + b"\nq 100 0 0 100 72 72 cm /Im0 Do Q")
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


def many_pages_pdf(path: Path, pages: int) -> Path:
    """`pages` pages sharing one content stream: a small file and a long job (written directly: fast)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % (5 + n) for n in range(pages))
        + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length 39 >>\nstream\nBT /F1 14 Tf 72 700 Td (page) Tj ET\nendstream",
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
    page += b" /Resources << /Font << /F1 3 0 R >> >> >>"
    objects.extend(page for _ in range(pages))
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def flate_bomb(decompressed: int) -> bytes:
    """About 1 MB of zlib data that inflates to `decompressed` bytes of spaces (one block repeated)."""
    chunk = b" " * (16 * 1024 * 1024)
    compressor = zlib.compressobj(9)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(decompressed // len(chunk)):
        checksum = zlib.adler32(chunk, checksum)
    blocks = first[2:] * (decompressed // len(chunk))
    return first[:2] + blocks + b"\x03\x00" + checksum.to_bytes(4, "big")  # empty final block, Adler-32


def stream_bomb_pdf(path: Path, decompressed: int = 1024 * 1024 * 1024) -> Path:
    """A page whose content stream inflates from about 1 MB to `decompressed` bytes (spaces)."""
    pdf = pikepdf.new()
    page = text_page(pdf, "bomb")
    bomb = pikepdf.Stream(pdf, flate_bomb(decompressed))
    bomb.Filter = pikepdf.Name.FlateDecode
    page.Contents = pikepdf.Array([page.Contents, bomb])
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(path, compress_streams=False)
    return path


def active_content_pdf(path: Path, text: str) -> Path:
    """A born-digital page with page-open JavaScript (/AA), a /Launch link, a JavaScript link and an
    embedded file; the document opens with JavaScript too."""
    pdf = pikepdf.new()
    page = text_page(pdf, text)
    js = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('x')"))
    page.AA = pikepdf.Dictionary(O=js)
    launch = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=[72, 72, 200, 100],
        A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe")),
    )
    js_link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 120, 200, 150], A=js
    )
    uri_link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=[72, 160, 200, 190],
        A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://dichvucong.gov.vn")),
    )
    payload = pikepdf.Stream(pdf, b"MZ not really a program")
    payload.Type = pikepdf.Name.EmbeddedFile
    attachment = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.FileAttachment,
        Rect=[72, 200, 90, 220],
        FS=pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String("x.exe"), EF={"/F": payload}),
    )
    page.Annots = pikepdf.Array([pdf.make_indirect(a) for a in (launch, js_link, uri_link, attachment)])
    pdf.pages.append(pikepdf.Page(page))
    pdf.Root.OpenAction = js
    pdf.save(path)
    return path
