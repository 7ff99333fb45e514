"""The gazetteer: named places with their parents, geometry and provenance.

A gazetteer is a folder of GeoJSON files (see ``gazetteer/README.md``). Each file
is a FeatureCollection written one Feature per line so that a diff shows one
changed entry per line. Every entry has an id, a name, aliases, a feature type,
a parent id, a geometry in WGS-84 (or none when only the parent is known) and
its source, licence and source CRS.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from projectmap._files import read_regular, write_text_atomic
from projectmap.errors import GazetteerError

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
        geometry = None if self.geometry is None else _rounded(mapping(self.geometry))
        return {"type": "Feature", "properties": props, "geometry": geometry}


def _rounded(geo: Any, digits: int = 6) -> Any:
    if isinstance(geo, float):
        return round(geo, digits)
    if isinstance(geo, (list, tuple)):
        return [_rounded(item, digits) for item in geo]
    if isinstance(geo, dict):
        return {key: _rounded(value, digits) for key, value in geo.items()}
    return geo


class Gazetteer(Mapping[str, Entry]):
    """Entries by id, with a name index and the parent hierarchy.

    Parameters
    ----------
    entries : iterable of Entry
        Entries; a later entry with the same id replaces an earlier one.
    """

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._entries: dict[str, Entry] = {}
        for entry in entries:
            self._entries[entry.id] = entry
        self._by_name: dict[str, list[str]] = {}
        for entry in self._entries.values():
            for name in dict.fromkeys(entry.names):
                self._by_name.setdefault(name, []).append(entry.id)

    def __getitem__(self, entry_id: str) -> Entry:
        return self._entries[entry_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> list[str]:
        """Every name and alias, longest first."""
        return sorted(self._by_name, key=lambda n: (-len(n), n))

    def primary_names(self) -> set[str]:
        """The names entries are known by, without their aliases."""
        return {entry.name for entry in self._entries.values()}

    def lookup(self, name: str) -> list[Entry]:
        """Entries whose name or alias is exactly ``name``."""
        return [self._entries[i] for i in self._by_name.get(name, [])]

    def ancestors(self, entry_id: str) -> list[Entry]:
        """The parent chain of an entry, nearest first (cycles are cut)."""
        chain: list[Entry] = []
        seen = {entry_id}
        parent = self._entries[entry_id].parent if entry_id in self._entries else None
        while parent and parent in self._entries and parent not in seen:
            seen.add(parent)
            chain.append(self._entries[parent])
            parent = self._entries[parent].parent
        return chain

    def located(self, entry_id: str) -> Entry | None:
        """The entry itself when it has geometry, else its nearest located ancestor."""
        entry = self._entries[entry_id]
        if entry.geometry is not None:
            return entry
        return next((a for a in self.ancestors(entry_id) if a.geometry is not None), None)

    def is_within(self, entry_id: str, area_id: str) -> bool:
        """Whether ``area_id`` is the entry itself or one of its ancestors."""
        return entry_id == area_id or any(a.id == area_id for a in self.ancestors(entry_id))

    def merged(self, extra: Iterable[Entry]) -> Gazetteer:
        """A new gazetteer with ``extra`` entries added where their id is new."""
        return Gazetteer([*self._entries.values(), *(e for e in extra if e.id not in self)])


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


def load_gazetteer(directory: str | Path) -> Gazetteer:
    """Load every ``*.geojson`` file below ``directory`` into a :class:`Gazetteer`.

    Raises
    ------
    GazetteerError
        When the folder is missing, a file is broken, an id is repeated or a
        geometry is invalid.
    """
    entries: dict[str, Entry] = {}
    for path in gazetteer_files(Path(directory)):
        for entry in read_entries(path):
            if entry.id in entries:
                raise GazetteerError(
                    f"{path.name}: id {entry.id!r} is already used in "
                    f"{entries[entry.id].file}; give one of them another id"
                )
            _require_valid(entry, path)
            entries[entry.id] = entry
    _require_no_cycles(entries)
    return Gazetteer(entries.values())


def _require_no_cycles(entries: Mapping[str, Entry]) -> None:
    """Refuse parents that lead back to the entry: nothing could be placed through them."""
    done: set[str] = set()
    for start in entries:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in entries and node not in done:
            if node in path:
                cycle = " → ".join([*path[path.index(node) :], node])
                raise GazetteerError(
                    f"{entries[node].file}: parents form a cycle ({cycle}); "
                    "correct the parent of one of them"
                )
            path.append(node)
            node = entries[node].parent
        done.update(path)


def _require_valid(entry: Entry, path: Path) -> None:
    """Refuse a geometry that GEOS cannot compute with, such as a ring crossing itself."""
    if entry.geometry is None or shapely.is_valid(entry.geometry):
        return
    raise GazetteerError(
        f"{path}: entry {entry.id!r} ({entry.name}) has an invalid {entry.geometry.geom_type} "
        f"({shapely.is_valid_reason(entry.geometry)}); redraw it so that no ring crosses "
        "itself or repair it with shapely.make_valid (`projectmap gazetteer check` lists all)"
    )


def write_entries(path: Path, entries: Iterable[Entry]) -> None:
    """Write entries as a FeatureCollection, one Feature per line, sorted by id."""
    lines = [
        json.dumps(e.to_feature(), ensure_ascii=False, separators=(",", ":"))
        for e in sorted(entries, key=lambda e: e.id)
    ]
    body = ",\n".join(lines)
    text = '{"type":"FeatureCollection","features":[\n' + body + "\n]}\n"
    write_text_atomic(path, text)
