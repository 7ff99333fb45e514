"""One reader for the rule files: the packaged ones, or a user's copy that is refused clearly."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from projectmap.errors import InputError
from projectmap.files.rules import RULE_FILES, read_rules, user_copies


def test_every_packaged_rule_file_is_read_as_shipped():
    rules = resources.files("projectmap").joinpath("rules")
    shipped = sorted(
        p.name.removesuffix(".json") for p in rules.iterdir() if p.name.endswith(".json")
    )
    assert shipped == sorted(RULE_FILES)
    for name in RULE_FILES:
        text = rules.joinpath(f"{name}.json").read_text("utf-8")
        assert read_rules(name) == json.loads(text)


def test_a_users_copy_is_read_instead(tmp_path):
    mine = {"categories": {"park": {"label": "公园", "color": "#00ff00", "icon": "leaf",
                                    "keywords": {"公园": 3}}}}  # fmt: skip
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(mine), encoding="utf-8")
    assert read_rules("categories", path) == mine


@pytest.mark.parametrize("text", ["[1, 2]", "{broken", ""])
def test_a_users_copy_that_is_no_json_object_names_the_file_and_the_fix(tmp_path, text):
    path = tmp_path / "mine.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        InputError, match=r"mine\.json: not a valid places file .*rules/places\.json"
    ):
        read_rules("places", path)


def test_a_missing_copy_names_the_file(tmp_path):
    with pytest.raises(InputError, match=r"nothing\.json: not a valid region file"):
        read_rules("region", tmp_path / "nothing.json")


def test_an_unknown_rule_file_is_a_programming_error():
    with pytest.raises(ValueError, match="no rule file 'statuses'"):
        read_rules("statuses")


def _packaged(name):
    text = resources.files("projectmap").joinpath(f"rules/{name}.json").read_text("utf-8")
    return json.loads(text)


def _broken(name, data):
    """One wrong copy per rule file: a wrong type, a missing key, an unknown key, nested."""
    if name == "categories":
        data["categories"]["industry"]["keywords"]["工业"] = "heavy"
        return r"'categories\.industry\.keywords' must be an object of whole numbers"
    if name == "places":
        del data["toponyms"]["road_words"]
        return r"'toponyms\.road_words' is missing: add it"
    if name == "projects":
        data["strong_head"] = data.pop("strong_heads")
        return r"unknown key 'strong_head': remove it or correct its spelling"
    if name == "reading":
        data["junk_line_starts"] = "首页"
        return r"'junk_line_starts' must be a list of non-empty strings, not a string"
    data["head_lines"] = "3"
    return r"'head_lines' must be a whole number, not a string"


@pytest.mark.parametrize("name", RULE_FILES)
def test_a_broken_copy_of_each_rule_file_is_refused_naming_file_key_and_fix(tmp_path, name):
    data = _packaged(name)
    expected = _broken(name, data)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError, match=rf"{name}\.json: .*{expected}.*rules/{name}\.json") as e:
        read_rules(name, path)
    assert "\n" not in str(e.value)


def test_a_regex_that_does_not_compile_is_refused(tmp_path):
    data = _packaged("projects")
    data["phase"] = "([一二三]期"
    path = tmp_path / "projects.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError, match=r"'phase' must be a regular expression"):
        read_rules("projects", path)


def test_comment_keys_are_allowed_and_optional_weights_may_be_left_out(tmp_path):
    data = _packaged("categories")
    del data["name_weight"]
    data["_why"] = "my notes"
    path = tmp_path / "categories.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert read_rules("categories", path) == data


def test_a_rules_folder_gives_the_copies_it_holds(tmp_path):
    (tmp_path / "projects.json").write_text("{}", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a rule file", encoding="utf-8")
    assert user_copies(tmp_path) == {"projects": tmp_path / "projects.json"}
    assert user_copies(None) == {}


def test_a_rules_folder_with_a_misnamed_file_or_none_at_all_is_refused(tmp_path):
    (tmp_path / "project.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match=r"project\.json: no rule file of that name; rename"):
        user_copies(tmp_path)
    with pytest.raises(InputError, match=r"elsewhere: no rules folder there"):
        user_copies(tmp_path / "elsewhere")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(list_marks=["、", "以及"]), r"'list_marks' must be a list of single"),
        (lambda d: d["statuses"].remove("planned"), r"'statuses' must order exactly completed"),
        (lambda d: d["status_words"].update(done=["完成"]), r"'status_words\.done' is no status"),
    ],
)
def test_character_lists_and_statuses_are_checked(tmp_path, change, expected):
    data = _packaged("projects")
    change(data)
    path = tmp_path / "projects.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError, match=expected):
        read_rules("projects", path)
