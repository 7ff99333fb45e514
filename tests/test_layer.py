"""The one gazetteer reader: layers of a folder, their entries and their faults."""

from __future__ import annotations

from pathlib import Path

import pytest
from shapely.geometry import Point

from projectmap.errors import GazetteerError
from projectmap.places.gazetteer import load_gazetteer, write_entries
from projectmap.places.layer import read_layer, read_layers
from tmp_gazetteer import place


def _two_lines(path: Path) -> Path:
    write_entries(path, [
        place("p/1", "磁湖", None, Point(114.95, 30.19)),
        place("p/2", "青龙山", None, Point(114.96, 30.19)),
    ])  # fmt: skip
    return path


def _break_line(path: Path, number: int) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number - 1] = lines[number - 1].replace('"type":"Feature",', '"type":"Feature"', 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_layers_are_named_by_their_path_in_the_folder(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    _two_lines(tmp_path / "sub" / "b.geojson")
    write_entries(tmp_path / "a.geojson", [place("p/3", "团城山", None, None)])
    layers = read_layers(tmp_path)
    assert [layer.name for layer in layers] == ["a.geojson", "sub/b.geojson"]
    assert [e.file for e in layers[1].require()] == ["sub/b.geojson", "sub/b.geojson"]
    assert all(not layer.faults for layer in layers)
    (tmp_path / "sub" / "b.geojson").write_text("not json", encoding="utf-8")
    assert [
        layer.name for layer in read_layers(tmp_path, exclude=tmp_path / "sub" / "b.geojson")
    ] == ["a.geojson"]


def test_a_broken_line_is_one_fault_and_recovering_keeps_the_other_lines(tmp_path: Path) -> None:
    path = _two_lines(tmp_path / "x.geojson")
    _break_line(path, 2)
    strict = read_layer(path)
    assert strict.entries == ()
    assert [f.message for f in strict.faults] == [
        f"{path}: line 2: not valid JSON (Expecting ',' delimiter); fix that line"
    ]
    with pytest.raises(GazetteerError, match=r"x\.geojson: line 2: not valid JSON"):
        strict.require()
    recovered = read_layer(path, recover=True)
    assert [e.id for e in recovered.entries] == ["p/2"]
    assert [(f.entry, f.message.split(" (")[0]) for f in recovered.faults] == [
        ("p/1", f"{path}: line 2: entry 'p/1' is not valid JSON")
    ]


def test_every_bad_feature_is_a_fault_and_the_first_is_the_error(tmp_path: Path) -> None:
    path = tmp_path / "x.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":[3,'
        '{"type":"Feature","properties":{"id":"p/1"},"geometry":null}]}',
        encoding="utf-8",
    )
    layer = read_layer(path)
    assert [f.entry for f in layer.faults] == [None, "p/1"]
    assert "lacks name, type, source, licence, source_crs" in layer.faults[1].message
    with pytest.raises(GazetteerError, match=r"^x\.geojson:feature 1: expected a GeoJSON Feature"):
        layer.require()


def test_a_repeated_id_in_a_subfolder_is_named_by_its_path(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    _two_lines(tmp_path / "sub" / "b.geojson")
    write_entries(tmp_path / "a.geojson", [place("p/1", "磁湖", None, None)])
    with pytest.raises(
        GazetteerError, match=r"^sub/b\.geojson: id 'p/1' is already used in a\.geojson;"
    ):
        load_gazetteer(tmp_path)
