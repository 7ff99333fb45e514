"""Exported files: RFC 7946 GeoJSON, GeoPackage and CSV that read back unchanged."""

from __future__ import annotations

import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Point, Polygon

from conftest import HOSTILE_NAME, HOSTILE_SENTENCE, build_sample_result
from projectmap.errors import OutputError
from projectmap.output.export import GPKG_DATE, write_data, write_geopackage
from projectmap.output.tables import PROJECTS_CSV, neutralised
from projectmap.places.result import PLACE_FIELDS, PROJECT_FIELDS, BuildResult
from rfc7946 import geojson_problems

DATA_FILES = ("projects.geojson", "places.geojson", "projects.csv", "unresolved.csv")
#: Clockwise exterior ring and a counter-clockwise hole: both the wrong way round for RFC 7946.
CLOCKWISE = [(115.00, 30.20), (115.00, 30.22), (115.02, 30.22), (115.02, 30.20)]
HOLE_CCW = [(115.005, 30.205), (115.010, 30.205), (115.010, 30.210), (115.005, 30.210)]
EXTRA_DIGITS = Point(114.123456789, 30.987654321)


def hand_made_result() -> BuildResult:
    """The conftest sample, with geometry written the wrong way round and too precisely."""
    result = build_sample_result()
    projects, places = result.projects.copy(), result.places.copy()
    wrong_way = Polygon(CLOCKWISE, [HOLE_CCW])
    projects.loc[0, "geometry"] = wrong_way
    projects.loc[1, "geometry"] = MultiPolygon([wrong_way, Polygon(CLOCKWISE).buffer(0)])
    projects.loc[2, "geometry"] = GeometryCollection([EXTRA_DIGITS, LineString(CLOCKWISE)])
    places.loc[0, "geometry"] = wrong_way
    places.loc[1, "geometry"] = EXTRA_DIGITS
    return result.with_frames(projects, places)


