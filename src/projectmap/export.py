"""Write a build's data files: GeoJSON (RFC 7946), CSV and GeoPackage.

GeoJSON is written by hand rather than through GDAL so that the bytes are the
same on every run and machine: WGS-84 longitude/latitude with at most six
decimals, counter-clockwise exterior rings, no ``crs`` member, readable
Chinese, features in text order.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from projectmap._files import write_text_atomic
from projectmap.locate import BuildResult

#: Properties written to ``projects.geojson``, in order (the output contract).
PROJECT_PROPERTIES = (
    "id", "name", "category", "category_label", "places", "place_ids", "status", "amount",
    "section", "sentence", "precision", "precision_label", "start", "end",
)  # fmt: skip
#: Properties written to ``places.geojson``, in order (the output contract).
PLACE_PROPERTIES = (
    "id", "mention", "name", "gazetteer_id", "type", "precision", "precision_label", "reason",
    "explanation", "project_ids", "sentence", "start", "end",
)  # fmt: skip
DIGITS = 6


def geometry_json(geometry: BaseGeometry | None) -> dict[str, Any] | None:
    """A geometry as an RFC 7946 mapping: right-hand rings, six decimals."""
    if geometry is None or geometry.is_empty:
        return None
    oriented = shapely.orient_polygons(geometry, exterior_cw=False)
    rounded = shapely.set_precision(oriented, 10**-DIGITS, mode="pointwise")
    return _round(mapping(rounded))


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, DIGITS) + 0.0
    if isinstance(value, (list, tuple)):
        return [_round(v) for v in value]
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    return value


def _plain(value: Any) -> Any:
    """A JSON-ready value: numpy scalars and NaN become Python values and null."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def feature_collection(frame: gpd.GeoDataFrame, properties: Sequence[str]) -> str:
    """A FeatureCollection as text, one feature per line."""
    lines = []
    for row in frame.itertuples(index=False):
        record = row._asdict()
        feature = {
            "type": "Feature",
            "properties": {key: _plain(record[key]) for key in properties},
            "geometry": geometry_json(record["geometry"]),
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    body = ",\n".join(lines)
    return '{"type":"FeatureCollection","features":[\n' + body + ("\n" if lines else "") + "]}\n"


def _csv(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return "" if value is None else value


def projects_csv(frame: gpd.GeoDataFrame) -> str:
    """Projects as CSV with a representative lon/lat for spreadsheets."""
    header = [*PROJECT_PROPERTIES, "lon", "lat"]
    rows = []
    for row in frame.itertuples(index=False):
        record = row._asdict()
        point = (
            record["geometry"].representative_point() if record["geometry"] is not None else None
        )
        lonlat = [round(point.x, DIGITS), round(point.y, DIGITS)] if point is not None else ["", ""]
        rows.append([_cell(record[key]) for key in PROJECT_PROPERTIES] + lonlat)
    return _csv(rows, header)


def unresolved_csv(result: BuildResult) -> str:
    """Place-like names the gazetteer lacks, with the sentence each came from."""
    rows = [
        [r.mention, r.reason, r.sentence, r.start, r.end]
        for r in result.places.itertuples(index=False)
        if r.gazetteer_id is None
    ]
    return _csv(rows, ["mention", "reason", "sentence", "start", "end"])


def write_data(result: BuildResult, folder: Path) -> list[Path]:
    """Write every data file of a build into ``folder`` and return their paths."""
    files = {
        "projects.geojson": feature_collection(result.projects, PROJECT_PROPERTIES),
        "places.geojson": feature_collection(result.places, PLACE_PROPERTIES),
        "projects.csv": projects_csv(result.projects),
        "unresolved.csv": unresolved_csv(result),
    }
    paths = []
    for name, text in files.items():
        write_text_atomic(folder / name, text)
        paths.append(folder / name)
    return paths
