"""`projectmap compare`: two reports of 黄石市下陆区, 2022 and 2023, written here."""

from __future__ import annotations

import csv
import json
import re

import pytest

from conftest import GAZETTEER
from projectmap._compare_files import compare_map, map_page
from projectmap.cli import main
from projectmap.compare import (
    Comparison,
    Listed,
    compare,
    compare_reports,
    completion,
    similarity,
)
from projectmap.errors import InputError, RegionError
from projectmap.pipeline import BuildOptions, build_to_folder

REPORT_2022 = """黄石市下陆区人民政府工作报告
——2022年1月10日在黄石市下陆区第十一届人民代表大会第一次会议上
一、2022年主要任务
（一）提升城区功能
完善城区路网。启动东方大道绿化升级改造，加快蜂烈山路建设，实施安达路餐饮示范街改造提升、箭楼下西村城市更新等重点项目。推进团城山片排水设施综合改造。
"""
REPORT_2023 = """黄石市下陆区人民政府工作报告
——2023年1月12日在黄石市下陆区第十一届人民代表大会第二次会议上
一、2022年工作回顾
城区功能持续提升。东方大道绿化升级改造全面竣工，完成团城山片排水设施综合改造。
二、2023年主要任务
完善城区路网。继续实施安达路餐饮示范街改造提升，推进箭楼下西村城市更新。启动狮子山路建设。
"""
EXPECTED = {
    "东方大道绿化升级改造": "completed",  # 竣工 in 2023
    "团城山片排水设施综合改造": "completed",  # 完成 in 2023
    "安达路餐饮示范街改造提升": "continuing",
    "箭楼下西村城市更新": "continuing",
    "狮子山路建设": "new",
    "蜂烈山路建设": "dropped",  # not 狮子山路建设: another road
}
OPTIONS = BuildOptions(gazetteer=GAZETTEER)


@pytest.fixture
def reports(tmp_path):
    old, new = tmp_path / "xialu-2022.txt", tmp_path / "xialu-2023.txt"
    old.write_text(REPORT_2022, encoding="utf-8")
    new.write_text(REPORT_2023, encoding="utf-8")
    return old, new


def _statuses(comparison: Comparison) -> dict[str, str]:
    return {c.current.name: c.status for c in comparison.changes}


def test_two_years_of_one_district(reports, toolkit):
    comparison = compare_reports(*reports, options=OPTIONS, toolkit=toolkit)
    assert _statuses(comparison) == EXPECTED
    assert comparison.counts() == {"new": 1, "continuing": 2, "completed": 2, "dropped": 1}
    done = next(c for c in comparison.changes if c.current.name == "东方大道绿化升级改造")
    assert done.old is not None and done.old.status == "starting"
    assert "竣工" in done.reason


def test_output_folders_compare_like_the_reports(reports, toolkit, tmp_path):
    folders = []
    for path in reports:
        folder = tmp_path / path.stem
        build_to_folder(path, folder, options=OPTIONS, toolkit=toolkit)  # with its report.json
        folders.append(folder)
    assert _statuses(compare_reports(*folders, options=OPTIONS)) == EXPECTED


