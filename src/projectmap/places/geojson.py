"""GeoJSON as projectmap writes it: WGS-84 at six decimals, RFC 7946 rings, a feature a line.

The one place where coordinates are rounded and FeatureCollections are written, for
every file and page the tool writes: gazetteer layers, the build's GeoJSON and CSV,
the map and ``compare``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

#: Decimals kept of a longitude or latitude (1e-6 degree is about 0.1 m).
DIGITS = 6
#: How a FeatureCollection written by :func:`feature_collection` begins.
HEAD = '{"type":"FeatureCollection","features":[\n'


def rounded(value: Any) -> Any:
    """Round every float in a coordinate, or in nested lists and mappings of them.

    Tuples become lists, as in JSON; ``-0.0`` becomes ``0.0``. Other values pass as they are.
    """
    if isinstance(value, float):
        return round(value, DIGITS) + 0.0
    if isinstance(value, (list, tuple)):
        return [rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return value


def rounded_geometry(geometry: BaseGeometry) -> BaseGeometry:
    """The geometry with its coordinates rounded to :data:`DIGITS` decimals (for the map)."""
    result: BaseGeometry = shapely.transform(geometry, lambda xy: np.round(xy, DIGITS))
    return result


def geometry_json(geometry: BaseGeometry | None) -> dict[str, Any] | None:
    """A geometry as an RFC 7946 mapping: right-hand rings, six decimals; None when empty."""
    normal = normalized(geometry)
    return None if normal is None else rounded(mapping(normal))


def normalized(geometry: BaseGeometry | None) -> BaseGeometry | None:
    """Counter-clockwise exterior rings, clockwise holes, on a 1e-6 degree grid."""
    if geometry is None or geometry.is_empty:
        return None
    oriented = shapely.orient_polygons(geometry, exterior_cw=False)
    return shapely.set_precision(oriented, 10**-DIGITS, mode="pointwise")


def simple_parts(geometry: BaseGeometry) -> Iterator[BaseGeometry]:
    """The non-empty points, lines and polygons of a geometry, Multi* and collections opened."""
    for part in shapely.get_parts(geometry):
        if part.geom_type.startswith("Multi") or part.geom_type == "GeometryCollection":
            yield from simple_parts(part)
        elif not part.is_empty:
            yield part


def feature_collection(features: Iterable[Mapping[str, Any]]) -> str:
    """A FeatureCollection as text, one feature a line, so that a diff shows one place a line.

    The one GeoJSON writer: gazetteer layers, a build's ``projects.geojson`` and
    ``places.geojson``, and ``compare.geojson``. Compact separators, readable Chinese.
    """
    return feature_lines([compact(f) for f in features])


def collection_of(rows: Iterable[tuple[Mapping[str, Any], BaseGeometry | None]]) -> str:
    """A FeatureCollection of ``(properties, geometry)`` pairs, one feature a line.

    A geometry that many features share (the county outline of every place known only
    to the county) is converted once and its text reused.
    """
    lines = []
    written: dict[bytes, str] = {}
    for properties, geometry in rows:
        key = b"" if geometry is None else geometry.wkb
        if key not in written:
            written[key] = compact(geometry_json(geometry))
        lines.append(
            f'{{"type":"Feature","properties":{compact(properties)},"geometry":{written[key]}}}'
        )
    return feature_lines(lines)


def feature_lines(lines: Sequence[str]) -> str:
    """A FeatureCollection of features already written as text, one a line."""
    body = ",\n".join(lines)
    return HEAD + body + ("\n" if lines else "") + "]}\n"


def compact(value: Any) -> str:
    """JSON as the GeoJSON files hold it: no spaces, Chinese as it is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
