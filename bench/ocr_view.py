"""Where does our text lose to OCRmyPDF's on clean pages? Tesseract on what `dossier scan` hands it against
Tesseract on the page as OCRmyPDF hands it (the grey page itself, Tesseract binarising it), same settings.

    .venv/bin/python bench/ocr_view.py                          # 6 clean and 6 office pages, seed 0
    .venv/bin/python bench/ocr_view.py --pages-per-profile 2    # a quick look

The pages are `bench/corpus/ocr_pages.py`'s `clean` and `office` profiles (written and degraded without
`dossier.samples`). Prints CER and order-free word error per page and their means; reading order is
Tesseract's own in both cases.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import cv2
import numpy as np
import pytesseract

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import cer, scored_text, word_error
from bench.corpus.ocr_pages import ocr_pages
from dossier.digitize.clean import clean_page_for_ocr
from dossier.digitize.vietnamese import correct_text, correct_word


def config(dpi: int) -> str:
    return f"--psm 3 --dpi {dpi}"  # what dossier.digitize.ocr passes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages-per-profile", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profiles", nargs="+", default=["clean", "office"], choices=["clean", "office"])
    args = parser.parse_args()
    rows, truth_words = [], []
    for page in ocr_pages(args.pages_per_profile, args.seed, tuple(args.profiles)):
        truth = scored_text(page.text)
        truth_words += truth.split()
        image = np.asarray(page.image)
        if image.ndim == 3:
            image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
        _, view, _ = clean_page_for_ocr(image, float(page.dpi))
        ours = pytesseract.image_to_string(view, lang="vie", config=config(page.dpi))
        raw = pytesseract.image_to_string(grey, lang="vie", config=config(page.dpi))
        fixed = correct_text(ours)
        row = (
            page.profile,
            cer(truth, ours),
            cer(truth, raw),
            word_error(truth, ours),
            word_error(truth, raw),
        )
        rows.append((*row, cer(truth, fixed), word_error(truth, fixed)))
        print(f"{page.name}: CER ours {row[1]:.4f} raw {row[2]:.4f}", flush=True)
    lines = [
        f"pages: {len(rows)} ({', '.join(args.profiles)}; bench/corpus/ocr_pages.py, "
        f"{args.pages_per_profile} per profile, seed {args.seed}); tesseract "
        f"{pytesseract.get_tesseract_version()}, --psm 3 --dpi <the page's>",
        "",
        "| profile | pages | CER, dossier's OCR view | CER, the page as is | word error, OCR view "
        "| word error, page | CER, view corrected | word error, view corrected |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for profile in [*args.profiles, "ALL"]:
        chosen = [r for r in rows if profile in ("ALL", r[0])]
        if chosen:
            means = [statistics.fmean(r[i] for r in chosen) for i in range(1, 7)]
            lines.append(f"| {profile} | {len(chosen)} | " + " | ".join(f"{m:.4f}" for m in means) + " |")
    changed = sum(correct_word(w) != w for w in truth_words)
    lines += [
        "",
        f"post-correction on the ground truth: {changed} of {len(truth_words)} correct words changed",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