@pytest.fixture(scope="module")
def sample_data(sample_build, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample-data")
    write_data(sample_build, folder)
    return folder, sample_build


@pytest.fixture(scope="module")
def hand_made_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hand-made")
    result = hand_made_result()
    write_data(result, folder)
    return folder, result


@pytest.fixture(params=["sample_data", "hand_made_data"])
def written(request):
    return request.getfixturevalue(request.param)


# --- the checker checks ------------------------------------------------------------------


def _collection(geometry: object, **extra: object) -> str:
    feature = {"type": "Feature", "properties": {"name": "磁湖"}, "geometry": geometry}
    return json.dumps({"type": "FeatureCollection", "features": [feature], **extra})


SQUARE_CCW = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
BROKEN = {
    "crs member": ({"type": "Point", "coordinates": [1, 2]}, {"crs": {"type": "name"}}),
    "seven decimals": ({"type": "Point", "coordinates": [1.1234567, 2]}, {}),
    "latitude out of range": ({"type": "Point", "coordinates": [30.2, 115.0]}, {}),
    "ring not closed": ({"type": "Polygon", "coordinates": [[*SQUARE_CCW[:-1], [0, 0.5]]]}, {}),
    "clockwise exterior": ({"type": "Polygon", "coordinates": [SQUARE_CCW[::-1]]}, {}),
    "counter-clockwise hole": ({"type": "Polygon", "coordinates": [SQUARE_CCW, SQUARE_CCW]}, {}),
    "nested collection": (
        {"type": "GeometryCollection", "geometries": [{"type": "GeometryCollection"}]},
        {},
    ),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_the_checker_finds_each_break(case):
    geometry, extra = BROKEN[case]
    assert geojson_problems(_collection(geometry, **extra))


def test_the_checker_finds_escaped_chinese_but_not_an_escaped_backslash():
    text = _collection({"type": "Point", "coordinates": [1, 2]})
    assert geojson_problems(text)  # json.dumps escapes 磁湖 by default
    readable = json.dumps(json.loads(text), ensure_ascii=False)
    assert geojson_problems(readable) == []
    literal = json.dumps({"type": "FeatureCollection", "features": [], "x": "\\u78c1"})
    assert geojson_problems(literal) == []


# --- GeoJSON -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["projects.geojson", "places.geojson"])
def test_geojson_is_rfc7946(written, name):
    folder, _result = written
    text = (folder / name).read_text(encoding="utf-8")
    assert geojson_problems(text) == []


def test_hand_made_geometry_was_turned_right_hand_and_rounded(hand_made_data):
    folder, _result = hand_made_data
    features = json.loads((folder / "projects.geojson").read_text(encoding="utf-8"))["features"]
    shell, hole = features[0]["geometry"]["coordinates"]
    assert shell[0] == shell[-1] and hole[0] == hole[-1]
    assert features[2]["geometry"]["geometries"][0]["coordinates"] == [114.123457, 30.987654]


def test_geojson_keeps_hostile_text_as_readable_text(hand_made_data):
    folder, _result = hand_made_data
    text = (folder / "projects.geojson").read_text(encoding="utf-8")
    assert "长乐山" in text
    features = json.loads(text)["features"]
    hostile = next(f for f in features if f["properties"]["id"] == "p08")["properties"]
    assert hostile["name"] == HOSTILE_NAME and hostile["sentence"] == HOSTILE_SENTENCE


def _same_geometry(left, right) -> bool:
    if left is None or right is None:
        return left is None and right is None
    return shapely.equals_exact(shapely.normalize(left), shapely.normalize(right), 1e-6)


def _geometries(frame: pd.DataFrame) -> list:
    return [None if g is None or g.is_empty else g for g in frame.geometry]


@pytest.mark.parametrize(
    ("name", "frame", "key"),
    [("projects.geojson", "projects", "name"), ("places.geojson", "places", "mention")],
)
def test_geojson_reads_back_through_pyogrio_unchanged(written, name, frame, key):
    folder, result = written
    original = getattr(result, frame)
    back = gpd.read_file(folder / name, engine="pyogrio")
    assert list(back["id"]) == list(original["id"])
    assert list(back[key]) == list(original[key])
    assert list(back["precision"].astype("Int64")) == list(original["precision"].astype("Int64"))
    pairs = zip(_geometries(back), _geometries(original), strict=True)
    assert all(_same_geometry(a, b) for a, b in pairs)


# --- GeoPackage ----------------------------------------------------------------------------


GPKG_LAYERS = {
    "projects_points": "MultiPoint", "projects_lines": "MultiLineString",
    "projects_polygons": "MultiPolygon", "projects_unlocated": None,
    "places_points": "MultiPoint", "places_lines": "MultiLineString",
    "places_polygons": "MultiPolygon", "places_unlocated": None,
}  # fmt: skip


def test_geopackage_has_one_layer_per_declared_geometry_type(written):
    folder, _result = written
    path = folder / "projects.gpkg"
    layers = {str(name): kind for name, kind in pyogrio.list_layers(path)}
    assert layers == GPKG_LAYERS
    for name, kind in GPKG_LAYERS.items():
        info = pyogrio.read_info(path, layer=name)
        assert info["geometry_type"] == kind
        fields = PROJECT_FIELDS if name.startswith("projects") else PLACE_FIELDS
        assert list(info["fields"]) == list(fields)


def _gpkg_frame(path, stem: str) -> dict[str, list]:
    """Each row's id with its geometry parts, collected over the layers of ``stem``."""
    parts: dict[str, list] = {}
    for kind in ("points", "lines", "polygons"):
        back = pyogrio.read_dataframe(path, layer=f"{stem}_{kind}")
        for pid, geometry in zip(back["id"], back.geometry, strict=True):
            parts.setdefault(pid, []).extend(shapely.get_parts(geometry))
    unlocated = pyogrio.read_dataframe(path, layer=f"{stem}_unlocated", read_geometry=False)
    for pid in unlocated["id"]:
        assert pid not in parts
        parts[pid] = []
    return parts


def test_geopackage_layers_together_hold_every_row_with_its_geometry(written):
    folder, result = written
    for stem, frame in (("projects", result.projects), ("places", result.places)):
        back = _gpkg_frame(folder / "projects.gpkg", stem)
        assert sorted(back) == sorted(frame["id"])
        for pid, geometry in zip(frame["id"], frame.geometry, strict=True):
            if geometry is None or geometry.is_empty:
                assert back[pid] == []
            else:
                together = shapely.union_all(back[pid])
                assert _same_geometry(together, shapely.union_all(list(_flat(geometry))))


def _flat(geometry):
    for part in shapely.get_parts(geometry):
        if part.geom_type.startswith("Multi") or part.geom_type == "GeometryCollection":
            yield from _flat(part)
        else:
            yield part


def test_geopackage_keeps_text_and_joined_lists(written):
    folder, result = written
    back = pyogrio.read_dataframe(folder / "projects.gpkg", layer="places_unlocated")
    expected = result.places[result.places.geometry.isna()]
    assert list(back["mention"]) == list(expected["mention"])
    assert list(back["project_ids"]) == ["、".join(ids) for ids in expected["project_ids"]]


def test_geopackage_is_byte_identical_across_writes(tmp_path):
    result = hand_made_result()
    write_geopackage(result, tmp_path / "a" / "projects.gpkg")
    write_geopackage(result, tmp_path / "b" / "projects.gpkg")
    first = (tmp_path / "a" / "projects.gpkg").read_bytes()
    assert first == (tmp_path / "b" / "projects.gpkg").read_bytes()
    assert GPKG_DATE.encode() in first
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["projects.gpkg"]


def test_geopackages_written_by_threads_at_once_are_identical(tmp_path):
    result = hand_made_result()
    paths = [tmp_path / str(n) / "projects.gpkg" for n in range(4)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda path: write_geopackage(result, path), paths))
    assert len({path.read_bytes() for path in paths}) == 1


def test_geopackage_is_a_valid_ogc_geopackage_gdal_reads(written):
    folder, _result = written
    path = folder / "projects.gpkg"
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10300
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        (srs,) = db.execute("SELECT organization FROM gpkg_spatial_ref_sys WHERE srs_id = 4326")
        assert srs == ("EPSG",)
        dates = {d for (d,) in db.execute("SELECT last_change FROM gpkg_contents")}
    assert dates == {GPKG_DATE}
    info = pyogrio.read_info(path, layer="projects_points", force_total_bounds=True)
    assert info["crs"] == "EPSG:4326" and info["driver"] == "GPKG"
    back = pyogrio.read_dataframe(path, layer="projects_points")
    assert tuple(info["total_bounds"]) == pytest.approx(tuple(back.total_bounds))
    assert info["features"] == len(back) > 0


def test_geopackage_that_cannot_be_written_is_a_clear_error(tmp_path):
    target = tmp_path / "projects.gpkg"
    target.mkdir()  # a folder where the file should go
    with pytest.raises(OutputError, match=r"projects\.gpkg"):
        write_geopackage(hand_made_result(), target)


def test_an_empty_build_still_writes_every_file(tmp_path):
    result = build_sample_result()
    projects, places = result.projects.iloc[:0], result.places.iloc[:0]
    empty = result.with_frames(projects, places)
    write_data(empty, tmp_path)
    assert geojson_problems((tmp_path / "projects.geojson").read_text(encoding="utf-8")) == []
    for layer in GPKG_LAYERS:
        assert pyogrio.read_info(tmp_path / "projects.gpkg", layer=layer)["features"] == 0


# --- CSV and the build folder --------------------------------------------------------------


def test_projects_csv_reads_back_with_pandas(written):
    folder, result = written
    back = pd.read_csv(folder / "projects.csv", dtype=str, keep_default_na=False)
    assert list(back.columns) == list(PROJECTS_CSV)
    assert list(back["id"]) == list(result.projects["id"])
    assert list(back["name"]) == list(result.projects["name"])
    assert list(back["sentence"]) == list(result.projects["sentence"])
    located = back[back["lon"] != ""]
    assert located["lon"].astype(float).between(-180, 180).all()
    precise = result.projects.geometry.notna() & result.projects["precision"].isin([1, 2])
    assert list(located["id"]) == list(result.projects[precise]["id"])


@pytest.mark.parametrize("name", ["projects.csv", "unresolved.csv"])
def test_csv_starts_with_a_bom_and_reads_as_chinese_in_a_bom_sensitive_reader(written, name):
    folder, _result = written
    raw = (folder / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    # Excel's rule: a BOM means UTF-8; without one, Chinese Windows reads GBK.
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "gbk"
    text = raw.decode(encoding)
    header, *rows = text.splitlines()
    assert header.startswith(('"id",', '"mention",'))
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in row) for row in rows)


