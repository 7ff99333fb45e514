import json
from pathlib import Path

import pytest
from shapely.geometry import LineString, Point

from projectmap.cli import main
from projectmap.curate.check import check_gazetteer
from projectmap.curate.importer import import_file, layer_name
from projectmap.errors import GazetteerError
from projectmap.places.crs import gcj02_to_wgs84, wgs84_to_gcj02
from projectmap.places.gazetteer import load_gazetteer, read_entries, write_entries
from tmp_gazetteer import make_gazetteer, place


@pytest.fixture
def gazetteer(tmp_path: Path) -> Path:
    return make_gazetteer(tmp_path / "gazetteer")


def feature(props: dict[str, object], geometry: dict[str, object] | None) -> dict[str, object]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def point(lon: float, lat: float) -> dict[str, object]:
    return {"type": "Point", "coordinates": [lon, lat]}


def write_geojson(path: Path, features: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                               ensure_ascii=False), encoding="utf-8")  # fmt: skip
    return path


@pytest.fixture
def places(tmp_path: Path) -> Path:
    """Four features: in the township, in the district, outside it, and one unnamed."""
    return write_geojson(tmp_path / "places.geojson", [
        feature({"name": "磁湖", "type": "lake", "aliases": "磁湖风景区、磁湖公园"},
                point(114.95, 30.19)),
        feature({"name": "东方大道", "type": "road", "id": "dfdd"},
                {"type": "LineString", "coordinates": [[115.00, 30.19], [115.04, 30.20]]}),
        feature({"name": "黄石港", "type": "port"}, point(115.10, 30.25)),
        feature({"type": "site"}, point(115.01, 30.19)),
    ])  # fmt: skip


def test_geojson_import_places_entries_under_the_deepest_admin(
    gazetteer: Path, places: Path
) -> None:
    result = import_file(places, gazetteer)
    assert result.path == gazetteer / "imported" / "places.geojson"
    assert result.skipped == {"unnamed": 1}
    written = {e.id: e for e in read_entries(result.path)}
    assert set(written) == {"places/1", "places/dfdd", "places/3"}
    lake = written["places/1"]
    assert (lake.name, lake.type, lake.parent) == ("磁湖", "lake", "420204001")
    assert lake.aliases == ("磁湖风景区", "磁湖公园")
    assert (lake.source, lake.licence, lake.source_crs) == ("places.geojson", "unknown", "WGS-84")
    assert written["places/dfdd"].parent == "420204"
    assert written["places/3"].parent is None  # outside every admin polygon, no --within
    # The layer loads with the rest of the gazetteer and passes the check.
    assert len(load_gazetteer(gazetteer)) == 5
    assert [p for p in check_gazetteer(gazetteer) if p.level == "error"] == []


def test_within_keeps_features_in_the_area(gazetteer: Path, places: Path) -> None:
    result = import_file(places, gazetteer, within="下陆区", layer="xialu")
    assert result.path.name == "xialu.geojson"
    assert sorted(e.id for e in result.entries) == ["xialu/1", "xialu/dfdd"]
    assert result.skipped == {"unnamed": 1, "outside 下陆区": 1}


def test_within_falls_back_to_the_area_as_parent(gazetteer: Path, tmp_path: Path) -> None:
    # The line enters the district, but its middle vertex is west of every admin polygon.
    road = LineString([(114.80, 30.19), (114.90, 30.19), (114.94, 30.19)])
    source = write_geojson(tmp_path / "road.geojson", [
        feature({"name": "大广高速", "type": "road"}, road.__geo_interface__),
    ])  # fmt: skip
    (entry,) = import_file(source, gazetteer, within="420204").entries
    assert entry.parent == "420204"
    (entry,) = import_file(source, gazetteer).entries
    assert entry.parent is None


def test_explicit_parent_is_kept(gazetteer: Path, tmp_path: Path) -> None:
    source = write_geojson(tmp_path / "p.geojson", [
        feature({"name": "团城山公园", "type": "park", "parent": "420204"}, point(114.95, 30.19)),
    ])  # fmt: skip
    assert import_file(source, gazetteer).entries[0].parent == "420204"


def test_gcj02_geojson_is_converted_and_says_so(gazetteer: Path, tmp_path: Path) -> None:
    gcj = wgs84_to_gcj02(114.95, 30.19)
    source = write_geojson(tmp_path / "amap.geojson", [feature({"name": "磁湖"}, point(*gcj))])
    (entry,) = import_file(source, gazetteer, crs="GCJ-02", source="AMap POI search").entries
    assert entry.geometry is not None
    assert (entry.geometry.x, entry.geometry.y) == pytest.approx(gcj02_to_wgs84(*gcj))
    assert entry.geometry.distance(Point(114.95, 30.19)) < 1e-5
    assert entry.source_crs == "GCJ-02"
    assert entry.source == "AMap POI search; converted from GCJ-02 to WGS-84 by projectmap"
    assert entry.type == "site"


def test_reimport_replaces_the_layer(gazetteer: Path, places: Path, tmp_path: Path) -> None:
    first = import_file(places, gazetteer).path.read_bytes()
    assert import_file(places, gazetteer).path.read_bytes() == first
    write_geojson(places, [feature({"name": "磁湖", "type": "lake"}, point(114.95, 30.19))])
    result = import_file(places, gazetteer)
    assert [e.id for e in read_entries(result.path)] == ["places/1"]


