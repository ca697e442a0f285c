"""Where does our text lose to OCRmyPDF's on clean pages? Tesseract on what `dossier scan` hands it against
Tesseract on the page as OCRmyPDF hands it (the grey page itself, Tesseract binarising it), same settings.

    .venv/bin/python bench/ocr_view.py --pages 20      # clean and office-scan pages among 20 generated ones

Prints CER and order-free word error per page and their means; reading order is Tesseract's own in both cases.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import cv2
import pytesseract

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import cer, word_error
from dossier.digitize.clean import clean_page_for_ocr
from dossier.digitize.vietnamese import correct_text, correct_word
from dossier.samples.make import make_samples

CONFIG = "--psm 3 --dpi 300"  # what dossier.digitize.ocr passes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profiles", nargs="+", default=["clean", "scan"])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "ocr_view")
    args = parser.parse_args()
    samples = make_samples(args.out, args.pages, args.seed)
    rows = []
    for page in samples.pages:
        if page.blank or page.profile not in args.profiles or page.page != 1:
            continue
        image = cv2.imread(str(samples.out_dir / page.file), cv2.IMREAD_COLOR)
        _, view, _ = clean_page_for_ocr(image, 300.0)
        ours = pytesseract.image_to_string(view, lang="vie", config=CONFIG)
        raw = pytesseract.image_to_string(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), lang="vie", config=CONFIG)
        row = (page.profile, cer(page.text, ours), cer(page.text, raw), word_error(page.text, ours))
        fixed = correct_text(ours)
        rows.append((*row, word_error(page.text, raw), cer(page.text, fixed), word_error(page.text, fixed)))
        print(f"{page.file}: CER ours {row[1]:.4f} raw {row[2]:.4f}", flush=True)
    lines = [
        f"pages: {len(rows)} ({', '.join(args.profiles)}) of {args.pages} generated, seed {args.seed}; "
        f"tesseract {pytesseract.get_tesseract_version()}, {CONFIG}",
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
    truth = [w for page in samples.pages for w in page.text.split()]
    changed = sum(correct_word(w) != w for w in truth)
    lines += ["", f"post-correction on the ground truth: {changed} of {len(truth)} correct words changed"]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
