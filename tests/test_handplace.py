"""The "place by hand" data and element of the map page (the browser test drives the page)."""

from __future__ import annotations

from projectmap.handplace import PlaceTool, placing_data
from projectmap.outdir import type_from_name
from projectmap.render import map_html, render_map


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
