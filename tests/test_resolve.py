import pytest
from shapely.geometry import Point, Polygon

from projectmap.detect import Mention
from projectmap.gazetteer import Entry, Gazetteer
from projectmap.resolve import REASONS, Resolver, part_of


def _mention(name, part=None, how="gazetteer"):
    return Mention(name + (part or ""), 0, len(name), name, "the west of" if part else None, how)


@pytest.fixture(scope="module")
def xialu(toolkit):
    return Resolver(toolkit.gazetteer, "420204")


@pytest.mark.parametrize("trap", ["安达路", "东方大道", "长乐山", "大冶有色", "团城山"])
def test_traps_resolve_inside_the_district(xialu, toolkit, trap):
    resolution = xialu.resolve(_mention(trap))
    assert resolution.entry is not None
    assert toolkit.gazetteer.is_within(resolution.entry.id, "420204")
    minx, miny, maxx, maxy = resolution.geometry.bounds
    assert 114.85 <= minx and maxx <= 115.15 and 30.1 <= miny and maxy <= 30.3


def test_name_beats_alias_and_says_why(xialu):
    resolution = xialu.resolve(_mention("长乐山"))
    assert resolution.entry.id == "420204/长乐山" and resolution.entry.type == "mountain"
    assert resolution.reason == "preferred_name"
    assert "长乐山" in resolution.explanation and resolution.reason in REASONS


def test_entry_without_geometry_takes_its_located_ancestor(xialu):
    on_point = xialu.resolve(_mention("箭楼下西村"))
    assert on_point.located_by.id == "420204/团城山街道" and on_point.precision == 2
    district = xialu.resolve(_mention("东方大道"))
    assert district.located_by.id == "420204" and district.precision == 3
    assert "no sourced geometry" in district.explanation


def test_unknown_name_is_a_value_placed_in_the_issuing_area(xialu):
    resolution = xialu.resolve(_mention("不存在路", how="shape"))
    assert resolution.entry is None and resolution.located_by.id == "420204"
    assert resolution.reason == "not_in_gazetteer" and resolution.precision == 3
    assert "add it to gazetteer/" in resolution.explanation


@pytest.mark.parametrize(
    ("name", "elsewhere"),
    [("鄂州临空大道", True), ("武汉都市圈", True), ("杭州市民中心", True),
     ("临沂商城", False), ("大冶有色新厂", False), ("黄石二中", False), ("铁山路", False)],
)  # fmt: skip
def test_a_name_after_a_unit_elsewhere_is_not_placed_in_the_area(toolkit, name, elsewhere):
    # a neighbour city's name, or a full name, puts a place outside; a distant city's short
    # name is a brand's, a firm goes on after it, and the home city or a sibling is near
    from projectmap.china import AdminIndex
    from projectmap.resolve import Elsewhere

    finder = Elsewhere(AdminIndex.load(), "420204", ["有色", "集团"])
    resolver = Resolver(toolkit.gazetteer, "420204", elsewhere=finder)
    resolution = resolver.resolve(_mention(name, how="shape"))
    assert (resolution.reason == "named_after_elsewhere") is elsewhere
    assert (resolution.geometry is None) is elsewhere


def test_named_after_an_area_of_the_district(xialu):
    resolution = xialu.resolve(_mention("团城山大桥", how="shape"))
    assert resolution.reason == "named_after" and resolution.entry is None
    assert resolution.located_by.id == "420204/团城山街道"


def test_never_jumps_to_another_province():
    home = Entry("1", "甲区", "admin", None, admin_level=3, geometry=Point(0, 0).buffer(1))
    away = Entry("2", "乙区", "admin", None, admin_level=3, geometry=Point(9, 9).buffer(1))
    road = Entry("2/安达路", "安达路", "road", "2", geometry=Point(9, 9))
    resolution = Resolver(Gazetteer([home, away, road]), "1").resolve(_mention("安达路"))
    assert resolution.entry is None and resolution.geometry is None
    assert resolution.reason == "outside_region"


def test_ambiguous_names_go_to_the_common_ancestor():
    area = Entry("1", "甲区", "admin", None, admin_level=3, geometry=Point(0, 0).buffer(1))
    a = Entry("1/a", "青山", "mountain", "1")
    b = Entry("1/b", "青山", "mountain", "1")
    resolution = Resolver(Gazetteer([area, a, b]), "1").resolve(_mention("青山"))
    assert resolution.reason == "ambiguous" and resolution.entry is None
    assert resolution.located_by.id == "1" and resolution.precision == 3


def test_a_located_twin_wins_over_a_curated_entry_without_geometry():
    area = Entry("1", "甲区", "admin", None, admin_level=3, geometry=Point(0, 0).buffer(1))
    curated = Entry("1/东方大道", "东方大道", "road", "1")
    osm = Entry("osm/way/1", "东方大道", "road", "1", geometry=Point(0, 0).buffer(0.1).exterior)
    resolution = Resolver(Gazetteer([area, curated, osm]), "1").resolve(_mention("东方大道"))
    assert resolution.entry.id == "osm/way/1" and resolution.precision == 1
    assert resolution.reason == "preferred_located"


def test_part_of_a_lake_is_its_half():
    lake = Polygon([(0, 0), (2, 0), (2, 1), (0, 1)])
    assert part_of(lake, "the west of").bounds == (0, 0, 1, 1)
    assert part_of(lake, "the north of").bounds == (0, 0.5, 2, 1)
    assert part_of(lake, "the area of").equals(lake)
    assert part_of(Point(1, 1), "the west of").equals(Point(1, 1))
