"""Read one gazetteer layer file, checking every field on the way in.

A layer is a regular file (never a FIFO or a device) of at most
:data:`MAX_FILE_BYTES`, in UTF-8, holding a GeoJSON FeatureCollection whose
features carry the fields of ``gazetteer/README.md`` with the types it gives.
Anything else is one :class:`GazetteerError` naming the file, the feature and
the field. Hidden files (``.NAME.<hex>.tmp.geojson`` of a write under way or
killed) are never layers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from projectmap._entry import ADMIN_LEVELS, FEATURE_TYPES, REQUIRED, Entry
from projectmap._files import read_regular
from projectmap.errors import GazetteerError


def entry_from_feature(feature: Any, *, where: str) -> Entry:
    """Build an entry from a GeoJSON Feature mapping, checking the type of every field.

    Raises
    ------
    GazetteerError
        When the feature is not an object, a required property is missing, a
        field has the wrong type (naming it) or the geometry does not parse.
    """
    props = feature.get("properties") if isinstance(feature, Mapping) else None
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        got = type(feature).__name__ if not isinstance(feature, Mapping) else "an object"
        raise GazetteerError(f"{where}: expected a GeoJSON Feature, got {got}")
    if not isinstance(props, Mapping):
        raise GazetteerError(f"{where}: field 'properties' is not an object")
    missing = [key for key in REQUIRED if not props.get(key)]
    if missing:
        raise GazetteerError(
            f"{where}: entry {_shown(props.get('id') or props.get('name'))} lacks "
            f"{', '.join(missing)}; add them (see gazetteer/README.md)"
        )
    fields = _checked_fields(props, where)
    if fields["type"] not in FEATURE_TYPES:
        raise GazetteerError(
            f"{where}: entry {fields['id']!r} has unknown type {fields['type']!r}; "
            f"use one of {', '.join(sorted(FEATURE_TYPES))}"
        )
    return Entry(
        **fields, geometry=_geometry(feature.get("geometry"), fields["id"], where),
        file=where.split(":")[0],
    )  # fmt: skip


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, (str, int)) else f"<{type(value).__name__}>"


def _checked_fields(props: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The entry's fields from its properties, each of the type the format says."""
    entry = f"entry {_shown(props.get('id'))}"
    fields: dict[str, Any] = {}
    for key in ("id", "name", "type", "source", "licence", "source_crs", "parent", "code"):
        value = props.get(key)
        if value is not None and not (
            isinstance(value, (str, int)) and not isinstance(value, bool)
        ):
            raise GazetteerError(
                f"{where}: {entry} field {key!r} is {_shown(value)}, not text; write it as a string"
            )
        fields[key] = str(value) if value not in (None, "") else None
    notes, aliases, level = props.get("notes"), props.get("aliases") or [], props.get("admin_level")
    if notes is not None and not isinstance(notes, str):
        raise GazetteerError(f"{where}: {entry} field 'notes' is {_shown(notes)}, not text")
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise GazetteerError(f"{where}: {entry} field 'aliases' is not a list of strings")
    if level is not None and (type(level) is not int or level not in ADMIN_LEVELS):
        raise GazetteerError(
            f"{where}: {entry} field 'admin_level' is {_shown(level)}; "
            f"use a whole number from {min(ADMIN_LEVELS)} to {max(ADMIN_LEVELS)}"
        )
    fields.update(aliases=tuple(aliases), notes=notes or "", admin_level=level)
    return fields


def _geometry(value: Any, entry_id: str, where: str) -> BaseGeometry | None:
    if not value:
        return None
    try:
        return shape(value)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError, RecursionError,
            shapely.errors.ShapelyError) as exc:  # fmt: skip
        raise GazetteerError(
            f"{where}: entry {entry_id!r} has a geometry that does not parse "
            f"({type(exc).__name__}: {str(exc)[:80]}); fix its coordinates or set geometry to null"
        ) from exc


#: Largest gazetteer file read, in bytes.
MAX_FILE_BYTES = 200_000_000


def read_entries(path: Path) -> list[Entry]:
    """Read one gazetteer file (a regular file of at most :data:`MAX_FILE_BYTES`).

    Raises
    ------
    GazetteerError
        When the file is not a GeoJSON FeatureCollection of valid entries, or is
        not a regular file (a FIFO, a device), or cannot be read.
    """
    data = parse_json(read_regular(path, max_bytes=MAX_FILE_BYTES, kind=GazetteerError), path)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise GazetteerError(f"{path}: expected a GeoJSON FeatureCollection")
    features = data.get("features") or []
    if not isinstance(features, list):
        raise GazetteerError(
            f"{path}: field 'features' is {type(features).__name__}, not a list of Features"
        )
    return [
        entry_from_feature(feature, where=f"{path.name}:feature {n}")
        for n, feature in enumerate(features, start=1)
    ]


def parse_json(data: bytes, path: Path) -> Any:
    """Parse a gazetteer file's bytes as UTF-8 JSON.

    Raises
    ------
    GazetteerError
        When the bytes are not UTF-8, not JSON, or nested too deeply to read.
    """
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise GazetteerError(f"{path}: is not UTF-8 text ({exc.reason}); save it as UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise GazetteerError(
            f"{path}: line {exc.lineno}: not valid JSON ({exc.msg}); fix that line"
        ) from exc
    except RecursionError:
        raise GazetteerError(f"{path}: is nested too deeply to be a gazetteer file") from None


def gazetteer_files(directory: Path) -> list[Path]:
    """The gazetteer files of a folder, in a stable order.

    Hidden files and folders (a name starting with ``.``) are skipped: they are
    temporary files of a write under way or killed (``.NAME.<hex>.tmp.geojson``),
    or an editor's.
    """
    if not directory.is_dir():
        raise GazetteerError(
            f"{directory}: no such gazetteer folder; pass --gazetteer DIR with the folder"
        )
    return sorted(
        path for path in directory.rglob("*.geojson")
        if not any(part.startswith(".") for part in path.relative_to(directory).parts)
    )  # fmt: skip
