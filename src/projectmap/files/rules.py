"""The rule files of ``rules/``: the one reader and validator for all of them.

Each file is a JSON object whose keys are fixed: ``projects.json`` (heads, verbs
and statuses, read by :mod:`projectmap.text.heads`), ``places.json``
(:mod:`projectmap.text.detect`), ``categories.json``
(:mod:`projectmap.text.classify`), ``region.json`` (:mod:`projectmap.places.region`)
and ``reading.json`` (:mod:`projectmap.reading.ingest`). The packaged copy is read
unless a user's copy is given, and every copy, packaged or not, is checked against
the shape of its file here: a missing key, an unknown key or a value of the wrong
type is one :class:`InputError` naming the file, the key and the fix.

This reader sits low (beside the other file readers) so that both ``reading`` and
``text`` can use it. Keys starting with ``_`` are comments (``_doc``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from projectmap.errors import InputError

#: The rule files projectmap ships, by name.
RULE_FILES = ("categories", "places", "projects", "reading", "region")


@dataclass(frozen=True)
class Shape:
    """What one key of a rule file must hold: a description for messages, and its test."""

    says: str
    fits: Callable[[Any], bool]
    required: bool = True


def _words(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(w, str) and w for w in value)


def _regex(value: Any) -> bool:
    try:
        re.compile(value)
    except (TypeError, re.error):
        return False
    return isinstance(value, str)


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _object_of(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    def fits(value: Any) -> bool:
        return isinstance(value, dict) and all(map(test, value.values()))

    return fits


WORDS = Shape("a list of non-empty strings", _words)
CHARS = Shape("a list of single characters", lambda v: _words(v) and all(len(c) == 1 for c in v))
TEXT = Shape("a string", lambda v: isinstance(v, str))
REGEX = Shape("a regular expression (a string)", _regex)
REGEXES = Shape(
    "a list of regular expressions", lambda v: isinstance(v, list) and all(map(_regex, v))
)
INTEGER = Shape("a whole number", _integer)
#: A whole number that may be left out (the reader has a default).
SOME_INTEGER = Shape("a whole number", _integer, required=False)
NUMBER = Shape("a number", lambda v: _integer(v) or isinstance(v, float))
WORD_LISTS = Shape("an object of lists of strings", _object_of(_words))
WORD_MAP = Shape("an object of strings", _object_of(lambda v: isinstance(v, str)))
WEIGHTS = Shape("an object of whole numbers", _object_of(_integer))

#: The keys of a file or of an object inside it: a shape, or the keys of a nested object.
#: ``Each`` marks an object of any keys whose every value has the fields given.
Fields = Mapping[str, "Shape | Fields | Each"]


@dataclass(frozen=True)
class Each:
    """An object of any keys (category ids) whose values each hold ``fields``."""

    fields: Fields


def _keys(names: str, shape: Shape) -> dict[str, Shape]:
    """The keys named in ``names`` (space-separated), all of one shape."""
    return dict.fromkeys(names.split(), shape)


_TOPONYMS: Fields = {
    "generics": WORD_LISTS,
    **_keys(
        "stop_words area_words measure_words generic_names generic_specifics descriptors "
        "bound_starts legal_forms verb_finals road_words bound_ends",
        WORDS,
    ),
    **_keys(
        "numerals directions segment_words counted_in_digits level_prefixes specific_joiners "
        "name_joiners",
        CHARS,
    ),
    **_keys("single_generic_min max_length common_word_freq cross_word_freq", INTEGER),
    "route_codes": REGEXES,
}

#: The keys each rule file must have, and what each holds.
SCHEMAS: dict[str, Fields] = {
    "categories": {
        "name_weight": SOME_INTEGER,
        "context_weight": SOME_INTEGER,
        "categories": Each({"label": TEXT, "color": TEXT, "icon": TEXT, "keywords": WEIGHTS}),
    },
    "places": {
        "part_suffixes": WORD_MAP,
        **_keys(
            "part_blockers list_nouns left_stop_tags left_stop_words part_plain_after chains",
            WORDS,
        ),
        "toponyms": _TOPONYMS,
    },
    "projects": {
        **_keys(
            "strong_heads weak_heads tails generic_words policy_words lead_words quantity_units "
            "facility_words area_suffixes title_prefixes count_heads predicate_words frame_words "
            "future_words plan_markers collective_heads verb_starts aggregate_heads "
            "pronoun_starts build_verbs plan_openers done_markers statuses connectors "
            "completion_words completion_doubts and_words not_list_ends verb_joiners "
            "item_counters area_endings project_words",
            WORDS,
        ),
        **_keys("list_marks item_openers not_area_before", CHARS),
        **_keys("phase investment project_count count_start slogan enumerator share", REGEX),
        "status_words": WORD_LISTS,
    },
    "reading": _keys("junk_line_starts title_words", WORDS),
    "region": {
        **_keys("company_suffixes generic_names source_words macro_regions", WORDS),
        "congress_line": REGEX,
        "county_share": NUMBER,
        "head_lines": INTEGER,
        "head_weight": NUMBER,
    },
}


def read_rules(name: str, path: str | Path | None = None) -> dict[str, Any]:
    """The rules of ``rules/{name}.json``, or of a user's copy of that file at ``path``.

    Raises
    ------
    InputError
        When the copy cannot be read, is not a JSON object, or lacks a key, has an
        unknown one or holds a value of the wrong type.
    """
    if name not in RULE_FILES:
        raise ValueError(f"no rule file {name!r}; the rule files are {', '.join(RULE_FILES)}")
    where: str | Path = path if path is not None else f"projectmap/rules/{name}.json (packaged)"
    try:
        if path is None:
            text = resources.files("projectmap").joinpath(f"rules/{name}.json").read_text("utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        found = json.loads(text)
        if not isinstance(found, dict):
            raise TypeError(f"holds a {type(found).__name__}, not an object")
    except (OSError, ValueError, TypeError) as exc:
        raise not_valid(name, where, exc) from exc
    problem = _problem(found, SCHEMAS[name], "") or _statuses(name, found)
    if problem is not None:
        raise InputError(f"{where}: {problem}; compare with src/projectmap/rules/{name}.json")
    return found


def _problem(data: dict[str, Any], fields: Fields, within: str) -> str | None:
    """The first thing wrong with ``data`` against ``fields``, as a phrase, or None."""
    for key in data:
        if not key.startswith("_") and key not in fields:
            return f"unknown key {within + key!r}: remove it or correct its spelling"
    for key, shape in fields.items():
        if key not in data:
            if isinstance(shape, Shape) and not shape.required:
                continue
            return f"key {within + key!r} is missing: add it"
        value = data[key]
        if isinstance(shape, Shape):
            if not shape.fits(value):
                return f"key {within + key!r} must be {shape.says}, not {_json_type(value)}"
            continue
        if not isinstance(value, dict):
            return f"key {within + key!r} must be an object, not {_json_type(value)}"
        if isinstance(shape, Each):
            inner = (_each(v, shape.fields, f"{within}{key}.{k}") for k, v in value.items())
            problem = next((p for p in inner if p is not None), None)
        else:
            problem = _problem(value, shape, f"{within}{key}.")
        if problem is not None:
            return problem
    return None


#: The statuses of a project, which ``projects.json`` orders from the most advanced.
STATUSES = frozenset({"completed", "starting", "under_construction", "planned"})


def _statuses(name: str, data: dict[str, Any]) -> str | None:
    """What is wrong with the statuses of a projects file, or None."""
    if name != "projects":
        return None
    if sorted(data["statuses"]) != sorted(STATUSES):
        return f"key 'statuses' must order exactly {', '.join(sorted(STATUSES))}"
    unknown = sorted(set(data["status_words"]) - STATUSES)
    if unknown:
        return f"key 'status_words.{unknown[0]}' is no status: use one of 'statuses'"
    return None


def _each(value: Any, fields: Fields, where: str) -> str | None:
    if not isinstance(value, dict):
        return f"key {where!r} must be an object, not {_json_type(value)}"
    return _problem(value, fields, f"{where}.")


def _json_type(value: Any) -> str:
    names = {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)


def user_copies(folder: Path | None) -> dict[str, Path]:
    """The user's rule files in ``folder`` by name: each replaces the packaged one.

    Raises
    ------
    InputError
        When the folder does not exist, or holds a JSON file that is no rule file.
    """
    if folder is None:
        return {}
    if not folder.is_dir():
        names = ", ".join(f"{n}.json" for n in RULE_FILES)
        raise InputError(f"{folder}: no rules folder there; pass a folder holding any of {names}")
    copies = {p.stem: p for p in sorted(folder.glob("*.json"))}
    for stem, path in copies.items():
        if stem not in RULE_FILES:
            names = ", ".join(f"{n}.json" for n in RULE_FILES)
            raise InputError(f"{path}: no rule file of that name; rename it to one of {names}")
    return copies


def any_of(words: Iterable[str]) -> str:
    """A regex that matches any of ``words``, the longest first (a list of a rule file)."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def not_valid(name: str, path: str | Path, exc: Exception) -> InputError:
    """The error for a user's rule file that cannot be used, naming the fix."""
    return InputError(
        f"{path}: not a valid {name} file ({exc}); start from a copy of "
        f"src/projectmap/rules/{name}.json"
    )
