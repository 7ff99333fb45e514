"""Files in and out: atomic writes, and reads of regular files only, within a size limit.

A file is written to a hidden temporary name beside it (``.NAME.<hex>.tmp.SUFFIX``,
a name every loader skips), flushed to disk and renamed into place; the
temporary file is removed on any exception or interrupt. A file written by a
library (the GeoPackage, through SQLite with its own syncing off) is flushed the
same way, so that a crash after the rename never leaves an empty or partial file.
Output folders are in :mod:`projectmap.files.outdir`.

A file is read only when it is a regular file: a FIFO, a device or a socket
would block or never end, so it is refused by name before it is opened for
reading, and a file is never read past its size limit.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from projectmap.errors import OutputError, ProjectmapError


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
    with atomic_path(path) as tmp, output_errors(path), open(tmp, "xb") as handle:
        handle.write(data)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``path`` (same suffix) to write a file to.

    On success the file is flushed to disk (:func:`sync_path`) and renamed to
    ``path``; on any exception, or an interrupt,
    it is removed with the journal files a library may have left beside it.
    The suffix is kept because some writers (GDAL's GeoPackage driver) check it.

    Raises
    ------
    OutputError
        When the folder cannot be made or the file cannot be renamed into place.
    """
    with output_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{secrets.token_hex(6)}.tmp{path.suffix}")
    try:
        yield tmp
        with output_errors(path):
            os.chmod(tmp, 0o644)
            sync_path(tmp)
            os.replace(tmp, path)
    finally:
        for leftover in (tmp, *(tmp.with_name(tmp.name + s) for s in ("-journal", "-wal", "-shm"))):
            leftover.unlink(missing_ok=True)


def sync_path(path: Path) -> None:
    """Flush a file's data, or a folder's entries, to disk (``fsync``).

    A folder is synced to make the renames in it durable; Windows cannot open a
    folder for that, and there, or when the folder cannot be opened for reading
    (write and search permission only), it is skipped.
    """
    folder = path.is_dir()
    if folder and os.name == "nt":
        return
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except PermissionError:
        if folder:
            return
        raise
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def output_errors(path: Path) -> Iterator[None]:
    """Turn an ``OSError`` of the block into an :class:`OutputError` naming ``path``."""
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot be written ({exc.strerror or exc}); "
            "check the folder's permissions and free space, or pass another --output"
        ) from exc


_KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device",
          stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}  # fmt: skip


def read_regular(path: Path, *, max_bytes: int, kind: type[ProjectmapError]) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; never blocks on a FIFO or device.

    The file is opened without blocking and checked to be a regular file
    before it is read; it is read at most ``max_bytes + 1`` bytes far.

    Raises
    ------
    ProjectmapError
        Of class ``kind``, naming the file, when it is missing, unreadable, not
        a regular file or over the limit.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise kind(f"{path}: no such file; check the path") from None
    except OSError as exc:
        reason = exc.strerror or exc
        raise kind(f"{path}: cannot be read ({reason}); check its permissions") from exc
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
            raise kind(f"{path}: is {what}, not a regular file; pass a file")
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise kind(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if len(data) > max_bytes:
        raise kind(f"{path}: is over the {max_bytes / 1e6:g} MB limit")
    return data


def is_one_of(path: Path, others: Iterable[Path]) -> bool:
    """Whether ``path`` is the same file as one of ``others`` (a link or another name too)."""
    for other in others:
        try:
            if os.path.samefile(path, other):
                return True
        except OSError:
            continue
    return False
