"""An RFC 7946 checker for the exported GeoJSON, written here rather than trusted to a library.

``geojson_problems(text)`` returns every way a file breaks RFC 7946 or our output
contract (readable Chinese, at most six decimals); an empty list means it passes.
"""

from __future__ import annotations

import itertools
import json
import re
from decimal import Decimal
from typing import Any

GEOMETRY_TYPES = {
    "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
    "GeometryCollection",
}  # fmt: skip
MAX_DECIMALS = 6
#: ``\\uXXXX`` after an even number of backslashes: a real JSON escape, not an escaped ``\\``.
_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u([0-9a-fA-F]{4})")


def geojson_problems(text: str) -> list[str]:
    """Every RFC 7946 problem of a FeatureCollection given as text."""
    problems = [
        f"non-ASCII character escaped as \\u{code} (write readable UTF-8)"
        for code in _ESCAPE.findall(text)
        if int(code, 16) >= 0x80
    ]
    data = json.loads(text, parse_float=Decimal)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        return [*problems, "top level is not a FeatureCollection"]
    if "crs" in data:
        problems.append("FeatureCollection has a crs member (RFC 7946 §4 removed it)")
    if not isinstance(data.get("features"), list):
        return [*problems, "features is not a list"]
    for number, feature in enumerate(data["features"]):
        problems += feature_problems(feature, f"feature {number}")
    return problems


def feature_problems(feature: Any, where: str) -> list[str]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return [f"{where}: not a Feature"]
    problems = [f"{where}: has a crs member"] if "crs" in feature else []
    if "properties" not in feature or "geometry" not in feature:
        problems.append(f"{where}: lacks properties or geometry (null is allowed, absent is not)")
    if feature.get("geometry") is not None:
        problems += geometry_problems(feature["geometry"], where)
    return problems


def geometry_problems(geometry: Any, where: str, *, nested: bool = False) -> list[str]:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in GEOMETRY_TYPES:
        return [f"{where}: unknown geometry type {kind!r}"]
    if "crs" in geometry:
        return [f"{where}: geometry has a crs member"]
    if kind == "GeometryCollection":
        return _collection_problems(geometry, where, nested=nested)
    coordinates = geometry.get("coordinates")
    checks = {
        "Point": lambda c: _position(c, where),
        "MultiPoint": lambda c: _each(c, _position, where),
        "LineString": lambda c: _line(c, where),
        "MultiLineString": lambda c: _each(c, _line, where),
        "Polygon": lambda c: _polygon(c, where),
        "MultiPolygon": lambda c: _each(c, _polygon, where),
    }
    return checks[kind](coordinates)


def _collection_problems(geometry: dict, where: str, *, nested: bool) -> list[str]:
    members = geometry.get("geometries")
    if nested:
        return [f"{where}: a GeometryCollection inside a GeometryCollection (RFC 7946 §3.1.8)"]
    if not isinstance(members, list) or not members:
        return [f"{where}: GeometryCollection without geometries"]
    problems = []
    for number, member in enumerate(members):
        problems += geometry_problems(member, f"{where} member {number}", nested=True)
    return problems


def _each(items: Any, check, where: str) -> list[str]:
    if not isinstance(items, list) or not items:
        return [f"{where}: empty or missing coordinates"]
    return [problem for item in items for problem in check(item, where)]


def _position(position: Any, where: str) -> list[str]:
    if not isinstance(position, list) or len(position) not in (2, 3):
        return [f"{where}: position {position!r} is not [lon, lat]"]
    if not all(isinstance(v, (int, Decimal)) for v in position):
        return [f"{where}: position {position!r} holds a non-number"]
    lon, lat = position[:2]
    problems = []
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        problems.append(f"{where}: [{lon}, {lat}] is outside lon -180..180, lat -90..90")
    for value in position:
        if isinstance(value, Decimal) and -value.as_tuple().exponent > MAX_DECIMALS:
            problems.append(f"{where}: {value} has more than {MAX_DECIMALS} decimals")
    return problems


def _line(line: Any, where: str) -> list[str]:
    if not isinstance(line, list) or len(line) < 2:
        return [f"{where}: a line needs two or more positions"]
    return _each(line, _position, where)


def _polygon(rings: Any, where: str) -> list[str]:
    if not isinstance(rings, list) or not rings:
        return [f"{where}: a polygon needs rings"]
    problems = []
    for number, ring in enumerate(rings):
        problems += _ring(ring, f"{where} ring {number}", exterior=number == 0)
    return problems


def _ring(ring: Any, where: str, *, exterior: bool) -> list[str]:
    if not isinstance(ring, list) or len(ring) < 4:
        return [f"{where}: a linear ring needs four or more positions"]
    problems = _each(ring, _position, where)
    if problems:
        return problems
    if ring[0] != ring[-1]:
        problems.append(f"{where}: not closed ({ring[0]} != {ring[-1]})")
    area = signed_area(ring)
    if exterior and area <= 0:
        problems.append(f"{where}: exterior ring is not counter-clockwise (RFC 7946 §3.1.6)")
    if not exterior and area >= 0:
        problems.append(f"{where}: hole is not clockwise (RFC 7946 §3.1.6)")
    return problems


def signed_area(ring: list[list[Any]]) -> float:
    """Shoelace area: positive for a counter-clockwise ring."""
    points = [(float(p[0]), float(p[1])) for p in ring]
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(points)) / 2
