"""Named OpenStreetMap features as gazetteer entries.

Two inputs give the same :class:`OsmFeature` list: an ``.osm.pbf`` / ``.osm``
file read with pyosmium (:func:`read_osm_file`; the optional ``osm`` extra) and the
JSON an Overpass server returns for ``out geom;`` (:func:`read_overpass`). :func:`osm_entries` keeps
the named features, maps their tags to our feature types and merges the ways of
one road into one entry.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.errors import ShapelyError
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from projectmap.errors import GazetteerError
from projectmap.places.gazetteer import Entry

OSM_SOURCE = "© OpenStreetMap contributors, ODbL"
OSM_LICENCE = "ODbL-1.0"

#: Tags giving a feature's name, preferred first.
NAME_KEYS = ("name:zh-Hans", "name:zh", "name")
_ALIAS_KEYS = ("alt_name", "short_name", "official_name", "loc_name")

#: (key, values or None for any value, our type), first match wins.
TAG_TYPES: tuple[tuple[str, frozenset[str] | None, str], ...] = (
    ("highway", frozenset({"motorway_junction"}), "interchange"),
    ("man_made", frozenset({"bridge"}), "bridge"),
    ("highway", None, "road"),
    ("railway", frozenset({"station", "halt"}), "station"),
    ("railway", frozenset({"rail", "light_rail", "subway", "narrow_gauge"}), "railway"),
    ("aeroway", frozenset({"aerodrome"}), "airport"),
    ("water", frozenset({"river", "canal", "stream"}), "river"),
    ("waterway", frozenset({"river", "canal", "stream", "riverbank"}), "river"),
    ("natural", frozenset({"water"}), "lake"),
    ("water", frozenset({"lake", "reservoir", "pond"}), "lake"),
    ("landuse", frozenset({"reservoir"}), "lake"),
    ("natural", frozenset({"peak", "hill"}), "mountain"),
    ("leisure", frozenset({"park"}), "park"),
    ("place", None, "area"),
    ("landuse", frozenset({"industrial"}), "site"),
    ("man_made", frozenset({"works"}), "site"),
)

#: Named features left out: admin boundaries (the admin layer has them) and transit stops.
SKIPPED_TAGS = frozenset(
    {("boundary", "administrative"), ("highway", "bus_stop"),
     ("public_transport", "platform"), ("public_transport", "stop_position")}
)  # fmt: skip

_AREA_KEYS = frozenset(
    {"building", "landuse", "natural", "leisure", "amenity", "place", "water", "aeroway",
     "man_made", "tourism", "shop", "historic", "military", "office", "craft", "sport"}
)  # fmt: skip
_LINE_KEYS = ("highway", "barrier", "railway", "waterway", "route")
_LINEAR_VALUES = frozenset({"coastline", "cliff", "tree_row", "ridge", "arete", "riverbank"})

#: Ways of one name and type closer than this (degrees, about 500 m) are one road.
MERGE_GAP_DEG = 0.005


@dataclass(frozen=True)
class OsmFeature:
    """An OpenStreetMap object with its tags and WGS-84 geometry."""

    kind: str  # "node", "way" or "relation"
    id: int
    tags: Mapping[str, str]
    geometry: BaseGeometry


def osm_name(tags: Mapping[str, str]) -> str | None:
    """Return the Chinese name of a feature, or None when it has none."""
    return next((tags[key].strip() for key in NAME_KEYS if tags.get(key, "").strip()), None)


def feature_type(tags: Mapping[str, str]) -> str:
    """Map OpenStreetMap tags to a gazetteer feature type (``site`` when nothing fits)."""
    name = osm_name(tags) or ""
    if tags.get("bridge", "no") != "no" and name.endswith("桥"):
        return "bridge"
    for key, values, kind in TAG_TYPES:
        value = tags.get(key)
        if value is not None and (values is None or value in values):
            return kind
    return "site"


def is_area(tags: Mapping[str, str]) -> bool:
    """Whether a closed way with these tags is an area rather than a closed line."""
    if tags.get("area") in ("yes", "no"):
        return tags["area"] == "yes"
    if tags.get("waterway") == "riverbank" or tags.get("railway") in ("station", "platform"):
        return True
    if any(key in tags for key in _LINE_KEYS) or tags.get("natural") in _LINEAR_VALUES:
        return False
    return any(key in tags for key in _AREA_KEYS)


def way_geometry(coords: list[tuple[float, float]], tags: Mapping[str, str]) -> BaseGeometry | None:
    """Return a Polygon for a closed area-like way, a LineString otherwise (None if degenerate)."""
    if len(coords) < 2:
        return None
    if len(coords) >= 4 and coords[0] == coords[-1] and is_area(tags):
        return Polygon(coords)
    return LineString(coords)


# --- reading -------------------------------------------------------------------------------


def read_osm_file(path: Path) -> list[OsmFeature]:
    """Read the named nodes, ways and multipolygons of an ``.osm.pbf`` or ``.osm`` file.

    Raises
    ------
    GazetteerError
        When pyosmium is not installed or cannot read the file.
    """
    try:
        import osmium
    except ImportError as exc:
        raise GazetteerError(
            f"{path}: reading OpenStreetMap files needs pyosmium; install it with "
            "`pip install 'projectmap[osm]'`, or fetch the area with `gazetteer fetch-osm`"
        ) from exc
    named = osmium.filter.KeyFilter(*NAME_KEYS)
    processor = osmium.FileProcessor(str(path)).with_areas(named).with_filter(named)
    factory = osmium.geom.WKBFactory()
    try:
        features = [_from_osmium(obj, factory) for obj in processor]
    except RuntimeError as exc:
        raise GazetteerError(
            f"{path}: not a readable OpenStreetMap file ({exc}); "
            "pass an .osm.pbf or .osm extract (e.g. from download.geofabrik.de)"
        ) from exc
    return [feature for feature in features if feature is not None]


def _from_osmium(obj: Any, factory: Any) -> OsmFeature | None:  # an osmium.geom.WKBFactory
    tags = {tag.k: tag.v for tag in obj.tags}
    if obj.is_node() and obj.location.valid():
        return OsmFeature("node", obj.id, tags, Point(obj.location.lon, obj.location.lat))
    if obj.is_way():
        coords = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
        geometry = way_geometry(coords, tags)
        return None if geometry is None else OsmFeature("way", obj.id, tags, geometry)
    if obj.is_area() and not obj.from_way():
        try:
            geometry = shapely.from_wkb(factory.create_multipolygon(obj))
        except RuntimeError:  # pyosmium could not assemble the rings
            return None
        return OsmFeature("relation", obj.orig_id(), tags, _single(geometry))
    return None


def read_overpass(data: Any, *, where: str) -> list[OsmFeature]:
    """Read the named elements of an Overpass ``[out:json]`` answer with ``out geom;``.

    Raises
    ------
    GazetteerError
        When ``data`` has no ``elements`` list, or an element is not shaped as
        Overpass shapes it (the message names the element and the field).
    """
    elements = data.get("elements") if isinstance(data, Mapping) else None
    if not isinstance(elements, list):
        raise GazetteerError(
            f"{where}: not an Overpass answer (no 'elements' list); "
            "query with [out:json] and end with `out geom;`"
        )
    features: list[OsmFeature] = []
    for number, element in enumerate(elements, start=1):
        here = f"{where}: element {number}"
        kind, osm_id, tags = _checked_element(element, here)
        if not osm_name(tags):
            continue
        try:
            geometry = _overpass_geometry(element, tags)
        except (KeyError, TypeError, ValueError, AttributeError, ShapelyError) as exc:
            raise GazetteerError(
                f"{here} ({kind} {osm_id}) has no usable geometry ({exc!r}); query with `out geom;`"
            ) from exc
        if geometry is not None and not geometry.is_empty:
            features.append(OsmFeature(kind, osm_id, tags, geometry))
    return features


def _checked_element(element: Any, here: str) -> tuple[str, int, dict[str, str]]:
    """Return an element's type, id and tags, or say which field is wrong."""
    if not isinstance(element, Mapping):
        raise GazetteerError(f"{here} is {type(element).__name__} {element!r:.40}, not an object")
    kind, osm_id, tags = element.get("type"), element.get("id"), element.get("tags", {})
    if kind not in ("node", "way", "relation"):
        raise GazetteerError(f"{here}: field 'type' is {kind!r:.40}, not node, way or relation")
    if not isinstance(osm_id, int) or isinstance(osm_id, bool):
        raise GazetteerError(f"{here}: field 'id' is {osm_id!r:.40}, not a whole number")
    if tags is None:
        tags = {}
    if not isinstance(tags, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in tags.items()
    ):
        raise GazetteerError(
            f"{here} ({kind} {osm_id}): field 'tags' is {tags!r:.40}, "
            "not an object of text keys and values"
        )
    return kind, osm_id, dict(tags)


