"""Read projectmap's packaged admin data of China, one county at a time.

``data/china/NN.tsv.gz`` holds province ``NN``: lines sorted by admin code, each
starting with the code, so that a county is found by a search in its province's
text, never by parsing the whole file. ``scripts/china_data.py`` makes the files
and documents their sources and licences (also in each file's header)::

    <code>  outline   <GeoJSON type>  <coordinates: each ring flat deltas of 1e-6 degrees>
    <code>  township  <name>  <12-digit code>  <geonameid>  <lon>  <lat>  <community|…>

``data/china/townships.tsv.gz`` lists each township name (and short name) with the
counties that have it: ``name  county,county:full name,…``.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

FOLDER = Path(__file__).parents[1] / "data" / "china"
TOWNSHIP_INDEX = FOLDER / "townships.tsv.gz"


@dataclass(frozen=True)
class Seat:
    """A township's seat: a GeoNames point (WGS-84)."""

    geonameid: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Township:
    """A township of a county, with its code, seat and communities where known."""

    county: str
    name: str
    code: str | None
    seat: Seat | None
    communities: tuple[str, ...]


def _text(path: Path) -> str:
    try:
        return gzip.decompress(path.read_bytes()).decode("utf-8")
    except FileNotFoundError:
        return ""


def _lines(
    codes: Iterable[str], kind: str, folder: Path, texts: dict[str, str] | None = None
) -> Iterator[list[str]]:
    """The fields of the ``kind`` lines of each code, each province's file read once.

    ``texts`` keeps the provinces' texts for another call.
    """
    texts = {} if texts is None else texts
    by_province: dict[str, set[str]] = {}
    for code in codes:
        by_province.setdefault(code[:2], set()).add(code)
    for province, wanted in sorted(by_province.items()):
        if province not in texts:
            texts[province] = _text(folder / f"{province}.tsv.gz")
        text = texts[province]
        for code in sorted(wanted):
            prefix = f"\n{code}\t{kind}\t"
            at = text.find(prefix)
            while at >= 0:
                end = text.find("\n", at + 1)
                yield text[at + 1 : end if end >= 0 else len(text)].split("\t")
                at = end if text.startswith(prefix, end) else -1


def read(
    codes: Iterable[str], counties: Iterable[str], folder: Path = FOLDER
) -> tuple[dict[str, BaseGeometry], dict[str, list[Township]]]:
    """The outlines of ``codes`` and the townships of ``counties``, each province read once."""
    texts: dict[str, str] = {}
    return outlines(codes, folder, texts), townships(counties, folder, texts)


def outlines(
    codes: Iterable[str], folder: Path = FOLDER, texts: dict[str, str] | None = None
) -> dict[str, BaseGeometry]:
    """Tianditu outlines of provinces, cities or counties, by code (missing ones left out)."""
    return {
        fields[0]: shape({"type": fields[2], "coordinates": _decode(json.loads(fields[3]))})
        for fields in _lines(codes, "outline", folder, texts)
    }


def _decode(encoded: Any) -> Any:
    if encoded and isinstance(encoded[0], list):
        return [_decode(part) for part in encoded]
    xs = accumulate(encoded[0::2])
    ys = accumulate(encoded[1::2])
    return [(x / 1_000_000, y / 1_000_000) for x, y in zip(xs, ys, strict=True)]


def townships(
    counties: Iterable[str], folder: Path = FOLDER, texts: dict[str, str] | None = None
) -> dict[str, list[Township]]:
    """Each county's townships in the dictionary's order (an empty list when it has none)."""
    wanted = sorted(set(counties))
    found: dict[str, list[Township]] = {code: [] for code in wanted}
    for county, _kind, name, code, geonameid, lon, lat, communities in _lines(
        wanted, "township", folder, texts
    ):
        seat = Seat(geonameid, float(lon), float(lat)) if geonameid else None
        members = tuple(communities.split("|")) if communities else ()
        found[county].append(Township(county, name, code or None, seat, members))
    return found


def township_names(path: Path = TOWNSHIP_INDEX) -> dict[str, str]:
    """The nationwide township index: name → its raw ``county[:full name],…`` list."""
    rows = (line.split("\t", 1) for line in _text(path).splitlines() if line[:1] != "#")
    return {row[0]: row[1] for row in rows if len(row) == 2}


def parse_places(name: str, raw: str) -> list[tuple[str, str]]:
    """``(county code, township name)`` pairs of one index entry."""
    out = []
    for item in raw.split(","):
        county, _, full = item.partition(":")
        out.append((county, full or name))
    return out
