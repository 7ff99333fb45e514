"""The CSV files, for spreadsheets: ``projects.csv`` and ``unresolved.csv``.

Private to :mod:`projectmap.output.export`. Both are UTF-8 with a byte-order mark, so
that Excel on Chinese Windows reads them as UTF-8 rather than GBK. Report text
is untrusted: a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is prefixed with ``'`` (OWASP, "CSV Injection"), so that no
spreadsheet runs it as a formula. ``lon``/``lat`` are given only for projects
placed to precision 1 or 2: a project known only to its district has no point,
and ``precision_zh`` says so.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from projectmap.output.labels import STATUS_WORDS, area_names, precision_words
from projectmap.places.geojson import rounded
from projectmap.places.result import BuildResult

#: Columns of ``projects.csv``: the GeoJSON properties, Chinese words beside the codes, lon/lat.
PROJECTS_CSV = (
    "id", "name", "category", "category_label", "places", "place_ids", "status", "status_zh",
    "amount", "section", "sentence", "precision", "precision_zh", "precision_label", "start",
    "end", "lon", "lat",
)  # fmt: skip
UNRESOLVED_CSV = ("mention", "reason", "sentence", "start", "end")
BOM = "\ufeff"
#: What a spreadsheet may read as the start of a formula: OWASP's list, and the full-width
#: forms that spreadsheets in Chinese locales also accept.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralised(value: Any) -> Any:
    """A cell value that no spreadsheet evaluates: text starting a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def table(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> str:
    """CSV text with a BOM, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(header)
    writer.writerows([neutralised(cell) for cell in row] for row in rows)
    return BOM + buffer.getvalue()


def cell(value: Any) -> Any:
    """A plain cell: lists joined with ``、``, nulls empty."""
    if isinstance(value, (list, tuple)):
        return "、".join("" if v is None else str(v) for v in value)
    return "" if value is None else value


def projects_csv(result: BuildResult) -> str:
    """Projects for spreadsheets: Chinese words for codes, a point only where one is known."""
    areas = area_names(result)
    rows = []
    for project in result.located_projects:
        code = project.precision
        point = project.geometry if code in (1, 2) else None
        placed = point is not None and not point.is_empty
        words = precision_words(code, areas.get(project.id, ""))
        extra = {
            "status_zh": STATUS_WORDS.get(project.status, project.status),
            "precision_zh": words if placed or code in (1, 2) else f"{words}，无点位坐标",
            "lon": "", "lat": "",
        }  # fmt: skip
        if point is not None and placed:
            spot = point.representative_point()
            extra.update(lon=rounded(spot.x), lat=rounded(spot.y))
        rows.append(
            [extra[key] if key in extra else cell(getattr(project, key)) for key in PROJECTS_CSV]
        )
    return table(rows, PROJECTS_CSV)


def unresolved_csv(result: BuildResult) -> str:
    """Place-like names the gazetteer lacks, with the sentence each came from."""
    rows = (
        [cell(getattr(place, key)) for key in UNRESOLVED_CSV] for place in result.unresolved_places
    )
    return table(rows, UNRESOLVED_CSV)
