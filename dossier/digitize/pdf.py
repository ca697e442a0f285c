"""Write encoded page images, their OCR text and copied born-digital pages into one PDF/A-2b file."""

from __future__ import annotations

import contextlib
import warnings
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pikepdf
from PIL import ImageCms

from dossier.digitize.encode import EncodedImage, ImageLayer
from dossier.digitize.pdfsource import strip_active_content
from dossier.digitize.textlayer import add_glyphless_font, text_layer_content
from dossier.errors import InputFileError, OutputError
from dossier.fsutil import atomic_writer
from dossier.models import PageText

DOSSIER_XMP_NS = "http://ns.dossier.local/xmp/1.0/"  # our own properties: id, page count, scan time, device
DOSSIER_XMP_PREFIX = "dossier"
FONT_RESOURCE = "/FText"


@dataclass(frozen=True)
class PdfPageSpec:
    """One output page: an encoded scan (with optional OCR text) or a born-digital page copied as it is."""

    image: EncodedImage | None = None
    text: PageText | None = None
    source_pdf: Path | None = None
    source_page: int = 0  # 0-based page inside `source_pdf`

    def __post_init__(self) -> None:
        if (self.image is None) == (self.source_pdf is None):
            raise ValueError("a PdfPageSpec needs exactly one of `image` or `source_pdf`")

    @classmethod
    def scanned(cls, image: EncodedImage, text: PageText | None) -> PdfPageSpec:
        return cls(image=image, text=text)

    @classmethod
    def born_digital(cls, source_pdf: Path, source_page: int) -> PdfPageSpec:
        return cls(source_pdf=source_pdf, source_page=source_page)

    @property
    def dpi(self) -> float | None:
        return self.image.dpi if self.image is not None else None


@dataclass(frozen=True)
class PdfMetadata:
    """Document facts recorded in XMP and the DocInfo dictionary (the page count is taken from the pages)."""

    title: str
    scan_time: datetime  # must be timezone-aware
    device: str
    software: str  # e.g. "dossier 0.1.0"
    dossier_id: str | None = None
    language: str = "vi"


def write_pdf(pages: Sequence[PdfPageSpec], out: Path, metadata: PdfMetadata) -> None:
    """Write `pages` as one PDF/A-2b file at `out`, atomically (mode 0600; nothing is left on failure)."""
    if not pages:
        raise ValueError("write_pdf needs at least one page")
    if metadata.scan_time.tzinfo is None:
        raise ValueError("PdfMetadata.scan_time must be timezone-aware")
    try:
        with (
            atomic_writer(out) as fh,
            pikepdf.new() as pdf,
            contextlib.ExitStack() as sources,
            warnings.catch_warnings(),
        ):
            # copied form widgets without their /AcroForm still show; pikepdf's warning would only leak
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            _build(pdf, pages, metadata, sources)
            pdf.save(
                fh,
                compress_streams=True,
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
                min_version="1.7",
                preserve_pdfa=True,
                fix_metadata_version=False,
            )
    except OSError as exc:
        raise OutputError(f"cannot write the PDF: {exc.strerror or exc}", path=out) from exc
    except pikepdf.PdfError as exc:  # a copied page that cannot be written: the source's fault, named
        copied = sorted({str(p.source_pdf) for p in pages if p.source_pdf is not None})
        raise InputFileError(
            f"cannot copy the pages of this PDF: {exc}", path=", ".join(copied) or None
        ) from exc


def _build(
    pdf: pikepdf.Pdf, pages: Sequence[PdfPageSpec], metadata: PdfMetadata, sources: contextlib.ExitStack
) -> None:
    opened: dict[Path, pikepdf.Pdf] = {}
    font: pikepdf.Object | None = None
    for spec in pages:
        if spec.image is not None:
            if spec.text is not None and spec.text.words and font is None:
                font = add_glyphless_font(pdf)
            _add_image_page(pdf, spec.image, spec.text, font)
        else:
            assert spec.source_pdf is not None
            if spec.source_pdf not in opened:
                opened[spec.source_pdf] = sources.enter_context(_open_source(spec.source_pdf))
            _copy_page(pdf, opened[spec.source_pdf], spec)
    add_output_intent(pdf)
    add_pdfa_metadata(pdf, metadata, len(pages))


def _open_source(path: Path) -> pikepdf.Pdf:
    try:
        return pikepdf.open(path)
    except (pikepdf.PdfError, OSError) as exc:
        raise InputFileError(f"cannot read the PDF to copy a page from: {exc}", path=path) from exc


def _copy_page(pdf: pikepdf.Pdf, source: pikepdf.Pdf, spec: PdfPageSpec) -> None:
    if not 0 <= spec.source_page < len(source.pages):
        raise InputFileError(f"has no page {spec.source_page + 1}", path=spec.source_pdf)
    pdf.pages.append(source.pages[spec.source_page])
    strip_active_content(pdf.pages[-1].obj)  # PDF/A forbids actions, JavaScript, launch links, attachments


