"""Write a build's data files: GeoJSON (RFC 7946), CSV and GeoPackage.

GeoJSON is written by hand rather than through GDAL so that the bytes are the
same on every run and machine: WGS-84 longitude/latitude with at most six
decimals, counter-clockwise exterior rings, no ``crs`` member, readable
Chinese, features in text order.

The GeoPackage (layers ``projects`` and ``places``, for QGIS) is written through
pyogrio with the same geometry; lists are joined with ``、`` as in the CSV. GDAL
stamps the current time into ``gpkg_contents``; :data:`GPKG_DATE` is stamped
instead, so two runs with the same GDAL give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import math
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from projectmap._files import atomic_path, write_text_atomic
from projectmap.errors import OutputError
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
#: Integer properties; every other property is text (lists joined) in the GeoPackage.
INTEGER_PROPERTIES = frozenset({"precision", "start", "end"})
DIGITS = 6
#: The ``last_change`` time stamped into the GeoPackage instead of the clock.
GPKG_DATE = "2000-01-01T00:00:00.000Z"
#: GDAL's configuration is process-wide: threads write GeoPackages one at a time, so that
#: one thread's restore cannot unset the date while another is writing.
_GPKG_LOCK = threading.Lock()


def geometry_json(geometry: BaseGeometry | None) -> dict[str, Any] | None:
    """A geometry as an RFC 7946 mapping: right-hand rings, six decimals."""
    normal = _normalized(geometry)
    return None if normal is None else _round(mapping(normal))


def _normalized(geometry: BaseGeometry | None) -> BaseGeometry | None:
    """Counter-clockwise exterior rings, clockwise holes, on a 1e-6 degree grid."""
    if geometry is None or geometry.is_empty:
        return None
    oriented = shapely.orient_polygons(geometry, exterior_cw=False)
    return shapely.set_precision(oriented, 10**-DIGITS, mode="pointwise")


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
        [_cell(r.mention), _cell(r.reason), _cell(r.sentence), _cell(r.start), _cell(r.end)]
        for r in result.unresolved.itertuples(index=False)
    ]
    return _csv(rows, ["mention", "reason", "sentence", "start", "end"])


def gpkg_layer(frame: gpd.GeoDataFrame, properties: Sequence[str]) -> gpd.GeoDataFrame:
    """A layer for the GeoPackage: typed columns, lists joined with ``、``, GeoJSON's geometry."""
    columns = {
        key: pd.array(
            [_text(v) if key not in INTEGER_PROPERTIES else _plain(v) for v in frame[key]],
            dtype="Int64" if key in INTEGER_PROPERTIES else "string",
        )
        for key in properties
    }
    geometry = [_normalized(g) for g in frame.geometry]
    return gpd.GeoDataFrame(columns, geometry=geometry, crs="EPSG:4326")


def _text(value: Any) -> str | None:
    value = _plain(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return None if value is None else str(value)


def write_geopackage(result: BuildResult, path: Path) -> None:
    """Write the ``projects`` and ``places`` layers to a GeoPackage, atomically.

    Raises
    ------
    OutputError
        When GDAL cannot write the file.
    """
    layers = {
        "projects": gpkg_layer(result.projects, PROJECT_PROPERTIES),
        "places": gpkg_layer(result.places, PLACE_PROPERTIES),
    }
    with _GPKG_LOCK, atomic_path(path) as tmp, _gdal_config({"OGR_CURRENT_DATE": GPKG_DATE}):
        for name, layer in layers.items():
            try:
                pyogrio.write_dataframe(
                    layer, tmp, layer=name, driver="GPKG", geometry_type="Unknown",
                    promote_to_multi=False,
                )  # fmt: skip
            except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
                raise OutputError(f"{path}: GDAL cannot write layer {name!r} ({exc})") from exc


@contextmanager
def _gdal_config(options: dict[str, str]) -> Iterator[None]:
    """Set GDAL configuration options for the block, then restore the earlier values.

    pyogrio has no per-call options; hold ``_GPKG_LOCK`` around the block.
    """
    before = {key: pyogrio.get_gdal_config_option(key) for key in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def write_data(result: BuildResult, folder: Path) -> list[Path]:
    """Write every data file of a build into ``folder`` and return their paths.

    Raises
    ------
    OutputError
        When a file cannot be written.
    """
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
    write_geopackage(result, folder / "projects.gpkg")
    return [*paths, folder / "projects.gpkg"]


def report_json(result: BuildResult, files: Sequence[str]) -> str:
    """The report as a whole (``report.json``): what, where, what was found and written."""
    from projectmap import __version__

    report = result.report
    if result.issuer is not None:
        region: dict[str, Any] = result.issuer.as_dict()
        found_by: str | None = result.issuer.found_by
    else:
        region = {"name": result.region.name, "code": result.region.id}
        found_by = None
    by_precision = {
        str(k): int(v) for k, v in sorted(result.places["precision"].value_counts().items())
    }
    projects_by_precision = {
        str(k): int(v) for k, v in sorted(result.projects["precision"].value_counts().items())
    }
    data = {
        "id": report.id,
        "title": report.title,
        "date": report.date,
        "source": report.source,
        "region": region,
        "region_found_by": found_by,
        "counts": {
            "projects": len(result.projects),
            "places": len(result.places),
            "unresolved": len(result.unresolved),
            "projects_by_precision": projects_by_precision,
            "places_by_precision": by_precision,
        },
        "files": sorted(files),
        "projectmap": __version__,
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def write_report_json(result: BuildResult, folder: Path, written: Sequence[Path]) -> Path:
    """Write ``report.json`` into ``folder``, listing ``written`` and itself as the build's files.

    Raises
    ------
    OutputError
        When the file cannot be written.
    """
    path = folder / "report.json"
    names = {p.name for p in written} | {path.name}
    write_text_atomic(path, report_json(result, sorted(names)))
    return path
