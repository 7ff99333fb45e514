"""Read the text layer of a PDF and put its wrapped lines back into paragraphs.

A PDF holds positioned runs of text, not paragraphs: every line a word
processor wrapped is a line of its own. Lines are rebuilt from the runs'
positions, and a line starts a new paragraph when it is indented (by its
position or by leading full-width spaces), when the line above it ended short
of the right margin, when a wider gap than usual lies above it, or when it is
a numbered heading (``三、…``, ``（二）…``). Page numbers (``- 3 -``) at the top
or bottom of a page are dropped, and so are running heads and feet.
"""

from __future__ import annotations

import io
import math
import re
import statistics
import unicodedata
import warnings
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from projectmap.errors import InputError

#: Fewer visible characters than this in the whole file means no text layer.
MIN_CHARACTERS = 20
_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）]|第[一二三四五六七八九十]{1,3}[章部分])"
)
_PAGE_NUMBER = re.compile(r"^[\s\-—–]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*\d{1,4})?[\s\-—–]*$")
_INDENT_EM = 0.8  # a line starting this far right of the margin is indented
_SHORT_EM = 2.0  # a line ending this far left of the right margin is a paragraph's last
_GAP_FACTOR = 1.6  # a gap this many times the usual line pitch separates paragraphs


@dataclass(frozen=True)
class _Run:
    page: int
    x: float
    y: float
    size: float
    text: str


@dataclass(frozen=True)
class Line:
    """One printed line: where it starts and ends, in points, and its text."""

    page: int
    x0: float
    x1: float
    y: float
    size: float
    text: str


def pdf_text(data: bytes, *, name: str) -> str:
    """The text of a PDF, one paragraph a line.

    Raises
    ------
    InputError
        When the PDF cannot be read, is encrypted with a password, or has no text layer.
    """
    lines = _without_page_furniture(_read_lines(data, name))
    visible = sum(1 for line in lines for ch in line.text if not ch.isspace())
    if visible < MIN_CHARACTERS:
        raise InputError(
            f"{name}: is a scanned PDF with no text layer; it needs OCR first "
            "(e.g. ocrmypdf --language chi_sim IN.pdf OUT.pdf), then pass the OCR'd file"
        )
    return "\n".join(paragraphs(lines))


def _read_lines(data: bytes, name: str) -> list[Line]:
    """Every page's lines, in reading order; a damaged file is an :class:`InputError`."""
    from pypdf import PdfReader

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a damaged but readable file: its text is enough
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not _decrypted(reader):
                raise InputError(f"{name}: is a password-protected PDF; save an unprotected copy")
            return [line for n, page in enumerate(reader.pages) for line in _page_lines(n, page)]
    except InputError:
        raise
    except Exception as exc:  # pypdf raises all kinds of errors on a damaged file
        raise InputError(
            f"{name}: is not a readable PDF ({type(exc).__name__}); re-save or re-export it"
        ) from exc


