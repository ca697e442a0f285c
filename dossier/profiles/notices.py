"""The counter's forms (receipt, supplement request, refusal) as PDF/A-2b files, with the one-time rule."""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import pikepdf
import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from dossier import __version__
from dossier.digitize.pdf import PdfMetadata, add_output_intent, add_pdfa_metadata
from dossier.errors import (
    ConfigError,
    DossierError,
    ExitCode,
    InputFileError,
    OutputError,
)
from dossier.fonts import FontStyle, font_path
from dossier.fsutil import atomic_writer, exclusive_lock, sha256_file
from dossier.i18n import _
from dossier.profiles.check import Split, check_dossier
from dossier.profiles.checklist import ChecklistReport, Status
from dossier.profiles.deadlines import load_calendar, to_vietnam_time
from dossier.profiles.model import Component, Form, Profile
from dossier.store.folder import DossierFolder, NoticeRecord
from dossier.store.registry import note_folder_event
from dossier.store.workspace import Workspace

REGULAR_FONT = "NoticeSerif"
BOLD_FONT = "NoticeSerif-Bold"
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"


class NoticeKind(StrEnum):
    receipt = "receipt"  # Giấy tiếp nhận hồ sơ và hẹn trả kết quả
    supplement = "supplement"  # Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
    refusal = "refusal"  # Phiếu từ chối tiếp nhận giải quyết hồ sơ


TITLES = {
    NoticeKind.receipt: "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    NoticeKind.supplement: "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    NoticeKind.refusal: "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
}


@dataclass(frozen=True)
class RuleSet:
    """A legal framework for the counter forms: the circular issuing them and its form numbers."""

    circular: str
    valid_from: date | None
    valid_to: date | None
    numbers: tuple[tuple[NoticeKind, str], ...]

    def in_force(self, day: date) -> bool:
        starts = self.valid_from is None or self.valid_from <= day
        return starts and (self.valid_to is None or day <= self.valid_to)

    def number(self, kind: NoticeKind) -> str:
        return dict(self.numbers)[kind]


# UNCONFIRMED ([P]): TT 01/2018 numbering is seen in one provincial system only, and TT 03/2025
# numbering in one secondary report; verify both against the gazette text before relying on them.
RULE_SETS = (
    RuleSet(
        "Thông tư số 01/2018/TT-VPCP",
        None,
        date(2025, 6, 30),
        ((NoticeKind.receipt, "01"), (NoticeKind.supplement, "02"), (NoticeKind.refusal, "03")),
    ),
    RuleSet(
        "Thông tư số 03/2025/TT-VPCP",
        date(2025, 7, 1),
        None,
        ((NoticeKind.receipt, "01"), (NoticeKind.supplement, "02"), (NoticeKind.refusal, "03")),
    ),
)


def form_reference(kind: NoticeKind, day: date) -> str:
    """'Mẫu số 02, ban hành kèm theo Thông tư số 03/2025/TT-VPCP' for the rules in force on `day`."""
    rules = next(r for r in RULE_SETS if r.in_force(day))
    return f"Mẫu số {rules.number(kind)}, ban hành kèm theo {rules.circular}"


class SupplementAlreadyIssuedError(DossierError):
    """A second supplement request for an unchanged dossier: the officer must ask for everything at once."""

    exit_code = ExitCode.dossier_incomplete


class NothingToSupplementError(ConfigError):
    """The checklist finds nothing missing and the officer named nothing invalid."""


@dataclass(frozen=True)
class NoticeDetails:
    """What the officer types at the counter (names are printed, never logged)."""

    code: str  # mã hồ sơ
    agency_name: str
    applicant_name: str
    received: datetime
    officer: str = ""
    place: str = ""
    address: str = ""
    reason: str = ""  # refusal: why; supplement: an optional extra explanation
    lookup_url: str = ""
    log_head: str = ""  # the event log's head hash when printed: the paper anchors the registry's history


@dataclass(frozen=True)
class Notice:
    """One form ready to render: its rows are the components received (receipt) or to add (supplement)."""

    kind: NoticeKind
    details: NoticeDetails
    profile: Profile
    rows: tuple[Component, ...]
    appointment: datetime | None
    issued: datetime


@dataclass(frozen=True)
class IssuedNotice(NoticeRecord):
    """One form as notices.json records it, and whether this call printed it."""

    printed_now: bool = True  # False: an earlier form for the same code was found and kept (not recorded)


