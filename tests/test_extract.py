import json

import pytest

from conftest import DATA
from projectmap.segment import split_sentences

CASES = json.loads((DATA / "extract-cases.json").read_text(encoding="utf-8"))


def _projects(toolkit, text):
    sentences = split_sentences(text)
    mentions = toolkit.detector.detect(text, sentences)
    return toolkit.extractor.extract(text, sentences, mentions)


@pytest.mark.parametrize("case", CASES, ids=[c["why"] for c in CASES])
def test_projects_as_reports_write_them(toolkit, case):
    projects = _projects(toolkit, case["text"])
    assert [p.name for p in projects] == case["projects"]
    if "status" in case:
        assert projects[0].status == case["status"]
    if "amount" in case:
        assert projects[0].amount == case["amount"]


def test_offsets_and_places_trace_back_to_the_text(toolkit):
    text = "启动东方大道绿化升级改造,蜂烈山路、狮子山路建设等工程。"
    projects = _projects(toolkit, text)
    for project in projects:
        span = text[project.start : project.end]
        assert span and span in project.sentence.text
        for place in project.places:
            assert text[place.start : place.end] == place.text
    assert [m.text for m in projects[1].places] == ["蜂烈山路"]
    assert [m.text for m in projects[2].places] == ["狮子山路"]


def test_ids_are_stable_and_distinct(toolkit):
    text = "推进箭楼下西村项目建设。推进箭楼下西村项目建设。"
    first, second = _projects(toolkit, text)
    assert first.name == second.name and first.id != second.id
    assert [p.id for p in _projects(toolkit, text)] == [first.id, second.id]
