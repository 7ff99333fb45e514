from hypothesis import given, settings
from hypothesis import strategies as st

from projectmap.text.segment import split_sentences

TEXT = (
    "  三、坚定不移改革攻坚突围,狠抓有效投资落地见效\n\n"
    "  精准发力招引项目。聚焦铜精深加工强链,拓展云招商。\n"
    "  （一）聚焦产业升级，做强实体经济。加快推进之江实验室二期建设！完成验收\n"
)


def test_sections_leads_and_sentences():
    sentences = split_sentences(TEXT)
    texts = [s.text for s in sentences]
    assert texts[0] == "三、坚定不移改革攻坚突围,狠抓有效投资落地见效"
    assert sentences[0].is_heading
    assert sentences[1].lead == "精准发力招引项目" and sentences[1].is_heading
    assert sentences[2].text == "聚焦铜精深加工强链,拓展云招商。"
    assert sentences[2].section == texts[0] and sentences[2].lead == "精准发力招引项目"
    sub = next(s for s in sentences if s.text.startswith("（一）"))
    assert sub.is_heading and sub.section == "（一）聚焦产业升级，做强实体经济"
    assert texts[-2:] == ["加快推进之江实验室二期建设！", "完成验收"]
    assert sentences[-1].section == sub.section


@settings(max_examples=500, derandomize=True, deadline=None)
@given(st.text(alphabet=st.sampled_from("一、（）()。！；\n 磁湖路建设改造,，abc1"), max_size=200))
def test_offsets_always_index_the_text(text):
    for sentence in split_sentences(text):
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text.strip()