# --- building the notice from the dossier ---


def dossier_scan(dossier_dir: Path) -> Path:
    return DossierFolder(dossier_dir).require_scan()


def _checked(dossier_dir: Path, profile: Profile, on: date | None) -> ChecklistReport:
    """The dossier as `dossier check` sees it (the officer's corrections included); nothing is written."""
    return check_dossier(dossier_dir, profile, on, split=Split.never).report


def received_components(dossier_dir: Path, profile: Profile, on: date | None = None) -> tuple[Component, ...]:
    """Components the checklist finds in the scan (present or to be confirmed by the officer)."""
    report = _checked(dossier_dir, profile, on)
    return tuple(i.component for i in report.items if i.status in (Status.present, Status.review))


def components_to_supplement(
    dossier_dir: Path, profile: Profile, invalid_ids: tuple[str, ...] = (), on: date | None = None
) -> tuple[Component, ...]:
    """Every missing component from the checklist plus those the officer found invalid, all at once."""
    unknown = [i for i in invalid_ids if profile.component(i) is None]
    if unknown:
        raise ConfigError(
            _("Không có thành phần {ids} trong thủ tục {code}.").format(
                ids=", ".join(unknown), code=profile.code
            )
        )
    report = _checked(dossier_dir, profile, on)
    wanted = {c.id for c in report.missing} | set(invalid_ids)
    rows = tuple(c for c in profile.components if c.id in wanted)
    if not rows:
        raise NothingToSupplementError(
            _("Hồ sơ không thiếu thành phần nào: không cần phiếu yêu cầu bổ sung."),
            path=dossier_dir,
            hint=_("Nếu có giấy tờ không hợp lệ, ghi bằng --invalid TP02."),
        )
    return rows


def prepare_notice(
    kind: NoticeKind,
    dossier_dir: Path,
    profile: Profile,
    details: NoticeDetails,
    invalid_ids: tuple[str, ...] = (),
    issued: datetime | None = None,
) -> Notice:
    received = to_vietnam_time(details.received)
    if kind is NoticeKind.refusal and not details.reason.strip():
        raise ConfigError(_("Phiếu từ chối cần lý do (--reason)."))
    if kind is NoticeKind.receipt:
        rows = received_components(dossier_dir, profile, received.date())
        appointment = load_calendar().appointment(received, profile.processing_days)
    elif kind is NoticeKind.supplement:
        rows, appointment = components_to_supplement(dossier_dir, profile, invalid_ids, received.date()), None
    else:
        rows, appointment = (), None
    when = to_vietnam_time(issued or datetime.now().astimezone())
    return Notice(kind, details, profile, rows, appointment, when)


# --- the one-time supplement rule and the record ---


def read_issued(dossier_dir: Path) -> tuple[NoticeRecord, ...]:
    folder = DossierFolder(dossier_dir)
    records = folder.notices()
    unknown = sorted({n.kind for n in records} - set(NoticeKind))
    if unknown:
        reason = _("loại phiếu không biết: {kinds}").format(kinds=", ".join(unknown))
        raise ConfigError(
            _("Tệp notices.json hỏng: {reason}").format(reason=reason), path=folder.notices_path
        )
    return records


def ensure_first_supplement(dossier_dir: Path, scan_sha256: str) -> None:
    """Refuse a second supplement request unless the scan changed since the earlier one."""
    earlier = [
        n
        for n in read_issued(dossier_dir)
        if n.kind == NoticeKind.supplement and n.scan_sha256 == scan_sha256
    ]
    if earlier:
        day = datetime.fromisoformat(earlier[0].issued_at).strftime("%d/%m/%Y %H:%M")
        raise SupplementAlreadyIssuedError(
            _(
                "Đã ra phiếu yêu cầu bổ sung ngày {day} cho cùng hồ sơ này (bản quét không đổi): "
                "cán bộ phải yêu cầu bổ sung đầy đủ một lần, không yêu cầu lần thứ hai."
            ).format(day=day),
            path=dossier_dir,
            hint=_("Chỉ ra phiếu mới khi hồ sơ đã được bổ sung và quét lại (scan.pdf thay đổi)."),
        )


