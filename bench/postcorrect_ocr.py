"""Tesseract's reading of the evaluation pages, line by line, cached under bench/out/ for `postcorrect.py`.

Pages from `bench.corpus.ocr_pages` (written without the project's hints), read as `dossier scan` reads them
(`--psm 3`, the page's resolution), words grouped by Tesseract's (block, paragraph, line). Cached as JSON by
(count, seed), so a rerun of the post-correction benchmark does not run Tesseract again.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytesseract

from bench.corpus.ocr_pages import PROFILES, ocr_pages

OUT = Path(__file__).resolve().parent / "out" / "postcorrect"


@dataclass(frozen=True)
class ReadPage:
    name: str
    profile: str
    truth: str  # the printed text, lines in drawing order
    lines: tuple[tuple[str, ...], ...]  # Tesseract's words, line by line


def read_image(image: object, dpi: int) -> tuple[tuple[str, ...], ...]:
    data = pytesseract.image_to_data(
        image, lang="vie", config=f"--psm 3 --dpi {dpi}", output_type=pytesseract.Output.DICT
    )
    lines: dict[tuple[int, int, int], list[str]] = {}
    for i, word in enumerate(data["text"]):
        if word.strip():
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            lines.setdefault(key, []).append(word.strip())
    return tuple(tuple(words) for _, words in sorted(lines.items()))


def read_pages(count: int, seed: int, log: bool = True) -> list[ReadPage]:
    """`count` pages of each profile, read by Tesseract once and then from the cache."""
    cache = OUT / f"ocr-{count}-{seed}.json"
    if cache.exists():
        raw = json.loads(cache.read_text(encoding="utf-8"))
        return [ReadPage(r["name"], r["profile"], r["truth"], tuple(map(tuple, r["lines"]))) for r in raw]
    pages = []
    for page in ocr_pages(count, seed, PROFILES):
        pages.append(ReadPage(page.name, page.profile, page.text, read_image(page.image, page.dpi)))
        if log:
            print(f"read {page.name}", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    temp = cache.with_suffix(".tmp")
    temp.write_text(
        json.dumps(
            [p.__dict__ | {"lines": [list(line) for line in p.lines]} for p in pages], ensure_ascii=False
        ),
        encoding="utf-8",
    )
    os.replace(temp, cache)
    return pages
