"""Draw a build result as an interactive web map (Leaflet, through folium).

One layer per project category that has projects, named with its label and its
number of projects, and the number drawn where they differ (``城市更新 (5, 3 on
map)``). How a project is drawn says how well it is placed:

- precision 1: a solid pin, line or polygon on the place itself;
- precision 2: the area: a translucent dashed polygon, or a dashed circle of
  :data:`AREA_RADIUS_M` metres around a point, with a hollow pin;
- precision 3 or worse: the admin area it is known to (the region, or a county
  of a city's report), faintly, with a count badge: never a point.

Every project opens a popup, from the map or from the side panel: its facts, its
sentence with the places marked, and each place's gazetteer entry, precision and
reason. Pins of one category cluster. The base layers are OpenStreetMap, a
no-tiles outline view, Tianditu (with a key) and AMap; while AMap's tiles are
shown, the page shifts what it draws to GCJ-02.

The page is offline by default: :func:`map_html` inlines every script and
stylesheet. Report text is untrusted: it reaches the page only as JSON (``<``,
``>``, ``&``, ``'`` escaped) and the page writes it with ``textContent``.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import quote

import folium

from projectmap.errors import MapError
from projectmap.output.map._macrotext import page_html
from projectmap.output.map.data import AREA_RADIUS_M, CategoryLayer, Feature, map_data
from projectmap.output.map.elements import Finish, MapApp, PinCluster, inline_assets
from projectmap.output.map.handplace import add_place_tool
from projectmap.output.map.page import page_data
from projectmap.places.result import BuildResult

__all__ = ["AREA_RADIUS_M", "BASEMAPS", "base_layers", "map_html", "render_map"]

#: Basemaps :func:`render_map` can show first, with the datum their tiles use.
BASEMAPS = {"osm": "wgs84", "outline": "wgs84", "tianditu": "wgs84", "amap": "gcj02"}

_OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
_OSM_ATTR = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)

_TIANDITU = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)
_TIANDITU_ATTR = '&copy; <a href="https://www.tianditu.gov.cn/">天地图 Tianditu</a>'
_AMAP = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)
_AMAP_ATTR = '&copy; <a href="https://www.amap.com/">高德地图 AMap</a> (GCJ-02)'
#: folium's default assets that this map uses; jQuery, Bootstrap and the icon fonts are dropped.
_KEEP_ASSETS = {"leaflet", "leaflet_css"}


def render_map(
    result: BuildResult, *, basemap: str = "osm", tianditu_key: str | None = None
) -> folium.Map:
    """Draw a build result as a folium map.

    Parameters
    ----------
    result : BuildResult
        Projects and places in WGS-84.
    basemap : {"osm", "outline", "tianditu", "amap"}
        The base layer shown first; the others are a click away. Tianditu is
        offered only with ``tianditu_key``.
    tianditu_key : str, optional
        A Tianditu browser key (``tk``), from console.tianditu.gov.cn.

    Returns
    -------
    folium.Map
        Write it with :func:`map_html`.

    Raises
    ------
    MapError
        For an unknown basemap, or Tianditu without a key.
    """
    bases = base_layers(basemap, tianditu_key)
    data = map_data(result)
    m = _base_map(result)
    app = MapApp(page_data(result, data, bases))
    app.add_to(m)
    region = _region_layer(result, data.region)
    if region is not None:
        region.add_to(m)
    handles = [_add_category(m, layer, app) for layer in data.layers.values()]
    add_place_tool(m, result, datum=BASEMAPS[basemap])
    Finish(app, handles, region.get_name() if region else None).add_to(m)
    return m


def map_html(m: folium.Map, *, cdn: bool = False) -> str:
    """The map as one HTML page; write it with ``projectmap.files.safe.write_text_atomic``.

    Every script and stylesheet is inlined, so the page works with no network at
    all (tiles aside: the page says when they cannot load). ``cdn=True`` links
    them to folium's CDNs instead, for a smaller file. Each element's output is
    kept as text (:func:`projectmap.output.map._macrotext.page_html`): report text in
    the page is never run as a template.

    Raises
    ------
    MapError
        When an asset cannot be inlined (folium-offline missing, or mirroring
        another folium version).
    """
    page = page_html(m.get_root())
    return page if cdn else inline_assets(page)


def leaflet_only(m: folium.Map) -> None:
    """Keep only Leaflet of folium's default scripts and styles: the map needs no other."""
    m.default_js = [asset for asset in m.default_js if asset[0] in _KEEP_ASSETS]
    m.default_css = [asset for asset in m.default_css if asset[0] in _KEEP_ASSETS]


