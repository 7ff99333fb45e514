"""Convert coordinates between WGS-84 and the Chinese datums GCJ-02 and BD-09.

AMap/Gaode and Tencent publish GCJ-02 coordinates, Baidu publishes BD-09; the
gazetteer and every output are WGS-84 (see ``gazetteer/README.md``). The
formulas come from the ``prcoords`` package (CC0). WGS-84 to GCJ-02 is exact;
the way back is iterated to well under a metre. GCJ-02 is only applied inside
mainland China, so coordinates outside prcoords' China box pass unchanged.
CGCS2000 (Tianditu) differs from WGS-84 by centimetres and is treated as WGS-84.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import prcoords
import shapely
from shapely.geometry.base import BaseGeometry

from projectmap.errors import CrsError

#: The coordinate reference systems we convert between, by canonical name.
CRS_LABELS = {"wgs84": "WGS-84", "gcj02": "GCJ-02", "bd09": "BD-09"}

_SPELLINGS = {
    "wgs84": "wgs84", "epsg4326": "wgs84", "4326": "wgs84", "cgcs2000": "wgs84",
    "epsg4490": "wgs84", "4490": "wgs84",
    "gcj02": "gcj02", "gcj": "gcj02", "amap": "gcj02", "gaode": "gcj02", "tencent": "gcj02",
    "bd09": "bd09", "bd09ll": "bd09", "baidu": "bd09",
}  # fmt: skip

Geometry = TypeVar("Geometry", bound=BaseGeometry)
LonLat = tuple[float, float]

_EARTH_RADIUS_M = 6_371_008.8


def normalize_crs(name: str) -> str:
    """Return the canonical name (``wgs84``, ``gcj02`` or ``bd09``) of a CRS spelling.

    Case, spaces, hyphens, underscores and colons are ignored, so ``WGS-84``,
    ``EPSG:4326``, ``GCJ-02`` and ``BD-09`` are accepted; ``cgcs2000`` counts as
    WGS-84.

    Raises
    ------
    CrsError
        When the name is not a known spelling.
    """
    key = re.sub(r"[\s_:\-]", "", name).lower()
    if key not in _SPELLINGS:
        raise CrsError(f"unknown coordinate system {name!r}; use wgs84, gcj02 or bd09")
    return _SPELLINGS[key]


def crs_label(name: str) -> str:
    """Return the ``source_crs`` label of a CRS: WGS-84, GCJ-02 or BD-09."""
    return CRS_LABELS[normalize_crs(name)]


def _in_china(lon: float, lat: float) -> bool:
    return bool(prcoords.sanity_in_china_p(prcoords.Coords(lat, lon)))


def _lonlat(coords: prcoords.Coords) -> LonLat:
    return float(coords.lon), float(coords.lat)


def gcj02_to_wgs84(lon: float, lat: float) -> LonLat:
    """Convert one GCJ-02 longitude/latitude pair to WGS-84."""
    if not _in_china(lon, lat):
        return lon, lat
    return _lonlat(prcoords.gcj_wgs_bored((lat, lon)))


def bd09_to_wgs84(lon: float, lat: float) -> LonLat:
    """Convert one BD-09 longitude/latitude pair to WGS-84."""
    if not _in_china(lon, lat):
        return lon, lat
    return _lonlat(prcoords.bd_wgs_bored((lat, lon)))


def wgs84_to_gcj02(lon: float, lat: float) -> LonLat:
    """Convert one WGS-84 longitude/latitude pair to GCJ-02 (for AMap tiles)."""
    if not _in_china(lon, lat):
        return lon, lat
    return _lonlat(prcoords.wgs_gcj((lat, lon)))


def wgs84_to_bd09(lon: float, lat: float) -> LonLat:
    """Convert one WGS-84 longitude/latitude pair to BD-09 (for Baidu tiles)."""
    if not _in_china(lon, lat):
        return lon, lat
    return _lonlat(prcoords.wgs_bd((lat, lon)))


_TO_WGS84: dict[str, Callable[[float, float], LonLat]] = {
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}
_FROM_WGS84: dict[str, Callable[[float, float], LonLat]] = {
    "gcj02": wgs84_to_gcj02,
    "bd09": wgs84_to_bd09,
}


def to_wgs84(geometry: Geometry, crs: str) -> Geometry:
    """Return a geometry given in ``crs`` converted to WGS-84.

    Parameters
    ----------
    geometry : shapely geometry
        Longitude/latitude coordinates in ``crs``.
    crs : str
        ``wgs84``, ``gcj02`` or ``bd09``, in any spelling :func:`normalize_crs` accepts.

    Returns
    -------
    shapely geometry
        The same kind of geometry in WGS-84 (the input itself when ``crs`` is WGS-84).
    """
    kind = normalize_crs(crs)
    return geometry if kind == "wgs84" else _transform(geometry, _TO_WGS84[kind])


def from_wgs84(geometry: Geometry, crs: str) -> Geometry:
    """Return a WGS-84 geometry converted to ``crs`` (GCJ-02 for AMap, BD-09 for Baidu).

    Parameters
    ----------
    geometry : shapely geometry
        WGS-84 longitude/latitude coordinates.
    crs : str
        ``wgs84``, ``gcj02`` or ``bd09``, in any spelling :func:`normalize_crs` accepts.
    """
    kind = normalize_crs(crs)
    return geometry if kind == "wgs84" else _transform(geometry, _FROM_WGS84[kind])


def _transform(geometry: Geometry, convert: Callable[[float, float], LonLat]) -> Geometry:
    def apply(coords: np.ndarray) -> np.ndarray:
        converted = [convert(float(lon), float(lat)) for lon, lat in coords]
        return np.array(converted, dtype=float).reshape(-1, 2)

    result: Geometry = shapely.transform(geometry, apply)
    return result


def distance_m(a: LonLat, b: LonLat) -> float:
    """Great-circle (haversine) distance in metres between two WGS-84 lon/lat pairs."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_M * math.asin(math.sqrt(h))
