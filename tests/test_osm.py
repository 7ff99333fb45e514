import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import osmium
import pytest
from osmium.osm.mutable import Node, Relation, Way
from shapely.geometry import LineString, MultiLineString, Point, Polygon, box

from projectmap.cli import main
from projectmap.curate.osm import (
    OSM_LICENCE,
    OSM_SOURCE,
    feature_type,
    is_area,
    osm_entries,
    read_osm_file,
    read_overpass,
)
from projectmap.curate.overpass import fetch_overpass, overpass_query
from projectmap.errors import FetchError, GazetteerError
from projectmap.places.gazetteer import read_entries
from tmp_gazetteer import XIALU, make_gazetteer

# A small OSM extract of 下陆区 (lon 114.93–115.05, lat 30.17–30.22), described once and
# written both as an OSM file (through pyosmium) and as an Overpass `out geom;` answer.
NODES: dict[int, tuple[float, float, dict[str, str]]] = {
    1: (115.00, 30.190, {}), 2: (115.01, 30.190, {}), 3: (115.02, 30.195, {}),
    4: (115.03, 30.200, {}), 5: (114.940, 30.175, {}), 6: (114.945, 30.175, {}),
    10: (114.95, 30.19, {}), 11: (114.96, 30.19, {}), 12: (114.96, 30.20, {}),
    13: (114.95, 30.20, {}),
    20: (115.01, 30.20, {"amenity": "bench"}),  # no name: skipped
    21: (115.10, 30.25, {"name": "黄石港", "place": "suburb"}),  # outside 下陆区
    22: (115.035, 30.205, {"name": "下陆站", "railway": "station"}),
    23: (115.015, 30.192, {"name": "东方大道站", "highway": "bus_stop"}),  # a bus stop: skipped
    30: (115.00, 30.21, {}), 31: (115.01, 30.21, {}), 32: (115.01, 30.215, {}),
    33: (115.00, 30.215, {}), 34: (114.99, 30.18, {}), 35: (114.995, 30.18, {}),
}  # fmt: skip
WAYS: dict[int, tuple[list[int], dict[str, str]]] = {
    # 东方大道 in two touching segments, and a third one 6 km away
    100: ([3, 4], {"highway": "primary", "name": "东方大道"}),
    101: ([1, 2, 3], {"highway": "primary", "name": "东方大道", "alt_name": "东方路"}),
    102: ([5, 6], {"highway": "primary", "name": "东方大道"}),
    110: ([10, 11, 12, 13, 10], {"natural": "water", "name": "磁湖"}),
    120: ([30, 31, 32, 33, 30], {}),  # outer ring of the park relation
    130: ([34, 35], {"highway": "residential"}),  # no name: skipped
}  # fmt: skip
RELATIONS: dict[int, tuple[list[tuple[int, str]], dict[str, str]]] = {
    200: ([(120, "outer")], {"type": "multipolygon", "leisure": "park", "name": "青龙山公园"}),
}


def write_osm(path: Path) -> Path:
    with osmium.SimpleWriter(str(path)) as writer:
        for node_id, (lon, lat, tags) in NODES.items():
            writer.add_node(Node(id=node_id, location=(lon, lat), tags=tags))
        for way_id, (nodes, tags) in WAYS.items():
            writer.add_way(Way(id=way_id, nodes=nodes, tags=tags))
        for rel_id, (members, tags) in RELATIONS.items():
            writer.add_relation(Relation(id=rel_id, members=[("w", w, r) for w, r in members],
                                         tags=tags))  # fmt: skip
    return path


def way_geometry(way_id: int) -> list[dict[str, float]]:
    return [{"lat": NODES[n][1], "lon": NODES[n][0]} for n in WAYS[way_id][0]]


