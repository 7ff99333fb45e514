"""A report from a county far from 黄石 is placed in that county, out of the box."""

from pathlib import Path

import pytest

from conftest import DATA, GAZETTEER
from projectmap.pipeline import BuildOptions, Toolkit, build

HUANGSHI_BOX = (114.5, 29.5, 115.6, 30.5)


@pytest.fixture(scope="module")
def yuhang():
    options = BuildOptions(gazetteer=GAZETTEER)
    return build(DATA / "yuhang-sample.txt", options=options, toolkit=Toolkit.load(options))


def test_region_is_read_from_the_congress_line(yuhang):
    assert yuhang.region.id == "330110" and yuhang.region.geometry is not None


def test_projects_are_placed_in_the_county_or_at_a_township_seat(yuhang):
    projects = yuhang.projects
    assert len(projects) >= 10
    assert set(projects["precision"]) == {2, 3}
    seated = projects[projects["precision"] == 2]
    assert {"瓶窑老城城市更新", "百丈镇、黄湖镇未来乡村示范带"} <= set(seated["name"])
    assert all(g.geom_type in ("Point", "MultiPoint") for g in seated["geometry"])
    outline = yuhang.region.geometry.buffer(0.01)
    for geometry in projects["geometry"].dropna():
        assert outline.contains(geometry)


def test_nothing_lands_in_huangshi(yuhang):
    x0, y0, x1, y1 = HUANGSHI_BOX
    for frame in (yuhang.projects, yuhang.places):
        for geometry in frame["geometry"].dropna():
            gx0, gy0, gx1, gy1 = geometry.bounds
            assert gx1 < x0 or gx0 > x1 or gy1 < y0 or gy0 > y1


def test_township_names_resolve_from_packaged_data(yuhang):
    places = yuhang.places.set_index("mention")
    assert places.loc["瓶窑", "gazetteer_id"] == "330110/瓶窑镇"
    assert Path(places.loc["瓶窑", "explanation"]).name  # a sentence, never empty


def test_gazetteer_names_of_another_province_are_not_looked_for():
    # 黄石's gazetteer knows a 金湖 (a street office of 大冶); in a report from 安徽 the
    # detector must not know it, or it would cut 升金湖 in two
    from conftest import GAZETTEER
    from projectmap.pipeline import BuildOptions, Toolkit

    toolkit = Toolkit.load(BuildOptions(gazetteer=GAZETTEER))  # its own: the shared one stays
    toolkit.with_region("341721")
    anhui = toolkit.detector_for("341721")
    text = "升金湖湿地生态修复工程通过验收。"
    from projectmap.text.segment import Sentence

    found = [m.text for m in anhui.in_sentence(text, Sentence(0, len(text), text))]
    assert "升金湖" in "".join(found) and "金湖" not in found
    assert "金湖" in toolkit.detector.names  # the whole gazetteer still knows it
