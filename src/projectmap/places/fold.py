"""Fold an imported feature into the curated entry it stands for.

An import marks a feature ``same_as`` a curated entry of the same name in the
same area that has no geometry (``420204/东方大道``). When the gazetteer is
loaded the two become one entry: the curated id, name, parent, type and notes,
the imported geometry, and both provenances in ``source`` and ``licence``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from projectmap.places.entry import Entry


def fold_same_as(entries: Mapping[str, Entry]) -> dict[str, Entry]:
    """Return the entries with every ``same_as`` feature folded into its curated entry.

    A feature whose curated entry is missing, already has a geometry, or is
    claimed by another feature too, stays an entry of its own.
    """
    claims: dict[str, list[Entry]] = {}
    for entry in entries.values():
        target = entries.get(entry.same_as) if entry.same_as else None
        if target is not None and target.geometry is None and entry.geometry is not None:
            claims.setdefault(target.id, []).append(entry)
    folded = dict(entries)
    for target_id, (feature, *others) in claims.items():
        if others:
            continue
        folded[target_id] = folded_entry(entries[target_id], feature)
        del folded[feature.id]
    return folded


def folded_entry(curated: Entry, feature: Entry) -> Entry:
    """The curated entry with the feature's geometry, CRS, names and provenance added."""
    names = (*curated.aliases, feature.name, *feature.aliases)
    aliases = tuple(dict.fromkeys(n for n in names if n != curated.name))
    return dataclasses.replace(
        curated,
        aliases=aliases,
        geometry=feature.geometry,
        source=f"{curated.source}; geometry ({feature.id}): {feature.source}",
        licence=f"{curated.licence}; geometry: {feature.licence}",
        source_crs=feature.source_crs,
        notes="; ".join(n for n in (curated.notes, feature.notes) if n),
    )
