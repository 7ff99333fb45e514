"""The map's structure: layers, precision drawing, escaping, basemaps, offline assets.

folium element ids are random: these tests look at the map object and the data it
carries, never at golden HTML. ``test_browser.py`` checks the page in a browser.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import folium
import pytest
from shapely.geometry import Point

from conftest import HOSTILE_SENTENCE, build_sample_result
from projectmap.errors import MapError, ProjectmapError
from projectmap.output.labels import REASON_WORDS
from projectmap.output.map import elements as _mapassets
from projectmap.output.map.data import map_data
from projectmap.output.map.elements import MapApp, PinCluster, script_json
from projectmap.output.map.page import _unique_labels, mark_spans, page_data
from projectmap.output.map.render import base_layers, map_html, render_map
from projectmap.places.resolve import REASONS
from projectmap.places.result import BuildResult

SIZE_LIMIT = 1_500_000


@pytest.fixture(scope="module")
def sample_map(sample_result: BuildResult) -> folium.Map:
    return render_map(sample_result)


@pytest.fixture(scope="module")
def sample_html(sample_map: folium.Map) -> str:
    return map_html(sample_map, cdn=True)


def descendants(element: Any) -> Iterator[Any]:
    for child in element._children.values():
        yield child
        yield from descendants(child)


def features(m: folium.Map, kind: str) -> list[dict[str, Any]]:
    found = []
    for element in descendants(m):
        if isinstance(element, folium.GeoJson) and element.data.get("features"):
            found += [f for f in element.data["features"] if f["properties"].get("kind") == kind]
    return found


def pin(m: folium.Map, pid: str) -> dict[str, Any]:
    return next(f for f in features(m, "pin") if f["properties"]["id"] == pid)


def shapes_of(m: folium.Map, pid: str) -> list[dict[str, Any]]:
    return [f for f in features(m, "shape") if pid in f["properties"]["ids"]]


def groups(m: folium.Map) -> list[folium.FeatureGroup]:
    return [c for c in m._children.values() if isinstance(c, folium.FeatureGroup)]


def app_data(m: folium.Map) -> dict[str, Any]:
    app = next(c for c in m._children.values() if isinstance(c, MapApp))
    return json.loads(app.data_json)


def with_region(result: BuildResult, geometry: Any) -> BuildResult:
    region = dataclasses.replace(result.region, geometry=geometry)
    return dataclasses.replace(result, region=region)


def test_one_group_per_category_with_projects_named_with_its_counts(sample_map):
    names = [g.layer_name for g in groups(sample_map)]
    assert names == ["工业技改 (1)", "基础设施 (2)", "城市更新 (2)", "生态环境 (1)", "社会民生 (1)",
                     "其他 (1, 0 on map)"]  # fmt: skip
    layers = [c["layer"] for c in app_data(sample_map)["categories"]]
    assert layers == names


def test_region_outline_is_a_context_layer_and_the_view_fits_it(sample_map, sample_result):
    outline = [c for c in sample_map._children.values()
               if isinstance(c, folium.GeoJson) and c.layer_name == "下陆区 边界"]  # fmt: skip
    assert len(outline) == 1
    assert all(outline[0] not in list(descendants(g)) for g in groups(sample_map))
    west, south, east, north = sample_result.region.geometry.bounds
    (s, w), (n, e) = app_data(sample_map)["bounds"]
    assert (s, w, n, e) == pytest.approx((south, west, north, east), abs=1e-3)


def test_projects_placed_only_to_the_district_are_an_area_with_a_badge_not_a_point(
    sample_map, sample_result
):
    drawn = {f["properties"]["id"] for f in features(sample_map, "pin")}
    drawn |= {pid for f in features(sample_map, "shape") for pid in f["properties"]["ids"]}
    assert "p07" not in drawn
    assert drawn == {"p01", "p02", "p03", "p04", "p05", "p06", "p08"}
    data = app_data(sample_map)
    assert data["projects"]["p07"]["mapped"] is False
    other = next(c for c in data["categories"] if c["id"] == "other")
    (area,) = other["areas"]
    assert area["ids"] == ["p07"] and area["geometry"] is None  # the region's own outline
    assert area["level"] == "区"
    lat, lon = area["anchor"]
    assert sample_result.region.geometry.contains(Point(lon, lat))
    assert all(c["areas"] == [] for c in data["categories"] if c["id"] != "other")


def test_words_follow_the_level_of_the_region(sample_result):
    province = dataclasses.replace(
        sample_result.region, id="420000", name="湖北省", admin_level=1, code="420000"
    )
    projects = sample_result.projects.copy()
    projects.loc[projects["id"] == "p07", "precision"] = 4
    result = dataclasses.replace(sample_result.with_frames(projects), region=province)
    data = app_data(render_map(result))
    assert data["report"]["level"] == "省"
    assert data["projects"]["p07"]["level"] == "省"
    assert data["projects"]["p07"]["precision"].startswith("仅到省（湖北省）")
    district = app_data(render_map(sample_result))
    assert district["report"]["level"] == "区"
    assert district["projects"]["p07"]["precision"].startswith("仅到区（下陆区）")


def test_every_project_carries_its_places_with_entry_precision_and_reason(sample_map):
    projects = app_data(sample_map)["projects"]
    (place,) = projects["p06"]["places"]
    assert place["mention"] == "磁湖西" and place["id"] == "g-磁湖"
    assert place["precision"].startswith("精确位置")
    assert place["reason"] == "derived from a parent feature"  # not a known code: kept as is
    assert [p["mention"] for p in projects["p03"]["places"]] == ["团城山"]
    assert projects["p07"]["places"][0]["precision"] == "未定位"


def test_exact_point_is_a_solid_pin_without_an_area(sample_map):
    assert pin(sample_map, "p02")["properties"]["precision"] == 1
    assert shapes_of(sample_map, "p02") == []


def test_exact_line_and_polygon_are_solid(sample_map):
    for pid in ("p01", "p06"):
        (shape,) = shapes_of(sample_map, pid)
        assert shape["properties"]["precision"] == 1
        assert "dashArray" not in shape["properties"]["style"]


def test_area_point_gets_one_dashed_circle_per_place_and_a_pin_per_project(sample_map):
    (circle,) = shapes_of(sample_map, "p03")
    assert circle["properties"]["ids"] == ["p03", "p04"]
    assert circle["geometry"]["type"] == "Point"
    assert circle["properties"]["style"]["dashArray"]
    assert circle["properties"]["style"]["fillOpacity"] < 0.3
    assert {pin(sample_map, p)["properties"]["precision"] for p in ("p03", "p04")} == {2}
    owner = next(g for g in descendants(sample_map) if circle in getattr(g, "data", {}).get(
        "features", []))  # fmt: skip
    assert owner.marker.options["radius"] == 800


def test_pins_sit_in_a_marker_cluster_per_category(sample_map):
    for group in groups(sample_map):
        clusters = [c for c in group._children.values() if isinstance(c, PinCluster)]
        assert len(clusters) <= 1
        for element in descendants(group):
            if isinstance(element, folium.GeoJson):
                kinds = {f["properties"]["kind"] for f in element.data["features"]}
                in_cluster = isinstance(element._parent, PinCluster)
                assert kinds == ({"pin"} if in_cluster else {"shape"})
    assert len(features(sample_map, "pin")) == 5


def test_pins_of_different_categories_on_one_spot_fan_out(sample_map):
    renewal, school = pin(sample_map, "p03"), pin(sample_map, "p05")
    assert renewal["geometry"] == school["geometry"]
    offsets = [(p["properties"]["dx"], p["properties"]["dy"]) for p in (renewal, school)]
    assert offsets[0] != offsets[1]
    assert "dx" not in pin(sample_map, "p02")["properties"]


def test_search_indexes_every_project_and_resolved_place_under_a_unique_label(sample_map):
    records = app_data(sample_map)["search"]
    labels = [r["label"] for r in records]
    assert len(labels) == len(set(labels))
    assert {"kind": "place", "label": "团城山"}.items() <= next(
        r for r in records if r["label"] == "团城山").items()  # fmt: skip
    assert {r["ref"] for r in records if r["kind"] == "project"} == {f"p0{i}" for i in range(1, 9)}
    assert "老下陆片" not in labels
    place = next(r for r in records if r["label"] == "团城山")
    assert place["latlng"] == [30.20192, 115.02868]


def test_repeated_labels_are_numbered_in_one_pass():
    records = [{"label": label} for label in ["甲", "甲", "甲 (2)", "甲", "", None]]
    assert [r["label"] for r in _unique_labels(records)] == [
        "甲", "甲 (2)", "甲 (2) (2)", "甲 (3)", "(无名)", "(无名) (2)"]  # fmt: skip
    many = _unique_labels([{"label": "乙"} for _ in range(5000)])
    assert len({r["label"] for r in many}) == 5000 and many[-1]["label"] == "乙 (5000)"


def test_popup_data_marks_the_place_mentions(sample_map):
    project = app_data(sample_map)["projects"]["p08"]
    assert ["长乐山", True] in project["segments"]
    assert "".join(text for text, _ in project["segments"]) == HOSTILE_SENTENCE
    assert project["precision"] == "精确位置 · exact site"
    assert project["status"] == "在建"


def test_every_reason_has_chinese_words():
    assert set(REASON_WORDS) == set(REASONS)


@pytest.mark.parametrize(
    ("sentence", "mentions", "pieces"),
    [
        ("修磁湖路和磁湖", ["磁湖", "磁湖路"], [("修", False), ("磁湖路", True), ("和", False),
                                            ("磁湖", True)]),
        ("无地名", ["团城山"], [("无地名", False)]),
        ("团城山", ["团城山", ""], [("团城山", True)]),
        ("", [], [("", False)]),
    ],
)  # fmt: skip
def test_mark_spans(sentence, mentions, pieces):
    assert mark_spans(sentence, mentions) == pieces


def test_unresolved_names_are_listed_once_with_a_count(sample_map):
    unresolved = app_data(sample_map)["unresolved"]
    assert [(u["mention"], u["count"]) for u in unresolved] == [
        ("老下陆片", 2), ("<img src=x onerror=alert(3)>片", 1)]  # fmt: skip
    assert unresolved[0]["reason"] == "not in gazetteer"


def test_page_lists_report_facts_and_every_project(sample_map):
    data = app_data(sample_map)
    assert data["report"] == {"title": "黄石市下陆区人民政府工作报告（2022年12月28日）",
                              "issuer": "下陆区", "level": "区", "date": "2022-12-28",
                              "source": "xialu-sample.txt"}  # fmt: skip
    assert data["order"] == [f"p0{i}" for i in range(1, 9)]
    other = next(c for c in data["categories"] if c["id"] == "other")
    assert (other["label"], other["count"], other["mapped"]) == ("其他", 1, 0)


def test_report_text_reaches_the_page_only_as_escaped_json(sample_html):
    for raw in ("<script>alert(1)", "</script><img", "<img src=x", "<b>\\0</b>"):
        assert raw not in sample_html
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in sample_html
    assert sample_html.count("<script") == sample_html.count("</script>")


def test_script_json_round_trips_hostile_text():
    text = HOSTILE_SENTENCE + "\u2028\u2029&'"
    encoded = script_json({"s": text})
    assert not set("<>&'\u2028\u2029") & set(encoded)
    assert json.loads(encoded) == {"s": text}


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_every_inline_script_parses(sample_html, tmp_path):
    scripts = re.findall(r"<script>(.*?)</script>", sample_html, flags=re.S)
    assert len(scripts) >= 3
    for n, script in enumerate(scripts):
        path = tmp_path / f"s{n}.js"
        path.write_text(script, encoding="utf-8")
        subprocess.run(["node", "--check", str(path)], check=True, capture_output=True)


def test_page_title_is_escaped():
    result = build_sample_result()
    report = dataclasses.replace(result.report, title="</title><script>alert(4)</script>")
    page = map_html(render_map(dataclasses.replace(result, report=report)))
    assert "<script>alert(4)" not in page
    assert "&lt;/title&gt;" in page


def test_folium_assets_the_map_does_not_use_are_dropped(sample_html):
    for unused in ("jquery", "bootstrap", "fontawesome", "awesome-markers", "glyphicons",
                   "leaflet-search"):  # fmt: skip
        assert unused not in sample_html
    assert "leaflet@" in sample_html and "leaflet.markercluster" in sample_html


def test_no_module_of_folium_plugins_is_imported():
    code = (
        "import sys\n"
        "sys.path.insert(0, 'tests')\n"
        "from conftest import build_sample_result\n"
        "from projectmap.output.map.render import map_html, render_map\n"
        "map_html(render_map(build_sample_result()))\n"
        "print(sorted(m for m in sys.modules if m.startswith('folium.plugins')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_every_basemap_is_offered_and_the_chosen_one_shown_first(sample_result):
    bases = app_data(render_map(sample_result, basemap="amap"))["basemaps"]
    assert [(b["id"], b["datum"], b["shown"]) for b in bases] == [
        ("osm", "wgs84", False), ("outline", "wgs84", False), ("amap", "gcj02", True)]  # fmt: skip
    assert "autonavi.com" in bases[2]["tiles"][0]["url"] and bases[1]["tiles"] == []


def test_the_page_data_stays_in_wgs84_on_amap(sample_result):
    m = render_map(sample_result, basemap="amap")
    assert list(pin(m, "p02")["geometry"]["coordinates"]) == [114.95, 30.175]


def test_export_geometry_is_left_in_wgs84(sample_result):
    render_map(sample_result, basemap="amap")
    assert sample_result.projects.set_index("id").geometry["p02"].equals(Point(114.95, 30.175))


def test_tianditu_uses_the_key_for_vector_and_label_tiles(sample_result):
    m = render_map(sample_result, basemap="tianditu", tianditu_key="a b&c")
    bases = app_data(m)["basemaps"]
    (tianditu,) = [b for b in bases if b["id"] == "tianditu"]
    tiles = tianditu["tiles"]
    kinds = [("vec_w" in t["url"], "cva_w" in t["url"]) for t in tiles]
    assert kinds == [(True, False), (False, True)]
    assert all("tk=a%20b%26c" in t["url"] and "天地图" in t["attribution"] for t in tiles)
    assert tianditu["shown"] and tianditu["datum"] == "wgs84"
    assert list(pin(m, "p02")["geometry"]["coordinates"]) == [114.95, 30.175]


def test_tianditu_is_offered_whenever_a_key_is_given():
    assert "tianditu" not in [b["id"] for b in base_layers("osm", None)]
    assert "tianditu" in [b["id"] for b in base_layers("osm", "k")]


@pytest.mark.parametrize("key", [None, "", "  "])
def test_tianditu_without_a_key_is_a_clear_error(sample_result, key):
    with pytest.raises(MapError, match="Tianditu key") as caught:
        render_map(sample_result, basemap="tianditu", tianditu_key=key)
    assert isinstance(caught.value, ProjectmapError) and isinstance(caught.value, ValueError)


def test_unknown_basemap_is_an_error(sample_result):
    with pytest.raises(MapError, match="osm, outline, tianditu, amap"):
        render_map(sample_result, basemap="google")


def test_coordinates_are_rounded_to_6_decimals(sample_result):
    result = with_region(sample_result, Point(115.0123456789, 30.2).buffer(0.05))
    m = render_map(result, basemap="amap")
    for element in descendants(m):
        if isinstance(element, folium.GeoJson):
            for value in re.findall(r"-?\d+\.\d+", json.dumps(element.data["features"])):
                assert len(value.split(".")[1]) <= 6, value


def test_detailed_region_outline_is_simplified_and_the_page_stays_small(sample_result):
    detailed = Point(114.98, 30.195).buffer(0.07, quad_segs=20_000)
    result = with_region(sample_result, detailed)
    data = map_data(result)
    assert data.region is not None
    assert len(data.region["geometry"]["coordinates"][0]) < 2_000 < len(detailed.exterior.coords)
    assert len(map_html(render_map(result)).encode("utf-8")) < SIZE_LIMIT


def test_the_page_inlines_every_script_and_stylesheet_by_default(sample_result):
    page = map_html(render_map(sample_result))
    assert not re.search(r'<(?:script|link)\b[^>]*\b(?:src|href)="(?:https?:)?//', page)
    for code in ("L.MarkerClusterGroup", "leaflet-control-layers", "projectmapApp"):
        assert code in page
    linked = map_html(render_map(sample_result), cdn=True)
    assert re.search(r'<script src="https://cdn', linked)


def test_offline_without_folium_offline_is_a_clear_error(sample_map, monkeypatch):
    def missing(name: str) -> None:
        raise ImportError(name)

    monkeypatch.setattr(_mapassets.importlib, "import_module", missing)
    with pytest.raises(MapError, match="folium-offline"):
        map_html(sample_map)


def test_offline_asset_lookup():
    found = _mapassets.offline_asset("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css")
    assert found is not None and found[1] == "text/css"
    assert _mapassets.offline_asset("https://example.invalid/x.js") is None


def test_empty_result_still_renders():
    result = build_sample_result()
    empty = dataclasses.replace(result, located_projects=(), located_places=())
    m = render_map(empty)
    assert groups(m) == []
    assert app_data(m)["order"] == [] and "下陆区" in map_html(m)


def test_region_without_outline_fits_the_drawn_projects(sample_result):
    m = render_map(with_region(sample_result, None))
    (south, west), (north, east) = app_data(m)["bounds"]
    assert (west, south, east, north) == pytest.approx((114.93, 30.175, 115.05, 30.215))
    assert not any(isinstance(c, folium.GeoJson) and "边界" in c.layer_name
                   for c in m._children.values())  # fmt: skip


def test_page_data_counts_categories_present(sample_result):
    data = map_data(sample_result)
    rows = page_data(sample_result, data, [])["categories"]
    assert {c["id"]: (c["count"], c["mapped"]) for c in rows} == {
        "industry": (1, 1), "infrastructure": (2, 2), "urban_renewal": (2, 2),
        "environment": (1, 1), "public_services": (1, 1), "other": (1, 0),
    }  # fmt: skip


def test_assets_ship_with_the_package():
    assets = Path(_mapassets.__file__).parent / "assets"
    assert (assets / "map.js").is_file() and (assets / "map.css").is_file()
    assert "</script" not in (assets / "map.js").read_text(encoding="utf-8")


def test_a_category_outside_the_packaged_rules_keeps_its_own_label():
    result = build_sample_result()
    projects = result.projects.copy()
    projects.loc[projects["id"] == "p02", ["category", "category_label"]] = ["mining", "矿业"]
    m = render_map(result.with_frames(projects))
    assert "矿业 (1)" in [g.layer_name for g in groups(m)]
    assert "工业技改 (1)" not in [g.layer_name for g in groups(m)]


def test_nullable_columns_are_read_as_nulls():
    result = build_sample_result()
    projects = result.projects.copy()
    projects["precision"] = projects["precision"].astype("Int64")
    projects.loc[projects["id"] == "p07", ["precision", "precision_label"]] = [None, None]
    projects.loc[projects["id"] == "p02", "amount"] = None
    data = app_data(render_map(result.with_frames(projects)))
    assert data["projects"]["p07"]["precision"] == "未定位"
    assert data["projects"]["p02"]["amount"] is None
    assert data["projects"]["p01"]["precision"] == "精确位置 · exact site"
