"""A GeoPackage written with the standard library's ``sqlite3``: no GDAL in the build.

Private to :mod:`projectmap.output.export`. It writes what OGC GeoPackage 1.3 requires of
a file of vector features in WGS-84 (``gpkg_spatial_ref_sys``, ``gpkg_contents``,
``gpkg_geometry_columns``), one feature table per layer with its geometry type
declared, and attribute tables for rows without geometry. Geometries are
GeoPackage binary blobs: the ``GP`` header with the SRS id and the envelope,
then ISO WKB. There is no spatial index; QGIS and GDAL read the file without one.
Nothing depends on the clock (``last_change`` is given), so the bytes are the
same on every run with the same SQLite.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

#: ``PRAGMA application_id`` of a GeoPackage ("GPKG") and its version, 1.3.0.
APPLICATION_ID = 0x47504B47
USER_VERSION = 10300
WGS84 = 4326
_WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)
_SCHEMA = """
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL, min_x DOUBLE, min_y DOUBLE,
  max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
"""
_SRS_ROWS = (
    ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate"),
    ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate"),
    ("WGS 84 geodetic", WGS84, "EPSG", WGS84, _WGS84_WKT, "longitude/latitude, WGS 84"),
)
#: Little-endian header values, and an xy envelope (minx, maxx, miny, maxy).
_FLAGS = 0b0000_0011


def geometry_blobs(geometries: Sequence[BaseGeometry]) -> list[bytes]:
    """Each geometry as a GeoPackage binary blob: ``GP``, version 0, flags, SRS, envelope, WKB.

    The WKB and the envelopes of all are taken in one call each.
    """
    array = np.empty(len(geometries), dtype=object)
    array[:] = list(geometries)
    wkbs = shapely.to_wkb(array, byte_order=1, flavor="iso")
    bounds = shapely.bounds(array).tolist()
    return [
        b"GP" + struct.pack("<BBi4d", 0, _FLAGS, WGS84, west, east, south, north) + wkb
        for (west, south, east, north), wkb in zip(bounds, wkbs, strict=True)
    ]


def write(
    path: Path, layers: Mapping[str, pd.DataFrame], types: Mapping[str, str], date: str
) -> None:
    """Write ``layers`` to a new GeoPackage at ``path``.

    Parameters
    ----------
    layers : mapping of str to DataFrame
        Layer name to its rows; a layer in ``types`` has a ``geometry`` column.
    types : mapping of str to str
        The declared geometry type (``MULTIPOINT`` …) of each spatial layer.
    date : str
        The ``last_change`` stamped on every layer.

    Raises
    ------
    sqlite3.Error
        When the file cannot be written.
    """
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {USER_VERSION}")
        db.executescript(_SCHEMA)
        db.execute("BEGIN")
        db.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", _SRS_ROWS)
        for name, frame in layers.items():
            _layer(db, name, frame, types.get(name), date)
        db.execute("COMMIT")
    finally:
        db.close()


def _layer(
    db: sqlite3.Connection, name: str, frame: pd.DataFrame, kind: str | None, date: str
) -> None:
    columns = [c for c in frame.columns if c != "geometry"]
    fields = ", ".join(f'"{c}" {_sql_type(frame[c])}' for c in columns)
    geometry = f', "geom" {kind}' if kind else ""
    db.execute(f'CREATE TABLE "{name}" (fid INTEGER PRIMARY KEY AUTOINCREMENT{geometry}, {fields})')
    values = [[_value(v) for v in frame[c].tolist()] for c in columns]
    names = ", ".join(f'"{c}"' for c in columns)
    if kind:
        values.insert(0, geometry_blobs(list(frame["geometry"])))
        names = f'"geom", {names}'
    rows = list(zip(*values, strict=True))
    marks = ", ".join("?" * (len(columns) + (1 if kind else 0)))
    db.executemany(f'INSERT INTO "{name}" ({names}) VALUES ({marks})', rows)
    bounds = _bounds(frame["geometry"]) if kind else [None] * 4
    db.execute(
        "INSERT INTO gpkg_contents VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?)",
        [name, "features" if kind else "attributes", name, date, *bounds, WGS84 if kind else None],
    )
    if kind:
        db.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)", [name, kind, WGS84]
        )


def _sql_type(column: pd.Series) -> str:
    return "INTEGER" if pd.api.types.is_integer_dtype(column.dtype) else "TEXT"


def _value(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value


def _bounds(geometries: Sequence[BaseGeometry]) -> list[float | None]:
    if len(geometries) == 0:
        return [None] * 4
    west, south, east, north = shapely.total_bounds(list(geometries))
    return [float(west), float(south), float(east), float(north)]
