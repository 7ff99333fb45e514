"""After importing OpenStreetMap data, the same build places projects on real geometry."""

import json
import shutil

from shapely.geometry import LineString, Polygon, shape

from conftest import GAZETTEER, SAMPLE
from projectmap.cli import main
from projectmap.pipeline import BuildOptions, build

ROAD = LineString([(114.95, 30.19), (114.97, 30.195), (114.99, 30.197)])
LAKE = Polygon([(115.03, 30.19), (115.07, 30.19), (115.07, 30.22), (115.03, 30.22)])


def _overpass_json(path):
    def nodes(coords):
        return [{"lat": y, "lon": x} for x, y in coords]

    data = {"elements": [
        {"type": "way", "id": 101, "tags": {"highway": "primary", "name": "东方大道"},
         "geometry": nodes(ROAD.coords)},
        {"type": "way", "id": 202, "tags": {"natural": "water", "water": "lake", "name": "磁湖"},
         "geometry": nodes(LAKE.exterior.coords)},
    ]}  # fmt: skip
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_imported_osm_places_projects_exactly(tmp_path, capsys):
    gazetteer = tmp_path / "gazetteer"
    shutil.copytree(GAZETTEER, gazetteer)
    extract = tmp_path / "xialu.overpass.json"
    _overpass_json(extract)
    assert main(["gazetteer", "import", str(extract), "--within", "下陆区",
                 "--gazetteer", str(gazetteer)]) == 0  # fmt: skip
    result = build(SAMPLE, options=BuildOptions(gazetteer=gazetteer))
    projects = result.projects.set_index("name")
    road = projects.loc["东方大道绿化升级改造"]
    assert road["precision"] == 1 and road["geometry"].equals(ROAD)
    places = result.places.set_index("mention")
    west = places.loc["磁湖西"]
    assert west["precision"] == 2 and west["reason"] == "derived_from_parent"
    assert west["geometry"].bounds == (115.03, 30.19, 115.05, 30.22)
    assert places.loc["磁湖", "precision"] == 1
    assert shape(json.loads(json.dumps(west["geometry"].__geo_interface__))).within(
        LAKE.buffer(1e-9)
    )
