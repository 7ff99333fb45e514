from hypothesis import given
from hypothesis import strategies as st

from projectmap.places.locate import _sentence_around

ENDERS = "。！？；\n"


def _scanning(text: str, start: int, end: int) -> str:
    """The sentence around a span, by scanning for every ender (the old way)."""
    left = max((text.rfind(ch, 0, start) for ch in ENDERS), default=-1) + 1
    rights = [i for i in (text.find(ch, end) for ch in ENDERS) if i >= 0]
    right = min(rights) + 1 if rights else len(text)
    return text[left:right].strip()


@given(st.text(alphabet="东方路。！；\n ab", max_size=2000), st.data())
def test_sentence_around_is_the_scanned_sentence(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert _sentence_around(text, start, end) == _scanning(text, start, end)


def test_a_long_text_without_enders_gives_all_of_it():
    text = "甲" * 5000 + "路" + "乙" * 70000
    assert _sentence_around(text, 5000, 5001) == text
    assert _sentence_around("前。" + text, 5002, 5003) == text
