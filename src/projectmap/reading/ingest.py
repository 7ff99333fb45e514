"""Read a report file into clean text, and read its title, issuer and date.

Text may come as UTF-8, GB18030/GBK, UTF-16 (with a BOM or without) or another encoding
that charset-normalizer recognises, as a saved HTML page, a Word (``.docx``)
file or a PDF with a text layer (decoding is :mod:`projectmap.reading.decode`, the readers are in
:mod:`projectmap.reading.formats`).
Site navigation, footers and footnote markers such as ``[14]`` are stripped,
and every format ends in one layout: one paragraph a line, without indents or
blank lines, so that a report gives the same offsets whatever file it came in.
Zero-width and bidi control characters and stray byte-order marks are dropped,
and a report in traditional characters is read as simplified (:mod:`._hant`),
all before :attr:`Report.text` is made: offsets everywhere else index it.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import Path

from projectmap.errors import InputError
from projectmap.files.rules import any_of, read_rules
from projectmap.files.safe import read_regular
from projectmap.reading.formats import read_text
from projectmap.reading.hant import simplified

#: Default largest report accepted, in bytes.
MAX_BYTES = 20_000_000

#: Dropped by :func:`clean`: control characters (but tab and line feed), lone surrogates,
#: zero-width characters, stray byte-order marks, bidi controls and the soft hyphen; they
#: break names apart for matching and would be copied into the outputs.
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\u00ad\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\u061c]"
)
_FOOTNOTE = re.compile(r"\[\d{1,3}\]|【\d{1,3}】")
_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
_YEAR = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年")


@dataclass(frozen=True)
class ReadingRules:
    """What reading drops and where the title is: the lists of ``rules/reading.json``."""

    junk: re.Pattern[str]
    title: re.Pattern[str]

    @classmethod
    def load(cls, path: str | Path | None = None) -> ReadingRules:
        """Read the packaged rules, or a user's copy of ``reading.json`` at ``path``."""
        data = read_rules("reading", path)
        return cls(
            junk=re.compile(rf"^\s*(?:{any_of(data['junk_line_starts'])})"),
            title=re.compile(
                rf"(?P<title>[^\n]{{0,60}}?(?:{any_of(data['title_words'])})[^\n]{{0,40}})"
            ),
        )


@dataclass(frozen=True)
class Report:
    """A report's cleaned text and what its title says.

    Attributes
    ----------
    id : str
        A slug of the file name, used for the output folder.
    text : str
        The cleaned text; every offset in projectmap indexes this string.
    title : str or None
        The title line, e.g. ``黄石市下陆区人民政府工作报告(2022年12月28日)``.
    date : str or None
        ISO date (or year) read from the title.
    source : str
        The file name the report was read from (never a local path).
    """

    id: str
    text: str
    title: str | None
    date: str | None
    source: str


def read_report(
    path: str | Path, *, max_bytes: int = MAX_BYTES, rules: ReadingRules | None = None
) -> Report:
    """Read and clean a report file, by ``rules`` (default: the packaged ones).

    Raises
    ------
    InputError
        When the file is missing, empty, too large, binary, undecodable, not
        a report format, or a PDF without a text layer.
    """
    path = Path(path)
    data = _read_bytes(path, max_bytes=max_bytes)
    rules = rules or ReadingRules.load()
    text = simplified(clean(read_text(path, data), rules))
    if not text.strip():
        raise InputError(f"{path.name}: holds no readable text; pass a report with text in it")
    title = find_title(text, rules)
    return Report(
        id=report_id(path),
        text=text,
        title=title,
        date=_best_date(find_date(title or ""), find_date(text[:300])),
        source=path.name,
    )


def _read_bytes(path: Path, *, max_bytes: int) -> bytes:
    """The file's bytes: a regular file only (never a FIFO or device), within the limit."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}); check its permissions") from exc
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a folder; pass a report file")
    if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
        raise InputError(
            f"{path.name}: is {info.st_size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB "
            "limit; raise it with --max-size MB"
        )
    data = read_regular(path, max_bytes=max_bytes, kind=InputError)
    if not data:
        raise InputError(f"{path.name}: is empty; pass a report with text in it")
    return data


def report_id(path: Path) -> str:
    """A filesystem-safe id from the file name: ``xialu-2022-excerpt``."""
    stem = re.sub(r"[^\w.-]+", "-", path.stem, flags=re.UNICODE).strip("-.")
    return stem or "report"


def clean(text: str, rules: ReadingRules | None = None) -> str:
    """Strip site junk lines and footnote markers; put the text in one layout.

    A junk line (navigation, a footer) starts with a word of ``rules``. Line ends
    become newlines; each line is stripped of indents and trailing blanks, and blank
    lines are dropped: one paragraph a line, the layout every reader in
    :mod:`projectmap.reading.formats` comes to.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", "  ")
    text = text.replace("\xa0", " ")
    text = _UNPRINTABLE.sub("", text)
    lines = (_FOOTNOTE.sub("", line).strip() for line in text.split("\n"))
    junk = (rules or ReadingRules.load()).junk
    return "\n".join(line for line in lines if line and not junk.match(line))


def find_title(text: str, rules: ReadingRules | None = None) -> str | None:
    """The first line naming a 政府工作报告 in the head of the text, if any."""
    match = (rules or ReadingRules.load()).title.search(text[:2000])
    if match is None:
        return None
    return match.group("title").strip(" \t—-")


def _best_date(*dates: str | None) -> str | None:
    """The first full date among ``dates``, else the first year."""
    known = [d for d in dates if d]
    return next((d for d in known if len(d) == 10), known[0] if known else None)


def find_date(text: str) -> str | None:
    """An ISO date (``2022-12-28``) or a year (``2022``) read from ``text``."""
    if match := _DATE.search(text):
        return f"{match['y']}-{int(match['m']):02d}-{int(match['d']):02d}"
    if match := _YEAR.search(text):
        return match["y"]
    return None