def test_district_rows_have_no_point_and_say_why(sample_data):
    folder, result = sample_data
    back = pd.read_csv(folder / "projects.csv", dtype=str, keep_default_na=False)
    district = back[back["precision"] == "3"]
    assert len(district) == int((result.projects["precision"] == 3).sum()) > 0
    assert (district["lon"] == "").all() and (district["lat"] == "").all()
    assert district["precision_zh"].str.startswith("仅到区").all()
    assert district["precision_zh"].str.contains("无点位坐标").all()
    exact = back[back["precision"] == "1"]
    assert (exact["precision_zh"] == "精确位置").all() and (exact["lon"] != "").all()


def test_places_and_place_ids_are_aligned(sample_data):
    folder, result = sample_data
    back = pd.read_csv(folder / "projects.csv", dtype=str, keep_default_na=False)
    ids_of = {
        mention: gid if isinstance(gid, str) else ""
        for mention, gid in zip(
            result.places["mention"], result.places["gazetteer_id"], strict=True
        )
    }
    for places, ids in zip(back["places"], back["place_ids"], strict=True):
        names, gids = (places.split("、"), ids.split("、")) if places else ([], [])
        assert len(names) == len(gids)
        for name, gid in zip(names, gids, strict=True):
            assert gid == (ids_of.get(name) or "")


