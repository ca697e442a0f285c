"""Write a set of synthetic sample pages (PNG, JPEG, TIFF) with their ground truth to a folder."""

from __future__ import annotations

import io
import json
import os
import random
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from dossier.errors import ConfigError, InputFileError, OutputError
from dossier.fsutil import atomic_write_bytes, atomic_write_text, make_private_dir
from dossier.i18n import _
from dossier.samples.degrade import PROFILES, Degraded, PageToDegrade, degrade
from dossier.samples.render import DPI, draw_page, layout_page
from dossier.samples.text import make_page_content

GROUND_TRUTH_NAME = "ground_truth.json"
GROUND_TRUTH_VERSION = 1
# The default order puts every profile in the first 12 pages; a scan page followed by a blank one becomes a
# duplex two-page TIFF, the later scan page a single-page TIFF.
DEFAULT_ORDER = (
    "clean",
    "scan",
    "blank",
    "skewed",
    "photo",
    "dark_border",
    "noisy",
    "seal",
    "rotated90",
    "rotated180",
    "scan",
    "seal",
)
# Pages after the first 12 are drawn from these, weighted like a real counter's intake.
EXTRA_WEIGHTS = {
    "scan": 6,
    "clean": 2,
    "seal": 3,
    "photo": 2,
    "skewed": 2,
    "dark_border": 2,
    "noisy": 1,
    "rotated90": 1,
    "rotated180": 1,
    "blank": 1,
}


@dataclass(frozen=True)
class SamplePage:
    """One page of the sample set and its ground truth.

    `rotation` (0/90/180/270) and `skew` are the counter-clockwise corrections in degrees a cleaner must
    find: PIL's ``image.rotate(rotation, expand=True)`` then ``image.rotate(skew)`` brings the text upright.
    """

    file: str  # file name inside the sample folder
    page: int  # 1-based page within that file
    index: int  # 1-based position in the whole set
    profile: str
    text: str  # NFC, one drawn line per line, reading order; "" for blank pages
    blank: bool
    rotation: int
    skew: float
    has_seal: bool
    width: int
    height: int
    mode: str  # PIL mode of the stored image: L or RGB


@dataclass(frozen=True)
class SampleSet:
    out_dir: Path
    seed: int
    dpi: int
    pages: tuple[SamplePage, ...]

    @property
    def files(self) -> tuple[str, ...]:
        """Distinct file names in page order."""
        return tuple(dict.fromkeys(page.file for page in self.pages))

    def to_json(self) -> str:
        payload = {
            "version": GROUND_TRUTH_VERSION,
            "seed": self.seed,
            "dpi": self.dpi,
            "pages": [asdict(page) for page in self.pages],
        }
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True)
class _FilePlan:
    name: str
    fmt: str  # PNG, JPEG or TIFF
    indexes: tuple[int, ...]  # 1-based page indexes stored in this file


@dataclass(frozen=True, eq=False)
class _MadePage:
    image: Image.Image
    page: SamplePage


def profile_sequence(count: int, seed: int, profiles: Sequence[str] | None) -> tuple[str, ...]:
    """Which profile each page gets: the given ones in turn, or the default order then weighted draws."""
    if count < 1:
        raise ConfigError(_("Số trang mẫu phải lớn hơn 0 (đang là {count}).").format(count=count))
    if profiles:
        unknown = [p for p in profiles if p not in PROFILES]
        if unknown:
            raise ConfigError(
                _("Kiểu trang mẫu không hợp lệ: {names}. Các kiểu có: {known}.").format(
                    names=", ".join(unknown), known=", ".join(PROFILES)
                )
            )
        return tuple(profiles[i % len(profiles)] for i in range(count))
    extra_rng = random.Random(f"dossier-samples-extra:{seed}")
    names, weights = list(EXTRA_WEIGHTS), list(EXTRA_WEIGHTS.values())
    extra = extra_rng.choices(names, weights, k=max(0, count - len(DEFAULT_ORDER)))
    return (*DEFAULT_ORDER[:count], *extra)


def plan_files(sequence: Sequence[str]) -> tuple[_FilePlan, ...]:
    """Group pages into files: photos as JPEG, the first scan page and the page after it as a two-page TIFF,
    later scan pages as single-page TIFFs, everything else as PNG."""
    plans: list[_FilePlan] = []
    duplex_done = False
    i = 0
    while i < len(sequence):
        index, profile = i + 1, sequence[i]
        stem = f"sample-{index:02d}-{profile}"
        follower = sequence[i + 1] if i + 1 < len(sequence) else None
        if profile == "scan" and not duplex_done and follower is not None and follower != "photo":
            plans.append(_FilePlan(f"{stem}-2pages.tif", "TIFF", (index, index + 1)))
            duplex_done = True
            i += 2
            continue
        if profile == "photo":
            plans.append(_FilePlan(f"{stem}.jpg", "JPEG", (index,)))
        elif profile == "scan":
            plans.append(_FilePlan(f"{stem}.tif", "TIFF", (index,)))
        else:
            plans.append(_FilePlan(f"{stem}.png", "PNG", (index,)))
        i += 1
    return tuple(plans)