def _decrypted(reader: Any) -> bool:
    """Whether a PDF encrypted with an empty user password (owner rights only) opens."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # an unsupported cipher, or one that needs the cryptography package
        return False


def _page_lines(number: int, page: Any) -> list[Line]:
    runs: list[_Run] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, size: float) -> None:
        if text.strip():
            runs.extend(_runs(number, text, cm, tm, size))

    page.extract_text(visitor_text=visit)
    return _lines(runs)


def _runs(page: int, text: str, cm: list[float], tm: list[float], size: float) -> list[_Run]:
    """A piece of text at its place on the page: the text matrix applied through the CTM.

    Text that holds line breaks is taken as lines set one below the other. Text
    at no finite place (a matrix that overflows, or NaN) is dropped.
    """
    a, b, c, d, e, f = (float(v) for v in cm)
    x = tm[4] * a + tm[5] * c + e
    y = tm[4] * b + tm[5] * d + f
    size = abs(size * math.hypot(tm[2] * a + tm[3] * c, tm[2] * b + tm[3] * d)) or 10.0
    if not all(map(math.isfinite, (x, y, size))):
        return []  # coordinates that overflow (1e308 scaled up) or are NaN: no place to put it
    runs = [
        _Run(page, x, y - i * size * 1.2, size, piece)
        for i, piece in enumerate(text.split("\n"))
        if piece.strip()
    ]
    return [run for run in runs if math.isfinite(run.y)]


def _lines(runs: list[_Run]) -> list[Line]:
    """Runs grouped into lines (same baseline within half a character), top to bottom."""
    rows: list[list[_Run]] = []
    for run in sorted(runs, key=lambda r: (-r.y, r.x)):
        if rows and abs(rows[-1][0].y - run.y) < rows[-1][0].size / 2:
            rows[-1].append(run)
        else:
            rows.append([run])
    return [_line(sorted(row, key=lambda r: r.x)) for row in rows]


def _line(row: list[_Run]) -> Line:
    text = row[0].text
    for before, run in pairwise(row):
        gap = run.x - (before.x + em_width(before.text) * before.size)
        text += _joiner(text, run.text, wide=gap > before.size / 4) + run.text
    last = row[-1]
    size = statistics.median(r.size for r in row)
    return Line(
        row[0].page, row[0].x, last.x + em_width(last.text) * last.size, row[0].y, size, text
    )


def em_width(text: str) -> float:
    """Estimated width of ``text`` in ems.

    CJK characters, and the quotes and dashes CJK fonts set wide, are one em;
    others are half.
    """
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5 for ch in text)


def _joiner(left: str, right: str, *, wide: bool) -> str:
    """A space between two pieces only where Latin words or numbers meet."""
    if not left or not right or left[-1].isspace() or right[0].isspace():
        return ""
    latin = left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum()
    return " " if latin and wide else ""


def _without_page_furniture(lines: list[Line]) -> list[Line]:
    """Drop page numbers and running heads and feet.

    That is, a page's first or last line that is a bare number (``- 3 -``, ``第3页``)
    or that recurs, numbers aside, at the top or bottom of other pages.
    """
    by_page: dict[int, list[Line]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line)
    edges = list({id(ln): ln for page in by_page.values() for ln in (page[0], page[-1])}.values())
    shapes = Counter(_shape(ln.text) for ln in edges)
    recurring = {s for s, n in shapes.items() if n >= 2 and n >= len(by_page) / 2}
    dropped = {
        id(ln) for ln in edges
        if _PAGE_NUMBER.match(ln.text.strip()) or _shape(ln.text) in recurring
    }  # fmt: skip
    return [ln for ln in lines if id(ln) not in dropped]


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", "".join(text.split()))


def paragraphs(lines: list[Line]) -> list[str]:
    """Join wrapped lines into paragraphs, one string each."""
    if not lines:
        return []
    layout = _Layout.of(lines)
    out = [lines[0].text.strip()]
    for before, line in pairwise(lines):
        if layout.starts_paragraph(before, line):
            out.append(line.text.strip())
        else:
            out[-1] += _joiner(out[-1], line.text.lstrip(), wide=True) + line.text.strip()
    return [p for p in out if p]


@dataclass(frozen=True)
class _Layout:
    """The body text's left and right margins and its usual line pitch."""

    left: float
    right: float
    pitch: float

    @classmethod
    def of(cls, lines: list[Line]) -> _Layout:
        left = Counter(round(line.x0) for line in lines).most_common(1)[0][0]
        ends = sorted(line.x1 for line in lines)
        right = ends[int(0.9 * (len(ends) - 1))]
        steps = [a.y - b.y for a, b in pairwise(lines) if a.page == b.page and a.y > b.y]
        return cls(float(left), right, statistics.median(steps) if steps else 0.0)

    def starts_paragraph(self, before: Line, line: Line) -> bool:
        """Whether ``line`` opens a paragraph rather than continuing ``before``."""
        em = line.size
        indent = (line.x0 - self.left) / em + em_width(_leading_space(line.text))
        gap = before.y - line.y if before.page == line.page else 0.0
        return (
            indent >= _INDENT_EM
            or before.x1 < self.right - _SHORT_EM * before.size
            or (self.pitch > 0 and gap > _GAP_FACTOR * self.pitch)
            or bool(_HEADING.match(line.text))
        )


def _leading_space(text: str) -> str:
    return text[: len(text) - len(text.lstrip())]