def _overpass_geometry(element: Mapping[str, Any], tags: Mapping[str, str]) -> BaseGeometry | None:
    kind = element["type"]
    if kind == "node":
        return Point(_coords([element])[0])
    if kind == "way":
        return way_geometry(_coords(element["geometry"]), tags)
    if kind == "relation" and tags.get("type") == "multipolygon":
        return _multipolygon(element.get("members") or [])
    return None


def _coords(points: list[Mapping[str, float] | None]) -> list[tuple[float, float]]:
    coords = [(float(p["lon"]), float(p["lat"])) for p in points if p]
    if not all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in coords):
        raise ValueError("a longitude or latitude out of range")
    return coords


def _multipolygon(members: list[Mapping[str, Any]]) -> BaseGeometry | None:
    rings: dict[str, list[LineString]] = {"outer": [], "inner": []}
    for member in members:
        coords = _coords(member.get("geometry") or [])
        if member.get("type") == "way" and len(coords) >= 2:
            rings["inner" if member.get("role") == "inner" else "outer"].append(LineString(coords))
    outer = shapely.union_all(shapely.get_parts(shapely.polygonize(rings["outer"])))
    if outer.is_empty:
        return None
    inner = shapely.union_all(shapely.get_parts(shapely.polygonize(rings["inner"])))
    return _single(outer.difference(inner) if not inner.is_empty else outer)


