"""Read back what a build wrote: its region and the places it could not place precisely.

``fetch-osm --from``, ``geocode`` and the hand-placement page all start from
the same list: the mentions of ``unresolved.csv`` and the places of
``places.geojson`` placed at precision 3 or coarser (somewhere in the district).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from projectmap.errors import InputError

#: Places at this precision or coarser are worth placing better.
COARSE = 3
_MAX_BYTES = 100_000_000


_TYPES_BY_SUFFIX = (
    (("街道", "镇", "乡", "社区", "片区", "片"), "area"),
    (("大道", "路", "街", "道", "巷"), "road"), (("桥",), "bridge"), (("站",), "station"),
    (("河", "江", "溪", "渠"), "river"), (("湖", "水库"), "lake"), (("山", "岭", "峰"), "mountain"),
    (("公园",), "park"), (("广场",), "plaza"), (("村",), "village"), (("机场",), "airport"),
)  # fmt: skip


def type_from_name(name: str) -> str:
    """A feature type read off a name's ending (路 road, 河 river, …), ``site`` otherwise."""
    return next((kind for ends, kind in _TYPES_BY_SUFFIX if name.endswith(ends)), "site")


@dataclass(frozen=True)
class Need:
    """A place a build could not put on the map precisely."""

    mention: str
    name: str
    sentence: str
    precision: int | None
    gazetteer_id: str | None


@dataclass(frozen=True)
class Output:
    """A build's region and the places it still needs."""

    folder: Path
    region_code: str
    region_name: str
    needs: tuple[Need, ...]

    def names(self) -> list[str]:
        """The names to look for, each once, sorted.

        Raises
        ------
        InputError
            When the build placed every place precisely already.
        """
        names = sorted({need.name for need in self.needs})
        if not names:
            raise InputError(
                f"{self.folder}: no unresolved or district-level places; nothing to look up"
            )
        return names


def read_output(folder: Path) -> Output:
    """Read ``report.json``, ``unresolved.csv`` and ``places.geojson`` of a build's folder.

    Raises
    ------
    InputError
        When the folder is not a build's output or a file is broken.
    """
    report = _json(folder / "report.json")
    region = report.get("region") if isinstance(report, dict) else None
    if not isinstance(region, dict) or not str(region.get("code") or "").isdigit():
        raise InputError(
            f"{folder / 'report.json'}: no region.code; rebuild the report with this version"
        )
    needs = {n.name: n for n in _coarse_places(folder / "places.geojson")}
    for need in _unresolved(folder / "unresolved.csv"):
        needs.setdefault(need.name, need)
    code = str(region["code"])
    return Output(folder, code, str(region.get("name") or code), tuple(needs.values()))


def _text(path: Path) -> str:
    if not path.is_file():
        raise InputError(
            f"{path}: no such file; pass a folder written by `projectmap build` (OUTDIR)"
        )
    if path.stat().st_size > _MAX_BYTES:
        raise InputError(f"{path}: larger than {_MAX_BYTES // 1_000_000} MB; not a build's output")
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from exc


def _json(path: Path) -> Any:
    try:
        return json.loads(_text(path))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc}); rebuild the report") from exc


def _coarse_places(path: Path) -> list[Need]:
    data = _json(path)
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise InputError(f"{path}: not a GeoJSON FeatureCollection; rebuild the report")
    needs = []
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict) or not str(props.get("mention") or "").strip():
            continue
        precision = props.get("precision")
        if isinstance(precision, int) and precision < COARSE:
            continue
        mention = str(props["mention"]).strip()
        needs.append(Need(mention, str(props.get("name") or mention).strip(),
                          str(props.get("sentence") or ""),
                          precision if isinstance(precision, int) else None,
                          props.get("gazetteer_id") or None))  # fmt: skip
    return needs


def _unresolved(path: Path) -> list[Need]:
    if not path.exists():
        return []
    rows = csv.DictReader(io.StringIO(_text(path)))
    return [
        Need(m, m, (row.get("sentence") or "").lstrip("'"), None, None)
        for row in rows
        if (m := (row.get("mention") or "").lstrip("'").strip())
    ]
