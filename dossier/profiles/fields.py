"""Field checks on OCR text: personal ID numbers, Vietnamese dates and document age limits.

Every check is a pure function returning a `FieldCheck` that says what it found and where. ID numbers are
never logged and never shown in full: `FieldCheck.found` keeps the structural part (province, century/sex,
year) and masks the six random digits.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from dossier.i18n import _


@dataclass(frozen=True)
class FieldCheck:
    """One field check: its name, verdict, what was found (masked if personal), where, and why."""

    name: str
    ok: bool
    found: str | None
    where: str | None
    reason: str


# Province (or city) where the birth was registered: Phụ lục 1 TT 07/2016/TT-BCA, kept by TT 59/2021/TT-BCA.
# The codes name the OLD 63 provinces: they record where the birth was registered, so they
# stay valid after the 2025 merger into 34 provinces (whether new numbers use new codes is unconfirmed).
PROVINCE_CODES: Mapping[str, str] = MappingProxyType(
    {
        "001": "Hà Nội",
        "002": "Hà Giang",
        "004": "Cao Bằng",
        "006": "Bắc Kạn",
        "008": "Tuyên Quang",
        "010": "Lào Cai",
        "011": "Điện Biên",
        "012": "Lai Châu",
        "014": "Sơn La",
        "015": "Yên Bái",
        "017": "Hòa Bình",
        "019": "Thái Nguyên",
        "020": "Lạng Sơn",
        "022": "Quảng Ninh",
        "024": "Bắc Giang",
        "025": "Phú Thọ",
        "026": "Vĩnh Phúc",
        "027": "Bắc Ninh",
        "030": "Hải Dương",
        "031": "Hải Phòng",
        "033": "Hưng Yên",
        "034": "Thái Bình",
        "035": "Hà Nam",
        "036": "Nam Định",
        "037": "Ninh Bình",
        "038": "Thanh Hóa",
        "040": "Nghệ An",
        "042": "Hà Tĩnh",
        "044": "Quảng Bình",
        "045": "Quảng Trị",
        "046": "Thừa Thiên Huế",
        "048": "Đà Nẵng",
        "049": "Quảng Nam",
        "051": "Quảng Ngãi",
        "052": "Bình Định",
        "054": "Phú Yên",
        "056": "Khánh Hòa",
        "058": "Ninh Thuận",
        "060": "Bình Thuận",
        "062": "Kon Tum",
        "064": "Gia Lai",
        "066": "Đắk Lắk",
        "067": "Đắk Nông",
        "068": "Lâm Đồng",
        "070": "Bình Phước",
        "072": "Tây Ninh",
        "074": "Bình Dương",
        "075": "Đồng Nai",
        "077": "Bà Rịa - Vũng Tàu",
        "079": "Hồ Chí Minh",
        "080": "Long An",
        "082": "Tiền Giang",
        "083": "Bến Tre",
        "084": "Trà Vinh",
        "086": "Vĩnh Long",
        "087": "Đồng Tháp",
        "089": "An Giang",
        "091": "Kiên Giang",
        "092": "Cần Thơ",
        "093": "Hậu Giang",
        "094": "Sóc Trăng",
        "095": "Bạc Liêu",
        "096": "Cà Mau",
    }
)

PERSONAL_ID_CHECK = "personal_id"
DOCUMENT_AGE_CHECK = "document_age"
_MALE, _FEMALE = "male", "female"
_SEX_WORDS = {"nam": _MALE, "male": _MALE, "m": _MALE, "nu": _FEMALE, "female": _FEMALE, "f": _FEMALE}
# Characters OCR confuses with digits in printed numbers.
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "i": "1"})
_DIGITISH = "0-9OoDQIli|"
# Groups of digit-like characters separated by single spaces, not touching a letter or digit on either side.
_ID_RUN = re.compile(rf"(?<![\w|])[{_DIGITISH}]+(?:[ \u00a0][{_DIGITISH}]+)*(?![\w|])")
_PHONE_CONTEXT = re.compile(r"(dien thoai|\bsdt\b|\bdt\b|\btel\b|phone|\bfax\b|\bdd\b)[\s.:/]*$")
_MIN_REAL_DIGITS = 6


@dataclass(frozen=True)
class FoundPersonalId:
    """A 12-digit personal ID or 9-digit old CMND candidate in text; the digits are kept out of repr."""

    digits: str = field(repr=False)
    line: int
    start: int
    end: int

    @property
    def kind(self) -> str:
        return "cccd" if len(self.digits) == 12 else "cmnd"

    @property
    def where(self) -> str:
        return _("dòng {line}").format(line=self.line)


@dataclass(frozen=True)
class FoundDate:
    """A valid calendar date written in a Vietnamese form, with its source text and position."""

    value: date
    text: str
    line: int
    start: int
    end: int

    @property
    def where(self) -> str:
        return _("dòng {line}").format(line=self.line)


def fold_accents(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics (đ -> d), one output character per NFC input character."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        base = "d" if char in "đĐ" else unicodedata.normalize("NFD", char)[0]
        out.append(base.lower() if len(base.lower()) == 1 else base)
    return "".join(out)


def line_number(text: str, offset: int) -> int:
    """1-based line of a character offset."""
    return text.count("\n", 0, offset) + 1


def mask_personal_id(digits: str) -> str:
    """Keep the structural digits (province, century/sex, year) and hide the random sequence."""
    keep = 6 if len(digits) == 12 else 2
    return digits[:keep] + "*" * (len(digits) - keep)


def normalise_id_text(text: str) -> str:
    """Map OCR look-alikes to digits and drop spaces, dots and dashes inside a number."""
    return re.sub(r"[\s.\-]", "", text.strip().translate(_OCR_DIGITS))


def _normalise_sex(sex: str | None) -> str | None:
    if sex is None:
        return None
    return _SEX_WORDS.get(fold_accents(sex).strip())


def _sex_label(sex: str) -> str:
    return _("nam") if sex == _MALE else _("nữ")


def decode_century_digit(digit: int, year_suffix: int) -> tuple[int, str]:
    """Birth year and sex from digit 4 (0/1: 1900s, 2/3: 2000s, 4/5: 2100s ...; even male, odd female)."""
    return 1900 + (digit // 2) * 100 + year_suffix, (_MALE if digit % 2 == 0 else _FEMALE)


def check_personal_id(
    text: str, birth_year: int | None = None, sex: str | None = None, *, where: str | None = None
) -> FieldCheck:
    """Check the structure of a 12-digit personal ID (or accept a 9-digit old CMND as old format).

    No check digit exists, so only the province code, the century/sex digit and the year digits are checked,
    the latter two against the declared `birth_year` and `sex` ("nam"/"nữ") when given.
    """
    digits = normalise_id_text(text)
    if not digits.isdigit() or len(digits) not in (9, 12):
        return FieldCheck(
            PERSONAL_ID_CHECK,
            False,
            None,
            where,
            _("Không phải số định danh 12 chữ số hoặc số CMND cũ 9 chữ số (có {count} chữ số).").format(
                count=sum(c.isdigit() for c in digits)
            ),
        )
    found = mask_personal_id(digits)
    if len(digits) == 9:
        return FieldCheck(
            PERSONAL_ID_CHECK, True, found, where, _("Số CMND cũ 9 chữ số: chỉ kiểm tra được cấu trúc.")
        )
    province = PROVINCE_CODES.get(digits[:3])
    if province is None:
        reason = _("Mã tỉnh {code} không có trong bảng mã nơi đăng ký khai sinh.").format(code=digits[:3])
        return FieldCheck(PERSONAL_ID_CHECK, False, found, where, reason)
    year, id_sex = decode_century_digit(int(digits[3]), int(digits[4:6]))
    if birth_year is not None and birth_year != year:
        reason = _("Năm sinh theo số định danh ({year}) khác năm sinh khai báo ({declared}).").format(
            year=year, declared=birth_year
        )
        return FieldCheck(PERSONAL_ID_CHECK, False, found, where, reason)
    declared_sex = _normalise_sex(sex)
    if declared_sex is not None and declared_sex != id_sex:
        reason = _("Giới tính theo số định danh ({sex}) khác giới tính khai báo ({declared}).").format(
            sex=_sex_label(id_sex), declared=_sex_label(declared_sex)
        )
        return FieldCheck(PERSONAL_ID_CHECK, False, found, where, reason)
    reason = _("Số định danh cá nhân đúng cấu trúc (nơi đăng ký khai sinh: {code} {province}).").format(
        code=digits[:3], province=province
    )
    return FieldCheck(PERSONAL_ID_CHECK, True, found, where, reason)


def _is_phone_like(digits: str) -> bool:
    return (len(digits) == 10 and digits.startswith("0")) or (len(digits) == 11 and digits.startswith("84"))


def _id_candidates(run: str) -> list[tuple[str, int, int]]:
    """The whole run if it has 9 or 12 digits, else its space-separated groups that do (offsets in run)."""
    whole = normalise_id_text(run)
    if len(whole) in (9, 12):
        return [(whole, 0, len(run))]
    if _is_phone_like(whole):
        return []
    found = []
    for group in re.finditer(r"\S+", run):
        digits = normalise_id_text(group.group())
        if len(digits) in (9, 12):
            found.append((digits, group.start(), group.end()))
    return found


def find_personal_ids(text: str) -> list[FoundPersonalId]:
    """9- and 12-digit numbers in OCR text, tolerating O/l/I for 0/1 and spaces inside the number.

    Phone numbers are left out: 10-digit runs starting with 0, +84/84 numbers, and runs right after a
    phone label ("Điện thoại", "SĐT", "ĐT", "Tel", "Fax").
    """
    text = unicodedata.normalize("NFC", text)
    folded = fold_accents(text)
    results: list[FoundPersonalId] = []
    for match in _ID_RUN.finditer(text):
        run = match.group()
        if sum(c.isdigit() for c in run) < _MIN_REAL_DIGITS:
            continue
        if text[max(0, match.start() - 1) : match.start()] == "+":
            continue
        if _PHONE_CONTEXT.search(folded[max(0, match.start() - 24) : match.start()]):
            continue
        for digits, start, end in _id_candidates(run):
            offset = match.start() + start
            results.append(FoundPersonalId(digits, line_number(text, offset), offset, match.start() + end))
    return results


_DATE_WORDS = re.compile(
    r"ngay\s*[:.,]?\s*(\d{1,2})\s*[,.]?\s*thang\s*[:.,]?\s*(\d{1,2})\s*[,.]?\s*nam\s*[:.,]?\s*(\d{4})(?!\d)"
)
_DATE_NUMERIC = re.compile(r"(?<![\d/.\-])(\d{1,2})\s?([/.\-])\s?(\d{1,2})\s?\2\s?(\d{4})(?![\d/.\-]?\d)")
MIN_YEAR, MAX_YEAR = 1900, 2100


def _valid_date(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_vietnamese_dates(text: str) -> list[FoundDate]:
    """Real dates: "ngày 18 tháng 9 năm 2017", "ngày 18/9/2017", "18/09/2017", "18-09-2017", "18.9.2017".

    Matching is done on accent-folded text, so OCR output without diacritics ("ngay 18 thang 9 nam 2017") is
    found too. Impossible dates (31/02/2020) and years outside 1900-2100 are left out. Sorted by position.
    """
    text = unicodedata.normalize("NFC", text)
    folded = fold_accents(text)
    found: list[FoundDate] = []
    for match in _DATE_WORDS.finditer(folded):
        day, month, year = (int(g) for g in match.groups())
        value = _valid_date(year, month, day)
        if value is not None:
            found.append(_found_date(text, value, match.start(), match.end()))
    for match in _DATE_NUMERIC.finditer(folded):
        value = _valid_date(int(match.group(4)), int(match.group(3)), int(match.group(1)))
        if value is not None:
            found.append(_found_date(text, value, match.start(), match.end()))
    return sorted(found, key=lambda f: f.start)


def _found_date(text: str, value: date, start: int, end: int) -> FoundDate:
    return FoundDate(value, text[start:end], line_number(text, start), start, end)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (31/1 + 1 month = 28 or 29/2)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _limit(max_days: int | None, max_months: int | None, max_years: int | None) -> tuple[int, str]:
    given = [(n, unit) for n, unit in ((max_days, "d"), (max_months, "m"), (max_years, "y")) if n is not None]
    if len(given) != 1:
        raise ValueError("give exactly one of max_days, max_months, max_years")
    n, unit = given[0]
    if n < 0:
        raise ValueError("an age limit cannot be negative")
    return n, unit


def _format_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def check_document_age(
    issued: date,
    on: date,
    *,
    max_days: int | None = None,
    max_months: int | None = None,
    max_years: int | None = None,
    where: str | None = None,
) -> FieldCheck:
    """A document issued on `issued` is still within its age limit on `on` (the last day counts as valid)."""
    n, unit = _limit(max_days, max_months, max_years)
    if unit == "d":
        until, limit = date.fromordinal(issued.toordinal() + n), _("{n} ngày").format(n=n)
    elif unit == "m":
        until, limit = add_months(issued, n), _("{n} tháng").format(n=n)
    else:
        until, limit = add_months(issued, 12 * n), _("{n} năm").format(n=n)
    found = _format_date(issued)
    if issued > on:
        reason = _("Ngày cấp {issued} sau ngày kiểm tra {on}.").format(issued=found, on=_format_date(on))
        return FieldCheck(DOCUMENT_AGE_CHECK, False, found, where, reason)
    if on > until:
        template = _("Giấy tờ cấp ngày {issued} đã quá thời hạn {limit} (hết hạn ngày {until}).")
    else:
        template = _("Giấy tờ cấp ngày {issued} còn trong thời hạn {limit} (đến hết ngày {until}).")
    reason = template.format(issued=found, limit=limit, until=_format_date(until))
    return FieldCheck(DOCUMENT_AGE_CHECK, on <= until, found, where, reason)
