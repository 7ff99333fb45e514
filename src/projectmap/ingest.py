"""Read a report file into clean text, and read its title, issuer and date.

Text may come as UTF-8, GB18030/GBK, UTF-16 (with a BOM or without) or another encoding
that charset-normalizer recognises, as a saved HTML page, a Word (``.docx``)
file or a PDF with a text layer (the readers are in :mod:`projectmap._formats`).
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
from functools import partial
from pathlib import Path

from projectmap._files import read_regular
from projectmap._formats import read_text
from projectmap._hant import simplified
from projectmap.errors import InputError

#: Default largest report accepted, in bytes.
MAX_BYTES = 20_000_000

_JUNK_LINE = re.compile(
    r"^\s*(导航菜单|首页|上一篇|下一篇|返回顶部|打印本页|关闭窗口|分享到|责任编辑|来源[:：]|"
    r"本文仅代表作者观点|本文地址|留言与评论|验证码|相关阅读|版权所有|Copyright|ICP备)"
)
#: Dropped by :func:`clean`: control characters (but tab and line feed), lone surrogates,
#: zero-width characters, stray byte-order marks, bidi controls and the soft hyphen; they
#: break names apart for matching and would be copied into the outputs.
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\u00ad\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\u061c]"
)
_FOOTNOTE = re.compile(r"\[\d{1,3}\]|【\d{1,3}】")
_TITLE = re.compile(r"(?P<title>[^\n]{0,60}?政府工作报告[^\n]{0,40})")
_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
_YEAR = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年")


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


def read_report(path: str | Path, *, max_bytes: int = MAX_BYTES) -> Report:
    """Read and clean a report file.

    Raises
    ------
    InputError
        When the file is missing, empty, too large, binary, undecodable, not
        a report format, or a PDF without a text layer.
    """
    path = Path(path)
    data = _read_bytes(path, max_bytes=max_bytes)
    text = simplified(clean(read_text(path, data, partial(decode, name=path.name))))
    if not text.strip():
        raise InputError(f"{path.name}: holds no readable text; pass a report with text in it")
    title = find_title(text)
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


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
    (b"\x84\x31\x95\x33", "gb18030"),
)
#: Share of non-ASCII characters that must be common (GB2312) ones to trust GB18030.
_COMMON_HANZI_SHARE = 0.95


def decode(data: bytes, *, name: str, declared: str | None = None) -> str:
    """Decode report bytes without losing a character.

    In order: a byte-order mark (UTF-8, UTF-16, UTF-32, GB18030), the charset an
    HTML page declares, strict UTF-8, strict GB18030 when it gives common
    Chinese characters, then charset-normalizer's guess (Big5, say), decoded
    strictly too.

    Raises
    ------
    InputError
        When the bytes are binary or no encoding decodes them without loss.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _strict(data, codec, name).removeprefix("\ufeff")
    if b"\x00" in data[:4096]:
        if (text := _utf16_without_bom(data)) is not None:
            return text
        raise InputError(f"{name}: looks binary (NUL bytes); pass a text, HTML, Word or PDF report")
    if (text := _text_or_none(data, declared)) and _reads_as_chinese(text):
        return text
    if text := _text_or_none(data, "utf-8"):
        return text
    gb18030 = _text_or_none(data, "gb18030")
    if gb18030 and _common_hanzi_share(gb18030) >= _COMMON_HANZI_SHARE:
        return gb18030
    text = _detected(data) or gb18030
    if text is None:
        if _cut_short(data):
            raise InputError(
                f"{name}: ends in the middle of a character, so it was cut short; "
                "save or download it again"
            )
        raise InputError(
            f"{name}: is neither UTF-8 nor GBK/GB18030 text; convert it to UTF-8 and try again"
        )
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """Text in UTF-16 without a byte-order mark, told by where its ASCII's NUL bytes fall."""
    head = data[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    codec = "utf-16-le" if odd > even else "utf-16-be"
    if len(data) % 2 or max(even, odd) < 4 * min(even, odd) + 1:
        return None
    text = _text_or_none(data, codec)
    return text if text is not None and _reads_as_chinese(text) else None


def _cut_short(data: bytes) -> bool:
    """Whether the bytes decode as UTF-8 or GB18030 but for a character cut at the end."""
    for codec in ("utf-8", "gb18030"):
        for cut in (1, 2, 3):
            if len(data) > cut and _text_or_none(data[:-cut], codec):
                return True
    return False


def _text_or_none(data: bytes, codec: str | None) -> str | None:
    """``data`` decoded strictly, when it decodes to text (not control characters)."""
    if not codec:
        return None
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    return text if _mostly_text(text) else None


def _common_hanzi_share(text: str) -> float:
    """How much of the non-ASCII text is in GB2312, the common simplified characters."""
    wide = sum(1 for ch in text if ord(ch) > 0x7F)
    if wide == 0:
        return 1.0
    common = (len(text.encode("gb2312", errors="ignore")) - (len(text) - wide)) / 2
    return common / wide


def _detected(data: bytes) -> str | None:
    """Text in the encoding charset-normalizer finds, when it reads as Chinese."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    text = _text_or_none(data, best.encoding if best else None)
    return text if text is not None and _reads_as_chinese(text) else None


def _reads_as_chinese(text: str) -> bool:
    """Whether most non-ASCII characters are Chinese ones (true of pure ASCII too)."""
    wide = [ch for ch in text if ord(ch) > 0x7F and not ch.isspace()]
    hanzi = sum(1 for ch in wide if "\u3400" <= ch <= "\u9fff")
    return hanzi >= len(wide) / 2


def _strict(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: broken {codec} at byte {exc.start}; re-save the file") from exc


def _mostly_text(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls <= max(2, len(text) // 200)


def clean(text: str) -> str:
    """Strip site junk lines and footnote markers; put the text in one layout.

    Line ends become newlines; each line is stripped of indents and trailing
    blanks, and blank lines are dropped: one paragraph a line, the layout
    every reader in :mod:`projectmap._formats` comes to.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", "  ")
    text = text.replace("\xa0", " ")
    text = _UNPRINTABLE.sub("", text)
    lines = (_FOOTNOTE.sub("", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line and not _JUNK_LINE.match(line))


def find_title(text: str) -> str | None:
    """The first line naming a 政府工作报告 in the head of the text, if any."""
    match = _TITLE.search(text[:2000])
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
