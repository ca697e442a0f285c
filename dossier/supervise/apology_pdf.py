"""The apology with a new appointment as a PDF/A-2b form, in the form of the rule set in force on the day.

From 01/7/2025 (Thông tư 03/2025/TT-VPCP) the form is "Văn bản xin lỗi và đề nghị gia hạn thời gian giải
quyết"; before it, "Phiếu xin lỗi và hẹn lại ngày trả kết quả" (Thông tư 01/2018/TT-VPCP). UNCONFIRMED: the
form numbers and the national field lists were not found in a gazette text; the fields printed are those
seen in practice (README "apologize" lists which are ours).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape

import pikepdf
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from dossier import __version__
from dossier.digitize.pdf import PdfMetadata, add_output_intent, add_pdfa_metadata
from dossier.profiles.deadlines import to_vietnam_time
from dossier.profiles.notices import (
    BOLD_FONT,
    NATIONAL_MOTTO,
    NATIONAL_NAME,
    REGULAR_FONT,
    clock_and_day,
    register_fonts,
    vietnamese_date,
)


@dataclass(frozen=True)
class ApologyForm:
    """A rule set's apology form: title, number, circular and dates in force (UNCONFIRMED numbering)."""

    title: str
    number: str
    circular: str
    valid_from: date | None
    valid_to: date | None

    def in_force(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


APOLOGY_FORMS = (
    ApologyForm(
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "04",
        "Thông tư số 01/2018/TT-VPCP",
        None,
        date(2025, 6, 30),
    ),
    ApologyForm(
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "04",
        "Thông tư số 03/2025/TT-VPCP",
        date(2025, 7, 1),
        None,
    ),
)


def form_on(day: date) -> ApologyForm:
    return next(form for form in APOLOGY_FORMS if form.in_force(day))


@dataclass(frozen=True)
class ApologyLetter:
    """Everything printed on the form (no citizen data: the name is written by hand on the dotted line)."""

    code: str
    agency: str
    procedure_name: str
    procedure_code: str
    received_at: datetime
    old_appointment: datetime
    new_appointment: datetime
    reason: str
    status_name: str
    issued: datetime
    place: str = ""
    signer_title: str = "THỦ TRƯỞNG CƠ QUAN"


def _style(name: str, size: float = 12, bold: bool = False, align: int = TA_JUSTIFY) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=BOLD_FONT if bold else REGULAR_FONT,
        fontSize=size,
        leading=size * 1.35,
        alignment=align,
    )


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _story(letter: ApologyLetter, form: ApologyForm) -> list[Flowable]:
    centre = _style("c", 12, align=TA_CENTER)
    centre_bold = _style("cb", 12, bold=True, align=TA_CENTER)
    text = _style("t", 12)
    left = [_p(letter.agency.upper(), centre_bold), _p("———", centre), _p(f"Số: {letter.code}/XL", centre)]
    right = [_p(NATIONAL_NAME, centre_bold), _p(NATIONAL_MOTTO, centre_bold), _p("———————", centre)]
    header = Table([[left, right]], colWidths=[75 * mm, 95 * mm])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    place = letter.place.strip() or "……………"
    issued = to_vietnam_time(letter.issued)
    signature = Table(
        [
            [
                "",
                [
                    _p(letter.signer_title, centre_bold),
                    _p("(Ký, ghi rõ họ tên và đóng dấu)", _style("s", 11, align=TA_CENTER)),
                ],
            ]
        ],
        colWidths=[85 * mm, 85 * mm],
    )
    return [
        header,
        Spacer(1, 3 * mm),
        _p(f"{place}, {vietnamese_date(issued.date())}", _style("d", 12, align=TA_RIGHT)),
        Spacer(1, 4 * mm),
        _p(form.title, _style("title", 14, bold=True, align=TA_CENTER)),
        _p(f"Mã hồ sơ: {letter.code}", centre_bold),
        _p(f"(Mẫu số {form.number}, ban hành kèm theo {form.circular})", _style("r", 9, align=TA_CENTER)),
        Spacer(1, 4 * mm),
        _p("Kính gửi: Ông/Bà ……………………………………………………", text),
        _p(
            f"Ngày {to_vietnam_time(letter.received_at):%d/%m/%Y}, {letter.agency} tiếp nhận hồ sơ "
            "của Ông/Bà "
            f"đề nghị giải quyết thủ tục: {letter.procedure_name} (mã thủ tục {letter.procedure_code}).",
            text,
        ),
        _p(
            "Thời hạn trả kết quả theo Giấy tiếp nhận: "
            f"{clock_and_day(to_vietnam_time(letter.old_appointment))}.",
            text,
        ),
        _p(f"Tình trạng giải quyết: {letter.status_name}.", text),
        _p(f"Lý do chậm trả kết quả: {letter.reason}", text),
        _p(
            "Vì sự chậm trễ này, cơ quan chúng tôi xin lỗi Ông/Bà và hẹn lại thời gian trả kết quả vào "
            f"{clock_and_day(to_vietnam_time(letter.new_appointment))}.",
            text,
        ),
        _p("Thời gian trả kết quả chỉ được hẹn lại một lần.", text),
        _p("Mong Ông/Bà thông cảm.", text),
        Spacer(1, 8 * mm),
        signature,
    ]


def render_apology(letter: ApologyLetter) -> bytes:
    """The form as PDF/A-2b bytes (embedded Liberation Serif, sRGB output intent, XMP pdfaid)."""
    register_fonts()
    form = form_on(to_vietnam_time(letter.issued).date())
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=form.title,
        invariant=True,
        initialFontName=REGULAR_FONT,
    )
    story = _story(letter, form)
    for flowable in story:
        if isinstance(flowable, Paragraph | Table):
            flowable.spaceAfter = 2 * mm
    document.build(story)
    metadata = PdfMetadata(
        title=form.title,
        scan_time=to_vietnam_time(letter.issued),
        device="dossier apologize",
        software=f"dossier {__version__}",
        dossier_id=letter.code,
    )
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(buffer.getvalue())) as pdf:
        if "/Info" in pdf.trailer:
            del pdf.trailer.Info
        add_output_intent(pdf)
        add_pdfa_metadata(pdf, metadata, len(pdf.pages))
        pdf.save(out, min_version="1.7", preserve_pdfa=True, fix_metadata_version=False)
    return out.getvalue()
