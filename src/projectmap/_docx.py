"""Read the text of a Word (``.docx``) file: body paragraphs and tables, in order, one a line.

The ZIP archive is checked before anything is inflated: every member must be
stored or compressed with a method Python reads, none may be encrypted, and
their declared sizes together must stay under :data:`MAX_UNPACKED` (a
"zip bomb" of a few MB can declare gigabytes). Python's ``zipfile`` never
inflates a member past its declared size.

Text is read from the document XML itself rather than python-docx's
``Paragraph.text``, so that paragraphs inside content controls (``w:sdt``),
runs inside tracked insertions (``w:ins``), hyperlinks, smart tags and fields
are read, and tracked deletions (``w:del``) are not.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

from projectmap.errors import InputError

#: Largest total of the archive members' unpacked sizes, in bytes.
MAX_UNPACKED = 200_000_000
_METHODS = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIPPED = frozenset(
    {f"{_W}del", f"{_W}moveFrom", f"{_W}sdtPr", f"{_W}rPr", f"{_W}pPr", f"{_W}instrText",
     "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}
)  # fmt: skip
_CONTAINERS = frozenset({f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}ins"})


def docx_text(data: bytes, *, name: str) -> str:
    """The paragraphs and table rows of a Word file's body, in order, one a line.

    Table cells are separated by a tab; a merged cell counts once.

    Raises
    ------
    InputError
        When the file is not a Word document, is encrypted, uses a compression
        method Python cannot read, or unpacks to more than :data:`MAX_UNPACKED`.
    """
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        _check_archive(zipfile.ZipFile(io.BytesIO(data)), name)
        document = docx.Document(io.BytesIO(data))
        return "\n".join(_blocks(document.element.body, document))
    except InputError:
        raise
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, SyntaxError,
            NotImplementedError, RuntimeError, EOFError, OSError, zlib.error) as exc:  # fmt: skip
        raise InputError(f"{name}: is not a readable Word file ({type(exc).__name__})") from exc


def _check_archive(archive: zipfile.ZipFile, name: str) -> None:
    members = archive.infolist()
    if "word/document.xml" not in {m.filename for m in members}:
        raise InputError(f"{name}: is a ZIP archive but not a Word file; unzip it first")
    for member in members:
        if member.flag_bits & 0x1:
            raise InputError(
                f"{name}: is encrypted ({member.filename}); save an unprotected copy in Word"
            )
        if member.compress_type not in _METHODS:
            raise InputError(
                f"{name}: uses ZIP compression method {member.compress_type} "
                f"({member.filename}), which projectmap cannot read; re-save it in Word"
            )
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED:
        raise InputError(
            f"{name}: unpacks to {unpacked / 1e6:.0f} MB, over the {MAX_UNPACKED / 1e6:.0f} MB "
            "limit for a Word file; it is damaged or a zip bomb"
        )


def _blocks(parent: Any, document: Any) -> Iterator[str]:
    """The lines of a body (or cell, or content control): paragraphs and table rows."""
    for child in parent.iterchildren():
        if child.tag == f"{_W}p":
            yield paragraph_text(child)
        elif child.tag == f"{_W}tbl":
            yield from _table_rows(child, document)
        elif child.tag in _CONTAINERS:
            yield from _blocks(child, document)


def paragraph_text(element: Any) -> str:
    """The text of a ``w:p``: its runs wherever they sit, without deleted text."""
    parts: list[str] = []
    _collect(element, parts)
    return "".join(parts)


def _collect(element: Any, parts: list[str]) -> None:
    for child in element.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            continue
        if tag == f"{_W}t":
            parts.append(child.text or "")
        elif tag == f"{_W}tab":
            parts.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
        elif tag == f"{_W}p":  # a text box's paragraph inside a run
            parts.append(paragraph_text(child))
        else:
            _collect(child, parts)


def _table_rows(element: Any, document: Any) -> Iterator[str]:
    from docx.table import Table

    for row in Table(element, document).rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(" ".join(" ".join(_blocks(cell._tc, document)).split()))
        yield "\t".join(cells)
