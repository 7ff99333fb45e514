"""Output folders that only ever lose or change what projectmap wrote into them.

A build writes its files into a hidden staging folder and then commits them.
Each output folder holds a *record* (``report.json`` of a build, ``compare.json``
of a comparison) whose ``files`` list names the files the tool wrote there; a
file that no record lists is the user's and is never removed or overwritten:
a build whose output name is taken by such a file refuses, naming it.

How a build commits:

- into a new folder, or one holding only the files its record lists: the
  staging folder (beside the target) replaces the folder whole, by renames, so
  that a reader, a crash or a kill sees the old folder, the new one, or the old
  one moved aside (put back by the next build);
- into a folder holding other files too (``-o ~``): the staging folder lives
  inside it; a journal in it lists the old files to drop, and the files are
  then moved in one by one. A build killed during that step leaves the journal,
  and the next build of the folder finishes the step before anything else, so
  the folder is never left holding part of two builds.

Every file of the stage is on disk before its commit (each is written with
:func:`projectmap.files.safe.atomic_path`), the stage's folder entries are synced
before it is renamed, and the folder the renames happen in after, so that a crash
just after a build never leaves a committed folder of empty files.

Two builds of one folder at once: the second finds the folder's lock taken
and fails with one line; the first writes the folder whole.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from projectmap.errors import OutputError
from projectmap.files.lock import INNER_LOCK, folder_lock, interrupts_held
from projectmap.files.safe import (
    is_one_of,
    output_errors,
    read_regular,
    sync_path,
    write_text_atomic,
)

#: Every name a build or a comparison writes: a record never gets another file replaced.
OUTPUT_NAMES = frozenset(
    {"map.html", "places.geojson", "projects.csv", "projects.geojson", "projects.gpkg",
     "report.json", "unresolved.csv", "compare.csv", "compare.geojson", "compare.json"}
)  # fmt: skip
_INNER_STAGE = ".projectmap.stage-"
_JOURNAL = ".commit.json"
_RECORD_LIMIT = 1_000_000
_RECORDS = frozenset({"report.json", "compare.json"})  # moved in last


@contextmanager
def staged_folder(
    target: Path, *, record: str = "report.json", inputs: Sequence[Path] = ()
) -> Iterator[Path]:
    """Yield an empty staging folder whose files are committed to ``target`` on success.

    The body writes every file of the output, the ``record`` among them. On any
    exception, or an interrupt, the staging folder is removed and ``target`` is
    left as it was. An interrupt during the commit is held back until the
    commit is done, and then raised saying that the folder was written.

    Raises
    ------
    OutputError
        When ``target`` is a file, another build holds it, an output name is
        taken by a file the tool did not write or by one of ``inputs``, or the
        files cannot be written.
    """
    target = target.absolute()
    if target.is_symlink() and target.is_dir():
        target = target.resolve()  # write into the folder it names; the link stays a link
    _check_target(target)
    with output_errors(target):
        target.parent.mkdir(parents=True, exist_ok=True)
    with folder_lock(target):
        tidy_leftovers(target)
        stage = _make_stage(target, record)
        try:
            yield stage
            with interrupts_held(target):
                _commit(stage, target, record, inputs)
        finally:
            if stage.exists():
                shutil.rmtree(stage, ignore_errors=True)


def _check_target(target: Path) -> None:
    """Refuse a file, or a path with no folder name, as the place for outputs."""
    if not target.name:
        raise OutputError(f"{target}: is not a folder projectmap can write; pass --output DIR")
    if target.exists() and not target.is_dir():
        raise OutputError(f"{target}: is a file; pass a folder for the outputs with --output")


#: The file that marks a folder without any record as an earlier version's output, by record.
_LEGACY_MARKS = {"report.json": "projects.geojson", "compare.json": "compare.geojson"}


def owned_files(folder: Path, record: str) -> frozenset[str]:
    """The files of ``folder`` that its record says projectmap wrote.

    A folder without any record is an earlier version's output when it holds
    nothing but files of projectmap's names, among them ``projects.geojson`` (a
    build's) or ``compare.geojson`` (a comparison's); those are its own. Any
    other folder owns nothing.
    """
    path = folder / record
    if not path.exists() and not path.is_symlink():
        return _legacy_files(folder, _LEGACY_MARKS.get(record, ""))
    if not path.is_file() or path.is_symlink():
        return frozenset()
    try:
        data = json.loads(read_regular(path, max_bytes=_RECORD_LIMIT, kind=OutputError))
    except (OutputError, ValueError, RecursionError):
        return frozenset()
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list):
        return frozenset()
    return frozenset(f for f in files if isinstance(f, str) and f in OUTPUT_NAMES)


def _legacy_files(folder: Path, mark: str) -> frozenset[str]:
    if not folder.is_dir():
        return frozenset()
    entries = list(folder.iterdir())
    names = frozenset(e.name for e in entries)
    regular = all(e.is_file() and not e.is_symlink() for e in entries)
    if regular and names <= OUTPUT_NAMES and mark in names and not names & _RECORDS:
        return names
    return frozenset()


def _is_pure(folder: Path, owned: frozenset[str]) -> bool:
    """Whether the folder holds nothing but the tool's files (and its own lock)."""
    for entry in folder.iterdir():
        if entry.name == INNER_LOCK:
            continue
        if entry.name not in owned or entry.is_symlink() or not entry.is_file():
            return False
    return True


