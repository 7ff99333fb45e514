"""The CSV files, for spreadsheets: ``projects.csv`` and ``unresolved.csv``.

Private to :mod:`projectmap.export`. Both are UTF-8 with a byte-order mark, so
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
import math
from collections.abc import Iterable, Sequence
from typing import Any

from projectmap._labels import STATUS_WORDS, area_names, precision_words
from projectmap.locate import BuildResult

#: Columns of ``projects.csv``: the GeoJSON properties, Chinese words beside the codes, lon/lat.
PROJECTS_CSV = (
    "id", "name", "category", "category_label", "places", "place_ids", "status", "status_zh",
    "amount", "section", "sentence", "precision", "precision_zh", "precision_label", "start",
    "end", "lon", "lat",
)  # fmt: skip
UNRESOLVED_CSV = ("mention", "reason", "sentence", "start", "end")
BOM = "\ufeff"
#: What a spreadsheet may read as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_DIGITS = 6


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
    """A plain cell: lists joined with ``、``, nulls empty, numpy scalars as Python values."""
    if isinstance(value, (list, tuple)):
        return "、".join("" if v is None else str(v) for v in value)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value


def projects_csv(result: BuildResult) -> str:
    """Projects for spreadsheets: Chinese words for codes, a point only where one is known."""
    areas = area_names(result)
    rows = []
    for row in result.projects.to_dict("records"):
        code = cell(row["precision"])
        code = int(code) if code != "" else None
        point = row["geometry"]
        placed = point is not None and not point.is_empty and code in (1, 2)
        words = precision_words(code, areas.get(row["id"], ""))
        extra = {
            "status_zh": STATUS_WORDS.get(cell(row["status"]), cell(row["status"])),
            "precision_zh": words if placed or code in (1, 2) else f"{words}，无点位坐标",
            "lon": "", "lat": "",
        }  # fmt: skip
        if placed:
            spot = point.representative_point()
            extra.update(lon=round(spot.x, _DIGITS), lat=round(spot.y, _DIGITS))
        rows.append([extra[key] if key in extra else cell(row[key]) for key in PROJECTS_CSV])
    return table(rows, PROJECTS_CSV)


def unresolved_csv(result: BuildResult) -> str:
    """Place-like names the gazetteer lacks, with the sentence each came from."""
    frame = result.unresolved
    rows = zip(*(frame[key].map(cell) for key in UNRESOLVED_CSV), strict=True)
    return table(rows, UNRESOLVED_CSV)