def issue_notice(
    kind: NoticeKind,
    dossier_dir: Path,
    profile: Profile,
    details: NoticeDetails,
    out: Path,
    invalid_ids: tuple[str, ...] = (),
    issued: datetime | None = None,
    workspace: Workspace | None = None,
    *,
    rows: tuple[Component, ...] | None = None,
    appointment: datetime | None = None,
    reuse_earlier: bool = False,
) -> IssuedNotice:
    """Check the rules, render the form to `out` (PDF/A-2b, atomic), record it in notices.json and in the
    event log of `workspace` (default: the dossier home).

    `rows` and `appointment` given (the receipt printed once the portal acknowledged a submission: the
    components sent, the portal's appointment) replace what the check of the scan would give; with
    `reuse_earlier`, a form of this kind already issued for the same code (its file still there) is returned
    as it is instead of printing a second one. Both happen under the folder's lock like every notice.
    """
    if not dossier_dir.is_dir():
        raise InputFileError(_("Không tìm thấy thư mục hồ sơ."), path=dossier_dir)
    folder = DossierFolder(dossier_dir)
    scan = folder.scan_pdf
    if kind is not NoticeKind.refusal and rows is None:
        dossier_scan(dossier_dir)
    scan_sha256 = sha256_file(scan) if scan.is_file() else None
    # Two desks on one shared dossier folder: the one-time check and the record happen under one lock.
    with exclusive_lock(folder.notices_lock):
        if reuse_earlier:
            earlier = [n for n in read_issued(dossier_dir) if n.kind == kind and n.code == details.code]
            if earlier and Path(earlier[-1].file).is_file():
                return IssuedNotice(**asdict(earlier[-1]), printed_now=False)
        if kind is NoticeKind.supplement and scan_sha256 is not None:
            ensure_first_supplement(dossier_dir, scan_sha256)
        if rows is None:
            notice = prepare_notice(kind, dossier_dir, profile, details, invalid_ids, issued)
        else:
            when = to_vietnam_time(issued or datetime.now().astimezone())
            notice = Notice(kind, details, profile, rows, appointment, when)
        write_notice_pdf(notice, out)
        record = IssuedNotice(
            kind,
            details.code,
            notice.issued.isoformat(timespec="seconds"),
            scan_sha256 if rows is None else None,
            tuple(c.id for c in notice.rows),
            details.officer,
            str(out),
        )
        DossierFolder(dossier_dir).add_notice(record)  # the caller holds the notices lock
    note_folder_event(
        dossier_dir,
        f"notice.{kind}",
        {"code": record.code, "components": list(record.component_ids)},
        workspace=workspace,
    )
    return record


# --- rendering ---


@cache
def register_fonts() -> None:
    """Embed Liberation Serif (full Vietnamese): the standard PDF fonts garble diacritics and break PDF/A."""
    for name, style in ((REGULAR_FONT, FontStyle.regular), (BOLD_FONT, FontStyle.bold)):
        pdfmetrics.registerFont(TTFont(name, str(font_path(style))))
    pdfmetrics.registerFontFamily(REGULAR_FONT, normal=REGULAR_FONT, bold=BOLD_FONT)


def _style(name: str, size: float = 12, bold: bool = False, align: int = TA_JUSTIFY) -> ParagraphStyle:
    font = BOLD_FONT if bold else REGULAR_FONT
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.3, alignment=align)


class QrCode(Flowable):
    """A QR code drawn as vector squares (sharp at any zoom, a few hundred bytes)."""

    def __init__(self, content: str, size: float) -> None:
        super().__init__()
        self.matrix = segno.make(content, error="m", micro=False).matrix
        self.size = size
        self.width = self.height = size

    def draw(self) -> None:
        quiet = 2
        count = len(self.matrix) + 2 * quiet
        module = self.size / count
        canvas = self.canv
        canvas.setFillColor(colors.white)
        canvas.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        for row, bits in enumerate(self.matrix):
            y = self.size - (row + quiet + 1) * module
            for col, bit in enumerate(bits):
                if bit:
                    canvas.rect((col + quiet) * module, y, module, module, stroke=0, fill=1)


def qr_content(details: NoticeDetails) -> str:
    return f"{details.lookup_url.rstrip('/')}?code={details.code}" if details.lookup_url else details.code