def make_page(seed: int, index: int, profile: str) -> tuple[Degraded, str]:
    """Render and degrade page `index` of the set; its content depends on (seed, index) only."""
    content_rng = random.Random(f"dossier-samples:{seed}:{index}:content")
    content = make_page_content(content_rng)
    layout = layout_page(content)
    clean = draw_page(layout)
    degrade_rng = random.Random(f"dossier-samples:{seed}:{index}:{profile}")
    nprng = np.random.default_rng([seed, index, PROFILES.index(profile)])
    result = degrade(
        PageToDegrade(clean, layout.signature_box, content.seal_text), profile, degrade_rng, nprng
    )
    return result, ("" if result.blank else layout.text)


def _made_page(seed: int, index: int, profile: str, plan: _FilePlan) -> _MadePage:
    result, text = make_page(seed, index, profile)
    image = result.image
    return _MadePage(
        image,
        SamplePage(
            file=plan.name,
            page=plan.indexes.index(index) + 1,
            index=index,
            profile=profile,
            text=text,
            blank=result.blank,
            rotation=result.rotation,
            skew=result.skew,
            has_seal=result.has_seal,
            width=image.width,
            height=image.height,
            mode=image.mode,
        ),
    )


def encode_file(plan: _FilePlan, images: Sequence[Image.Image]) -> bytes:
    """Encode the file's pages with 300 dpi recorded (pHYs, JFIF density, TIFF resolution)."""
    buffer = io.BytesIO()
    if plan.fmt == "JPEG":
        images[0].save(buffer, "JPEG", quality=60, dpi=(DPI, DPI))
    elif plan.fmt == "TIFF":
        images[0].save(
            buffer, "TIFF", compression="tiff_lzw", dpi=(DPI, DPI), save_all=True,
            append_images=list(images[1:]),
        )  # fmt: skip
    else:
        images[0].save(buffer, "PNG", dpi=(DPI, DPI), compress_level=1)
    return buffer.getvalue()


def make_samples(
    out_dir: Path,
    count: int = 12,
    seed: int = 0,
    profiles: Sequence[str] | None = None,
    *,
    workers: int | None = None,
) -> SampleSet:
    """Write `count` synthetic pages and `ground_truth.json` into `out_dir` (created 0700, files 0600).

    The default 12-page set holds every profile, a JPEG, a two-page and a single-page TIFF. The same
    (count, seed, profiles) always gives the same bytes, whatever `workers` (threads; default: one per core).
    """
    sequence = profile_sequence(count, seed, profiles)
    try:
        make_private_dir(out_dir)
    except OSError as exc:
        raise OutputError(
            _("Không tạo được thư mục mẫu: {reason}").format(reason=exc.strerror), out_dir
        ) from exc
    jobs = [(seed, plan, tuple(sequence[i - 1] for i in plan.indexes)) for plan in plan_files(sequence)]
    pages: list[SamplePage] = []
    for plan, data, made in _run_jobs(jobs, workers):
        _write(out_dir / plan.name, data)
        pages.extend(made)
    sample_set = SampleSet(out_dir, seed, DPI, tuple(pages))
    _write(out_dir / GROUND_TRUTH_NAME, sample_set.to_json())
    return sample_set


_Job = tuple[int, _FilePlan, tuple[str, ...]]


def _make_file(job: _Job) -> tuple[_FilePlan, bytes, list[SamplePage]]:
    """Render, degrade and encode the pages of one file (runs in a worker thread)."""
    seed, plan, profiles = job
    made = [
        _made_page(seed, index, profile, plan) for index, profile in zip(plan.indexes, profiles, strict=True)
    ]
    return plan, encode_file(plan, [m.image for m in made]), [m.page for m in made]


def _run_jobs(jobs: list[_Job], workers: int | None) -> Iterator[tuple[_FilePlan, bytes, list[SamplePage]]]:
    """Make the files in page order, in threads when there are cores: NumPy, OpenCV and Pillow's
    encoders release the GIL for the heavy work, and threads avoid fork/spawn pitfalls with OpenCV."""
    count = min(workers or os.cpu_count() or 1, len(jobs))
    if count < 2:
        yield from map(_make_file, jobs)
        return
    with ThreadPoolExecutor(count, thread_name_prefix="dossier-samples") as pool:
        yield from pool.map(_make_file, jobs)


def _write(path: Path, data: bytes | str) -> None:
    try:
        if isinstance(data, str):
            atomic_write_text(path, data)
        else:
            atomic_write_bytes(path, data)
    except OSError as exc:
        raise OutputError(_("Không ghi được tệp mẫu: {reason}").format(reason=exc.strerror), path) from exc


def load_ground_truth(directory: Path) -> SampleSet:
    """Read `ground_truth.json` written by make_samples back into a SampleSet."""
    path = directory / GROUND_TRUTH_NAME
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        pages = tuple(SamplePage(**page) for page in payload["pages"])
        return SampleSet(directory, int(payload["seed"]), int(payload["dpi"]), pages)
    except FileNotFoundError as exc:
        raise InputFileError(_("Không tìm thấy tệp dữ liệu chuẩn ground_truth.json."), path) from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputFileError(
            _("Tệp ground_truth.json không hợp lệ: {reason}").format(reason=exc), path
        ) from exc
