"""The rule files of ``rules/``: the one reader for all of them.

Each file is a JSON object: ``projects.json`` (heads and verbs, read by
:mod:`projectmap.text.heads`), ``places.json`` (:mod:`projectmap.text.detect`),
``categories.json`` (:mod:`projectmap.text.classify`) and ``region.json``
(:mod:`projectmap.places.region`). The packaged copy is read unless a user's
copy is given.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from projectmap.errors import InputError

#: The rule files projectmap ships, by name.
RULE_FILES = ("categories", "places", "projects", "region")


def read_rules(name: str, path: str | Path | None = None) -> dict[str, Any]:
    """The rules of ``rules/{name}.json``, or of a user's copy of that file at ``path``.

    Raises
    ------
    InputError
        When a user's copy cannot be read or is not a JSON object.
    """
    if name not in RULE_FILES:
        raise ValueError(f"no rule file {name!r}; the rule files are {', '.join(RULE_FILES)}")
    if path is None:
        text = resources.files("projectmap").joinpath(f"rules/{name}.json").read_text("utf-8")
        data: dict[str, Any] = json.loads(text)
        return data
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(found, dict):
            raise TypeError(f"holds a {type(found).__name__}, not an object")
    except (OSError, ValueError, TypeError) as exc:
        raise not_valid(name, path, exc) from exc
    return found


def not_valid(name: str, path: str | Path, exc: Exception) -> InputError:
    """The error for a user's rule file that cannot be used, naming the fix."""
    return InputError(
        f"{path}: not a valid {name} file ({exc}); start from a copy of "
        f"src/projectmap/rules/{name}.json"
    )