def vietnamese_date(day: date) -> str:
    """'ngày 05 tháng 01 năm 2026': days 1-9 and months 1-2 take a leading zero in administrative texts."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def clock_and_day(moment: datetime) -> str:
    return f"{moment.hour} giờ {moment.minute:02d} phút, ngày {moment:%d/%m/%Y}"


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _header(notice: Notice) -> list[Flowable]:
    details = notice.details
    centre = _style("hc", 12, align=TA_CENTER)
    centre_bold = _style("hcb", 12, bold=True, align=TA_CENTER)
    left = [_p(details.agency_name.upper(), centre_bold), _p("———", centre)]
    if notice.kind is NoticeKind.supplement:
        left.append(_p(f"Số: {details.code}/HDHS", centre))
    right = [_p(NATIONAL_NAME, centre_bold), _p(NATIONAL_MOTTO, centre_bold), _p("———————", centre)]
    table = Table([[left, right]], colWidths=[75 * mm, 95 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR_FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    place = details.place.strip() or "……………"
    dated = _p(f"{place}, {vietnamese_date(notice.issued.date())}", _style("d", 12, align=TA_RIGHT))
    return [table, Spacer(1, 3 * mm), dated]


def _title_block(notice: Notice) -> list[Flowable]:
    reference = form_reference(notice.kind, to_vietnam_time(notice.details.received).date())
    title = [
        _p(TITLES[notice.kind], _style("t", 14, bold=True, align=TA_CENTER)),
        _p(f"Mã hồ sơ: {notice.details.code}", _style("c", 12, bold=True, align=TA_CENTER)),
        _p(f"({reference})", _style("r", 9, align=TA_CENTER)),
    ]
    table = Table([[title, QrCode(qr_content(notice.details), 26 * mm)]], colWidths=[140 * mm, 30 * mm])
    table.setStyle(
        TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR_FONT), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
    )
    return [Spacer(1, 4 * mm), table, Spacer(1, 3 * mm)]


def row_label(component: Component, profile: Profile, with_alternatives: bool) -> str:
    """The component's printed name; on a supplement request also what may stand in for it (one_of)."""
    others = [
        c.name
        for c in profile.components
        if with_alternatives and component.one_of and c.one_of == component.one_of and c.id != component.id
    ]
    return f"{component.name} (hoặc thay bằng: {'; '.join(others)})" if others else component.name