def _add_image_page(
    pdf: pikepdf.Pdf, image: EncodedImage, text: PageText | None, font: pikepdf.Object | None
) -> None:
    width_pt = image.width * 72.0 / image.dpi
    height_pt = image.height * 72.0 / image.dpi
    xobjects = pikepdf.Dictionary()
    ops: list[str] = []
    for number, layer in enumerate(image.layers):
        name = f"/Im{number}"
        xobjects[name] = _image_xobject(pdf, layer)
        paint = "0 g " if layer.is_mask else ""  # a stencil mask paints in the current fill colour: black
        ops.append(f"q {paint}{width_pt:.4f} 0 0 {height_pt:.4f} 0 0 cm {name} Do Q")
    content = ("\n".join(ops) + "\n").encode("ascii")
    resources = pikepdf.Dictionary(XObject=xobjects)
    if text is not None and text.words and font is not None:
        content += text_layer_content(text, image.dpi, height_pt, FONT_RESOURCE)
        resources.Font = pikepdf.Dictionary({FONT_RESOURCE: font})
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, round(width_pt, 4), round(height_pt, 4)],
        Resources=resources,
        Contents=pikepdf.Stream(pdf, content),
    )
    pdf.pages.append(pikepdf.Page(page))


def _image_xobject(pdf: pikepdf.Pdf, layer: ImageLayer) -> pikepdf.Stream:
    stream = pikepdf.Stream(pdf, b"")
    parms = (
        pikepdf.Dictionary({key: value for key, value in layer.decode_parms}) if layer.decode_parms else None
    )
    stream.write(layer.data, filter=pikepdf.Name(layer.filter), decode_parms=parms)
    stream.Type = pikepdf.Name.XObject
    stream.Subtype = pikepdf.Name.Image
    stream.Width = layer.width
    stream.Height = layer.height
    stream.BitsPerComponent = layer.bits_per_component
    if layer.is_mask:
        stream.ImageMask = True
    else:
        assert layer.colour_space is not None  # None only for a mask
        stream.ColorSpace = pikepdf.Name(layer.colour_space)
    return stream


def srgb_icc_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def add_output_intent(pdf: pikepdf.Pdf) -> None:
    """The sRGB output intent PDF/A asks for (the colour space every page image is in)."""
    icc = srgb_icc_profile()
    profile = pikepdf.Stream(pdf, b"")
    profile.write(zlib.compress(icc, 9), filter=pikepdf.Name.FlateDecode)
    profile.N = 3
    intent = pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name.GTS_PDFA1,
        OutputConditionIdentifier="sRGB",
        RegistryName="http://www.color.org",
        Info="sRGB IEC61966-2.1",
        DestOutputProfile=profile,
    )
    pdf.Root.OutputIntents = pikepdf.Array([pdf.make_indirect(intent)])


def add_pdfa_metadata(pdf: pikepdf.Pdf, metadata: PdfMetadata, page_count: int) -> None:
    """Our XMP packet (PDF/A id, extension schema, dossier properties), then the standard fields set through
    pikepdf, which mirrors them into the DocInfo dictionary as PDF/A requires."""
    pdf.Root.Metadata = pikepdf.Stream(pdf, _base_xmp(metadata, page_count))
    pdf.Root.Metadata.Type = pikepdf.Name.Metadata
    pdf.Root.Metadata.Subtype = pikepdf.Name.XML
    now = datetime.now(UTC).replace(microsecond=0).astimezone(metadata.scan_time.tzinfo)
    created = metadata.scan_time.replace(microsecond=0)
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
        meta["dc:title"] = metadata.title
        meta["dc:language"] = [metadata.language]
        meta["xmp:CreateDate"] = created.isoformat()
        meta["xmp:ModifyDate"] = now.isoformat()
        meta["xmp:MetadataDate"] = now.isoformat()
        meta["xmp:CreatorTool"] = metadata.software
        meta["pdf:Producer"] = f"{metadata.software}; pikepdf {pikepdf.__version__}"


_PROPERTIES = (
    ("DossierId", "Text", "Identifier of the dossier the pages belong to"),
    ("PageCount", "Integer", "Number of pages in this file"),
    ("ScanTime", "Date", "When the pages were scanned"),
    ("Device", "Text", "Scanner or source the pages came from"),
)


def _base_xmp(metadata: PdfMetadata, page_count: int) -> bytes:
    values = {
        "DossierId": metadata.dossier_id,
        "PageCount": str(page_count),
        "ScanTime": metadata.scan_time.replace(microsecond=0).isoformat(),
        "Device": metadata.device,
    }
    described = "".join(
        "<rdf:li rdf:parseType='Resource'>"
        f"<pdfaProperty:name>{name}</pdfaProperty:name>"
        f"<pdfaProperty:valueType>{kind}</pdfaProperty:valueType>"
        "<pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>{description}</pdfaProperty:description>"
        "</rdf:li>"
        for name, kind, description in _PROPERTIES
    )
    props = "".join(
        f"<{DOSSIER_XMP_PREFIX}:{name}>{escape(value)}</{DOSSIER_XMP_PREFIX}:{name}>"
        for name, value in values.items()
        if value is not None
    )
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about=""'
        ' xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"'
        ' xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"'
        ' xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"'
        ' xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"'
        f' xmlns:{DOSSIER_XMP_PREFIX}="{DOSSIER_XMP_NS}">'
        "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>"
        "<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType='Resource'>"
        "<pdfaSchema:schema>Dossier digitizing facts</pdfaSchema:schema>"
        f"<pdfaSchema:namespaceURI>{DOSSIER_XMP_NS}</pdfaSchema:namespaceURI>"
        f"<pdfaSchema:prefix>{DOSSIER_XMP_PREFIX}</pdfaSchema:prefix>"
        f"<pdfaSchema:property><rdf:Seq>{described}</rdf:Seq></pdfaSchema:property>"
        "</rdf:li></rdf:Bag></pdfaExtension:schemas>"
        f"{props}</rdf:Description></rdf:RDF></x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode()