def _single(geometry: BaseGeometry) -> BaseGeometry:
    """Return the one part of a single-part MultiPolygon, else the geometry itself."""
    parts = shapely.get_parts(geometry)
    return parts[0] if geometry.geom_type == "MultiPolygon" and len(parts) == 1 else geometry


# --- entries -------------------------------------------------------------------------------


def osm_entries(features: Iterable[OsmFeature]) -> list[Entry]:
    """Turn named features into gazetteer entries, merging the ways of one road.

    Ways of the same name and type whose lines lie within :data:`MERGE_GAP_DEG`
    of each other become one MultiLineString entry with the smallest way id.
    Parents are left unset; the importer places the entries.
    """
    singles: list[Entry] = []
    lines: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for feature in features:
        entry = _entry(feature)
        if entry is None:
            continue
        if feature.kind == "way" and isinstance(feature.geometry, LineString):
            lines[(entry.name, entry.type)].append(entry)
        else:
            singles.append(entry)
    for group in lines.values():
        singles += [_merge(cluster) for cluster in _clusters(group)]
    return sorted(singles, key=lambda e: e.id)


def _entry(feature: OsmFeature) -> Entry | None:
    tags = feature.tags
    name = osm_name(tags)
    if name is None or any(tags.get(key) == value for key, value in SKIPPED_TAGS):
        return None
    others = [tags.get(key, "") for key in NAME_KEYS]
    others += [part for key in _ALIAS_KEYS for part in tags.get(key, "").split(";")]
    aliases = tuple(dict.fromkeys(a.strip() for a in others if a.strip() and a.strip() != name))
    return Entry(
        id=f"osm/{feature.kind}/{feature.id}",
        name=name,
        type=feature_type(tags),
        aliases=aliases,
        geometry=feature.geometry,
        source=OSM_SOURCE,
        licence=OSM_LICENCE,
        source_crs="WGS-84",
    )


def _clusters(entries: list[Entry]) -> list[list[Entry]]:
    """Group entries whose geometries lie within :data:`MERGE_GAP_DEG` of each other."""
    geometries = np.array([e.geometry for e in entries], dtype=object)
    pairs = shapely.STRtree(geometries).query(geometries, "dwithin", distance=MERGE_GAP_DEG)
    group = list(range(len(entries)))

    def root(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    for a, b in pairs.T:
        group[root(int(a))] = root(int(b))
    clusters: dict[int, list[Entry]] = defaultdict(list)
    for i, entry in enumerate(entries):
        clusters[root(i)].append(entry)
    return list(clusters.values())


def _merge(entries: list[Entry]) -> Entry:
    if len(entries) == 1:
        return entries[0]
    ordered = sorted(entries, key=lambda e: int(e.id.rsplit("/", 1)[1]))
    merged = shapely.line_merge(MultiLineString([e.geometry for e in ordered]))
    aliases = tuple(dict.fromkeys(a for e in ordered for a in e.aliases))
    ids = ", ".join(e.id.rsplit("/", 1)[1] for e in ordered)
    return dataclasses.replace(
        ordered[0],
        aliases=aliases,
        geometry=MultiLineString(list(shapely.get_parts(merged))),
        notes=f"merged from OSM ways {ids}",
    )
