from dataclasses import replace
from pathlib import Path

import pytest
from shapely.geometry import Point, Polygon

from projectmap.cli import main
from projectmap.curate.check import Problem, check_gazetteer, summarize
from projectmap.errors import GazetteerError
from projectmap.places.crs import wgs84_to_gcj02
from projectmap.places.gazetteer import write_entries
from tmp_gazetteer import make_gazetteer, place

# A real WGS-84 place 200 m inside the north-east corner of 下陆区 ...
INSIDE = (115.047, 30.219)
# ... and the same place in GCJ-02, which falls about 230 m east of the district.
GCJ_OF_INSIDE = wgs84_to_gcj02(*INSIDE)


@pytest.fixture
def gazetteer(tmp_path: Path) -> Path:
    return make_gazetteer(tmp_path / "gazetteer")


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_a_clean_gazetteer_has_no_problems(gazetteer: Path) -> None:
    write_entries(gazetteer / "places.geojson", [
        place("p/1", "磁湖", "420204001", Point(114.95, 30.19)),
        place("p/2", "东方大道", "420204", Point(*INSIDE), type="road"),
    ])  # fmt: skip
    assert check_gazetteer(gazetteer) == []


def test_broken_json_line_is_reported_and_the_other_lines_still_load(gazetteer: Path) -> None:
    path = gazetteer / "places.geojson"
    write_entries(path, [
        place("p/1", "磁湖", "420204", Point(114.95, 30.19)),
        place("p/2", "青龙山", "p/1", Point(114.96, 30.19)),
    ])  # fmt: skip
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace('"type":"Feature",', '"type":"Feature"', 1)  # entry p/1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    problems = check_gazetteer(gazetteer)
    broken = problems[0]
    assert (broken.file, broken.entry, broken.level) == ("places.geojson", "p/1", "error")
    assert "places.geojson: line 2: entry 'p/1' is not valid JSON" in broken.message
    assert "fix that line" in broken.message
    # p/2 was read: its parent p/1 is now unknown, which is the only other problem.
    assert [(p.entry, "not in the gazetteer" in p.message) for p in problems[1:]] == [("p/2", True)]


def test_missing_property_is_a_schema_error(gazetteer: Path) -> None:
    write_entries(gazetteer / "places.geojson", [place("p/1", "磁湖", "420204", None)])
    path = gazetteer / "places.geojson"
    path.write_text(path.read_text(encoding="utf-8").replace('"licence":"CC0-1.0",', ""),
                    encoding="utf-8")  # fmt: skip
    problem = only(check_gazetteer(gazetteer))
    assert (problem.file, problem.entry, problem.level) == ("places.geojson", "p/1", "error")
    assert "lacks licence; add them" in problem.message


def test_duplicate_id_across_files(gazetteer: Path) -> None:
    write_entries(gazetteer / "a.geojson", [place("p/1", "磁湖", "420204", Point(114.95, 30.19))])
    write_entries(gazetteer / "b.geojson", [place("p/1", "青龙山", "420204", Point(114.96, 30.19))])
    problem = only(check_gazetteer(gazetteer))
    assert (problem.file, problem.entry, problem.level) == ("b.geojson", "p/1", "error")
    assert "already used in a.geojson" in problem.message
    assert "give one of them another id" in problem.message


def test_unknown_parent(gazetteer: Path) -> None:
    write_entries(gazetteer / "places.geojson", [place("p/1", "磁湖", "420299", None)])
    problem = only(check_gazetteer(gazetteer))
    assert problem.entry == "p/1"
    assert "places.geojson: entry 'p/1' (磁湖) has parent '420299'" in problem.message
    assert "correct the parent id" in problem.message


def test_same_as_naming_no_entry(gazetteer: Path) -> None:
    curated = place("p/1", "东方大道", "420204", None, type="road")
    feature = place("osm/1", "东方大道", "420204", Point(*INSIDE), type="road")
    write_entries(gazetteer / "places.geojson", [curated, replace(feature, same_as="p/1")])
    assert check_gazetteer(gazetteer) == []
    write_entries(gazetteer / "places.geojson", [curated, replace(feature, same_as="p/9")])
    problem = only([p for p in check_gazetteer(gazetteer) if p.level == "error"])
    assert (problem.file, problem.entry) == ("places.geojson", "osm/1")
    assert "entry 'osm/1' (东方大道) has same_as 'p/9', which is not in the gazetteer" in (
        problem.message
    )


def test_parent_cycle_is_reported_once(gazetteer: Path) -> None:
    write_entries(gazetteer / "places.geojson", [
        place("p/a", "甲", "p/b", None),
        place("p/b", "乙", "p/c", None),
        place("p/c", "丙", "p/a", None),
        place("p/d", "丁", "p/a", None),  # hangs below the cycle, is not part of it
    ])  # fmt: skip
    problem = only(check_gazetteer(gazetteer))
    assert problem.entry == "p/a"
    assert "is its own ancestor (p/a → p/b → p/c → p/a)" in problem.message