def _components_table(notice: Notice) -> Table:
    rows = notice.rows
    with_alternatives = notice.kind is NoticeKind.supplement
    cell = _style("cell", 11, align=TA_CENTER)
    name = _style("name", 11)
    head = _style("head", 11, bold=True, align=TA_CENTER)
    data: list[list[object]] = [
        [_p("TT", head), _p("Thành phần hồ sơ", head), _p("Số lượng", head), "", ""],
        ["", "", _p("Bản chính", head), _p("Bản chứng thực", head), _p("Bản photo", head)],
    ]
    columns = {Form.original: 2, Form.present_only: 2, Form.certified_copy: 3, Form.copy: 4}
    for number, component in enumerate(rows, start=1):
        line: list[object] = [
            _p(str(number), cell),
            _p(row_label(component, notice.profile, with_alternatives), name),
            "",
            "",
            "",
        ]
        line[columns[component.form]] = _p(f"{component.copies:02d}", cell)
        data.append(line)
    table = Table(data, colWidths=[10 * mm, 88 * mm, 24 * mm, 24 * mm, 24 * mm], repeatRows=2)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR_FONT),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("SPAN", (0, 0), (0, 1)),
                ("SPAN", (1, 0), (1, 1)),
                ("SPAN", (2, 0), (4, 0)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _log_head(details: NoticeDetails) -> list[Paragraph]:
    """A small line with the registry's head hash: a later rewrite of the log no longer matches the paper."""
    if not details.log_head:
        return []
    return [
        Spacer(1, 4 * mm),
        _p(f"Mã kiểm tra nhật ký: {details.log_head}", _style("lh", 7, align=TA_CENTER)),
    ]


def _signatures(left: str | None, right: str, right_name: str) -> Table:
    bold = _style("sb", 12, bold=True, align=TA_CENTER)
    note = _style("sn", 11, align=TA_CENTER)
    sign = "(Ký và ghi rõ họ tên)"
    left_cell = [_p(left, bold), _p(sign, note)] if left else ""
    right_cell = [_p(right, bold), _p(sign, note), Spacer(1, 20 * mm), _p(right_name, bold)]
    table = Table([[left_cell, right_cell]], colWidths=[85 * mm, 85 * mm])
    table.setStyle(
        TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR_FONT), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    return table


def _body(notice: Notice) -> list[Flowable]:
    details, profile = notice.details, notice.profile
    text = _style("b", 12)
    bold = _style("bb", 12, bold=True)
    address = details.address.strip() or "……………………………………"
    applicant = [
        _p(f"Tiếp nhận hồ sơ của Ông (Bà): {details.applicant_name}", text),
        _p(f"Địa chỉ: {address}", text),
        _p(f"Nội dung yêu cầu giải quyết: {profile.name} (mã thủ tục {profile.code})", text),
    ]
    if notice.kind is NoticeKind.receipt:
        assert notice.appointment is not None
        days = f"{profile.processing_days} ngày làm việc" if profile.processing_days else "trong ngày"
        return [
            *applicant,
            _p("1. Thành phần hồ sơ, số lượng mỗi loại giấy tờ:", bold),
            _components_table(notice),
            _p(f"2. Số lượng hồ sơ: {profile.sets:02d} bộ", text),
            _p(f"3. Thời gian giải quyết hồ sơ theo quy định: {days}", text),
            _p(f"4. Thời gian nhận hồ sơ: {clock_and_day(to_vietnam_time(details.received))}", text),
            _p(f"5. Thời gian trả kết quả giải quyết hồ sơ: {clock_and_day(notice.appointment)}", text),
            _p("6. Đăng ký nhận kết quả tại: Bộ phận Một cửa", text),
            _p(
                "Khi đến nhận kết quả, người nhận phải mang theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả; "
                "trường hợp nhận thay phải có giấy ủy quyền theo quy định.",
                text,
            ),
            Spacer(1, 6 * mm),
            _signatures("NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", details.officer),
            *_log_head(details),
        ]
    if notice.kind is NoticeKind.supplement:
        reason = details.reason.strip() or "Hồ sơ còn thiếu hoặc chưa hợp lệ các thành phần nêu trên."
        return [
            _p(f"{details.agency_name}: tiếp nhận hồ sơ của Ông/Bà: {details.applicant_name}", text),
            *applicant[1:],
            _p("Yêu cầu Ông/Bà hoàn thiện hồ sơ gồm những nội dung như sau:", bold),
            _components_table(notice),
            _p(f"Lý do: {reason}", text),
            _p(
                "Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ Bộ phận Một cửa "
                "hoặc tra cứu thủ tục trên Cổng Dịch vụ công quốc gia để được hướng dẫn.",
                text,
            ),
            Spacer(1, 6 * mm),
            _signatures(None, "NGƯỜI HƯỚNG DẪN", details.officer),
        ]
    return [
        *applicant,
        _p(
            "Qua xem xét, Bộ phận tiếp nhận hồ sơ thông báo không tiếp nhận, giải quyết hồ sơ này "
            "với lý do cụ thể như sau:",
            text,
        ),
        _p(details.reason.strip(), text),
        _p("Xin thông báo cho Ông/Bà được biết và thực hiện.", text),
        Spacer(1, 6 * mm),
        _signatures("NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", details.officer),
    ]


def render_notice(notice: Notice) -> bytes:
    """The form as a plain PDF (before the PDF/A finishing)."""
    register_fonts()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=TITLES[notice.kind],
        invariant=True,
        # reportlab starts every page (and table cell) in Helvetica, a non-embedded font PDF/A forbids
        initialFontName=REGULAR_FONT,
    )
    story = [*_header(notice), *_title_block(notice), *_body(notice)]
    for flowable in story:
        if isinstance(flowable, Paragraph | Table):
            flowable.spaceAfter = 1.5 * mm
    document.build(story)
    return buffer.getvalue()


def write_notice_pdf(notice: Notice, out: Path) -> None:
    """Render `notice` and write it at `out` as PDF/A-2b (XMP pdfaid, sRGB OutputIntent), atomically, 0600."""
    data = render_notice(notice)
    metadata = PdfMetadata(
        title=TITLES[notice.kind],
        scan_time=notice.issued,
        device=f"dossier notice {notice.kind}",
        software=f"dossier {__version__}",
        dossier_id=notice.details.code,
    )
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf, atomic_writer(out) as fh:
            if "/Info" in pdf.trailer:
                del pdf.trailer.Info  # reportlab's entries would not match the XMP packet
            add_output_intent(pdf)
            add_pdfa_metadata(pdf, metadata, len(pdf.pages))
            pdf.save(fh, min_version="1.7", preserve_pdfa=True, fix_metadata_version=False)
    except OSError as exc:
        raise OutputError(
            _("Không ghi được tệp PDF: {reason}").format(reason=exc.strerror or exc), path=out
        ) from exc
