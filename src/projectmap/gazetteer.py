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

from projectmap._files import write_text_atomic
from projectmap._fold import fold_same_as
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
        Entries; a later entry with the same id replaces an earlier one. An
        imported feature ``same_as`` a curated entry without geometry is folded
        into it (see :mod:`projectmap._fold`).
    """

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._entries: dict[str, Entry] = {}
        for entry in entries:
            self._entries[entry.id] = entry
        self._entries = fold_same_as(self._entries)
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


def entry_from_feature(feature: Mapping[str, Any], *, where: str) -> Entry:
    """Build an entry from a GeoJSON Feature mapping.

    Raises
    ------
    GazetteerError
        When a required property is missing or the geometry does not parse.
    """
    props = feature.get("properties")
    if feature.get("type") != "Feature" or not isinstance(props, Mapping):
        raise GazetteerError(f"{where}: expected a GeoJSON Feature with properties")
    missing = [key for key in REQUIRED if not props.get(key)]
    if missing:
        raise GazetteerError(
            f"{where}: entry {props.get('id') or props.get('name')!r} lacks "
            f"{', '.join(missing)}; add them (see gazetteer/README.md)"
        )
    if props["type"] not in FEATURE_TYPES:
        raise GazetteerError(
            f"{where}: entry {props['id']!r} has unknown type {props['type']!r}; "
            f"use one of {', '.join(sorted(FEATURE_TYPES))}"
        )
    geometry = None
    if feature.get("geometry"):
        try:
            geometry = shape(feature["geometry"])
        except (
            AttributeError,
            KeyError,
            TypeError,
            ValueError,
            shapely.errors.ShapelyError,
        ) as exc:
            raise GazetteerError(
                f"{where}: entry {props['id']!r} has a geometry that does not parse ({exc}); "
                "fix its coordinates or set geometry to null"
            ) from exc
    level = props.get("admin_level")
    return Entry(
        id=str(props["id"]),
        name=str(props["name"]),
        type=str(props["type"]),
        parent=str(props["parent"]) if props.get("parent") else None,
        aliases=tuple(str(a) for a in props.get("aliases") or ()),
        geometry=geometry,
        admin_level=int(level) if level is not None else None,
        code=str(props["code"]) if props.get("code") else None,
        source=str(props["source"]),
        licence=str(props["licence"]),
        source_crs=str(props["source_crs"]),
        notes=str(props.get("notes") or ""),
        same_as=str(props["same_as"]) if props.get("same_as") else None,
        file=where.split(":")[0],
    )


def read_entries(path: Path) -> list[Entry]:
    """Read one gazetteer file.

    Raises
    ------
    GazetteerError
        When the file is not a GeoJSON FeatureCollection of valid entries.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise GazetteerError(f"{path}: cannot be read ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise GazetteerError(
            f"{path}: line {exc.lineno}: not valid JSON ({exc.msg}); fix that line"
        ) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise GazetteerError(f"{path}: expected a GeoJSON FeatureCollection")
    return [
        entry_from_feature(feature, where=f"{path.name}:feature {n}")
        for n, feature in enumerate(data.get("features") or [], start=1)
    ]


def gazetteer_files(directory: Path) -> list[Path]:
    """The gazetteer files of a folder, in a stable order."""
    if not directory.is_dir():
        raise GazetteerError(
            f"{directory}: no such gazetteer folder; pass --gazetteer DIR with the folder"
        )
    return sorted(directory.rglob("*.geojson"))


def load_gazetteer(directory: str | Path, *, missing_ok: bool = False) -> Gazetteer:
    """Load every ``*.geojson`` file below ``directory`` into a :class:`Gazetteer`.

    With ``missing_ok`` a folder that does not exist is an empty gazetteer: China's
    packaged skeleton still places a report's region.

    Raises
    ------
    GazetteerError
        When the folder is missing, a file is broken, an id is repeated or a
        geometry is invalid.
    """
    entries: dict[str, Entry] = {}
    if missing_ok and not Path(directory).exists():
        return Gazetteer([])
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
