import gc

import pytest

from projectmap.text.detect import PlaceDetector
from projectmap.text.segment import Sentence


def _mentions(detector, text):
    return [
        (m.text, m.name, m.part, m.how)
        for m in detector.in_sentence(text, Sentence(0, len(text), text))
    ]


@pytest.fixture(scope="module")
def bare():
    """A detector that knows no gazetteer names: only shapes, firms and lists."""
    return PlaceDetector(["团城山"], ["团结", "新城"])


def test_gazetteer_names_stay_whole_and_parts_are_derived(toolkit):
    text = (
        "启动东方大道绿化升级改造,完成长乐山南北麓开山塘口修复,"
        "加快磁湖西地块开发,完成老下陆片污水改造。"
    )
    found = _mentions(toolkit.detector, text)
    assert ("东方大道", "东方大道", None, "gazetteer") in found
    assert ("长乐山南北麓", "长乐山", "the north and south slopes of", "gazetteer") in found
    assert ("磁湖西", "磁湖", "the west of", "gazetteer") in found
    assert ("老下陆片", "老下陆", "the area of", "gazetteer") in found


def test_a_name_that_only_starts_a_longer_one_is_not_taken(bare):
    found = _mentions(bare, "推进团城山大桥建设。")
    assert ("团城山大桥", "团城山大桥", None, "shape") in found
    assert not any(text == "团城山" for text, *_ in found)


def test_common_words_are_not_aliases(bare):
    assert "团结" not in bare.names and "新城" not in bare.names
    assert _mentions(bare, "团结奋斗，建设新城。") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("启动蜂烈山路、狮子山路建设。", ["蜂烈山路", "狮子山路"]),
        ("全力支持万达金街火爆开园。", ["万达金街"]),
        ("重点支持新兴管业超低排放项目。", ["新兴管业"]),
        ("全力支持众联、传化、全诚等有实力的物流企业投资扩建。", ["众联", "传化", "全诚"]),
        ("加快磁湖西、孙家湾、宝钢、同大等地块开发。", ["磁湖西", "孙家湾", "宝钢", "同大"]),
    ],
)
def test_names_the_gazetteer_lacks_are_found_by_shape(bare, text, expected):
    assert [t for t, *_ in _mentions(bare, text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "新增4处口袋公园。",
        "持续做好城区污水处理。",
        "坚持工作思路。",
        "推进道路及桥梁建设。",
        "配合市级平台公司做好征迁。",
    ],
)
def test_generic_words_are_not_places(bare, text):
    assert _mentions(bare, text) == []


def test_a_company_named_after_a_city_is_the_company():
    detector = PlaceDetector(["大冶市"], ["大冶"])
    text = "支持大冶有色环保升级，推进大冶市项目。"
    found = _mentions(detector, text)
    assert found[0] == ("大冶有色", "大冶有色", None, "company")
    assert ("大冶市", "大冶市", None, "gazetteer") in found


def test_word_tags_are_cached_and_rebuilt_when_stale(tmp_path):
    from projectmap.text.wordtags import load_tables

    dictionary = tmp_path / "dict.txt"
    dictionary.write_text("东方 3993 s\n发展 68664 vn\n张三 10 nr\n蚱蜢 3 n\n", encoding="utf-8")
    caches = tmp_path / "caches"
    caches.mkdir()
    tables = load_tables(dictionary, caches)
    assert tables.tags == {"东方": "s", "发展": "vn"}
    assert tables.freq["东方"] == 3993 and tables.freq["东"] == 0 and tables.total == 72670
    [cache] = caches.iterdir()
    assert load_tables(dictionary, caches) == tables  # from the cache
    dictionary.write_text("东方 3993 s\n", encoding="utf-8")
    assert load_tables(dictionary, caches).tags == {"东方": "s"}
    assert len(list(caches.iterdir())) == 2  # another dictionary, another table: no eviction
    cache.write_bytes(b"not marshal")
    dictionary.write_text("东方 3993 s\n发展 68664 vn\n张三 10 nr\n蚱蜢 3 n\n", encoding="utf-8")
    assert load_tables(dictionary, caches) == tables


def test_word_tags_are_keyed_by_content_not_path(tmp_path):
    from projectmap.text.wordtags import cache_key

    one, two = tmp_path / "a.txt", tmp_path / "b.txt"
    one.write_text("东方 3993 s\n", encoding="utf-8")
    two.write_text("东方 3993 s\n", encoding="utf-8")
    assert cache_key(one) == cache_key(two)
    two.write_text("东方 3994 s\n", encoding="utf-8")
    assert cache_key(one) != cache_key(two)


def test_the_dictionary_is_lent_once_then_copied_as_jieba_made_it():
    from projectmap.text.jiebadict import Dictionary
    from projectmap.text.wordtags import load_tables

    shared = Dictionary(load_tables())
    first = shared.tokenizer()
    size, total = len(first.FREQ), first.total
    first.add_word("圳玥圳玥", freq=20000)
    second = shared.tokenizer()
    assert "圳玥圳玥" not in second.FREQ and "圳玥圳" not in second.FREQ
    assert (len(second.FREQ), second.total) == (size, total)
    second.add_word("丁戊己庄", freq=5)
    third = shared.tokenizer()
    assert "丁戊己庄" not in third.FREQ and "丁戊己庄" not in first.FREQ
    assert "圳玥圳玥" not in third.FREQ and len(third.FREQ) == size
    assert next(iter(first.cut("圳玥圳玥建设"))) == "圳玥圳玥"
    shared_freq = first.FREQ
    del first, second, third
    gc.collect()
    again = shared.tokenizer()  # the borrower is gone: its changes undone, the same dict lent
    assert again.FREQ is shared_freq and len(again.FREQ) == size and again.total == total
    assert "圳玥圳玥" not in again.FREQ and "圳玥圳" not in again.FREQ


