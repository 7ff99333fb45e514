import pytest

from projectmap._wordtags import word_tags
from projectmap.china import AdminIndex
from projectmap.errors import RegionError
from projectmap.ingest import Report
from projectmap.region import find_region


@pytest.fixture(scope="module")
def index():
    return AdminIndex.load()


def _report(text, title=None):
    return Report("r", text, title, None, "r.txt")


@pytest.mark.parametrize(
    ("text", "title", "code"),
    [
        ("正文", "(湖北省)黄石市下陆区人民政府工作报告(2022年12月28日)", "420204"),
        ("正文", "2023年黄石港区政府工作报告", "420202"),
        ("政府工作报告\n——在杭州市余杭区第二届人民代表大会第三次会议上\n正文", None, "330110"),
        ("今天黄石港区三个项目开工，黄石港区领导出席。", None, "420202"),
        ("正文", "南京市鼓楼区人民政府工作报告", "320106"),
    ],
)
def test_issuing_region_from_title_congress_line_or_text(index, text, title, code):
    assert find_region(_report(text, title), index).code == code


def test_override_by_name_or_code(index):
    report = _report("正文", "黄石港区政府工作报告")
    assert find_region(report, index, override="下陆区").code == "420204"
    assert find_region(report, index, override="420204").code == "420204"


def test_ambiguous_title_and_no_area_are_refused_with_the_fix(index):
    with pytest.raises(RegionError, match="--region"):
        find_region(_report("正文", "鼓楼区人民政府工作报告"), index)
    with pytest.raises(RegionError, match="--region"):
        find_region(_report("推进项目建设，完成道路改造。"), index)
    with pytest.raises(RegionError, match="several"):
        index.find("鼓楼区")


def test_running_text_counts_counties_by_full_name_only(index):
    news = "黄石港区推进城中村改造，黄石港区三个项目开工。"
    assert find_region(_report(news), index).code == "420202"
    with pytest.raises(RegionError):
        find_region(_report("推进城中村改造，完成道路建设。"), index)


@pytest.mark.parametrize(
    ("text", "code", "found_by"),
    [
        # the congress line of a news item, with no 在 before it
        ("12月3日，绍兴市柯桥区第二届人民代表大会第五次会议开幕。会上通报了项目进展。", "330603",
         "congress_line"),
        # a city's news that keeps naming one of its districts is about that district
        ("成都市召开发布会。郫都区今年开工项目30个，郫都区菁蓉湖片区建设提速，郫都区新增学校5所。",
         "510117", "text"),
        # one that names four of its districts is about the city
        ("今年我市新建口袋公园：锦江区3个、青羊区3个、金牛区2个、武侯区2个。", "510100", "text"),
        # a two-character short name standing alone votes for its county
        ("余杭20个项目集中开工，总投资300亿元。余杭的交通项目也有进展。", "330110", "text"),
        # the publisher named in the first lines weighs more than names in passing
        ("2024年政府工作报告\n来源：萧山区人民政府\n滨江大道改造完成，滨江景观带投用。",
         "330109", "text"),
    ],
)  # fmt: skip
def test_region_of_running_text_from_the_names_it_uses(index, text, code, found_by):
    issuer = find_region(_report(text), index)
    assert (issuer.code, issuer.found_by) == (code, found_by)


def test_a_place_name_inside_a_word_or_a_firm_does_not_vote(index):
    # 城中 in 城中村 and 惠农 in 惠农贸 are cut out of words; 大冶有色 is a firm
    with pytest.raises(RegionError):
        find_region(_report("推进城中村改造，建设万家惠农贸市场。"), index, words=word_tags())
    text = "大冶有色冶炼厂完成改造；下陆区推进项目建设，下陆区新开工项目12个。"
    assert find_region(_report(text), index, words=word_tags()).code == "420204"


def test_issuer_names_its_province_city_and_county(index):
    issuer = find_region(_report("正文", "黄石市下陆区人民政府工作报告"), index)
    assert issuer.as_dict() == {
        "name": "下陆区", "code": "420204", "level": "county",
        "province": "湖北省", "city": "黄石市", "county": "下陆区",
    }  # fmt: skip
    city = find_region(_report("正文"), index, override="420200")
    assert (city.as_dict()["level"], city.as_dict()["county"], city.found_by) == (
        "city", None, "option",
    )  # fmt: skip