def overpass_answer() -> dict[str, Any]:
    """What Overpass returns for the query (it returns tagged nodes only)."""
    elements: list[dict[str, Any]] = [
        {"type": "node", "id": i, "lat": lat, "lon": lon, "tags": tags}
        for i, (lon, lat, tags) in NODES.items() if tags
    ]  # fmt: skip
    elements += [
        {"type": "way", "id": i, "nodes": nodes, "geometry": way_geometry(i), "tags": tags}
        for i, (nodes, tags) in WAYS.items() if tags
    ]  # fmt: skip
    elements += [
        {"type": "relation", "id": i, "tags": tags, "members": [
            {"type": "way", "ref": w, "role": role, "geometry": way_geometry(w)}
            for w, role in members
        ]}
        for i, (members, tags) in RELATIONS.items()
    ]  # fmt: skip
    return {"version": 0.6, "generator": "Overpass API (test)", "elements": elements}


@pytest.fixture
def gazetteer(tmp_path: Path) -> Path:
    return make_gazetteer(tmp_path / "gazetteer")


# --- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".osm.pbf", ".osm"])
def test_osm_file_gives_the_named_features(tmp_path: Path, suffix: str) -> None:
    entries = {e.id: e for e in osm_entries(read_osm_file(write_osm(tmp_path / f"x{suffix}")))}
    assert sorted(entries) == [
        "osm/node/21", "osm/node/22", "osm/relation/200",
        "osm/way/100", "osm/way/102", "osm/way/110",
    ]  # fmt: skip
    road = entries["osm/way/100"]
    assert (road.name, road.type, road.aliases) == ("东方大道", "road", ("东方路",))
    assert road.geometry == MultiLineString([[NODES[n][:2] for n in (1, 2, 3, 4)]])
    assert road.notes == "merged from OSM ways 100, 101"
    assert entries["osm/way/102"].geometry == LineString([NODES[5][:2], NODES[6][:2]])
    lake = entries["osm/way/110"]
    assert (lake.name, lake.type) == ("磁湖", "lake")
    assert lake.geometry == Polygon([NODES[n][:2] for n in (10, 11, 12, 13, 10)])
    park = entries["osm/relation/200"]
    assert park.type == "park"
    assert park.geometry is not None
    assert park.geometry.equals(box(115.00, 30.21, 115.01, 30.215))
    assert entries["osm/node/22"].type == "station"
    assert {(e.source, e.licence, e.source_crs) for e in entries.values()} == {
        (OSM_SOURCE, OSM_LICENCE, "WGS-84")
    }
    assert all(e.parent is None for e in entries.values())


def test_overpass_answer_gives_the_same_entries_as_the_file(tmp_path: Path) -> None:
    from_file = osm_entries(read_osm_file(write_osm(tmp_path / "x.osm.pbf")))
    from_overpass = osm_entries(read_overpass(overpass_answer(), where="test"))
    assert [(e.id, e.name, e.type, e.aliases) for e in from_overpass] == [
        (e.id, e.name, e.type, e.aliases) for e in from_file
    ]
    for a, b in zip(from_file, from_overpass, strict=True):
        assert a.geometry is not None and b.geometry is not None
        assert a.geometry.geom_type == b.geometry.geom_type, a.id
        assert a.geometry.equals(b.geometry), a.id


def test_overpass_multipolygon_with_a_hole() -> None:
    def ring(x0: float, y0: float, x1: float, y1: float) -> list[dict[str, float]]:
        corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
        return [{"lon": x, "lat": y} for x, y in corners]

    # The outer ring comes in two ways that meet at their ends.
    outer = ring(114.95, 30.18, 114.99, 30.21)
    members = [
        {"type": "way", "ref": 1, "role": "outer", "geometry": outer[:3]},
        {"type": "way", "ref": 2, "role": "outer", "geometry": outer[2:]},
        {"type": "way", "ref": 3, "role": "inner", "geometry": ring(114.96, 30.19, 114.97, 30.20)},
        {"type": "node", "ref": 4, "role": "label", "lat": 30.2, "lon": 114.96},
    ]
    data = {
        "elements": [
            {
                "type": "relation",
                "id": 7,
                "members": members,
                "tags": {"type": "multipolygon", "name": "磁湖", "natural": "water"},
            }
        ]
    }
    (feature,) = read_overpass(data, where="test")
    assert isinstance(feature.geometry, Polygon)
    assert len(feature.geometry.interiors) == 1
    assert feature.geometry.area == pytest.approx(0.04 * 0.03 - 0.01 * 0.01)


