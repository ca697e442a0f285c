"""Procedure profiles as typed data: a procedure (TTHC), its dated rule versions and their components."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

DISTRICT_LEVEL_ABOLISHED = date(2025, 7, 1)  # two-level local government (Decree 118/2025/NĐ-CP)


class Level(StrEnum):
    """Which government level resolves the procedure; `huyen` only for rules in force before 1 July 2025."""

    tinh = "tinh"
    xa = "xa"
    huyen = "huyen"


class Requirement(StrEnum):
    required = "required"
    optional = "optional"
    conditional = "conditional"  # required only when `condition` holds


class Form(StrEnum):
    """The kind of paper received (cf. the Mẫu 01 columns: bản chính, bản chứng thực, bản photo)."""

    original = "original"
    certified_copy = "certified_copy"
    copy = "copy"
    present_only = "present_only"  # shown to the officer and handed back, not kept in the dossier


class ExpectedField(StrEnum):
    """What the recognition step may look for on a component's pages."""

    personal_id = "personal_id"
    full_name = "full_name"
    date_of_birth = "date_of_birth"
    date = "date"
    address = "address"
    signature = "signature"
    seal = "seal"
    photo = "photo"
    land_parcel = "land_parcel"
    drawing = "drawing"


@dataclass(frozen=True)
class Hints:
    """Recognition hints: titles as printed on the paper, other key phrases, fields expected on it."""

    titles: tuple[str, ...] = ()
    key_phrases: tuple[str, ...] = ()
    expected_fields: tuple[ExpectedField, ...] = ()


@dataclass(frozen=True)
class Component:
    """One thành phần hồ sơ as the published procedure prints it."""

    id: str  # TP01, TP02, ...
    name: str  # as printed in the published procedure
    requirement: Requirement
    form: Form
    copies: int
    condition: str | None = None  # set exactly when requirement is conditional
    one_of: str | None = None  # components sharing this group name can stand in for each other
    note: str | None = None
    hints: Hints = Hints()
    # the component can be any paper at all (chứng thực: the document to certify): a page that matches no
    # other component of the procedure is filed here for the officer to confirm, not left unclassified
    any_paper: bool = False
    # the component is a copy of another one handed in with it (chứng thực: the copy to certify): a page
    # repeating the text of that component's page is filed here
    copy_of: str | None = None
    # how long the paper stays usable after the date printed on it (e.g. a certificate valid 6 months)
    max_age_days: int | None = None
    max_age_months: int | None = None
    # where the signer signs on the component's first page: (x, y, width, height) as fractions of the page
    signature_box: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class Profile:
    """The rules of one procedure in force from `valid_from` to `valid_to` (inclusive; None = open)."""

    code: str
    name: str
    field: str
    level: Level
    agency: str
    fee: str
    processing_days: int  # working days; 0 = same day
    components: tuple[Component, ...]
    sources: tuple[str, ...]
    unconfirmed: tuple[str, ...] = ()
    valid_from: date | None = None
    valid_to: date | None = None
    label: str = ""
    sets: int = 1  # số lượng hồ sơ (bộ)
    processing_note: str | None = None
    path: Path | None = None  # the file it was read from

    def in_force(self, day: date) -> bool:
        starts = self.valid_from is None or self.valid_from <= day
        return starts and (self.valid_to is None or day <= self.valid_to)

    def component(self, component_id: str) -> Component | None:
        return next((c for c in self.components if c.id == component_id), None)

    @property
    def required_components(self) -> tuple[Component, ...]:
        return tuple(c for c in self.components if c.requirement is Requirement.required)


@dataclass(frozen=True)
class Procedure:
    """A procedure file: its versions, oldest first, never overlapping."""

    code: str
    name: str
    versions: tuple[Profile, ...]
    path: Path

    def version_on(self, day: date) -> Profile | None:
        return next((v for v in self.versions if v.in_force(day)), None)

    @property
    def current(self) -> Profile:
        return self.versions[-1]
