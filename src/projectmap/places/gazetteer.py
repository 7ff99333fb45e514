"""The gazetteer: named places with their parents, geometry and provenance.

A gazetteer is a folder of GeoJSON files (see ``gazetteer/README.md``). Each file
is a FeatureCollection written one Feature per line so that a diff shows one
changed entry per line. Every entry has an id, a name, aliases, a feature type,
a parent id, a geometry in WGS-84 (or none when only the parent is known) and
its source, licence and source CRS.

An entry is :class:`~projectmap.places.entry.Entry`; the files of a folder are found,
read and checked by :mod:`projectmap.places.layer`, the one reader (of build, check and
import alike); this module loads them into a :class:`Gazetteer` and writes entries back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import shapely
from shapely.geometry.base import BaseGeometry

from projectmap.errors import GazetteerError
from projectmap.files.safe import write_text_atomic
from projectmap.places.entry import ADMIN_LEVELS, FEATURE_TYPES, REQUIRED, Entry, entry_from_feature
from projectmap.places.fold import fold_same_as
from projectmap.places.geojson import feature_collection
from projectmap.places.layer import (
    MAX_FILE_BYTES,
    Fault,
    Layer,
    gazetteer_files,
    parse_json,
    read_entries,
    read_layers,
)


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


def load_gazetteer(directory: str | Path) -> Gazetteer:
    """Load every ``*.geojson`` file below ``directory`` into a :class:`Gazetteer`.

    Raises
    ------
    GazetteerError
        When the folder is missing, a file is broken, an id is repeated or a
        geometry is invalid.
    """
    folder = Path(directory)
    entries, repeats = by_id(e for layer in read_layers(folder) for e in layer.require())
    if repeats:
        entry, first = repeats[0]
        raise GazetteerError(
            f"{entry.file}: id {entry.id!r} is already used in {first.file}; "
            "give one of them another id"
        )
    for entry in entries.values():
        _require_valid(entry, folder / entry.file)
    _require_no_cycles(entries)
    return Gazetteer(entries.values())


def parent_cycles(entries: Mapping[str, Entry]) -> list[list[str]]:
    """Each loop of parents once, as the ids of the loop from where a walk up entered it.

    The one cycle finder: :func:`load_gazetteer` refuses the first, ``gazetteer check``
    reports them all.
    """
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in entries:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in entries and node not in done:
            if node in path:
                cycles.append(path[path.index(node) :])
                break
            path.append(node)
            node = entries[node].parent
        done.update(path)
    return cycles


def _require_no_cycles(entries: Mapping[str, Entry]) -> None:
    """Refuse parents that lead back to the entry: nothing could be placed through them."""
    cycles = parent_cycles(entries)
    if cycles:
        loop = " → ".join([*cycles[0], cycles[0][0]])
        raise GazetteerError(
            f"{entries[cycles[0][0]].file}: parents form a cycle ({loop}); "
            "correct the parent of one of them"
        )


def by_id(entries: Iterable[Entry]) -> tuple[dict[str, Entry], list[tuple[Entry, Entry]]]:
    """The entries by id, the first of each id kept, and each repeat with the entry it repeats.

    The one index of ids: :func:`load_gazetteer` refuses the first repeat,
    ``gazetteer check`` reports them all.
    """
    kept: dict[str, Entry] = {}
    repeats: list[tuple[Entry, Entry]] = []
    for entry in entries:
        if entry.id in kept:
            repeats.append((entry, kept[entry.id]))
        else:
            kept[entry.id] = entry
    return kept, repeats


def geometry_fault(geometry: BaseGeometry) -> str | None:
    """What makes a geometry one that GEOS cannot compute with (a ring crossing itself), or None."""
    if shapely.is_valid(geometry):
        return None
    return (
        f"has an invalid {geometry.geom_type} ({shapely.is_valid_reason(geometry)}); redraw it "
        "so that no ring crosses itself, or repair it with shapely.make_valid"
    )


def _require_valid(entry: Entry, path: Path) -> None:
    """Refuse a geometry that GEOS cannot compute with, such as a ring crossing itself."""
    fault = None if entry.geometry is None else geometry_fault(entry.geometry)
    if fault is not None:
        raise GazetteerError(
            f"{path}: entry {entry.id!r} ({entry.name}) {fault} "
            "(`projectmap gazetteer check` lists all)"
        )


def write_entries(path: Path, entries: Iterable[Entry]) -> None:
    """Write entries as a FeatureCollection, one Feature per line, sorted by id."""
    features = (e.to_feature() for e in sorted(entries, key=lambda e: e.id))
    write_text_atomic(path, feature_collection(features))


__all__ = [
    "ADMIN_LEVELS", "FEATURE_TYPES", "MAX_FILE_BYTES", "REQUIRED", "Entry", "Fault", "Gazetteer",
    "Layer", "by_id", "entry_from_feature", "gazetteer_files", "geometry_fault", "load_gazetteer",
    "parent_cycles", "parse_json", "read_entries", "read_layers", "write_entries",
]  # fmt: skip