def test_overpass_answer_without_elements_is_refused() -> None:
    with pytest.raises(GazetteerError, match="not an Overpass answer"):
        read_overpass({"type": "FeatureCollection"}, where="x.json")


def test_a_broken_osm_file_is_a_gazetteer_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.osm.pbf"
    path.write_bytes(b"this is not protobuf")
    with pytest.raises(GazetteerError, match="not a readable OpenStreetMap file"):
        read_osm_file(path)


@pytest.mark.parametrize(
    ("tags", "kind"),
    [
        ({"highway": "primary"}, "road"),
        ({"highway": "motorway_junction"}, "interchange"),
        ({"highway": "primary", "bridge": "yes", "name": "鄂黄长江大桥"}, "bridge"),
        ({"highway": "primary", "bridge": "yes", "name": "东方大道"}, "road"),
        ({"man_made": "bridge"}, "bridge"),
        ({"natural": "water"}, "lake"),
        ({"natural": "water", "water": "river"}, "river"),
        ({"water": "lake"}, "lake"),
        ({"landuse": "reservoir"}, "lake"),
        ({"waterway": "river"}, "river"),
        ({"natural": "peak"}, "mountain"),
        ({"natural": "hill"}, "mountain"),
        ({"leisure": "park"}, "park"),
        ({"railway": "station"}, "station"),
        ({"railway": "rail"}, "railway"),
        ({"aeroway": "aerodrome"}, "airport"),
        ({"place": "village"}, "area"),
        ({"landuse": "industrial"}, "site"),
        ({"man_made": "works"}, "site"),
        ({"amenity": "school"}, "site"),
    ],
)
def test_feature_type(tags: dict[str, str], kind: str) -> None:
    assert feature_type(tags) == kind


@pytest.mark.parametrize(
    ("tags", "area"),
    [
        ({"natural": "water"}, True),
        ({"highway": "primary"}, False),  # a closed road is a ring road
        ({"highway": "pedestrian", "area": "yes"}, True),
        ({"leisure": "park", "area": "no"}, False),
        ({"waterway": "riverbank"}, True),
        ({"natural": "coastline"}, False),
        ({"name": "某某"}, False),
    ],
)
def test_is_area(tags: dict[str, str], area: bool) -> None:
    assert is_area(tags) is area


def test_far_apart_ways_of_one_name_stay_apart() -> None:
    data = overpass_answer()
    entries = osm_entries(read_overpass(data, where="test"))
    roads = [e for e in entries if e.name == "东方大道"]
    assert [e.id for e in roads] == ["osm/way/100", "osm/way/102"]


# --- importing -------------------------------------------------------------------------------