def _make_stage(target: Path, record: str) -> Path:
    """A fresh staging folder: beside a target it may replace whole, else inside it."""
    inside = target.is_dir() and not _is_pure(target, owned_files(target, record))
    with output_errors(target):
        if not inside:
            try:
                return _mkdtemp(target.parent, f".{target.name}.stage-{os.getpid()}-")
            except PermissionError:
                if not target.is_dir():
                    raise
        return _mkdtemp(target, f"{_INNER_STAGE}{os.getpid()}-")


def _mkdtemp(parent: Path, prefix: str) -> Path:
    stage = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    os.chmod(stage, 0o755)  # mkdtemp makes it private; outputs are readable like their files
    return stage


def _commit(stage: Path, target: Path, record: str, inputs: Sequence[Path]) -> None:
    """Refuse names taken by others' files or by inputs; then swap or merge the stage in."""
    new = sorted(p.name for p in stage.iterdir())
    with output_errors(target):
        sync_path(stage)  # its files are on disk (atomic writes): now their names
    if not target.exists():
        with output_errors(target):
            os.replace(stage, target)
            sync_path(target.parent)
        return
    owned = owned_files(target, record)
    for name in new:
        _require_replaceable(target / name, owned, record, inputs)
    with output_errors(target):
        if stage.parent == target.parent and _is_pure(target, owned):
            _swap(stage, target)
            sync_path(target.parent)
        else:
            _merge(stage, target, sorted(owned - set(new)))
            sync_path(target)


def _require_replaceable(
    path: Path, owned: frozenset[str], record: str, inputs: Sequence[Path]
) -> None:
    if not path.exists() and not path.is_symlink():
        return
    if is_one_of(path, inputs):
        raise OutputError(
            f"{path}: is an input of this build and would be overwritten; pass another --output"
        )
    if path.name not in owned:
        raise OutputError(
            f"{path}: is not a file projectmap wrote (its {record} does not list it); "
            "move it away, or pass another --output"
        )


def _swap(stage: Path, target: Path) -> None:
    """Move ``target`` aside, move ``stage`` in, drop the old one; or put the old one back."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    shutil.rmtree(old, ignore_errors=True)
    os.replace(target, old)
    try:
        os.replace(stage, target)
    except BaseException:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _merge(stage: Path, target: Path, stale: list[str]) -> None:
    """Journal the old files to drop, then move the staged files in (record last)."""
    write_text_atomic(stage / _JOURNAL, json.dumps({"remove": stale}))
    _roll_forward(stage, target)


def _roll_forward(stage: Path, target: Path) -> None:
    """Finish a journalled merge: drop the stale files, move the new ones in, remove the stage."""
    journal = json.loads((stage / _JOURNAL).read_text(encoding="utf-8"))
    for name in journal.get("remove", []):
        if name in OUTPUT_NAMES:
            (target / name).unlink(missing_ok=True)
    entries = [p for p in stage.iterdir() if p.name != _JOURNAL and not p.name.startswith(".")]
    for entry in sorted(entries, key=lambda p: (p.name in _RECORDS, p.name)):
        os.replace(entry, target / entry.name)
    shutil.rmtree(stage, ignore_errors=True)


def tidy_leftovers(target: Path) -> None:
    """Finish or remove what killed builds of ``target`` left; restore a folder moved aside.

    A staging folder with a journal was killed while its files were moved in:
    the move is finished. Any other staging folder is removed. Only leftovers
    of processes that no longer run are touched, so a build running at the same
    time keeps its staging folder.

    Raises
    ------
    OutputError
        When a leftover cannot be tidied (no permission).
    """
    beside = re.compile(rf"\.{re.escape(target.name)}\.(stage|old)-(\d+)(?:-.*)?")
    inside = re.compile(rf"{re.escape(_INNER_STAGE)}(\d+)-.*")
    with output_errors(target):
        for leftover in _dead(target.parent, beside, 2):
            if not leftover.name.startswith(f".{target.name}.old-"):
                _finish_or_remove(leftover, target)
            elif not target.exists():
                os.replace(leftover, target)  # killed between moving the old folder aside and in
            else:
                shutil.rmtree(leftover, ignore_errors=True)  # killed after the new one was in
        for leftover in _dead(target, inside, 1) if target.is_dir() else []:
            _finish_or_remove(leftover, target)


def _dead(folder: Path, pattern: re.Pattern[str], group: int) -> list[Path]:
    """The folders in ``folder`` named by ``pattern`` whose process (its ``group``) is gone."""
    found = []
    for entry in sorted(folder.iterdir()):
        match = pattern.fullmatch(entry.name)
        if match is not None and entry.is_dir() and not _running(int(match[group])):
            found.append(entry)
    return found


def _finish_or_remove(stage: Path, target: Path) -> None:
    if (stage / _JOURNAL).is_file():
        _roll_forward(stage, target)  # killed while moving its files in
    else:
        shutil.rmtree(stage, ignore_errors=True)


def _running(pid: int) -> bool:
    """Whether process ``pid`` may still run (own process and Windows: assume so)."""
    if pid == os.getpid() or os.name == "nt":
        return True  # os.kill(pid, 0) would send Ctrl-C on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, but another user's
    return True
