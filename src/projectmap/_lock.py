"""One build at a time per output folder: a lock file beside the folder (or inside it).

A second build of a folder that is being written fails at once with one line,
instead of the two writing a mixture. The lock is an ``flock`` on the file,
which the system drops when its holder dies (even by SIGKILL); the file is
removed on release. While a commit runs, Ctrl-C and SIGTERM are held back and
raised once it is done, saying that the folder was written.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from projectmap._files import output_errors
from projectmap.errors import OutputError

#: The lock's name inside a folder whose parent cannot be written (``-o ~``).
INNER_LOCK = ".projectmap.lock"


@contextmanager
def folder_lock(target: Path) -> Iterator[None]:
    """Hold ``target``'s lock for the block: ``.NAME.lock`` beside it (or inside it).

    The lock is an ``flock`` on that file, which the system drops when its
    holder dies; the file is removed on release. Where ``fcntl`` is missing
    (Windows) there is no lock.

    Raises
    ------
    OutputError
        When another process holds the lock.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    path, fd = _open_lock(target)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(
                f"{target}: another projectmap build is writing it right now; "
                "wait for it to finish, or pass another --output"
            ) from None
        if not _same_inode(fd, path):  # released and removed by its holder meanwhile
            os.close(fd)
            fd = -1
            with folder_lock(target):
                yield
            return
        try:
            yield
        finally:
            with suppress(OSError):
                path.unlink()
    finally:
        if fd >= 0:
            os.close(fd)


def _open_lock(target: Path) -> tuple[Path, int]:
    with output_errors(target):
        try:
            path = target.with_name(f".{target.name}.lock")
            return path, os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except PermissionError:
            if not target.is_dir():
                raise
        path = target / INNER_LOCK
        return path, os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


def _same_inode(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except OSError:
        return False


@contextmanager
def interrupts_held(target: Path) -> Iterator[None]:
    """Hold Ctrl-C (and SIGTERM) back for the block; then raise it, saying what was written."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    signals = [signal.SIGINT, *([signal.SIGTERM] if hasattr(signal, "SIGTERM") else [])]
    signals = [s for s in signals if signal.getsignal(s) is not signal.SIG_IGN]  # a batch worker
    before = {s: signal.signal(s, lambda number, _frame: held.append(number)) for s in signals}
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
    if held:
        raise KeyboardInterrupt(f"{target} was written whole before it stopped")
