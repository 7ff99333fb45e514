"""The area an import or a fetch is about: a gazetteer entry with a polygon, or a county of China.

``--within 海拉尔区`` and ``fetch-osm 海拉尔区`` work with no prior step: when
the gazetteer has no such entry, the admin unit is looked up in China's
packaged index and its skeleton (outline, ancestors, townships, communities)
is made for it, to be written beside the imported layer.
"""

from __future__ import annotations

from dataclasses import dataclass

from projectmap.errors import GazetteerError, RegionError
from projectmap.places import china
from projectmap.places.gazetteer import Entry, Gazetteer

#: Entry types that can be the parent of an imported place.
ADMIN_TYPES = frozenset({"admin", "township", "community"})

_POLYGONAL = ("Polygon", "MultiPolygon")


@dataclass(frozen=True)
class Area:
    """An area with a polygon, and the skeleton entries the gazetteer lacked to hold it.

    Attributes
    ----------
    entry : Entry
        The area's entry; its geometry is a polygon.
    skeleton : tuple of Entry
        Admin entries made from packaged data (empty when the gazetteer has the area).
    """

    entry: Entry
    skeleton: tuple[Entry, ...] = ()


def is_polygon(entry: Entry) -> bool:
    """Whether an entry has a polygonal geometry."""
    return entry.geometry is not None and entry.geometry.geom_type in _POLYGONAL


def find_area(gazetteer: Gazetteer, area: str, *, index: china.AdminIndex | None = None) -> Area:
    """Find the area ``area`` names, by gazetteer id or name, else as a Chinese admin unit.

    Raises
    ------
    GazetteerError
        When the name is ambiguous, has no polygon, or names nothing known.
    """
    if area in gazetteer or gazetteer.lookup(area):
        return Area(_gazetteer_area(gazetteer, area))
    index = index or china.AdminIndex.load()
    try:
        unit = index.find(area)
    except RegionError as exc:
        raise GazetteerError(
            f"area {area!r} is not in the gazetteer nor a Chinese admin unit ({exc}); pass the "
            "id or name of a gazetteer entry with a polygon, or a county's 6-digit code"
        ) from exc
    entries = china.skeleton([unit.code], index)
    entry = next(e for e in entries if e.id == unit.code)
    if not is_polygon(entry):
        raise GazetteerError(
            f"area {area!r} ({unit.code}) has no packaged outline; add its boundary to the "
            "gazetteer or pass an area that has one"
        )
    return Area(entry, tuple(e for e in entries if e.id not in gazetteer))


def _gazetteer_area(gazetteer: Gazetteer, area: str) -> Entry:
    if area in gazetteer:
        found = [gazetteer[area]]
    else:
        found = [e for e in gazetteer.lookup(area) if is_polygon(e)] or gazetteer.lookup(area)
        found = [e for e in found if e.type in ADMIN_TYPES] or found
    if len(found) > 1:
        ids = ", ".join(f"{e.id} ({e.type}, {e.file})" for e in found)
        raise GazetteerError(f"area {area!r} names {len(found)} entries ({ids}); pass its id")
    if not is_polygon(found[0]):
        raise GazetteerError(
            f"area {area!r} ({found[0].id} in {found[0].file}) has no polygon; "
            "add its boundary to the gazetteer or pass an area that has one"
        )
    return found[0]
