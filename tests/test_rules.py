"""One reader for the rule files: the packaged ones, or a user's copy that is refused clearly."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from projectmap.errors import InputError
from projectmap.text.rules import RULE_FILES, read_rules


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
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"categories": []}), encoding="utf-8")
    assert read_rules("categories", path) == {"categories": []}


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