def test_cli_imports_an_osm_pbf_within_the_district(
    gazetteer: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_osm(tmp_path / "hubei-latest.osm.pbf")
    argv = ["gazetteer", "import", str(source), "--within", "下陆区", "--gazetteer", str(gazetteer)]
    assert main(argv) == 0
    layer = gazetteer / "imported" / "hubei-latest.geojson"
    assert capsys.readouterr().out == (
        f"imported 5 features into {layer}: 2 road, 1 lake, 1 park, 1 station; "
        "skipped 1 outside 下陆区\n"
    )
    parents = {e.id: e.parent for e in read_entries(layer)}
    assert parents == {
        "osm/node/22": "420204", "osm/relation/200": "420204", "osm/way/100": "420204",
        "osm/way/102": "420204001", "osm/way/110": "420204001",
    }  # fmt: skip
    # Importing again gives the same bytes.
    before = layer.read_bytes()
    assert main(argv) == 0
    assert layer.read_bytes() == before


def test_osm_with_a_crs_is_refused(gazetteer: Path, tmp_path: Path) -> None:
    source = write_osm(tmp_path / "x.osm.pbf")
    argv = ["gazetteer", "import", str(source), "--crs", "gcj02", "--gazetteer", str(gazetteer)]
    assert main(argv) == 1
    assert not (gazetteer / "imported").exists()


def test_overpass_json_file_imports(gazetteer: Path, tmp_path: Path) -> None:
    source = tmp_path / "answer.json"
    source.write_text(json.dumps(overpass_answer(), ensure_ascii=False), encoding="utf-8")
    assert main(["gazetteer", "import", str(source), "--gazetteer", str(gazetteer)]) == 0
    entries = {e.id: e for e in read_entries(gazetteer / "imported" / "answer.geojson")}
    assert len(entries) == 6
    assert entries["osm/node/21"].parent is None  # 黄石港 lies outside every admin polygon


# --- fetching --------------------------------------------------------------------------------


@dataclass
class FakeOverpass:
    url: str
    queries: list[str] = field(default_factory=list)
    status: int = 200
    body: bytes = b""


@pytest.fixture
def overpass() -> Iterator[FakeOverpass]:
    fake = FakeOverpass(url="")
    fake.body = json.dumps(overpass_answer()).encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8"))
            fake.queries.append(form["data"][0])
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(fake.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/api/interpreter"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    thread.join()
    server.server_close()


def test_fetch_osm(
    gazetteer: Path, overpass: FakeOverpass, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["gazetteer", "fetch-osm", "下陆区", "--overpass-url", overpass.url,
            "--timeout", "60", "--gazetteer", str(gazetteer)]  # fmt: skip
    assert main(argv) == 0
    (query,) = overpass.queries
    assert query.startswith("[out:json][timeout:60];")
    assert 'way[~"^name(:zh)?$"~"."](poly:"30.' in query
    assert query.endswith("out geom;")
    layer = gazetteer / "imported" / "osm-420204.geojson"
    assert capsys.readouterr().out.startswith(f"imported 5 features into {layer}: 2 road")
    assert len(read_entries(layer)) == 5


def test_fetch_osm_reads_the_url_from_the_environment(
    gazetteer: Path, overpass: FakeOverpass, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROJECTMAP_OVERPASS_URL", overpass.url)
    assert main(["gazetteer", "fetch-osm", "420204", "--gazetteer", str(gazetteer)]) == 0
    assert len(overpass.queries) == 1


def test_fetch_osm_server_error(
    gazetteer: Path, overpass: FakeOverpass, capsys: pytest.CaptureFixture[str]
) -> None:
    overpass.status = 429
    argv = ["gazetteer", "fetch-osm", "下陆区", "--overpass-url", overpass.url,
            "--gazetteer", str(gazetteer)]  # fmt: skip
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"projectmap: error: Overpass server {overpass.url} answered HTTP 429")
    assert err.count("\n") == 1
    assert not (gazetteer / "imported").exists()


def test_fetch_overpass_runtime_error_remark(overpass: FakeOverpass) -> None:
    overpass.body = b'{"elements": [], "remark": "runtime error: Query timed out in \\"query\\""}'
    with pytest.raises(FetchError, match="gave up: runtime error: Query timed out"):
        fetch_overpass("[out:json];", url=overpass.url, timeout=5)


def test_fetch_overpass_refused_connection() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api/interpreter"
    with pytest.raises(FetchError, match=f"cannot reach Overpass server {url}") as info:
        fetch_overpass("[out:json];", url=url, timeout=5)
    assert isinstance(info.value, OSError)


def test_overpass_query_for_a_point_uses_its_bounding_box() -> None:
    query = overpass_query(Point(115.0, 30.2), timeout=25)
    assert "(30.200000,115.000000,30.200000,115.000000);" in query
    assert query.count("poly:") == 0


def test_overpass_query_polygon_covers_the_area() -> None:
    query = overpass_query(XIALU)
    coords = query.split('poly:"')[1].split('"')[0].split()
    lats, lons = [float(c) for c in coords[0::2]], [float(c) for c in coords[1::2]]
    ring = Polygon(zip(lons, lats, strict=True))
    assert ring.contains(XIALU)
    assert ring.area < XIALU.area * 1.2
    assert 'relation[~"^name(:zh)?$"~"."]["type"="multipolygon"]' in query
