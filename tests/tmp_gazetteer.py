"""A tiny gazetteer built in a temporary folder, for tests that must not read gazetteer/."""

from __future__ import annotations

from pathlib import Path

from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from projectmap.places.gazetteer import Entry, write_entries

#: 下陆区 as a box: lon 114.93–115.05, lat 30.17–30.22.
XIALU = box(114.93, 30.17, 115.05, 30.22)
#: A township covering the western part of the district.
WEST_TOWNSHIP = box(114.93, 30.17, 114.98, 30.22)


def admin_entries() -> list[Entry]:
    """下陆区 (420204) and one township inside it (420204001)."""
    return [
        place("420204", "下陆区", None, XIALU, type="admin", admin_level=3),
        place("420204001", "新下陆街道", "420204", WEST_TOWNSHIP, type="township", admin_level=4),
    ]


def place(
    entry_id: str,
    name: str,
    parent: str | None,
    geometry: BaseGeometry | None,
    *,
    type: str = "site",
    admin_level: int | None = None,
) -> Entry:
    """A test entry with the provenance fields filled in."""
    return Entry(id=entry_id, name=name, type=type, parent=parent, geometry=geometry,
                 admin_level=admin_level, source="test fixture", licence="CC0-1.0")  # fmt: skip


def make_gazetteer(root: Path) -> Path:
    """Write the admin entries to ``root/admin.geojson`` and return ``root``."""
    write_entries(root / "admin.geojson", admin_entries())
    return root
