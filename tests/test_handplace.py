"""The "place by hand" data and element of the map page (the browser test drives the page)."""

from __future__ import annotations

from projectmap.output.map.handplace import PlaceTool, placing_data
from projectmap.output.map.render import map_html, render_map
from projectmap.places.needs import type_from_name


def test_unresolved_places_are_listed_once_with_their_count(sample_result) -> None:
    data = placing_data(sample_result, datum="wgs84")
    assert data["region"] == {"code": "420204", "name": "下陆区"}
    by_name = {p["name"]: p for p in data["places"]}
    assert sorted(by_name) == sorted(["老下陆片", "<img src=x onerror=alert(3)>片"])
    assert by_name["老下陆片"]["count"] == 2 and by_name["老下陆片"]["type"] == "area"


def test_the_tool_is_on_the_map_and_report_text_stays_inert(sample_result) -> None:
    m = render_map(sample_result, basemap="amap")
    (tool,) = [c for c in m._children.values() if isinstance(c, PlaceTool)]
    assert '"datum":"gcj02"' in tool.data_json
    page = map_html(m)
    assert "projectmapPlace(" in page and "<img src=x onerror=alert(3)>" not in page


def test_type_from_name() -> None:
    assert [type_from_name(n) for n in ("东方大道", "团城山街道", "磁湖", "海拉尔热电厂")] == [
        "road", "area", "lake", "site"]  # fmt: skip


def test_a_patch_for_a_county_the_gazetteer_lacks_imports_with_its_skeleton(tmp_path) -> None:
    import json

    from projectmap.cli import main
    from projectmap.places.gazetteer import load_gazetteer

    patch = tmp_path / "gazetteer-patch-150702-20260101-120000.geojson"
    props = {
        "id": "150702/正阳街", "name": "正阳街", "type": "road", "parent": "150702",
        "source": "placed by hand in map.html (r.txt)", "licence": "the user's own placement",
        "notes": "mention: 正阳街; sentence: 建设正阳街小学。", "source_crs": "GCJ-02",
    }  # fmt: skip
    line = {"type": "LineString", "coordinates": [[119.76, 49.215], [119.77, 49.216]]}
    feature = {"type": "Feature", "properties": props, "geometry": line}
    collection = {"type": "FeatureCollection", "features": [feature]}
    patch.write_text(json.dumps(collection), encoding="utf-8")
    gazetteer = tmp_path / "gazetteer"
    assert main(["gazetteer", "import", str(patch), "--gazetteer", str(gazetteer)]) == 0
    (entry,) = load_gazetteer(gazetteer).lookup("正阳街")
    assert entry.parent == "150702" and entry.source_crs == "GCJ-02"
    assert entry.source == "placed by hand in map.html (r.txt)" and "建设正阳街小学" in entry.notes
    assert (gazetteer / "imported" / "china-150702.geojson").exists()
