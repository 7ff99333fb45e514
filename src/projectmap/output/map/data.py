"""What the map draws, prepared from a :class:`~projectmap.places.result.BuildResult`.

Private to :mod:`projectmap.output.map.render`. Geometry stays WGS-84, rounded to 6
decimals: the page itself shifts what it draws to GCJ-02 while AMap tiles are
shown. Exported files never pass through this module. Report strings are not
escaped here: they travel to the page as JSON and the page writes them with
``textContent``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from projectmap.output.labels import area_names, area_word, precision_words
from projectmap.output.map.style import CategoryStyle, categories, with_labels_of
from projectmap.places.geojson import rounded_geometry, simple_parts
from projectmap.places.result import PRECISION_LABELS, BuildResult, LocatedProject

Feature = dict[str, Any]

#: Radius in metres of the circle drawn around a point known only to precision 2.
AREA_RADIUS_M = 800
#: Douglas-Peucker tolerance for the region outline, in degrees (about 30 m).
REGION_TOLERANCE = 0.0003
_PIN_OFFSET_PX = 16


def is_mapped(project: LocatedProject) -> bool:
    """Drawn on the map: a geometry known to precision 1 or 2."""
    geometry = project.geometry
    return geometry is not None and not geometry.is_empty and project.precision <= 2


@dataclass
class CategoryLayer:
    """One category's layer: its projects, and what it draws of them.

    ``shapes`` and ``pins`` are the projects placed to precision 1 or 2;
    ``areas`` gather the others by the admin area they are known to (``geometry``
    None: the issuing region), drawn as that area with a count badge at ``anchor``.
    """

    category: CategoryStyle
    project_ids: list[str] = field(default_factory=list)
    mapped_ids: list[str] = field(default_factory=list)
    shapes: list[Feature] = field(default_factory=list)
    pins: list[Feature] = field(default_factory=list)
    areas: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        """``城市更新 (5)``, or ``城市更新 (5, 3 on map)`` when some are not drawn."""
        count, mapped = len(self.project_ids), len(self.mapped_ids)
        shown = f"{count}" if count == mapped else f"{count}, {mapped} on map"
        return f"{self.category.label} ({shown})"


@dataclass(frozen=True)
class MapData:
    """Everything the map draws, in the display datum.

    Attributes
    ----------
    categories : dict of str to CategoryStyle
        Every category, in the order of ``rules/categories.json``.
    projects : tuple of LocatedProject
        Every project, in report order.
    areas : dict of str to str
        The admin area each project lies in, by id (see :func:`labels.area_names`).
    layers : dict of str to CategoryLayer
        Categories with at least one project, in category order.
    region : dict or None
        The simplified outline of the issuing region as a Feature.
    bounds : list or None
        ``[[south, west], [north, east]]`` to fit the view to.
    """

    categories: dict[str, CategoryStyle]
    projects: tuple[LocatedProject, ...]
    areas: dict[str, str]
    layers: dict[str, CategoryLayer]
    region: Feature | None
    bounds: list[list[float]] | None


def map_data(result: BuildResult) -> MapData:
    """Prepare a build result for drawing."""
    projects = result.located_projects
    cats = with_labels_of(
        [(p.category, p.category_label) for p in projects], categories(result.categories)
    )
    areas = area_names(result)
    layers = _category_layers(projects, cats)
    region = _region_outline(result.region.geometry)
    _add_areas(layers, projects, result.region.geometry, areas)
    return MapData(cats, projects, areas, layers, region, _bounds(region, layers))


def precision_text(code: int | None, label: str | None = None, area: str = "") -> str:
    """The precision in words, Chinese and English: ``精确位置 · exact site``.

    Codes 3 and 4 name the ``area``, at its own level: ``仅到区（下陆区） · …``.
    """
    if code is None:
        return "未定位"
    label = label or PRECISION_LABELS.get(code)
    return " · ".join(t for t in (precision_words(code, area), label) if t)


def _category_layers(
    projects: Sequence[LocatedProject], cats: dict[str, CategoryStyle]
) -> dict[str, CategoryLayer]:
    layers: dict[str, CategoryLayer] = {}
    shapes: dict[tuple[str, int, bytes], Feature] = {}
    for project in projects:
        layer = layers.setdefault(project.category, CategoryLayer(cats[project.category]))
        layer.project_ids.append(project.id)
        if not is_mapped(project) or project.geometry is None:
            continue
        layer.mapped_ids.append(project.id)
        for part in simple_parts(rounded_geometry(project.geometry)):
            _add_part(layer, shapes, project, part)
    _offset_shared_pins(layers.values())
    return {cid: layers[cid] for cid in cats if cid in layers}


def _add_areas(
    layers: dict[str, CategoryLayer],
    projects: Sequence[LocatedProject],
    region: BaseGeometry | None,
    areas: dict[str, str],
) -> None:
    """Gather each category's projects not drawn by the area they lie in, with a badge spot.

    A project with its own polygon (a county named in a city's report) is drawn
    as that polygon; the others as the region (``geometry`` None). Badges of
    several categories on one spot get slots 0, 1, … of ``of``, to sit side by side.
    """
    slots: dict[bytes, int] = {}
    placed: list[tuple[bytes, dict[str, Any]]] = []
    for layer in layers.values():
        found: dict[bytes, dict[str, Any]] = {}
        for project in projects:
            if project.category != layer.category.id or is_mapped(project):
                continue
            own = _own_area(project.geometry, region)
            area = own if own is not None else region
            if area is None or area.is_empty:
                continue
            key = area.wkb
            if key not in found:
                spot = rounded_geometry(area.representative_point())
                found[key] = {"ids": [], "geometry": None if own is None else
                              mapping(rounded_geometry(own.simplify(REGION_TOLERANCE))),
                              "anchor": [spot.y, spot.x], "slot": slots.get(key, 0),
                              "level": area_word(areas[project.id], 3)}  # fmt: skip
                slots[key] = slots.get(key, 0) + 1
            found[key]["ids"].append(project.id)
            placed.append((key, found[key]))
        layer.areas = list(found.values())
    for key, area in placed:
        area["of"] = slots[key]


def _own_area(geometry: BaseGeometry | None, region: BaseGeometry | None) -> BaseGeometry | None:
    """A project's own admin area, when it is a polygon other than the region."""
    if geometry is None or not _polygonal(geometry):
        return None
    if region is not None and (geometry.wkb == region.wkb or geometry.equals(region)):
        return None
    return geometry


def _polygonal(geometry: BaseGeometry | None) -> bool:
    return geometry is not None and geometry.geom_type in ("Polygon", "MultiPolygon")


def _add_part(
    layer: CategoryLayer,
    shapes: dict[tuple[str, int, bytes], Feature],
    project: LocatedProject,
    part: BaseGeometry,
) -> None:
    """A pin for a point; a shape (deduplicated) for a line, a polygon or a point's area."""
    precision = 1 if project.precision == 1 else 2
    if part.geom_type == "Point":
        props = {"kind": "pin", "id": project.id, "category": layer.category.id,
                 "precision": precision}  # fmt: skip
        layer.pins.append(feature(part, props))
        if precision == 1:
            return
    key = (layer.category.id, precision, part.wkb)
    if key in shapes:
        shapes[key]["properties"]["ids"].append(project.id)
        return
    style = _shape_style(part.geom_type, precision, layer.category.color)
    props = {"kind": "shape", "ids": [project.id], "precision": precision, "style": style}
    shapes[key] = feature(part, props)
    layer.shapes.append(shapes[key])


def feature(geometry: BaseGeometry, properties: dict[str, Any]) -> Feature:
    """A GeoJSON Feature mapping."""
    return {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}


def _shape_style(geom_type: str, precision: int, color: str) -> dict[str, Any]:
    """Solid for an exact place; dashed and translucent for "in the area of"."""
    exact = precision == 1
    style: dict[str, Any] = {"color": color, "opacity": 0.9 if exact else 0.75}
    if geom_type in ("LineString", "LinearRing"):
        style.update(weight=5 if exact else 4, fill=False)
    else:
        style.update(weight=2, fill=True, fillColor=color, fillOpacity=0.35 if exact else 0.12)
    if not exact:
        style["dashArray"] = "6 6"
    return style


def _offset_shared_pins(layers: Iterable[CategoryLayer]) -> None:
    """Fan out pins of different categories that share a spot, so none hides another.

    Pins of one category at one spot are left to that category's marker cluster,
    which spiderfies them.
    """
    spots: dict[tuple[float, ...], list[str]] = {}
    pins = [(layer.category.id, pin) for layer in layers for pin in layer.pins]
    for cid, pin in pins:
        cats = spots.setdefault(tuple(pin["geometry"]["coordinates"]), [])
        if cid not in cats:
            cats.append(cid)
    for cid, pin in pins:
        cats = spots[tuple(pin["geometry"]["coordinates"])]
        if len(cats) > 1:
            angle = 2 * math.pi * cats.index(cid) / len(cats) - math.pi / 2
            pin["properties"]["dx"] = round(_PIN_OFFSET_PX * math.cos(angle))
            pin["properties"]["dy"] = round(_PIN_OFFSET_PX * math.sin(angle))


def _region_outline(geometry: BaseGeometry | None) -> Feature | None:
    if not _polygonal(geometry) or geometry is None or geometry.is_empty:
        return None
    simple = geometry.simplify(REGION_TOLERANCE, preserve_topology=True)
    style = {"color": "#333333", "weight": 2, "opacity": 0.8, "dashArray": "8 4", "fill": False}
    return feature(rounded_geometry(simple), {"kind": "region", "style": style})


def _bounds(region: Feature | None, layers: dict[str, CategoryLayer]) -> list[list[float]] | None:
    if region is not None:
        features = [region]
    else:
        features = [f for layer in layers.values() for f in (*layer.shapes, *layer.pins)]
    if not features:
        return None
    west, south, east, north = shapely.total_bounds([shape(f["geometry"]) for f in features])
    pad = 0.01 if min(east - west, north - south) < 1e-4 else 0.0
    return [[float(south - pad), float(west - pad)], [float(north + pad), float(east + pad)]]