def test_detectors_share_one_dictionary_but_not_their_words():
    first = PlaceDetector(["圳玥圳玥"])
    second = PlaceDetector(["丁戊己庄"])
    assert "圳玥圳玥" in first.tokenizer.FREQ and "圳玥圳玥" not in second.tokenizer.FREQ
    assert first.tokenizer.FREQ is not second.tokenizer.FREQ
    assert first.tags is second.tags
    assert first.tokenizer.FREQ["东方"] == second.tokenizer.FREQ["东方"] > 0


def test_a_direction_that_starts_another_word_is_not_a_part(toolkit):
    found = _mentions(toolkit.detector, "推进蜂烈山路南延、磁湖西路改造。")
    assert ("蜂烈山路", "蜂烈山路", None, "gazetteer") in found
    assert not any(name == "磁湖" for _, name, *_ in found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("推进建设路、解放路改造。", ["建设路", "解放路"]),
        ("保障发展大道立交顺利实施。", ["发展大道立交"]),
    ],
)
def test_roads_named_with_common_words(bare, text, expected):
    assert [t for t, *_ in _mentions(bare, text)] == expected


@pytest.fixture(scope="module")
def county():
    """A detector that knows one county by its full and short names, and nothing else."""
    return PlaceDetector(["余杭区"], ["余杭"], admin_names=["余杭区", "余杭"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a specific part and a generic part, bounded by a verb, a list mark or a count
        ("完成枫林路、经三路改造，新建2座桥。", ["枫林路", "经三路"]),
        ("启动青龙湖湿地公园建设。", ["青龙湖湿地公园"]),  # a park, not the lake
        ("位于江南新城枫林路北侧。", ["江南新城", "枫林路"]),  # two names, one after the other
        ("建成白沙洲货运铁路。", ["白沙洲货运铁路"]),  # a descriptor makes one name with it
        ("推进龟山—蛇山公园改造。", ["龟山—蛇山公园"]),  # a dash joins two hills in one park
        ("“天街”购物中心开业。", ["“天街”购物中心"]),
        ("推进省实验中学东校区建设。", ["省实验中学东校区"]),  # a campus of a school
        ("支持鑫达钢铁技改。", ["鑫达钢铁"]),
        ("推进龙泉港码头和渔港码头改造。", ["龙泉港码头", "渔港码头"]),
        ("推动繁荣广场、兴旺市场升级。", ["繁荣广场", "兴旺市场"]),  # list items named by verbs
        # route codes
        ("G105改线工程和S312扩建启动。", ["G105", "S312"]),
        ("107国道和省道212线完成拓宽。", ["107国道", "省道212线"]),
        ("轨道交通3、5号线开工。", ["轨道交通3、5号线"]),
        ("地铁6号线二期、17号线建成运营。", ["地铁6号线", "17号线"]),  # a list of lines
        ("确保城南第二人民医院年内完工。", ["城南第二人民医院"]),  # 二人 is no count here
        ("完成滨湖东路凤鸣大桥至朝阳路段改造。", ["滨湖东路", "凤鸣大桥", "朝阳路"]),  # a section
        ("改造县中医院门诊楼。", ["县中医院门诊楼"]),  # a building of the county's hospital
    ],
)  # fmt: skip
def test_place_names_by_how_they_are_formed(bare, text, expected):
    assert [t for t, *_ in _mentions(bare, text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "推进城乡融合，践行人民城市理念。",  # 城 of 城市, 乡 of 城乡
        "编制园区发展规划，打通进出园区的道路。",  # a verb and a generic word
        "由恒信建材有限公司投资建设。",  # a firm as a party, not a site
        "建成5个口袋公园和3座过街天桥。",  # counts of kinds
        "青少年航海模型赛，出门入园。",
        "推进健康乡村建设，繁荣乡村文化，落实十九届二中、三中全会精神。",
        "践行绿水青山就是金山银山理念，打破信息孤岛。",
    ],
)
def test_kinds_counts_and_cut_words_are_not_places(bare, text):
    assert _mentions(bare, text) == []


def test_a_province_or_city_name_is_no_place_shape_but_a_county_name_may_end_one():
    detector = PlaceDetector([], country_names=["浙江", "浙江省", "宁波", "宁波市"])
    assert _mentions(detector, "认真学习浙江经验，借鉴宁波做法。") == []
    # 太湖 is also a county's short name, but only province and city names end no shape
    assert [t for t, *_ in _mentions(detector, "保护西太湖生态。")] == ["西太湖"]


def test_a_county_name_starts_a_longer_name(county):
    found = _mentions(county, "余杭智能制造产业园开工，余杭区新增公园。")
    assert found[0][:2] == ("余杭智能制造产业园", "余杭智能制造产业园")


def test_a_national_chain_is_a_site_though_its_name_has_no_generic(toolkit):
    found = _mentions(toolkit.detector, "引进山姆会员店和宜家家居，盒马鲜生开业。")
    assert {(m[0], m[3]) for m in found} >= {
        ("山姆会员店", "company"),
        ("宜家家居", "company"),
        ("盒马鲜生", "company"),
    }
    assert not _mentions(toolkit.detector, "打造城区商业新地标。")
