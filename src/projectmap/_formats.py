"""Turn report files of each format into plain text: HTML pages, Word files, PDFs.

Which reader applies is told by the file's first bytes (``%PDF``, a ZIP
archive holding ``word/document.xml``), then by its suffix. Each reader
returns text with one paragraph a line; :func:`projectmap.ingest.clean`
then puts every format into the same layout, so that the same report gives
the same offsets whatever file it came in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from projectmap._docx import docx_text
from projectmap._pdf import pdf_text
from projectmap.errors import InputError

#: Suffixes of the files a folder of reports is searched for.
REPORT_SUFFIXES = (".txt", ".html", ".htm", ".docx", ".pdf")
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_SKIP_TAGS = frozenset(
    {"head", "script", "style", "nav", "header", "footer", "noscript", "template", "aside",
     "form", "button", "select", "iframe", "svg", "object"}
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
     "tr", "table", "section", "article", "main", "title", "blockquote", "pre", "center"}
)  # fmt: skip
_CELL_TAGS = frozenset({"td", "th"})
_NAV_MARK = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|breadcrumbs?|crumbs?|footer|sidebar|share|comments?|"
    r"related|copyright|toolbar|pagination|pager|login|search|banner)(?:$|[\s_-])",
    re.IGNORECASE,
)
_LINK_DENSITY = 0.5
_REPORT = "政府工作报告"


def read_text(path: Path, data: bytes, decode: Callable[..., str]) -> str:
    """The raw text of a report file, by its format.

    ``decode(data, declared=charset)`` turns bytes into text for text formats.

    Raises
    ------
    InputError
        When the file is of a kind projectmap cannot read.
    """
    suffix = path.suffix.lower()
    if data.lstrip()[:5] == b"%PDF-" or suffix == ".pdf":
        return pdf_text(data, name=path.name)
    if data.startswith(b"PK\x03\x04") or suffix == ".docx":
        return docx_text(data, name=path.name)
    if data.startswith(_OLE) or suffix in {".doc", ".wps"}:
        raise InputError(
            f"{path.name}: is an old-style Word (.doc/.wps) file; save it as .docx or PDF"
        )
    raw = decode(data, declared=declared_charset(data))
    if suffix in HTML_SUFFIXES or looks_like_html(raw):
        return html_to_text(raw)
    return raw


# --- HTML ----------------------------------------------------------------------------------


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` tag; GB2312 and GBK read as GB18030."""
    match = _META_CHARSET.search(data[:4096])
    if match is None:
        return None
    charset = match.group(1).decode("ascii").lower()
    return "gb18030" if charset in {"gb2312", "gbk", "x-gbk", "gb_2312-80"} else charset


def looks_like_html(text: str) -> bool:
    """Whether text read from a file is an HTML page."""
    head = text[:2000].lower()
    return "<html" in head or "<!doctype html" in head or "<body" in head


def html_to_text(markup: str) -> str:
    """The main text of an HTML page, without scripts, styles, navigation and link lists.

    Dropped: script-like and navigation elements (``nav``, ``header``, ``footer``,
    ``aside``), elements whose class or id marks them as navigation, sidebars,
    sharing or comments, and blocks made mostly of links (menus, "related
    reading" lists). An element holding the page's ``<h1>`` is kept. When only the
    page's ``<title>`` names the 政府工作报告, it opens the text.
    """
    import lxml.html
    from lxml.etree import ParserError

    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", markup, count=1))
    except (ParserError, ValueError):
        return ""
    parts: list[str] = []
    _emit(root, parts)
    text = "".join(parts)
    title = " ".join((root.findtext("head/title") or "").split())
    if _REPORT in title and _REPORT not in text[:2000]:
        text = f"{title}\n{text}"  # the page's only title says whose report it is
    return text


def _emit(element: Any, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag and not _dropped(element, tag):
        block = tag in _BLOCK_TAGS
        parts.append("\n" if block else "\t" if tag in _CELL_TAGS else "")
        parts.append(element.text or "")
        for child in element:
            _emit(child, parts)
        parts.append("\n" if block else "")
    parts.append(element.tail or "")


def _dropped(element: Any, tag: str) -> bool:
    if tag in {"html", "body"} or element.find(".//h1") is not None:
        return False
    if tag in _SKIP_TAGS or tag == "title":  # a <title> in the body holds raw markup as text
        return True
    marks = f"{element.get('class', '')} {element.get('id', '')}"
    return bool(_NAV_MARK.search(marks)) or _mostly_links(element)


def _mostly_links(element: Any) -> bool:
    total = len("".join(element.itertext()).strip())
    if total == 0:
        return False
    linked = sum(len("".join(a.itertext()).strip()) for a in element.iter("a"))
    return linked / total >= _LINK_DENSITY
