"""A batch's ``index.html``: one row per report linking its files; never over others' files.

Failure rows say why in words and name the file, without local folders.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from projectmap._files import is_one_of, read_regular
from projectmap.errors import OutputError

if TYPE_CHECKING:
    from projectmap.batch import Outcome

#: What the head of an ``index.html`` projectmap wrote holds.
_INDEX_MARK = b"<title>projectmap: "


def require_index_replaceable(index: Path, reports: Sequence[Path]) -> None:
    """Refuse to write ``index`` over an input or over a file projectmap did not write.

    Raises
    ------
    OutputError
        When ``index`` is one of ``reports`` or is not an index page of projectmap's.
    """
    if not index.exists() and not index.is_symlink():
        return
    if is_one_of(index, reports):
        raise OutputError(
            f"{index}: is one of the reports of this batch and would be overwritten; "
            "pass another --output"
        )
    try:
        head = read_regular(index, max_bytes=50_000_000, kind=OutputError)[:1000]
    except OutputError:
        head = b""
    if _INDEX_MARK not in head or index.is_symlink():
        raise OutputError(
            f"{index}: is not an index page projectmap wrote; "
            "move it away, or pass another --output"
        )


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.3em .6em}td.n{text-align:right}"
    "tr.failed td{background:#fdecea}"
)


def index_html(outcomes: Sequence[Outcome]) -> str:
    """The batch's index page: one row per report, linking its map and data files."""
    failed = sum(1 for o in outcomes if not o.ok)
    rows = "\n".join(_index_row(o) for o in outcomes)
    summary = f"{len(outcomes)} reports, {len(outcomes) - failed} built, {failed} failed"
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>projectmap: {summary}</title><style>{_STYLE}</style></head><body>\n"
        f"<h1>projectmap</h1>\n<p>{summary}</p>\n<table>\n<tr><th>Report</th><th>Region</th>"
        "<th>Projects</th><th>Places resolved</th><th>Unresolved</th><th>Files</th></tr>\n"
        f"{rows}\n</table>\n</body></html>\n"
    )


#: A local path's folders (``/home/me/reports/``, ``C:\\Users\\me\\``): kept out of the page.
_FOLDERS = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][^\s\\/:;,()'\"]+)+[\\/]")


def without_paths(message: str, source: Path) -> str:
    """A failure message fit for a page others see: file names, but no local folders."""
    for path in (str(source.absolute()), str(source)):
        message = message.replace(path, source.name)
    return _FOLDERS.sub("", message)


def _index_row(outcome: Outcome) -> str:
    name = html.escape(outcome.source.name)
    if not outcome.ok:
        error = html.escape(without_paths(outcome.error or "", outcome.source))
        return f'<tr class="failed"><td>{name}</td><td colspan="5">failed: {error}</td></tr>'
    base = quote(outcome.folder)
    files = " ".join(
        f'<a href="{html.escape(f"{base}/{f}")}">{f}</a>'
        for f in ("projects.geojson", "places.geojson", "projects.csv", "unresolved.csv")
    )
    return (
        f'<tr><td><a href="{html.escape(f"{base}/map.html")}">{name}</a></td>'
        f"<td>{html.escape(outcome.region)}</td><td class=n>{outcome.projects}</td>"
        f"<td class=n>{outcome.resolved}</td><td class=n>{outcome.unresolved}</td>"
        f"<td>{files}</td></tr>"
    )
