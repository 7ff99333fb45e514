"""Read a report file into clean text, and read its title, issuer and date.

Text may come as UTF-8, GB18030/GBK or UTF-16 with a BOM, or as a saved HTML
page. Site navigation, footers and footnote markers such as ``[14]`` are
stripped; offsets everywhere else index :attr:`Report.text`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from projectmap.errors import InputError

#: Default largest report accepted, in bytes.
MAX_BYTES = 20_000_000

_JUNK_LINE = re.compile(
    r"^\s*(导航菜单|首页|上一篇|下一篇|返回顶部|打印本页|关闭窗口|分享到|责任编辑|来源[:：]|"
    r"本文仅代表作者观点|本文地址|留言与评论|验证码|相关阅读|版权所有|Copyright|ICP备)"
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
        When the file is missing, empty, too large, binary or undecodable.
    """
    path = Path(path)
    data = _read_bytes(path, max_bytes=max_bytes)
    raw = decode(data, name=path.name)
    if path.suffix.lower() in {".html", ".htm", ".xhtml"} or _looks_like_html(raw):
        raw = html_to_text(raw)
    text = clean(raw)
    if not text.strip():
        raise InputError(f"{path.name}: holds no readable text; pass a report with text in it")
    title = find_title(text)
    return Report(
        id=report_id(path),
        text=text,
        title=title,
        date=find_date(title or text[:300]),
        source=path.name,
    )


def _read_bytes(path: Path, *, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from exc
    if path.is_dir():
        raise InputError(f"{path}: is a folder; pass a report file")
    if size > max_bytes:
        raise InputError(
            f"{path.name}: is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit; "
            "raise it with --max-size MB"
        )
    if size == 0:
        raise InputError(f"{path.name}: is empty; pass a report with text in it")
    return path.read_bytes()


def report_id(path: Path) -> str:
    """A filesystem-safe id from the file name: ``xialu-2022-excerpt``."""
    stem = re.sub(r"[^\w.-]+", "-", path.stem, flags=re.UNICODE).strip("-.")
    return stem or "report"


def decode(data: bytes, *, name: str) -> str:
    """Decode report bytes: BOMs first, then strict UTF-8, then GB18030.

    Raises
    ------
    InputError
        When the bytes are binary or no encoding decodes them without loss.
    """
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return _strict(data, codec, name)
    if b"\x00" in data[:4096]:
        raise InputError(f"{name}: looks binary (NUL bytes); pass a text, HTML, Word or PDF report")
    for codec in ("utf-8", "gb18030"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _mostly_text(text):
            return text
    raise InputError(
        f"{name}: is neither UTF-8 nor GBK/GB18030 text; convert it to UTF-8 and try again"
    )


def _strict(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: broken {codec} at byte {exc.start}; re-save the file") from exc


def _mostly_text(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls <= max(2, len(text) // 200)


def _looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return "<html" in head or "<!doctype html" in head or "<body" in head


class _TextExtractor(HTMLParser):
    _SKIP = frozenset(
        {"script", "style", "nav", "header", "footer", "noscript", "template", "aside"}
    )
    _BLOCK = frozenset(
        {
            "p",
            "div",
            "br",
            "li",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "tr",
            "section",
            "article",
            "title",
        }
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The visible text of an HTML page, without scripts, styles and navigation."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return html.unescape("".join(parser.parts))


def clean(text: str) -> str:
    """Strip site junk lines and footnote markers; normalise line ends and blank runs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", "  ")
    text = "".join(
        ch for ch in text if ch in "\n\t" or (ord(ch) >= 32 and not 0xD800 <= ord(ch) <= 0xDFFF)
    )
    lines = [line.rstrip() for line in text.split("\n")]
    kept = [_FOOTNOTE.sub("", line) for line in lines if not _JUNK_LINE.match(line)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip("\n")


def find_title(text: str) -> str | None:
    """The first line naming a 政府工作报告 in the head of the text, if any."""
    match = _TITLE.search(text[:2000])
    if match is None:
        return None
    return match.group("title").strip(" \t—-")


def find_date(text: str) -> str | None:
    """An ISO date (``2022-12-28``) or a year (``2022``) read from ``text``."""
    if match := _DATE.search(text):
        return f"{match['y']}-{int(match['m']):02d}-{int(match['d']):02d}"
    if match := _YEAR.search(text):
        return match["y"]
    return None