def test_cli_writes_csv_geojson_and_a_layer_per_status(reports, tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", *map(str, reports), "-o", str(out), "--gazetteer", str(GAZETTEER)]) == 0
    assert "1 new, 2 continuing, 2 completed, 1 dropped" in capsys.readouterr().out
    rows = list(csv.DictReader((out / "compare.csv").read_text(encoding="utf-8").splitlines()))
    assert {r["name"]: r["status"] for r in rows} == EXPECTED
    features = json.loads((out / "compare.geojson").read_text(encoding="utf-8"))["features"]
    assert {f["properties"]["name"]: f["properties"]["status"] for f in features} == EXPECTED
    assert all(f["geometry"] is not None for f in features)
    assert json.dumps("狮子山路建设")[1:-1] in (out / "map.html").read_text(encoding="utf-8")


def test_reports_of_two_regions_are_refused(reports, toolkit, tmp_path):
    other = tmp_path / "huangshigang-2023.txt"
    other.write_text(REPORT_2023.replace("下陆区", "黄石港区"), encoding="utf-8")
    with pytest.raises(RegionError, match="one region"):
        compare_reports(reports[0], other, options=OPTIONS, toolkit=toolkit)


def test_a_folder_without_projects_is_refused(tmp_path, reports):
    with pytest.raises(InputError, match=r"no projects\.geojson"):
        compare_reports(tmp_path, reports[1], options=OPTIONS)


# --- matching and completion, on hand-made projects ----------------------------------------


def listed(name: str, places=(), ids=(), status="under_construction", sentence="") -> Listed:
    return Listed(name, name, status, tuple(places), tuple(ids), sentence or f"推进{name}。")


def test_similar_names_at_one_place_match_and_other_places_do_not():
    a = listed("团城山片排水设施综合改造", ["团城山片"], ["g-团城山"])
    assert (
        similarity(a, listed("团城山片区排水设施综合改造工程", ["团城山片区"], ["g-团城山"])) > 0.6
    )
    assert similarity(a, listed("团城山片老旧小区改造", ["团城山片"], ["g-团城山"])) < 0.5
    road = listed("蜂烈山路建设", ["蜂烈山路"], ["g-蜂烈山路"])
    assert similarity(road, listed("狮子山路建设", ["狮子山路"], ["g-狮子山路"])) == 0.0
    assert similarity(road, listed("蜂烈山路建设项目", ["蜂烈山路"], ["g-蜂烈山路"])) >= 0.6


def test_each_project_matches_at_most_once():
    old = [listed("安达路改造", ["安达路"], ["g-安达路"])]
    new = [
        listed("安达路改造", ["安达路"], ["g-安达路"]),
        listed("安达路改造提升", ["安达路"], ["g-安达路"]),
    ]
    assert [c.status for c in compare(old, new)] == ["continuing", "new"]


@pytest.mark.parametrize(
    ("sentence", "status", "completed"),
    [
        ("东方大道绿化升级改造全面竣工。", "under_construction", True),
        ("建成东方大道绿化升级改造并投用。", "under_construction", True),
        ("东方大道绿化升级改造。", "completed", True),
        ("力争东方大道绿化升级改造年内建成投用。", "completed", False),
        ("完成老下陆片管网改造并启动东方大道绿化升级改造。", "starting", False),
        ("推进东方大道绿化升级改造，完成磁湖绿道。", "under_construction", False),
    ],
)
def test_completion_is_read_from_the_projects_own_clause(sentence, status, completed):
    project = listed("东方大道绿化升级改造", status=status, sentence=sentence)
    assert (completion(project) is not None) is completed


def test_map_has_a_layer_per_status_and_escapes_text():
    import folium
    from shapely.geometry import Point

    hostile = '<script>alert(1)</script>路`${x}`"改造'
    sentence = "</script><img src=x onerror=alert(2)>"
    new = [
        Listed("n1", hostile, "completed", (), (), sentence, Point(115, 30.2)),
        Listed("n2", "磁湖绿道", "starting", (), (), "启动磁湖绿道。", Point(115.01, 30.21)),
    ]
    comparison = Comparison("a", "b", tuple(compare([listed("安达路改造")], new)))
    fmap = compare_map(comparison)
    layers = [c.layer_name for c in fmap._children.values() if isinstance(c, folium.FeatureGroup)]
    assert layers == [
        "新增 new (1)",
        "续建 continuing (0)",
        "完成 completed (1)",
        "未再提及 dropped (1)",
    ]
    page = map_page(comparison)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "\\u0026lt;script\\u0026gt;alert(1)" in page  # escaped, inside the layer's JSON


def test_the_map_works_offline_like_the_build_map():
    from shapely.geometry import Point

    new = [Listed("n1", "磁湖绿道", "starting", (), (), "启动磁湖绿道。", Point(115.01, 30.21))]
    page = map_page(Comparison("a", "b", tuple(compare([], new))))
    assert not re.search(r"<(?:script|link)[^>]+(?:src|href)=[\"']?https?:", page)
    assert "L.map(" in page and json.dumps("磁湖绿道")[1:-1] in page


def test_report_text_is_never_run_as_a_template_in_the_map():
    from shapely.geometry import Point

    name = "{{ 7*7 }}路{% raw %}改造"
    new = [Listed("n1", name, "starting", (), (), f"启动{name}。", Point(115.01, 30.21))]
    page = map_page(Comparison("a", "b", tuple(compare([], new))))
    assert "{{ 7*7 }}" in page and "49路" not in page
