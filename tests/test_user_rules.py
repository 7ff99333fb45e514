"""A user's rule files replace the packaged ones, file by file (``--rules DIR``)."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from conftest import GAZETTEER
from projectmap.cli import main
from projectmap.output.map.data import map_data
from projectmap.pipeline import BuildOptions, Toolkit, build

REPORT = "黄石市下陆区人民政府工作报告\n区里启动团城山大剧院。\n"


def _packaged(name):
    text = resources.files("projectmap").joinpath(f"rules/{name}.json").read_text("utf-8")
    return json.loads(text)


def _rules_folder(tmp_path, **files):
    folder = tmp_path / "rules"
    folder.mkdir()
    for name, data in files.items():
        (folder / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return folder


@pytest.fixture
def report(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    return path


def _names(report, rules=None):
    options = BuildOptions(gazetteer=GAZETTEER, rules=rules)
    return list(build(report, options=options, toolkit=Toolkit.load(options)).projects["name"])


def test_a_users_projects_file_with_an_extra_head_finds_a_project(tmp_path, report):
    projects = _packaged("projects")
    projects["strong_heads"].append("大剧院")
    assert _names(report) == []
    assert _names(report, _rules_folder(tmp_path, projects=projects)) == ["团城山大剧院"]


def test_a_users_categories_file_in_the_folder_reaches_the_classifier(tmp_path, report):
    projects = _packaged("projects")
    projects["strong_heads"].append("大剧院")
    culture = {"label": "文化", "color": "#aa00aa", "icon": "heart", "keywords": {"剧院": 5}}
    folder = _rules_folder(
        tmp_path, projects=projects, categories={"categories": {"culture": culture}}
    )
    options = BuildOptions(gazetteer=GAZETTEER, rules=folder)
    kit = Toolkit.load(options)
    found = build(report, options=options, toolkit=kit).projects
    assert list(found["category"]) == ["culture"]
    assert list(found["category_label"]) == ["文化"]
    assert [c.id for c in kit.classifier.categories] == ["culture"]


def test_a_users_categories_reach_the_map_legend_and_colours(tmp_path, report):
    culture = {"label": "文化", "color": "#aa00aa", "icon": "heart", "keywords": {"剧院": 5}}
    folder = _rules_folder(tmp_path, categories={"categories": {"culture": culture}})
    options = BuildOptions(gazetteer=GAZETTEER, rules=folder)
    mine = map_data(build(report, options=options, toolkit=Toolkit.load(options))).categories
    assert mine["culture"].color == "#aa00aa"
    assert mine["culture"].label == "文化"
    assert "industry" not in mine
    assert (
        "industry" in map_data(build(report, options=BuildOptions(gazetteer=GAZETTEER))).categories
    )


def test_a_users_reading_file_drops_the_lines_it_names(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(REPORT + "编辑说明：本页仅供参考\n", encoding="utf-8")
    reading = _packaged("reading")
    reading["junk_line_starts"].append("编辑说明")
    folder = _rules_folder(tmp_path, reading=reading)
    options = BuildOptions(gazetteer=GAZETTEER)
    assert "编辑说明" in build(path, options=options).report.text
    options = BuildOptions(gazetteer=GAZETTEER, rules=folder)
    assert "编辑说明" not in build(path, options=options).report.text


def test_build_refuses_a_broken_rules_folder_in_one_line_and_writes_nothing(
    tmp_path, report, capsys
):
    places = _packaged("places")
    places["list_nouns"] = "街道"
    folder = _rules_folder(tmp_path, places=places)
    out = tmp_path / "out"
    argv = ["build", str(report), "-o", str(out), "--gazetteer", str(GAZETTEER), "--rules"]
    assert main([*argv, str(folder)]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("projectmap: error: ")
    assert "places.json: key 'list_nouns' must be a list of non-empty strings" in error
    assert "\n" not in error
    assert not out.exists()


def test_each_rule_loader_reads_a_users_copy(tmp_path):
    from projectmap.places.region import RegionRules
    from projectmap.reading.ingest import ReadingRules
    from projectmap.text.detect import PlaceRules
    from projectmap.text.heads import ProjectRules

    projects, places, region = _packaged("projects"), _packaged("places"), _packaged("region")
    projects["completion_words"].append("落成")
    places["list_nouns"].append("园区们")
    region["head_lines"] = 7
    reading = {**_packaged("reading"), "title_words": ["工作总结"]}
    folder = _rules_folder(tmp_path, projects=projects, places=places, region=region,
                           reading=reading)  # fmt: skip
    assert "落成" in ProjectRules.load(folder / "projects.json").completion_words
    assert "园区们" in PlaceRules.load(folder / "places.json").list_nouns
    assert RegionRules.load(folder / "region.json").head_lines == 7
    title = ReadingRules.load(folder / "reading.json").title.search("下陆区2023年工作总结\n")
    assert title is not None and title.group("title") == "下陆区2023年工作总结"


def test_a_users_completion_words_reach_compare(tmp_path):
    from projectmap.compare import Listed, compare
    from projectmap.files.rules import read_rules
    from projectmap.text.heads import ProjectRules

    data = read_rules("projects")
    data["completion_words"] = [*data["completion_words"], "落成"]
    (tmp_path / "projects.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    done = Listed("n1", "磁湖大剧院", "unknown", (), (), "磁湖大剧院落成。")
    assert compare([], [done])[0].status == "new"
    mine = ProjectRules.load(tmp_path / "projects.json")
    assert compare([], [done], mine)[0].status == "completed"
