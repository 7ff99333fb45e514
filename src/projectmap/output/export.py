"""Write a build's data files: GeoJSON (RFC 7946), CSV and GeoPackage.

GeoJSON is written by hand rather than through GDAL so that the bytes are the
same on every run and machine: WGS-84 longitude/latitude with at most six
decimals, counter-clockwise exterior rings, no ``crs`` member, readable
Chinese, features in text order.

The GeoPackage, for QGIS, holds one layer per geometry type, each with its type
declared (``projects_points``, ``projects_lines``, ``projects_polygons``, and the
non-spatial table ``projects_unlocated``; the same for ``places``). It is written
with ``sqlite3`` (:mod:`projectmap.output.gpkg`), not GDAL, with the same geometry; lists
are joined with ``、`` as in the CSV. :data:`GPKG_DATE` is stamped as the layers'
``last_change`` instead of the clock, so two runs give the same bytes.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from projectmap.errors import OutputError
from projectmap.files.safe import atomic_path, write_text_atomic
from projectmap.output import gpkg as _gpkg
from projectmap.output.tables import projects_csv, unresolved_csv
from projectmap.places.geojson import collection_of, normalized, simple_parts
from projectmap.places.result import (
    PLACE_FIELDS,
    PROJECT_FIELDS,
    BuildResult,
    LocatedPlace,
    LocatedProject,
)

Located = LocatedProject | LocatedPlace
#: Integer properties; every other property is text (lists joined) in the GeoPackage.
INTEGER_PROPERTIES = frozenset({"precision", "start", "end"})
#: The ``last_change`` time stamped into the GeoPackage instead of the clock.
GPKG_DATE = "2000-01-01T00:00:00.000Z"
#: The GeoPackage's layer families: the single type each holds, and its declared type.
GPKG_KINDS = {
    "points": ("Point", "MultiPoint"),
    "lines": ("LineString", "MultiLineString"),
    "polygons": ("Polygon", "MultiPolygon"),
}
_MULTI = {
    "Point": shapely.multipoints,
    "LineString": shapely.multilinestrings,
    "Polygon": shapely.multipolygons,
}


def records_geojson(records: Iterable[Located], properties: Sequence[str]) -> str:
    """A FeatureCollection of records as text, one a line, properties in contract order."""
    return collection_of(
        ({key: getattr(r, key) for key in properties}, r.geometry) for r in records
    )


def gpkg_table(records: Sequence[Located], properties: Sequence[str]) -> pd.DataFrame:
    """The attributes for the GeoPackage: typed columns, lists joined with ``、``."""
    columns = {
        key: pd.array(
            [
                getattr(r, key) if key in INTEGER_PROPERTIES else _text(getattr(r, key))
                for r in records
            ],
            dtype="Int64" if key in INTEGER_PROPERTIES else "string",
        )
        for key in properties
    }
    return pd.DataFrame(columns)


def gpkg_layers(
    records: Sequence[Located], properties: Sequence[str], stem: str
) -> dict[str, pd.DataFrame]:
    """One layer per geometry type, named ``{stem}_points`` and so on, plus ``{stem}_unlocated``.

    A row whose geometry mixes types (a point and a road) is in each layer of a
    type it has, with that type's parts. Rows without geometry are in the
    non-spatial ``{stem}_unlocated`` table.
    """
    table = gpkg_table(records, properties)
    typed: dict[int, dict[str, BaseGeometry]] = {}  # a shared geometry (the county) once
    for r in records:
        if r.geometry is not None and id(r.geometry) not in typed:
            typed[id(r.geometry)] = _parts_by_type(normalized(r.geometry))
    layers: dict[str, pd.DataFrame] = {}
    for kind, (single, _multi) in GPKG_KINDS.items():
        parts = [_typed_parts(r, typed).get(single) for r in records]
        keep = [p is not None for p in parts]
        layers[f"{stem}_{kind}"] = gpd.GeoDataFrame(
            table.loc[pd.Series(keep, dtype=bool).to_numpy()].reset_index(drop=True),
            geometry=[p for p in parts if p is not None],
            crs="EPSG:4326",
        )
    layers[f"{stem}_unlocated"] = table.loc[
        pd.Series([not _typed_parts(r, typed) for r in records], dtype=bool).to_numpy()
    ].reset_index(drop=True)
    return layers


def _typed_parts(record: Located, typed: dict[int, dict[str, BaseGeometry]]) -> dict[str, Any]:
    """A record's parts by type; none for a record without geometry (or an empty one)."""
    return {} if record.geometry is None else typed[id(record.geometry)]


def _parts_by_type(geometry: BaseGeometry | None) -> dict[str, BaseGeometry]:
    """The parts of each type (``Point``, ``LineString``, ``Polygon``) as a Multi geometry."""
    if geometry is None:
        return {}
    found: dict[str, list[BaseGeometry]] = {}
    for part in simple_parts(geometry):
        found.setdefault(part.geom_type, []).append(part)
    return {single: _MULTI[single](found[single]) for single in _MULTI if single in found}


def _text(value: Any) -> str | None:
    if isinstance(value, tuple):
        return "、".join("" if v is None else str(v) for v in value)
    return None if value is None else str(value)


def write_geopackage(result: BuildResult, path: Path) -> None:
    """Write projects and places to a GeoPackage, one layer per geometry type, atomically.

    Every spatial layer declares its geometry type (``MULTIPOINT``,
    ``MULTILINESTRING``, ``MULTIPOLYGON``), so QGIS opens each directly.

    Raises
    ------
    OutputError
        When the file cannot be written.
    """
    layers = {
        **gpkg_layers(result.located_projects, PROJECT_FIELDS, "projects"),
        **gpkg_layers(result.located_places, PLACE_FIELDS, "places"),
    }
    types = {}
    for name in layers:
        kind = GPKG_KINDS.get(name.rsplit("_", 1)[1])
        if kind is not None:
            types[name] = kind[1].upper()
    with atomic_path(path) as tmp:
        try:
            _gpkg.write(tmp, layers, types, GPKG_DATE)
        except sqlite3.Error as exc:
            raise OutputError(f"{path}: cannot write the GeoPackage ({exc})") from exc


def write_data(result: BuildResult, folder: Path) -> list[Path]:
    """Write every data file of a build into ``folder`` and return their paths.

    Raises
    ------
    OutputError
        When a file cannot be written.
    """
    files = {
        "projects.geojson": records_geojson(result.located_projects, PROJECT_FIELDS),
        "places.geojson": records_geojson(result.located_places, PLACE_FIELDS),
        "projects.csv": projects_csv(result),
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
    by_precision = _by_precision(result.located_places)
    projects_by_precision = _by_precision(result.located_projects)
    data = {
        "id": report.id,
        "title": report.title,
        "date": report.date,
        "source": report.source,
        "region": region,
        "region_found_by": found_by,
        "counts": {
            "projects": len(result.located_projects),
            "places": len(result.located_places),
            "unresolved": len(result.unresolved_places),
            "projects_by_precision": projects_by_precision,
            "places_by_precision": by_precision,
        },
        "files": sorted(files),
        "projectmap": __version__,
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _by_precision(records: Iterable[Located]) -> dict[str, int]:
    counts = Counter(r.precision for r in records if r.precision is not None)
    return {str(k): n for k, n in sorted(counts.items())}


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
