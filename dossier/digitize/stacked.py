"""A column of item numbers that Tesseract read as one line of vertical text, read again.

On numbered forms (a residence confirmation's "1. Họ, chữ đệm và tên: ...", "2. Ngày, tháng, năm sinh: ...")
Tesseract's page layout analysis (`--psm 3`) can take the column of numbers down the left for a single line
of vertical text: it reads it as garbage ("`*IM œŒ CƠI + C2 ĐÔ") and leaves only the dots on the item lines.
Such a line is recognised from its words' boxes, stacked one under the other instead of side by side. The
list (the column and the lines beside it) is read again as one block of lines (`--psm 6`), where each number
is read with its line; only the words of that reading that stand in the column are kept, each joining the
item line beside it in front of its words. The item lines themselves stay as Tesseract first read them (a
block reading of a form's dotted leaders can lose a date that the page reading had).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from dossier.models import Word, lines_of

MIN_STACKED = 3  # words in a line before its shape says anything
LineKey = tuple[int, int, int]


@dataclass(frozen=True)
class Region:
    """A rectangle of the page image (pixels) to read again."""

    left: int
    top: int
    right: int
    bottom: int


def _middle(word: Word) -> float:
    return word.top + word.height / 2


def is_stacked(line: Sequence[Word]) -> bool:
    """Short words one under the other: their middles spread down more than two word heights and across
    less than the widest word. A line of horizontal text is the other way round."""
    if len(line) < MIN_STACKED:
        return False
    # a number's box is about as tall as wide; the words of a page lying on its side are taller than wide
    if statistics.median(w.height for w in line) > 1.5 * statistics.median(w.width for w in line):
        return False
    down = max(map(_middle, line)) - min(map(_middle, line))
    across = max(w.left + w.width / 2 for w in line) - min(w.left + w.width / 2 for w in line)
    return down > 2 * statistics.median(w.height for w in line) and across < max(w.width for w in line)


def _is_mark(word: Word) -> bool:
    """A word of punctuation only: the dot Tesseract leaves of "1."."""
    return not any(ch.isalnum() for ch in word.text)


def list_region(column: Sequence[Word], others: dict[LineKey, list[Word]]) -> Region:
    """The stacked column and the lines that start just right of it, within its height give or take two
    word heights (the column may miss the first or last number)."""
    height = statistics.median(w.height for w in column)
    left, right = min(w.left for w in column), max(w.left + w.width for w in column)
    top, bottom = min(w.top for w in column), max(w.top + w.height for w in column)
    beside = [
        w
        for ws in others.values()
        if left <= min(w.left for w in ws) <= right + 3 * height
        and top - 2 * height <= statistics.median(map(_middle, ws)) <= bottom + 2 * height
        for w in ws
    ]
    pad = round(height / 2)
    return Region(
        left=max(left - pad, 0),
        top=max(min([top, *(w.top for w in beside)]) - pad, 0),
        right=max([right, *(w.left + w.width for w in beside)]) + pad,
        bottom=max([bottom, *(w.top + w.height for w in beside)]) + pad,
    )


def reread_stacked(words: Sequence[Word], read: Callable[[Region], list[Word]]) -> tuple[Word, ...]:
    """`words` with each stacked line replaced by the numbers that `read` (words in page pixels) finds in its
    column when reading its list: each joins the line whose middle is nearest, within a word's height, in
    front of its words, unless that line already has a word in the column. The column's words and the lone
    marks in it go. When fewer than half of the words read in the column hold a digit, it is not a list's
    numbers and everything stays as it was."""
    out = list(words)
    for key, column in lines_of(words).items():
        if not is_stacked(column):
            continue
        height = statistics.median(w.height for w in column)
        pad = height / 2
        left = min(w.left for w in column) - pad
        right = max(w.left + w.width for w in column) + pad
        region = list_region(column, {k: ws for k, ws in lines_of(out).items() if k != key})
        numbers = [w for w in read(region) if not _is_mark(w) and left <= w.left + w.width / 2 <= right]
        if not numbers or 2 * sum(any(ch.isdigit() for ch in w.text) for w in numbers) < len(numbers):
            continue
        out = [
            w
            for w in out
            if w.line != key and not (_is_mark(w) and left <= w.left and w.left + w.width <= right)
        ]
        # the lines still without a number: not those whose number Tesseract did read ("10.")
        open_lines = {
            k: statistics.median(map(_middle, ws))
            for k, ws in lines_of(out).items()
            if not any(left <= w.left + w.width / 2 <= right for w in ws)
        }
        for number in numbers:
            near = [
                (abs(m - _middle(number)), k)
                for k, m in open_lines.items()
                if abs(m - _middle(number)) < height
            ]
            if near:
                target = min(near)[1]
                del open_lines[target]
                at = next(i for i, w in enumerate(out) if w.line == target)
                out.insert(at, replace(number, line=target))
    return tuple(out)
