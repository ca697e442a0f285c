"""The Vietnamese post-correction (`dossier.digitize.vietnamese.correct_line`) measured: false corrections
on correct text, and what it gains on Tesseract's reading of pages the project did not write its hints for.

(a) False corrections: every ground-truth line of the evaluation pages (`bench.corpus.ocr_pages`), of the
    checklist corpus's dossiers (`bench.corpus.dossiers`) and of `dossier.samples` pages goes through
    `correct_line`; any word changed is a false correction (target: under 0.1 % of words).
(b) Gains: Tesseract's reading of `ocr_pages` in five degradation profiles (cached, `postcorrect_ocr.py`),
    CER and order-free word error (`common.py`) before and after, and each changed word judged against the
    truth: its line aligned to the most similar truth line (rapidfuzz), words aligned by difflib.

    python bench/postcorrect.py [--pages 20] [--truth-pages 20] [--dossiers 12] \
        [--out bench/results/postcorrect.txt]
"""

from __future__ import annotations

import argparse
import difflib
import random
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import cer, normalise, word_error
from bench.corpus.dossiers import corpus
from bench.corpus.ocr_pages import PROFILES, ocr_pages
from bench.postcorrect_ocr import ReadPage, read_pages
from dossier.digitize.vietnamese import correct_line
from dossier.samples.render import layout_page
from dossier.samples.text import make_page_content

SEED = 13


def truth_lines(pages: int, dossiers: int, seed: int = SEED) -> dict[str, list[str]]:
    """Correct text by source: lines as printed."""
    out: dict[str, list[str]] = {}
    out["ocr_pages"] = [
        line for p in ocr_pages(pages * len(PROFILES), seed + 1, ("clean",)) for line in p.text.splitlines()
    ]
    out["corpus dossiers"] = [
        line
        for unseen in (False, True)
        for d in corpus(dossiers, seed, unseen)
        for page in d.pages
        for line in page.text.splitlines()
    ]
    rng = random.Random(seed)
    out["dossier.samples"] = [
        line for _ in range(pages * 5) for line in layout_page(make_page_content(rng)).text.splitlines()
    ]
    return out


def false_corrections(sources: dict[str, list[str]]) -> list[str]:
    rows, total_words, total_changed = [], 0, 0
    examples: Counter[str] = Counter()
    for name, lines in sources.items():
        words = changed = 0
        for line in lines:
            split = line.split()
            fixed = correct_line(split)
            words += len(split)
            for before, after in zip(split, fixed, strict=True):
                if before != after:
                    changed += 1
                    examples[f"{before} -> {after}"] += 1
        rows.append(f"  {name:<18} {words:>7} words  {changed:>4} changed  {changed / max(words, 1):.4%}")
        total_words += words
        total_changed += changed
    rate = total_changed / max(total_words, 1)
    verdict = "met" if rate < 0.001 else "NOT met"
    rows.append(
        f"  {'all':<18} {total_words:>7} words  {total_changed:>4} changed  {rate:.4%}"
        f"  (target < 0.1 %: {verdict})"
    )
    if examples:
        rows.append("  changed: " + ", ".join(f"{e} ({n})" for e, n in examples.most_common(15)))
    return rows


def _nfc(word: str) -> str:
    return unicodedata.normalize("NFC", word)


def judge(page: ReadPage, fixed: list[tuple[str, ...]]) -> Counter[str]:
    """Each changed word: right (now equals the truth), wrong (was the truth), or neither."""
    truth = [line for line in page.truth.splitlines() if line.strip()]
    out: Counter[str] = Counter()
    for before, after in zip(page.lines, fixed, strict=True):
        if before == after:
            continue
        best = process.extractOne(" ".join(before), truth, scorer=fuzz.ratio)
        said = best[0].split() if best else []
        matcher = difflib.SequenceMatcher(
            a=[_nfc(w) for w in before], b=[_nfc(w) for w in said], autojunk=False
        )
        aligned: dict[int, str] = {}
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag in ("equal", "replace") and i2 - i1 == j2 - j1:
                aligned.update({i1 + k: said[j1 + k] for k in range(i2 - i1)})
        for i, (old, new) in enumerate(zip(before, after, strict=True)):
            if old == new:
                continue
            meant = aligned.get(i)
            out["changed"] += 1
            if meant is None:
                out["unaligned"] += 1
            elif _nfc(new) == _nfc(meant):
                out["right"] += 1
            elif _nfc(old) == _nfc(meant):
                out["wrong"] += 1
                out[f"wrong: {old} -> {new}"] += 1
            else:
                out["neither"] += 1
    return out


def gains(pages: list[ReadPage]) -> list[str]:
    rows = [
        f"  {'profile':<8} {'pages':>5} {'CER before':>10} {'after':>8} {'word err before':>15} {'after':>8}"
        f" {'changed':>7} {'right':>5} {'wrong':>5} {'neither':>7} {'unaligned':>9}"
    ]
    wrongs: Counter[str] = Counter()
    for profile in PROFILES:
        mine = [p for p in pages if p.profile == profile]
        if not mine:
            continue
        c0 = c1 = w0 = w1 = 0.0
        tally: Counter[str] = Counter()
        for page in mine:
            fixed = [correct_line(line) for line in page.lines]
            before = normalise("\n".join(" ".join(line) for line in page.lines))
            after = normalise("\n".join(" ".join(line) for line in fixed))
            c0, c1 = c0 + cer(page.truth, before), c1 + cer(page.truth, after)
            w0, w1 = w0 + word_error(page.truth, before), w1 + word_error(page.truth, after)
            tally += judge(page, fixed)
        n = len(mine)
        rows.append(
            f"  {profile:<8} {n:>5} {c0 / n:>10.4f} {c1 / n:>8.4f} {w0 / n:>15.4f} {w1 / n:>8.4f}"
            f" {tally['changed']:>7} {tally['right']:>5} {tally['wrong']:>5} {tally['neither']:>7}"
            f" {tally['unaligned']:>9}"
        )
        wrongs += Counter({k[7:]: v for k, v in tally.items() if k.startswith("wrong: ")})
    if wrongs:
        rows.append("  wrong changes: " + ", ".join(f"{e} ({n})" for e, n in wrongs.most_common(15)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20, help="OCR pages per profile (default 20)")
    parser.add_argument(
        "--truth-pages", type=int, default=20, help="ground-truth pages per profile (default 20)"
    )
    parser.add_argument(
        "--dossiers", type=int, default=12, help="corpus dossiers for the ground truth (default 12)"
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"pages and dossiers drawn (default {SEED})")
    parser.add_argument("--out", type=Path, help="also write the report here")
    args = parser.parse_args()
    started = time.perf_counter()
    report = [
        "Vietnamese post-correction (dossier.digitize.vietnamese.correct_line)",
        "",
        f"(a) false corrections on correct text (ocr_pages: {args.truth_pages * len(PROFILES)} pages,"
        f" corpus: {args.dossiers} + {args.dossiers} unseen dossiers,"
        f" samples: {args.truth_pages * 5} pages; seed {args.seed}):",
        *false_corrections(truth_lines(args.truth_pages, args.dossiers, args.seed)),
        "",
        f"(b) Tesseract 'vie' (--psm 3, page dpi) on bench.corpus.ocr_pages, {args.pages} pages per profile,"
        " before and after correct_line (CER, order-free word error: means over pages):",
        *gains(read_pages(args.pages, args.seed)),
        "",
        f"({time.perf_counter() - started:.0f} s)",
    ]
    text = "\n".join(report) + "\n"
    print(text, end="")
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
