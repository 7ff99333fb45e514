"""Read what ``compare`` takes from an output folder, checking its structure on the way in.

An output folder's ``projects.geojson`` and ``report.json`` may have been
edited by hand or may not be projectmap's at all: every field compare uses is
checked, and a bad one is one :class:`InputError` naming the file, the
feature and the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from projectmap._files import read_regular
from projectmap.errors import InputError

#: Largest ``projects.geojson`` or ``report.json`` read, in bytes.
MAX_JSON_BYTES = 200_000_000
_TEXT = ("id", "name")
_OPTIONAL_TEXT = ("status", "sentence")
_LISTS = ("places", "place_ids")


def read_projects(folder: Path) -> list[tuple[dict[str, Any], BaseGeometry | None]]:
    """Each project of ``folder/projects.geojson``: its checked properties and its geometry.

    Raises
    ------
    InputError
        When the file is missing, unreadable or not shaped as projectmap writes it.
    """
    path = folder / "projects.geojson"
    if not path.exists():
        raise InputError(f"{folder}: has no projects.geojson; pass a report or an output folder")
    return read_features(read_json(path), where=str(path))


def read_features(data: Any, *, where: str) -> list[tuple[dict[str, Any], BaseGeometry | None]]:
    """The checked features of a parsed ``projects.geojson``.

    Raises
    ------
    InputError
        When the data is not a FeatureCollection of projects.
    """
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise InputError(f"{where}: expected a GeoJSON FeatureCollection written by projectmap")
    features = data.get("features")
    if not isinstance(features, list):
        raise InputError(f"{where}: field 'features' is not a list; rebuild the folder")
    return [_feature(f, f"{where}: feature {n}") for n, f in enumerate(features, start=1)]


def _feature(feature: Any, where: str) -> tuple[dict[str, Any], BaseGeometry | None]:
    if not isinstance(feature, Mapping):
        raise InputError(f"{where}: is a {type(feature).__name__}, not a GeoJSON Feature")
    props = feature.get("properties")
    if not isinstance(props, Mapping):
        raise InputError(f"{where}: field 'properties' is not an object")
    for key in _TEXT:
        if not isinstance(props.get(key), (str, int)) or isinstance(props.get(key), bool):
            raise InputError(f"{where}: field {key!r} is missing or not text")
    for key in _OPTIONAL_TEXT:
        if props.get(key) is not None and not isinstance(props[key], str):
            raise InputError(f"{where}: field {key!r} is not text")
    for key in _LISTS:
        value = props.get(key)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise InputError(f"{where}: field {key!r} is not a list of text")
    return dict(props), _geometry(feature.get("geometry"), where)


def _geometry(value: Any, where: str) -> BaseGeometry | None:
    if value is None:
        return None
    try:
        geometry = shape(value)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError, RecursionError,
            shapely.errors.ShapelyError) as exc:  # fmt: skip
        raise InputError(
            f"{where}: field 'geometry' does not parse ({type(exc).__name__})"
        ) from exc
    return None if geometry.is_empty else geometry


def folder_region(folder: Path) -> tuple[str, str]:
    """The ``(code, name)`` of the region that an output folder's ``report.json`` names.

    Raises
    ------
    InputError
        When the folder has no readable ``report.json`` naming a region.
    """
    path = folder / "report.json"
    if not path.exists():
        raise InputError(
            f"{folder}: has no report.json to say which region it maps; "
            "rebuild it with `projectmap build`, or pass the report itself"
        )
    data = read_json(path)
    region = data.get("region") if isinstance(data, Mapping) else None
    code = region.get("code") if isinstance(region, Mapping) else None
    if not isinstance(code, str) or not code:
        raise InputError(f"{path}: field 'region.code' is missing or not text; rebuild the folder")
    name = region.get("name") if isinstance(region, Mapping) else None
    return code, name if isinstance(name, str) else code


def read_json(path: Path) -> Any:
    """Parsed JSON of a regular file of at most :data:`MAX_JSON_BYTES`.

    Raises
    ------
    InputError
        When the file cannot be read or is not JSON.
    """
    try:
        return json.loads(read_regular(path, max_bytes=MAX_JSON_BYTES, kind=InputError))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: is not valid JSON ({exc}); rebuild the folder") from exc
    except RecursionError:
        raise InputError(f"{path}: is nested too deeply to be a projectmap output") from None
