"""Atomic file and folder writes: readers see the old content or the new, never a mix.

A file is written to a temporary name beside it and renamed into place; a build's
folder is written as a hidden staging folder beside the target and swapped in
whole. A build killed midway (even by SIGKILL) leaves at most hidden leftovers
named after its process id, which the next build of the same folder tidies up:
staging folders are removed, and a previous folder that was moved aside but not
yet replaced is put back.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from projectmap.errors import OutputError

#: Files that mark a folder as an earlier output (of ``build`` or ``compare``): a
#: non-empty folder holding none of them is never replaced (``--output ~``).
OUTPUT_MARKS = frozenset({"projects.geojson", "compare.geojson"})


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 to a temporary file beside ``path`` and rename it into place."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it into place.

    Raises
    ------
    OutputError
        When the folder or the file cannot be written (no permission, disk full).
    """
    with atomic_path(path) as tmp, _output_errors(path), open(tmp, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``path`` (same suffix) to write a file to.

    On success the file is renamed to ``path``; on any exception, or an interrupt,
    it is removed with the journal files a library may have left beside it.
    The suffix is kept because some writers (GDAL's GeoPackage driver) check it.

    Raises
    ------
    OutputError
        When the folder cannot be made or the file cannot be renamed into place.
    """
    with _output_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{secrets.token_hex(6)}.tmp{path.suffix}")
    try:
        yield tmp
        with _output_errors(path):
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
    finally:
        for leftover in (tmp, *(tmp.with_name(tmp.name + s) for s in ("-journal", "-wal", "-shm"))):
            leftover.unlink(missing_ok=True)


@contextmanager
def _output_errors(path: Path) -> Iterator[None]:
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot be written ({exc.strerror or exc}); "
            "check the folder's permissions and free space, or pass another --output"
        ) from exc


@contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """Yield an empty staging folder that replaces ``target`` only on success.

    On any exception, or an interrupt, the staging folder is removed and
    ``target`` keeps its previous content (or stays absent). Leftovers of an
    earlier build of ``target`` that was killed are tidied first. A folder that
    holds other things than an earlier output (``-o ~``, a folder with a log in
    it) is never replaced: the new files are moved into it beside what it holds.

    Raises
    ------
    OutputError
        When the staging folder cannot be made or swapped in.
    """
    target = target.absolute()
    with _output_errors(target):
        _check_target(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tidy_leftovers(target)
        prefix = f".{target.name}.stage-{os.getpid()}-"
        stage = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
        os.chmod(stage, 0o755)  # mkdtemp makes it private; outputs are readable like their files
    try:
        yield stage
        with _output_errors(target):
            _swap(stage, target)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


def _check_target(target: Path) -> None:
    """Refuse a file, or a path with no folder name, as the place for outputs."""
    if not target.name:
        raise OutputError(f"{target}: is not a folder projectmap can write; pass --output DIR")
    if target.exists() and not target.is_dir():
        raise OutputError(f"{target}: is a file; pass a folder for the outputs with --output")


def _is_output(folder: Path) -> bool:
    """Whether a folder is an earlier output (or empty): one projectmap may replace whole."""
    return not any(folder.iterdir()) or any((folder / m).is_file() for m in OUTPUT_MARKS)


def _swap(stage: Path, target: Path) -> None:
    """Move ``target`` aside, move ``stage`` in, drop the old one; or put the old one back."""
    if not target.exists():
        os.replace(stage, target)
        return
    if not _is_output(target):
        _move_into(stage, target)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    shutil.rmtree(old, ignore_errors=True)
    os.replace(target, old)
    try:
        os.replace(stage, target)
    except BaseException:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _move_into(stage: Path, target: Path) -> None:
    """Move the staged files into a folder that holds other things, keeping those."""
    for entry in sorted(stage.iterdir()):
        destination = target / entry.name
        if destination.is_dir() and not destination.is_symlink():
            shutil.rmtree(destination)
        os.replace(entry, destination)


def tidy_leftovers(target: Path) -> None:
    """Remove what killed builds of ``target`` left beside it; restore a folder moved aside.

    Only leftovers of processes that no longer run are touched, so a build
    running at the same time keeps its staging folder.
    """
    pattern = re.compile(rf"\.{re.escape(target.name)}\.(stage|old)-(\d+)(?:-.*)?")
    for leftover in sorted(target.parent.iterdir()):
        match = pattern.fullmatch(leftover.name)
        if match is None or not leftover.is_dir() or _running(int(match[2])):
            continue
        if match[1] == "old" and not target.exists():
            os.replace(leftover, target)  # killed between moving the old folder aside and in
        else:
            shutil.rmtree(leftover, ignore_errors=True)


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
