"""Read place lists (GeoJSON FeatureCollections, CSV tables) into gazetteer entries.

Each feature or row becomes an entry through
:func:`~projectmap.places.gazetteer.entry_from_feature`,
so the same rules apply as to gazetteer files; coordinates in GCJ-02 or BD-09
are converted to WGS-84 and the entry's ``source`` says so.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from projectmap.errors import GazetteerError
from projectmap.places.crs import crs_label, to_wgs84
from projectmap.places.gazetteer import Entry, entry_from_feature

#: CSV headers we understand (compared in lower case), by the property they fill.
CSV_COLUMNS = {
    "lon": ("lon", "lng", "longitude", "经度"),
    "lat": ("lat", "latitude", "纬度"),
    "name": ("name", "名称"),
    "type": ("type", "类型"),
    "aliases": ("aliases", "别名"),
    "parent": ("parent",),
    "id": ("id",),
    "notes": ("notes", "备注"),
}
_ALIAS_SEPARATORS = re.compile(r"[、,，;；|]")


@dataclass(frozen=True)
class Provenance:
    """Where imported features come from: layer name, source, licence and CRS."""

    layer: str
    source: str
    licence: str
    crs: str = "wgs84"


def read_geojson(data: Any, provenance: Provenance, *, where: str) -> tuple[list[Entry], int]:
    """Read a GeoJSON FeatureCollection; return its named entries and the count of unnamed ones.

    Raises
    ------
    GazetteerError
        When ``data`` is not a FeatureCollection or a feature breaks the gazetteer rules.
    """
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise GazetteerError(f"{where}: expected a GeoJSON FeatureCollection")
    entries: list[Entry] = []
    unnamed = 0
    for number, feature in enumerate(data.get("features") or [], start=1):
        props = dict(feature.get("properties") or {}) if isinstance(feature, Mapping) else {}
        if not str(props.get("name") or "").strip():
            unnamed += 1
            continue
        props.setdefault("id", feature.get("id"))
        here = f"{where}:feature {number}"
        entries.append(_entry(props, feature.get("geometry"), number, provenance, where=here))
    return entries, unnamed


def read_csv(path: Path, provenance: Provenance) -> tuple[list[Entry], int]:
    """Read a CSV table of points; return its named entries and the count of unnamed rows.

    The table needs a longitude column (lon, lng, longitude or 经度), a latitude
    column (lat, latitude or 纬度) and a name column (name or 名称); type,
    aliases, parent, id and notes are optional. UTF-8 and GB18030 are accepted.

    Raises
    ------
    GazetteerError
        When a column is missing or a row has no usable coordinates.
    """
    rows = csv.DictReader(io.StringIO(_decode(path)))
    columns = _columns(rows.fieldnames or [], path)
    entries: list[Entry] = []
    unnamed = 0
    for row in rows:
        props = {key: (row.get(header) or "").strip() for key, header in columns.items()}
        if not props["name"]:
            unnamed += 1
            continue
        where = f"{path.name}:line {rows.line_num}"
        point = {"type": "Point", "coordinates": _lonlat(props, where)}
        entries.append(_entry(props, point, rows.line_num, provenance, where=where))
    return entries, unnamed


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise GazetteerError(f"{path}: neither UTF-8 nor GB18030; save it as UTF-8") from exc


def _columns(fieldnames: Sequence[str], path: Path) -> dict[str, str]:
    by_lower = {name.strip().lower(): name for name in fieldnames}
    columns = {
        key: next((by_lower[s] for s in spellings if s in by_lower), "")
        for key, spellings in CSV_COLUMNS.items()
    }
    for key in ("lon", "lat", "name"):
        if not columns[key]:
            raise GazetteerError(
                f"{path}: no {key} column (found {', '.join(fieldnames) or 'none'}); "
                f"name one of its columns {' or '.join(CSV_COLUMNS[key])}"
            )
    return {key: header for key, header in columns.items() if header}


def _lonlat(props: Mapping[str, str], where: str) -> list[float]:
    try:
        lon, lat = float(props["lon"]), float(props["lat"])
    except ValueError as exc:
        raise GazetteerError(
            f"{where}: longitude {props['lon']!r} / latitude {props['lat']!r} are not numbers; "
            "fill both with decimal degrees"
        ) from exc
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise GazetteerError(
            f"{where}: ({lon}, {lat}) is not a longitude/latitude pair; "
            "are the lon and lat columns swapped?"
        )
    return [lon, lat]


def _entry(
    props: dict[str, Any], geometry: Any, number: int, provenance: Provenance, *, where: str
) -> Entry:
    """Fill in the gazetteer properties a feature lacks and build its entry in WGS-84."""
    label = crs_label(provenance.crs)
    source = str(props.get("source") or provenance.source)
    if label != "WGS-84":
        source += f"; converted from {label} to WGS-84 by projectmap"
    aliases = props.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [a.strip() for a in _ALIAS_SEPARATORS.split(aliases) if a.strip()]
    props.update(
        id=f"{provenance.layer}/{props.get('id') or number}",
        type=props.get("type") or "site",
        aliases=aliases,
        source=source,
        licence=props.get("licence") or props.get("license") or provenance.licence,
        source_crs=_stated_crs(props, label),
    )
    feature = {"type": "Feature", "properties": props, "geometry": geometry}
    entry = entry_from_feature(feature, where=where)
    if entry.geometry is None:
        raise GazetteerError(f"{where}: {entry.name} has no geometry; add its coordinates")
    return dataclasses.replace(entry, geometry=to_wgs84(entry.geometry, provenance.crs))


def _stated_crs(props: dict[str, Any], label: str) -> str:
    """The CRS a WGS-84 feature says its source had (a patch drawn over AMap: GCJ-02)."""
    stated = str(props.get("source_crs") or "")
    return stated if label == "WGS-84" and stated in ("GCJ-02", "BD-09", "CGCS2000") else label
