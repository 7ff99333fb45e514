"""An imported feature and the curated entry of the same name in the same area load as one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from shapely.geometry import LineString, Point

from conftest import GAZETTEER
from projectmap.curate.importer import import_file
from projectmap.places.gazetteer import load_gazetteer, read_entries, write_entries
from tmp_gazetteer import make_gazetteer, place

ROAD = LineString([(114.95, 30.19), (114.97, 30.195), (114.99, 30.197)])


def _geojson(path: Path, *features: tuple[str, object]) -> Path:
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": name}, "geometry": geometry.__geo_interface__}
        for name, geometry in features
    ]}  # fmt: skip
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def test_an_import_and_a_curated_entry_become_one(tmp_path: Path) -> None:
    gazetteer = make_gazetteer(tmp_path / "gazetteer")
    curated = place("420204/东方大道", "东方大道", "420204001", None, type="road")
    write_entries(gazetteer / "places.geojson", [curated])
    layer = _geojson(tmp_path / "roads.geojson", ("东方大道", ROAD))
    result = import_file(layer, gazetteer, source="a survey", licence="CC0-1.0")
    assert "1 merged with the curated entry of the same name" in result.summary()
    (written,) = read_entries(result.path)
    assert written.same_as == "420204/东方大道"
    loaded = load_gazetteer(gazetteer)
    (entry,) = loaded.lookup("东方大道")
    assert entry.id == "420204/东方大道" and entry.parent == "420204001"
    assert entry.geometry is not None and entry.geometry.equals(ROAD)
    assert "test fixture" in entry.source and "a survey" in entry.source
    assert entry.licence == "CC0-1.0; geometry: CC0-1.0"
    assert written.id not in loaded


def test_no_merge_across_areas_or_when_two_claim_it(tmp_path: Path) -> None:
    gazetteer = make_gazetteer(tmp_path / "gazetteer")
    write_entries(gazetteer / "places.geojson", [
        place("420204/东方大道", "东方大道", "420204", None, type="road"),
        place("elsewhere/安达路", "安达路", "420205", None, type="road"),
    ])  # fmt: skip
    west, east = ("东方大道", Point(114.94, 30.18)), ("东方大道", Point(115.04, 30.21))
    two = _geojson(tmp_path / "two.geojson", west, east, ("安达路", Point(114.95, 30.19)))
    result = import_file(two, gazetteer)
    assert [e.same_as for e in result.entries] == [None, None, None]
    assert len(load_gazetteer(gazetteer).lookup("东方大道")) == 3


def test_the_shipped_gazetteer_keeps_one_entry_per_road(tmp_path: Path) -> None:
    gazetteer = tmp_path / "gazetteer"
    shutil.copytree(GAZETTEER, gazetteer)
    import_file(_geojson(tmp_path / "osm.geojson", ("东方大道", ROAD)), gazetteer)
    (entry,) = load_gazetteer(gazetteer).lookup("东方大道")
    assert entry.id == "420204/东方大道" and entry.geometry is not None