def _base_map(result: BuildResult) -> folium.Map:
    m = folium.Map(
        location=[35.0, 105.0], zoom_start=4, tiles=None, control_scale=True, zoom_snap=0.25
    )
    m.options["max_zoom"] = 18  # the clusters need it before the page adds its tiles
    leaflet_only(m)
    title = result.report.title or result.report.source
    m.get_root().title = html.escape(f"{title} · projectmap")  # type: ignore[attr-defined]
    return m


def base_layers(basemap: str, tianditu_key: str | None) -> list[dict[str, Any]]:
    """The base layers the page offers, ``basemap`` shown first.

    Each is ``{id, label, datum, tiles: [{url, attribution, subdomains}], shown}``;
    the outline view has no tiles.

    Raises
    ------
    MapError
        For an unknown basemap, or ``tianditu`` without a key.
    """
    if basemap not in BASEMAPS:
        raise MapError(f"unknown basemap {basemap!r}; use one of: {', '.join(BASEMAPS)}")
    if basemap == "tianditu":
        _tianditu_key(tianditu_key)
    bases = [
        _base("osm", "OpenStreetMap", [_tiles(_OSM, _OSM_ATTR, "abc")]),
        _base("outline", "仅轮廓（无底图）", []),
        _base("amap", "高德地图 AMap (GCJ-02)", [_tiles(_AMAP, _AMAP_ATTR, "1234")]),
    ]
    if tianditu_key and tianditu_key.strip():
        bases.insert(2, _base("tianditu", "天地图 Tianditu", _tianditu(tianditu_key)))
    for base in bases:
        base["shown"] = base["id"] == basemap
    return bases


def _base(key: str, label: str, tiles: list[dict[str, str]]) -> dict[str, Any]:
    return {"id": key, "label": label, "datum": BASEMAPS[key], "tiles": tiles}


def _tianditu_key(key: str | None) -> str:
    if not key or not key.strip():
        raise MapError(
            "the tianditu basemap needs a Tianditu key (tk); get a browser key at "
            "https://console.tianditu.gov.cn/ and pass it, or use basemap 'osm'"
        )
    return quote(key.strip(), safe="")


def _tianditu(key: str | None) -> list[dict[str, str]]:
    tk = _tianditu_key(key)
    return [
        _tiles(_TIANDITU.format(layer=layer, key=tk), _TIANDITU_ATTR, "01234567")
        for layer in ("vec", "cva")
    ]


def _tiles(url: str, attr: str, subdomains: str) -> dict[str, str]:
    return {"url": url, "attribution": attr, "subdomains": subdomains}


def _collection(features: list[Feature]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _region_layer(result: BuildResult, region: Feature | None) -> folium.GeoJson | None:
    if region is None:
        return None
    name = f"{result.region.name} 边界"
    return folium.GeoJson(_collection([region]), name=name, interactive=False, control=False)


def _add_category(m: folium.Map, layer: CategoryLayer, app: MapApp) -> tuple[str, str, str | None]:
    """Add a category's layer; return its id and the names the page's script needs."""
    group, cluster = _category_group(layer, app)
    group.add_to(m)
    return layer.category.id, group.get_name(), cluster.get_name() if cluster else None


def _category_group(
    layer: CategoryLayer, app: MapApp
) -> tuple[folium.FeatureGroup, PinCluster | None]:
    """The category's layer: its shapes, and its pins in a marker cluster.

    The page adds the areas of the projects not drawn, and lists the layer in
    its layer control.
    """
    cat = layer.category
    group = folium.FeatureGroup(name=layer.name, control=False)
    css = f"pm-shape pm-cat-{cat.id}"
    if layer.shapes:
        folium.GeoJson(
            _collection(layer.shapes),
            marker=folium.Circle(radius=AREA_RADIUS_M, className=css),
            on_each_feature=app.on_each_feature(),
            className=css,
        ).add_to(group)
    if not layer.pins:
        return group, None
    cluster = PinCluster(app.cluster_icon(cat.id))
    cluster.add_to(group)
    pins = folium.GeoJson(_collection(layer.pins), on_each_feature=app.on_each_feature())
    pins.add_to(cluster)
    return group, cluster
