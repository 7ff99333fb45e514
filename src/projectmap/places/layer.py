"""The one gazetteer reader: find the layer files of a folder and read each, checking every field.

A layer is a regular file (never a FIFO or a device) of at most
:data:`MAX_FILE_BYTES`, in UTF-8, holding a GeoJSON FeatureCollection whose
features carry the fields of ``gazetteer/README.md`` with the types it gives.
Anything else is a :class:`Fault` naming the file, the feature and the field.
Hidden files (``.NAME.<hex>.tmp.geojson`` of a write under way or killed) are
never layers.

:func:`read_layers` gives each file as a :class:`Layer`, its entries and its
faults: ``build`` (:func:`~projectmap.places.gazetteer.load_gazetteer`) and
``gazetteer import`` stop at the first fault (:meth:`Layer.require`), ``gazetteer
check`` reports them all. Nothing else reads a gazetteer file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from projectmap.errors import GazetteerError
from projectmap.files.safe import read_regular
from projectmap.places.entry import Entry, entry_from_feature
from projectmap.places.geojson import HEAD

_ID_IN_LINE = re.compile(r'"id"\s*:\s*"([^"]+)"')


#: Largest gazetteer file read, in bytes.
MAX_FILE_BYTES = 200_000_000


@dataclass(frozen=True)
class Fault:
    """One thing wrong in a layer file.

    Attributes
    ----------
    entry : str or None
        The id of the entry concerned, when it can be told.
    message : str
        What is wrong and how to fix it; a fault of the whole file or of a line
        names the file by its path, a fault of a feature by the layer's name.
    """

    entry: str | None
    message: str


@dataclass(frozen=True)
class Layer:
    """One layer file as read: the entries that parse and the faults of the rest.

    Attributes
    ----------
    path : Path
        The file.
    name : str
        The file relative to its gazetteer folder; the ``file`` of its entries.
    entries : tuple of Entry
        The entries read, in file order.
    faults : tuple of Fault
        What could not be read, in file order; empty when all is well.
    """

    path: Path
    name: str
    entries: tuple[Entry, ...] = ()
    faults: tuple[Fault, ...] = ()

    def require(self) -> tuple[Entry, ...]:
        """The entries, when the file has no fault.

        Raises
        ------
        GazetteerError
            With the message of the first fault.
        """
        if self.faults:
            raise GazetteerError(self.faults[0].message)
        return self.entries


def read_layers(
    directory: Path, *, recover: bool = False, exclude: Path | None = None
) -> list[Layer]:
    """Read every layer file of a gazetteer folder (see :func:`gazetteer_files`).

    Each layer is named by its path relative to ``directory``; see :func:`read_layer`
    for ``recover``. The file ``exclude`` (the layer an import replaces) is not read.

    Raises
    ------
    GazetteerError
        When ``directory`` is not a folder; the faults of a file are in its layer.
    """
    skip = exclude.resolve() if exclude is not None else None
    return [
        read_layer(path, name=path.relative_to(directory).as_posix(), recover=recover)
        for path in gazetteer_files(directory)
        if skip is None or path.resolve() != skip
    ]


def read_layer(path: Path, *, name: str | None = None, recover: bool = False) -> Layer:
    """Read one layer file (a regular file of at most :data:`MAX_FILE_BYTES`), never raising.

    Parameters
    ----------
    path : Path
        The file.
    name : str, optional
        The name its entries are known by (default: the file name).
    recover : bool
        When the file is not valid JSON but is in the one-Feature-per-line
        layout, read it line by line: every broken line is a fault of its own
        and the other lines still give their entries (``gazetteer check``).
        Otherwise a file that is not valid JSON is one fault.
    """
    name = name or path.name
    try:
        raw = read_regular(path, max_bytes=MAX_FILE_BYTES, kind=GazetteerError)
    except GazetteerError as exc:
        return _broken(path, name, str(exc))
    try:
        data = parse_json(raw, path)
    except GazetteerError as exc:
        broken_json = isinstance(exc.__cause__, json.JSONDecodeError)
        if recover and broken_json and raw.startswith(HEAD.encode()):
            return _read_lines(path, name, raw.decode("utf-8"))
        return _broken(path, name, str(exc))
    return _read_collection(path, name, data)


def _broken(path: Path, name: str, message: str) -> Layer:
    """A layer that gives no entry, with the one fault of the whole file."""
    return Layer(path, name, faults=(Fault(None, message),))


def _read_collection(path: Path, name: str, data: Any) -> Layer:
    """The layer of a parsed file, which must be a FeatureCollection."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        return _broken(path, name, f"{path}: expected a GeoJSON FeatureCollection")
    features = data.get("features") or []
    if not isinstance(features, list):
        kind = type(features).__name__
        return _broken(path, name, f"{path}: field 'features' is {kind}, not a list of Features")
    return _parsed(path, name, ((f"{name}:feature {n}", f) for n, f in enumerate(features, 1)))