def test_ids_used_by_other_files_are_skipped(gazetteer: Path, places: Path) -> None:
    write_entries(gazetteer / "curated.geojson", [place("places/1", "磁湖", "420204", None)])
    result = import_file(places, gazetteer)
    assert "places/1" not in {e.id for e in result.entries}
    assert result.skipped["already in another gazetteer file"] == 1
    load_gazetteer(gazetteer)  # still loads: no repeated id


def test_csv_with_chinese_headers_in_gb18030(gazetteer: Path, tmp_path: Path) -> None:
    path = tmp_path / "项目点位.csv"
    path.write_bytes(
        "名称,经度,纬度,类型\n磁湖,114.95,30.19,lake\n,115.0,30.2,\n".encode("gb18030")
    )
    result = import_file(path, gazetteer)
    assert result.path.name == "项目点位.geojson"
    (entry,) = result.entries
    assert (entry.id, entry.name, entry.type) == ("项目点位/2", "磁湖", "lake")
    assert entry.parent == "420204001"
    assert result.skipped == {"unnamed": 1}


def test_csv_bd09_with_lng_latitude_columns(gazetteer: Path, tmp_path: Path) -> None:
    path = tmp_path / "baidu.csv"
    path.write_text("id,name,lng,latitude\nA1,东方大道,115.0319,30.2032\n", encoding="utf-8")
    (entry,) = import_file(path, gazetteer, crs="bd09").entries
    assert entry.id == "baidu/A1"
    assert entry.geometry is not None
    assert (entry.geometry.x, entry.geometry.y) == pytest.approx((115.02, 30.20), abs=2e-4)
    assert entry.source_crs == "BD-09"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,lat\n磁湖,30.19\n", "no lon column"),
        ("name,lon,lat\n磁湖,abc,30.19\n", "line 2: longitude 'abc'"),
        ("name,lon,lat\n磁湖,30.19,114.95\n", "are the lon and lat columns swapped"),
        ("name,lon,lat,type\n磁湖,114.95,30.19,湖泊\n", "unknown type '湖泊'"),
    ],
)
def test_bad_csv_names_the_line_and_the_fix(
    gazetteer: Path, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GazetteerError, match=message):
        import_file(path, gazetteer)
    assert not (gazetteer / "imported").exists()


def test_bad_geojson_feature_names_the_feature(gazetteer: Path, tmp_path: Path) -> None:
    source = write_geojson(tmp_path / "p.geojson", [
        feature({"name": "磁湖", "type": "lake"}, point(114.95, 30.19)),
        feature({"name": "青龙山", "type": "hill"}, point(114.96, 30.19)),
    ])  # fmt: skip
    with pytest.raises(GazetteerError, match=r"p.geojson:feature 2: entry 'p/2' has unknown type"):
        import_file(source, gazetteer)


@pytest.mark.parametrize("name", ["missing.csv", "missing.osm.pbf", "missing.geojson"])
def test_missing_file(gazetteer: Path, tmp_path: Path, name: str) -> None:
    with pytest.raises(GazetteerError, match="no such file"):
        import_file(tmp_path / name, gazetteer)


def test_unknown_area_and_empty_result(gazetteer: Path, places: Path, tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match="area '无此区' is not in the gazetteer"):
        import_file(places, gazetteer, within="无此区")
    # a county the gazetteer lacks is made from packaged data: 西塞山区 exists, but not these
    with pytest.raises(GazetteerError, match="no named features inside 西塞山区"):
        import_file(places, gazetteer, within="西塞山区")
    far = write_geojson(tmp_path / "far.geojson", [feature({"name": "武汉"}, point(114.3, 30.6))])
    with pytest.raises(GazetteerError, match="no named features inside 下陆区"):
        import_file(far, gazetteer, within="下陆区")


@pytest.mark.parametrize(
    ("text", "layer"),
    [("hubei-latest.osm.pbf", "hubei-latest"), ("下陆 POI.CSV", "下陆-POI"),
     ("../x/y.json", "x-y"), ("osm-420204", "osm-420204"), ("***", "layer")],
)  # fmt: skip
def test_layer_name(text: str, layer: str) -> None:
    assert layer_name(text) == layer


def test_cli_import(gazetteer: Path, places: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["gazetteer", "import", str(places), "--within", "下陆区", "--gazetteer", str(gazetteer),
            "--name", "mine", "--licence", "CC-BY-4.0"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out == (
        f"imported 2 features into {gazetteer / 'imported' / 'mine.geojson'}: 1 lake, 1 road; "
        "skipped 1 unnamed, 1 outside 下陆区\n"
    )
    assert {e.licence for e in read_entries(gazetteer / "imported" / "mine.geojson")} == {
        "CC-BY-4.0"
    }


def test_cli_import_bad_crs(
    gazetteer: Path, places: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["gazetteer", "import", str(places), "--crs", "mercator", "--gazetteer", str(gazetteer)]
    assert main(argv) == 1
    assert capsys.readouterr().err == (
        "projectmap: error: unknown coordinate system 'mercator'; use wgs84, gcj02 or bd09\n"
    )
