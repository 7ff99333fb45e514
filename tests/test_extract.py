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
    text = "推进箭楼下西村项目建设，完成东方大道改造。推进箭楼下西村项目建设，完成东方大道改造。"
    first, second = _projects(toolkit, text)
    assert first.name != second.name and first.id != second.id
    assert [p.id for p in _projects(toolkit, text)] == [first.id, second.id]


def test_a_project_named_again_is_the_same_project_and_gives_its_amount(toolkit):
    text = "青云湖酒店、枫林小学等项目正式开工。青云湖酒店总投资12亿元，建筑面积8万平方米。"
    projects = _projects(toolkit, text)
    assert [(p.name, p.status, p.amount) for p in projects] == [
        ("青云湖酒店", "starting", "12亿元"),
        ("枫林小学", "starting", None),
    ]
