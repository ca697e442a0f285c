"""Dossiers of every shipped procedure, labelled by component code, degraded like desk scans and phone photos.

The truth (which component each page is, which required component is missing) is written here by hand from the
procedures as published (thành phần hồ sơ), not read from the profiles: this module never imports
`dossier.profiles` nor reads its TOML files.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from bench.corpus import forms, papers, pictures, strays
from bench.corpus.draw import Sheet, stamp_seal
from dossier.samples.degrade import PageToDegrade, degrade

STRAY = "-"  # a page that belongs to no component
Writer = Callable[[random.Random, bool], list[Sheet]]


@dataclass(frozen=True)
class Part:
    component: str
    writer: Writer
    required: bool = True  # False: conditional or optional, included only sometimes
    group: str | None = None  # members stand in for each other; the first one is reported missing
    shown: bool = False  # shown at the counter (never reported missing); copied into the scan sometimes


PROCEDURES: dict[str, tuple[Part, ...]] = {
    "1.001193": (  # khai sinh
        Part("TP01", papers.birth_declaration),
        Part("TP02", papers.hospital_birth_certificate, group="birth"),
        Part("TP03", papers.birth_commitment, group="birth"),
        Part("TP04", papers.surrogacy_confirmation, required=False),
        Part("TP05", pictures.id_card, shown=True),
        Part("TP06", papers.residence_confirmation, required=False, shown=True),
    ),
    "1.000894": (  # kết hôn
        Part("TP01", papers.marriage_declaration),
        Part("TP02", pictures.id_card, shown=True),
        Part("TP03", papers.marital_status, required=False),
        Part("TP04", papers.divorce_extract, required=False),
    ),
    "1.004222": (  # thường trú
        Part("TP01", forms.residence_declaration),
    ),
    "2.000720": (  # hộ kinh doanh
        Part("TP01", forms.business_application),
        Part("TP02", pictures.id_card),
        Part("TP03", forms.household_minutes, required=False),
        Part("TP04", forms.authorisation, required=False),
    ),
    "2.000815": (),  # chứng thực: originals and their copies, see _certify
    "local.gpxd-nha-o-rieng-le": (
        Part("TP01", forms.building_application),
        Part("TP02", pictures.land_certificate),
        Part("TP03", pictures.drawing_set),
    ),
}
# Papers a citizen hands in that the procedure does not list: strays, filed under no component.
EXTRA_PAPERS = {"1.004222": (forms.rental_contract, pictures.id_card)}


@dataclass(frozen=True)
class CorpusPage:
    image: Image.Image
    truth: str  # component code or STRAY
    text: str  # what is printed on it, in drawing order
    degradation: str


@dataclass(frozen=True)
class CorpusDossier:
    procedure: str
    pages: tuple[CorpusPage, ...]
    missing: tuple[str, ...]  # required components a correct checklist reports missing

    @property
    def expected_verdict(self) -> str:
        if self.missing:
            return "incomplete"
        return "review" if any(p.truth == STRAY for p in self.pages) else "complete"


def make_dossier(procedure: str, rng: random.Random, incomplete: bool, unseen: bool = False) -> CorpusDossier:
    if procedure == "2.000815":
        documents = _certify(rng, unseen)  # shuffled already, each copy kept behind its original
        missing: list[str] = []
    else:
        documents, missing = _documents(procedure, rng, incomplete, unseen)
        rng.shuffle(documents)
    nprng = np.random.default_rng(rng.randrange(2**32))
    phone = rng.random() < 0.3  # the whole dossier photographed with a phone
    pages = [_degraded(sheet, truth, rng, nprng, phone) for truth, sheets in documents for sheet in sheets]
    return CorpusDossier(procedure, tuple(pages), tuple(missing))


def _documents(
    procedure: str, rng: random.Random, incomplete: bool, unseen: bool
) -> tuple[list[tuple[str, list[Sheet]]], list[str]]:
    parts = PROCEDURES[procedure]
    chosen: list[Part] = []
    groups: dict[str, Part] = {}
    for part in parts:
        if part.group:
            if part.group not in groups:
                members = [p for p in parts if p.group == part.group]
                groups[part.group] = rng.choices(members, weights=[3] + [1] * (len(members) - 1))[0]
                chosen.append(groups[part.group])
            continue
        if part.shown and rng.random() < 0.5:
            continue
        if not part.required and not part.shown and rng.random() < 0.6:
            continue
        chosen.append(part)
    missing: list[str] = []
    if incomplete:
        droppable = [p for p in chosen if (p.required and not p.shown)]
        dropped = rng.choice(droppable)
        chosen.remove(dropped)
        if dropped.group:
            missing.append(next(p.component for p in parts if p.group == dropped.group))
        else:
            missing.append(dropped.component)
    documents = []
    for part in chosen:
        count = (
            2 if part.writer is pictures.id_card and rng.random() < 0.4 else 1
        )  # both spouses, two members
        for _ in range(count):
            documents.append((part.component, part.writer(rng, unseen)))
    for writer in EXTRA_PAPERS.get(procedure, ()):
        if rng.random() < 0.5 or not documents:
            documents.append((STRAY, writer(rng, unseen)))
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        documents.append((STRAY, rng.choice(strays.STRAYS)(rng, unseen)))
    return documents, missing


def _certify(rng: random.Random, unseen: bool) -> list[tuple[str, list[Sheet]]]:
    """Chứng thực: one to three originals, each maybe followed by its photocopy; a stray is one more paper."""
    documents = []
    for _ in range(rng.randint(1, 3)):
        writer = rng.choice((*strays.ORIGINALS, pictures.id_card))
        sheets = writer(rng, unseen)
        documents.append(("TP01", sheets))
        if rng.random() < 0.6:
            documents.append(("TP02", [_photocopy(s) for s in sheets]))
    if rng.random() < 0.4:
        documents.append(("TP01", rng.choice(strays.STRAYS)(rng, unseen)))
    # the copy comes right after its original: keep each pair together when shuffling
    paired: list[tuple[str, list[Sheet]]] = []
    for truth, sheets in documents:
        if truth == "TP02":
            paired[-1] = ("pair", paired[-1][1] + sheets)
        else:
            paired.append((truth, sheets))
    rng.shuffle(paired)
    out = []
    for truth, sheets in paired:
        if truth == "pair":
            half = len(sheets) // 2
            out.append(("TP01", sheets[:half]))
            out.append(("TP02", sheets[half:]))
        else:
            out.append((truth, sheets))
    return out


def _photocopy(sheet: Sheet) -> Sheet:
    grey = sheet.canvas.convert("L").convert("RGB")
    return Sheet(
        canvas=grey,
        lines=sheet.text.split("\n"),
        drawn=list(sheet.drawn),
        sealed=False,
        colour=False,
        signature_at=sheet.signature_at,
    )


def _degraded(
    sheet: Sheet, truth: str, rng: random.Random, nprng: np.random.Generator, phone: bool
) -> CorpusPage:
    canvas = sheet.canvas.copy()
    if sheet.sealed and sheet.signature_at is not None:
        x, y = sheet.signature_at
        stamp_seal(canvas, x - rng.randint(120, 220), y + rng.randint(-40, 40), _seal_text(rng), rng)
    colour = sheet.colour or sheet.sealed or rng.random() < 0.5
    if phone:
        image, kind = _phone_photo(canvas, rng, nprng), "phone"
    elif colour and rng.random() < 0.7:
        image, kind = _colour_scan(canvas, rng, nprng), "colour-scan"
    else:
        kind = rng.choice(("scan", "scan", "noisy", "dark_border", "skewed"))
        grey = canvas.convert("L")
        image = degrade(PageToDegrade(grey, (0, 0, 1, 1), ""), kind, rng, nprng).image
    return CorpusPage(image, truth, sheet.text, kind)


def _seal_text(rng: random.Random) -> str:
    return rng.choice(
        (
            "ỦY BAN NHÂN DÂN * XÃ ĐIỆN THẮNG *",
            "BỆNH VIỆN ĐA KHOA * TỈNH QUẢNG NAM *",
            "CÔNG AN XÃ * TỈNH NGHỆ AN *",
            "UBND TỈNH * THANH HÓA *",
        )
    )


def _colour_scan(canvas: Image.Image, rng: random.Random, nprng: np.random.Generator) -> Image.Image:
    arr = np.asarray(canvas).astype(np.float32)
    paper = np.array([rng.uniform(236, 250), rng.uniform(234, 248), rng.uniform(225, 242)], np.float32)
    arr = arr / 255.0 * paper
    arr = cv2.GaussianBlur(arr, (0, 0), rng.uniform(0.5, 0.9))
    angle = rng.uniform(-1.5, 1.5)
    h, w = arr.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    arr = cv2.warpAffine(arr, m, (w, h), borderValue=tuple(float(v) for v in paper))
    arr += nprng.normal(0, rng.uniform(2, 5), arr.shape).astype(np.float32)
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))


def _phone_photo(canvas: Image.Image, rng: random.Random, nprng: np.random.Generator) -> Image.Image:
    """A phone photo on a desk: perspective, uneven light, warm tint, blur, JPEG."""
    arr = np.asarray(canvas).astype(np.float32)
    h, w = arr.shape[:2]
    pad = 160
    big = np.full((h + 2 * pad, w + 2 * pad, 3), rng.uniform(60, 120), np.float32)
    big[pad : pad + h, pad : pad + w] = arr
    j = [rng.uniform(-70, 70) for _ in range(8)]
    src = np.float32([[pad, pad], [pad + w, pad], [pad + w, pad + h], [pad, pad + h]])
    dst = src + np.float32([[j[0], j[1]], [j[2], j[3]], [j[4], j[5]], [j[6], j[7]]])
    big = cv2.warpPerspective(
        big, cv2.getPerspectiveTransform(src, dst), (big.shape[1], big.shape[0]), borderValue=(90, 90, 90)
    )
    ys = np.linspace(-1, 1, big.shape[0], dtype=np.float32)[:, None]
    xs = np.linspace(-1, 1, big.shape[1], dtype=np.float32)[None, :]
    light = rng.uniform(0.8, 0.92) + rng.uniform(0.08, 0.16) * (
        rng.uniform(-1, 1) * xs + rng.uniform(-1, 1) * ys
    )
    big *= light[..., None]
    big *= np.array([rng.uniform(0.8, 0.9), rng.uniform(0.92, 0.97), 1.0], np.float32)  # BGR-order warm tint
    big = cv2.GaussianBlur(big, (0, 0), rng.uniform(0.9, 1.5))
    big += nprng.normal(0, 4, big.shape).astype(np.float32)
    _, data = cv2.imencode(
        ".jpg", big.clip(0, 255).astype(np.uint8)[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 82]
    )
    decoded = cv2.imdecode(data, cv2.IMREAD_COLOR)[:, :, ::-1]
    return Image.fromarray(np.ascontiguousarray(decoded))


def corpus(count: int, seed: int, unseen: bool = False) -> Iterator[CorpusDossier]:
    """`count` dossiers cycling over the procedures; every other round is incomplete (not for chứng thực,
    where
    every paper is one to certify): 15 of 36 dossiers."""
    rng = random.Random(f"corpus:{seed}:{unseen}")
    codes = list(PROCEDURES)
    for index in range(count):  # one at a time: a dossier's pages take ~25 MB each
        code = codes[index % len(codes)]
        incomplete = code != "2.000815" and (index // len(codes)) % 2 == 0
        yield make_dossier(code, rng, incomplete, unseen)