def test_status_and_precision_have_chinese_labels(written):
    folder, _result = written
    back = pd.read_csv(folder / "projects.csv", dtype=str, keep_default_na=False)
    words = dict(zip(back["status"], back["status_zh"], strict=True))
    assert words.get("under_construction", "在建") == "在建"
    assert words.get("completed", "建成") == "建成"
    assert all(word and not word.isascii() for word in back["precision_zh"])


FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_csv_cells_that_start_a_formula_are_neutralised(tmp_path, formula):
    result = build_sample_result()
    projects, places = result.projects.copy(), result.places.copy()
    projects.loc[0, ["name", "amount"]] = [formula, formula]
    places.loc[4, "mention"] = formula
    write_data(result.with_frames(projects, places), tmp_path)
    for name, column in (("projects.csv", "name"), ("projects.csv", "amount"),
                         ("unresolved.csv", "mention")):  # fmt: skip
        back = pd.read_csv(tmp_path / name, dtype=str, keep_default_na=False)
        assert back[column].iloc[0] == "'" + formula
    assert neutralised("安达路") == "安达路" and neutralised(-1.5) == -1.5


def test_unresolved_csv_reads_back_with_pandas(written):
    folder, result = written
    back = pd.read_csv(folder / "unresolved.csv", dtype=str, keep_default_na=False)
    assert list(back.columns) == ["mention", "reason", "sentence", "start", "end"]
    assert list(back["mention"]) == list(result.unresolved["mention"])


def test_a_build_folder_holds_every_data_file(sample_folder):
    names = {p.name for p in sample_folder.iterdir()}
    assert {*DATA_FILES, "projects.gpkg", "map.html"} <= names
    assert not [n for n in names if n.startswith(".")]


def test_report_json_names_the_region_how_it_was_found_and_the_files(tmp_path):
    from projectmap.pipeline import build_to_folder

    outdir, _ = build_to_folder("samples/xialu-2022-excerpt.txt", tmp_path / "out")
    report = json.loads((outdir / "report.json").read_text(encoding="utf-8"))
    assert report["region"] == {
        "name": "下陆区", "code": "420204", "level": "county",
        "province": "湖北省", "city": "黄石市", "county": "下陆区",
    }  # fmt: skip
    assert report["region_found_by"] == "title"
    assert report["date"] == "2022-12-28"
    assert report["files"] == sorted(p.name for p in outdir.iterdir())
    assert report["counts"]["projects"] == len(
        json.loads((outdir / "projects.geojson").read_text(encoding="utf-8"))["features"]
    )


def test_full_width_formula_starts_are_neutralised_too():
    assert neutralised("＝HYPERLINK(1)") == "'＝HYPERLINK(1)"
    assert neutralised("＋1") == "'＋1" and neutralised("磁湖") == "磁湖"