def test_self_parent_is_a_cycle(gazetteer: Path) -> None:
    write_entries(gazetteer / "places.geojson", [place("p/a", "甲", "p/a", None)])
    assert "(p/a → p/a)" in only(check_gazetteer(gazetteer)).message


def test_self_crossing_polygon(gazetteer: Path) -> None:
    bowtie = Polygon([(114.95, 30.18), (114.97, 30.20), (114.97, 30.18), (114.95, 30.20)])
    write_entries(gazetteer / "places.geojson", [place("p/1", "工业园", "420204", bowtie)])
    problem = only(check_gazetteer(gazetteer))
    assert (problem.entry, problem.level) == ("p/1", "error")
    assert "invalid Polygon (Self-intersection[114.96 30.19])" in problem.message
    assert "make_valid" in problem.message


def test_gcj02_point_labelled_wgs84_outside_its_parent(gazetteer: Path) -> None:
    write_entries(gazetteer / "places.geojson", [
        place("p/gcj", "黄石国家矿山公园", "420204", Point(*GCJ_OF_INSIDE)),
        place("p/ok", "东方大道", "420204", Point(*INSIDE)),
        place("p/edge", "边界", "420204", Point(115.0502, 30.20)),  # 20 m out: tolerated
    ])  # fmt: skip
    problem = only(check_gazetteer(gazetteer))
    assert (problem.file, problem.entry, problem.level) == ("places.geojson", "p/gcj", "error")
    assert "lies 2" in problem.message
    assert "m outside its ancestor '420204' (下陆区)" in problem.message
    assert "most likely GCJ-02 labelled WGS-84" in problem.message
    assert "projectmap gazetteer import FILE --crs gcj02" in problem.message


def test_no_datum_hint_for_data_already_converted(gazetteer: Path) -> None:
    converted = replace(place("p/1", "矿山公园", "420204", Point(*GCJ_OF_INSIDE)),
                        source_crs="GCJ-02")  # fmt: skip
    write_entries(gazetteer / "places.geojson", [converted])
    message = only(check_gazetteer(gazetteer)).message
    assert "most likely" not in message
    assert "correct its coordinates or its parent" in message


def test_the_nearest_polygon_ancestor_is_used(gazetteer: Path) -> None:
    # In the district but 6 km east of 新下陆街道, its parent: reported against the township,
    # with the generic advice since no datum explains the gap.
    write_entries(gazetteer / "places.geojson", [place("p/1", "磁湖", "420204001", Point(*INSIDE))])
    message = only(check_gazetteer(gazetteer)).message
    assert "outside its ancestor '420204001' (新下陆街道)" in message
    assert "most likely" not in message
    assert "--crs gcj02" in message and "correct its coordinates or its parent" in message


def test_shared_names_are_warnings(gazetteer: Path) -> None:
    write_entries(gazetteer / "places.geojson", [
        place("p/1", "磁湖", "420204", Point(114.95, 30.19), type="lake"),
        place("p/2", "磁湖", "420204", Point(114.96, 30.19), type="park"),
    ])  # fmt: skip
    problem = only(check_gazetteer(gazetteer))
    assert (problem.entry, problem.level) == ("p/1", "warning")
    assert "name '磁湖' is shared by 2 entries: 'p/1' (lake" in problem.message


def test_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match="no such gazetteer folder"):
        check_gazetteer(tmp_path / "nowhere")


def test_summarize() -> None:
    problems = [Problem("a", None, "error", "x"), Problem("a", None, "warning", "y"),
                Problem("a", None, "warning", "z")]  # fmt: skip
    assert summarize(problems) == "1 error, 2 warnings"


# --- command line ----------------------------------------------------------------------------


def test_cli_exits_1_on_errors(gazetteer: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_entries(gazetteer / "places.geojson", [
        place("p/1", "磁湖", "420299", None),
        place("p/2", "下陆区", "420204", None),
    ])  # fmt: skip
    assert main(["gazetteer", "check", "--gazetteer", str(gazetteer)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("warning: admin.geojson: name '下陆区' is shared by 2 entries")
    assert lines[1].startswith("error: places.geojson: entry 'p/1' (磁湖) has parent '420299'")
    assert lines[2] == f"{gazetteer}: 1 error, 1 warning"


def test_cli_exits_0_with_warnings(gazetteer: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_entries(gazetteer / "places.geojson", [place("p/2", "下陆区", "420204", None)])
    assert main(["gazetteer", "check", "--gazetteer", str(gazetteer)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"{gazetteer}: 0 errors, 1 warning"


def test_cli_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gazetteer", "check", "--gazetteer", str(tmp_path / "nowhere")]) == 1
    assert "projectmap: error: " in capsys.readouterr().err
