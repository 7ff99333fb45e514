"""A gazetteer entry: a named place with its parent, geometry and provenance.

:func:`entry_from_feature` builds one from a GeoJSON Feature, checking the type of every
field; :mod:`projectmap.places.layer` reads the files they are in.

See :mod:`projectmap.places.gazetteer` for the gazetteer as a whole and ``gazetteer/README.md``
for the file format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from projectmap.errors import GazetteerError
from projectmap.places.geojson import rounded

#: Feature types an entry may carry. Admin units carry an ``admin_level``.
FEATURE_TYPES = frozenset(
    {
        "admin", "township", "community", "village",
        "road", "bridge", "interchange", "railway", "station", "airport", "port",
        "mountain", "lake", "river", "water", "park", "plaza", "street",
        "area", "parcel", "site", "company", "industrial_park", "market", "building",
    }
)  # fmt: skip

#: Admin levels: 1 province, 2 prefecture/city, 3 county/district, 4 township, 5 community.
ADMIN_LEVELS = {1: "province", 2: "city", 3: "county", 4: "township", 5: "community"}

REQUIRED = ("id", "name", "type", "source", "licence", "source_crs")


@dataclass(frozen=True)
class Entry:
    """One named place of the gazetteer."""

    id: str
    name: str
    type: str
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    geometry: BaseGeometry | None = None
    admin_level: int | None = None
    code: str | None = None
    source: str = ""
    licence: str = ""
    source_crs: str = "WGS-84"
    notes: str = ""
    same_as: str | None = None
    file: str = field(default="", compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        """The name followed by every alias."""
        return (self.name, *self.aliases)

    def to_feature(self) -> dict[str, Any]:
        """Return the entry as a GeoJSON Feature mapping, in file order."""
        props: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.aliases:
            props["aliases"] = list(self.aliases)
        props["type"] = self.type
        props["parent"] = self.parent
        if self.admin_level is not None:
            props["admin_level"] = self.admin_level
        if self.code:
            props["code"] = self.code
        props.update(source=self.source, licence=self.licence, source_crs=self.source_crs)
        if self.notes:
            props["notes"] = self.notes
        if self.same_as:
            props["same_as"] = self.same_as
        geometry = None if self.geometry is None else rounded(mapping(self.geometry))
        return {"type": "Feature", "properties": props, "geometry": geometry}


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
    text_fields = ("id", "name", "type", "source", "licence", "source_crs", "parent", "code")
    for key in (*text_fields, "same_as"):
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
