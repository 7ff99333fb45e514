"""Draw a build result as an interactive web map (Leaflet, through folium).

One layer per project category, named with its label and the number of projects
it draws (``基础设施 (7)``). How a project is drawn says how well it is placed:

- precision 1: a solid pin, line or polygon on the place itself;
- precision 2: the area: a translucent dashed polygon, or a dashed circle of
  :data:`AREA_RADIUS_M` metres around a point, with a hollow pin;
- precision 3 or worse, or no geometry: not drawn; listed in the side panel
  under "placed only to the district".

Pins of one category cluster, so projects sharing a place never pile up. The side
panel lists every project (click to zoom), the report's title, issuer, date and
source, and the place names that did not resolve. A search box finds project and
place names.

Report text is untrusted: it reaches the page only as JSON (``<``, ``>``, ``&``,
``'`` escaped) and the page writes it with ``textContent``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import folium
from folium.plugins.marker_cluster import MarkerCluster

from projectmap._mapassets import Finish, MapApp, ProjectSearch, inline_assets
from projectmap._mapdata import AREA_RADIUS_M, CategoryLayer, Feature, MapData, map_data
from projectmap._mappage import page_data, search_index
from projectmap.errors import MapError
from projectmap.handplace import add_place_tool
from projectmap.locate import BuildResult

__all__ = ["AREA_RADIUS_M", "BASEMAPS", "map_html", "render_map"]

#: Basemaps :func:`render_map` knows, with the datum the drawn geometry must use.
BASEMAPS = {"osm": "wgs84", "tianditu": "wgs84", "amap": "gcj02"}

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
#: Room kept free of the region on the left of the view, for the side panel.
_PANEL_PADDING = (340, 20)
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
    basemap : {"osm", "tianditu", "amap"}
        OpenStreetMap; Tianditu vector tiles with labels (needs ``tianditu_key``);
        or AMap/Gaode tiles, for which the drawn geometry is shifted to GCJ-02.
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
    tiles = _tile_layers(basemap, tianditu_key)
    data = map_data(result, datum=BASEMAPS[basemap])
    m = _base_map(result, tiles)
    app = MapApp(page_data(result, data))
    app.add_to(m)
    region = _region_layer(result, data.region)
    if region is not None:
        region.add_to(m)
    handles = [_add_category(m, layer, app) for layer in data.layers.values()]
    records = search_index(result, data, datum=BASEMAPS[basemap])
    if records:
        index = _search_layer(records)
        index.add_to(m)
        ProjectSearch(index, app).add_to(m)
    _fit(m, data)
    add_place_tool(m, result, datum=BASEMAPS[basemap])
    Finish(app, handles, region.get_name() if region else None).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def map_html(m: folium.Map, *, offline: bool = False) -> str:
    """The map as one HTML page; write it with ``projectmap._files.write_text_atomic``.

    With ``offline=True`` every script and stylesheet is inlined, so the page works
    with no network at all (tiles aside: they show once a network is there).

    Raises
    ------
    MapError
        When ``offline`` and an asset cannot be inlined (folium-offline missing, or
        mirroring another folium version).
    """
    page: str = m.get_root().render()
    return inline_assets(page) if offline else page


def _base_map(result: BuildResult, tiles: list[folium.TileLayer]) -> folium.Map:
    m = folium.Map(
        location=[35.0, 105.0], zoom_start=4, tiles=None, control_scale=True, zoom_snap=0.25
    )
    m.default_js = [asset for asset in m.default_js if asset[0] in _KEEP_ASSETS]
    m.default_css = [asset for asset in m.default_css if asset[0] in _KEEP_ASSETS]
    title = result.report.title or result.report.source
    m.get_root().title = html.escape(f"{title} · projectmap")  # type: ignore[attr-defined]
    for layer in tiles:
        layer.add_to(m)
    return m


def _tile_layers(basemap: str, tianditu_key: str | None) -> list[folium.TileLayer]:
    makers: dict[str, Callable[[str | None], list[folium.TileLayer]]] = {
        "osm": lambda _key: [folium.TileLayer("OpenStreetMap", control=False)],
        "tianditu": _tianditu,
        "amap": lambda _key: [_tiles(_AMAP, _AMAP_ATTR, "1234")],
    }
    if basemap not in makers:
        raise MapError(f"unknown basemap {basemap!r}; use one of: {', '.join(BASEMAPS)}")
    return makers[basemap](tianditu_key)


def _tianditu(key: str | None) -> list[folium.TileLayer]:
    if not key or not key.strip():
        raise MapError(
            "the tianditu basemap needs a Tianditu key (tk); get a browser key at "
            "https://console.tianditu.gov.cn/ and pass it, or use basemap 'osm'"
        )
    tk = quote(key.strip(), safe="")
    vector = _tiles(_TIANDITU.format(layer="vec", key=tk), _TIANDITU_ATTR, "01234567")
    labels = _tiles(_TIANDITU.format(layer="cva", key=tk), _TIANDITU_ATTR, "01234567")
    return [vector, labels]


def _tiles(url: str, attr: str, subdomains: str) -> folium.TileLayer:
    return folium.TileLayer(url, attr=attr, subdomains=subdomains, max_zoom=18, control=False)


def _collection(features: list[Feature]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _search_layer(index: list[Feature]) -> folium.GeoJson:
    """The search records: invisible points (the search box adds its layer to the map)."""
    dot = folium.CircleMarker(radius=0, stroke=False, fill=False, interactive=False)
    return folium.GeoJson(
        _collection(index), marker=dot, show=False, control=False, interactive=False
    )


def _region_layer(result: BuildResult, region: Feature | None) -> folium.GeoJson | None:
    if region is None:
        return None
    name = html.escape(f"{result.region.name} 边界")
    return folium.GeoJson(_collection([region]), name=name, interactive=False)


def _add_category(m: folium.Map, layer: CategoryLayer, app: MapApp) -> tuple[str, str, str | None]:
    """Add a category's layer; return its id and the names the page's script needs."""
    group, cluster = _category_group(layer, app)
    group.add_to(m)
    return layer.category.id, group.get_name(), cluster.get_name() if cluster else None


def _category_group(
    layer: CategoryLayer, app: MapApp
) -> tuple[folium.FeatureGroup, MarkerCluster | None]:
    """The category's layer: its shapes, and its pins in a marker cluster."""
    cat = layer.category
    group = folium.FeatureGroup(name=f"{cat.label} ({len(layer.project_ids)})")
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
    cluster = MarkerCluster(
        icon_create_function=app.cluster_icon(cat.id),
        show_coverage_on_hover=False,
        max_cluster_radius=40,
    )
    cluster.add_to(group)
    pins = folium.GeoJson(_collection(layer.pins), on_each_feature=app.on_each_feature())
    pins.add_to(cluster)
    return group, cluster


def _fit(m: folium.Map, data: MapData) -> None:
    if data.bounds is not None:
        m.fit_bounds(data.bounds, padding_top_left=_PANEL_PADDING, padding_bottom_right=(20, 20))
