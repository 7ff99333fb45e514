import pytest

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
