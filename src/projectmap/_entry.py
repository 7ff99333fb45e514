"""A gazetteer entry: a named place with its parent, geometry and provenance.

See :mod:`projectmap.gazetteer` for the gazetteer as a whole and ``gazetteer/README.md``
for the file format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

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
