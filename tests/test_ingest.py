import pytest

from conftest import SAMPLE
from projectmap.errors import InputError, ProjectmapError
from projectmap.reading.decode import decode
from projectmap.reading.ingest import clean, find_date, find_title, read_report

TITLE = "(湖北省)黄石市下陆区人民政府工作报告(2022年12月28日)"


def test_sample_is_cleaned_of_site_junk():
    report = read_report(SAMPLE)
    assert report.title == TITLE
    assert report.date == "2022-12-28"
    assert report.id == "xialu-2022-excerpt"
    for junk in ("导航菜单", "本文仅代表作者观点", "本文地址", "留言与评论", "验证码", "[14]"):
        assert junk not in report.text
    assert "突出“六小行业”环境治理" in report.text


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030", "utf-8-sig", "utf-16"])
def test_encodings_decode_to_the_same_text(tmp_path, encoding):
    text = SAMPLE.read_text(encoding="utf-8")
    path = tmp_path / f"report-{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    assert read_report(path).text == read_report(SAMPLE).text


def test_html_page_drops_scripts_and_navigation(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>x</title><script>var a='启动假项目';</script></head><body>"
        "<nav>首页 新闻</nav><h1>黄石市下陆区人民政府工作报告</h1>"
        "<p>启动东方大道绿化升级改造。</p><footer>版权所有</footer></body></html>",
        encoding="utf-8",
    )
    report = read_report(page)
    assert "启动东方大道绿化升级改造" in report.text
    assert "假项目" not in report.text and "首页" not in report.text
    assert report.title == "黄石市下陆区人民政府工作报告"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"\x00\x01\x02binary\x00" * 50, "looks binary"),
        (bytes(range(128, 256)) * 20, "neither UTF-8 nor GBK"),
    ],
)
def test_bad_files_give_one_line_errors_naming_the_file(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_report(path)
    assert message in str(info.value) and "bad.txt" in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_and_oversized_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_report(tmp_path / "nope.txt")
    big = tmp_path / "big.txt"
    big.write_text("启动" * 1000, encoding="utf-8")
    with pytest.raises(ProjectmapError, match="--max-size"):
        read_report(big, max_bytes=100)


def test_decode_prefers_utf8_and_falls_back_to_gb18030():
    assert decode("磁湖".encode(), name="x") == "磁湖"
    assert decode("磁湖".encode("gb18030"), name="x") == "磁湖"


def test_clean_strips_footnotes_and_control_characters():
    assert clean("环境治理[14],规范\x07广告【3】") == "环境治理,规范广告"


def test_title_and_date_forms():
    assert find_title("2023年黄石港区政府工作报告\n正文") == "2023年黄石港区政府工作报告"
    assert find_title("没有标题的新闻") is None
    assert find_date("2023年1月5日") == "2023-01-05"
    assert find_date("2023年政府工作报告") == "2023"
    assert find_date("无日期") is None


def test_date_from_the_congress_line_when_the_title_has_none(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text(
        "2023年黄石港区政府工作报告\n——2023年1月12日在黄石港区第三届人民代表大会上\n正文",
        encoding="utf-8",
    )
    report = read_report(path)
    assert report.title == "2023年黄石港区政府工作报告" and report.date == "2023-01-12"