def _read_lines(path: Path, name: str, text: str) -> Layer:
    """Read a file in the one-Feature-per-line layout line by line, around broken lines."""
    features: list[tuple[str, Any]] = []
    faults: list[Fault] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().rstrip(",")
        if number == 1 or line in ("", "]}", "]", "}"):
            continue
        try:
            features.append((f"{name}:line {number}", json.loads(line)))
        except RecursionError:
            faults.append(Fault(None, f"{path}: line {number}: is nested too deeply"))
        except json.JSONDecodeError as exc:
            match = _ID_IN_LINE.search(line)
            entry = match.group(1) if match else None
            label = f"entry {entry!r} " if entry else ""
            message = (
                f"{path}: line {number}: {label}is not valid JSON ({exc.msg}); fix that line "
                "(one Feature per line, see gazetteer/README.md)"
            )
            faults.append(Fault(entry, message))
    return _parsed(path, name, iter(features), faults)


def _parsed(
    path: Path, name: str, features: Iterator[tuple[str, Any]], faults: Iterable[Fault] = ()
) -> Layer:
    """The layer of the features, each an entry or a fault."""
    entries: list[Entry] = []
    found = list(faults)
    for where, feature in features:
        try:
            entries.append(entry_from_feature(feature, where=where))
        except GazetteerError as exc:
            found.append(Fault(_feature_id(feature), str(exc)))
    return Layer(path, name, tuple(entries), tuple(found))


def _feature_id(feature: Any) -> str | None:
    props = feature.get("properties") if isinstance(feature, Mapping) else None
    value = props.get("id") if isinstance(props, Mapping) else None
    return str(value) if value else None


def read_entries(path: Path) -> list[Entry]:
    """Read one gazetteer file (a regular file of at most :data:`MAX_FILE_BYTES`).

    Raises
    ------
    GazetteerError
        When the file is not a GeoJSON FeatureCollection of valid entries, or is
        not a regular file (a FIFO, a device), or cannot be read.
    """
    return list(read_layer(path).require())


def parse_json(data: bytes, path: Path) -> Any:
    """Parse a gazetteer file's bytes as UTF-8 JSON.

    Raises
    ------
    GazetteerError
        When the bytes are not UTF-8, not JSON, or nested too deeply to read.
    """
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise GazetteerError(f"{path}: is not UTF-8 text ({exc.reason}); save it as UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise GazetteerError(
            f"{path}: line {exc.lineno}: not valid JSON ({exc.msg}); fix that line"
        ) from exc
    except RecursionError:
        raise GazetteerError(f"{path}: is nested too deeply to be a gazetteer file") from None


def gazetteer_files(directory: Path) -> list[Path]:
    """The gazetteer files of a folder, in a stable order.

    Hidden files and folders (a name starting with ``.``) are skipped: they are
    temporary files of a write under way or killed (``.NAME.<hex>.tmp.geojson``),
    or an editor's.
    """
    if not directory.is_dir():
        raise GazetteerError(
            f"{directory}: no such gazetteer folder; pass --gazetteer DIR with the folder"
        )
    return sorted(
        path for path in directory.rglob("*.geojson")
        if not any(part.startswith(".") for part in path.relative_to(directory).parts)
    )  # fmt: skip
