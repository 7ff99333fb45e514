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

Two builds of one folder at once: the second finds the folder's lock taken
and fails with one line; the first writes the folder whole.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from projectmap._files import output_errors, read_regular, write_text_atomic
from projectmap.errors import OutputError

#: Every name a build or a comparison writes: a record never gets another file replaced.
OUTPUT_NAMES = frozenset(
    {"map.html", "places.geojson", "projects.csv", "projects.geojson", "projects.gpkg",
     "report.json", "unresolved.csv", "compare.csv", "compare.geojson", "compare.json"}
)  # fmt: skip
_INNER_STAGE = ".projectmap.stage-"
_INNER_LOCK = ".projectmap.lock"
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
    _check_target(target)
    with output_errors(target):
        target.parent.mkdir(parents=True, exist_ok=True)
    with folder_lock(target):
        tidy_leftovers(target)
        stage = _make_stage(target, record)
        try:
            yield stage
            with _interrupts_held(target):
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


def owned_files(folder: Path, record: str) -> frozenset[str]:
    """The files of ``folder`` that its record says projectmap wrote (none without one)."""
    path = folder / record
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


def _is_pure(folder: Path, owned: frozenset[str]) -> bool:
    """Whether the folder holds nothing but the tool's files (and its own lock)."""
    for entry in folder.iterdir():
        if entry.name == _INNER_LOCK:
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
    if not target.exists():
        with output_errors(target):
            os.replace(stage, target)
        return
    owned = owned_files(target, record)
    for name in new:
        _require_replaceable(target / name, owned, record, inputs)
    with output_errors(target):
        if stage.parent == target.parent and _is_pure(target, owned):
            _swap(stage, target)
        else:
            _merge(stage, target, sorted(owned - set(new)))


def _require_replaceable(
    path: Path, owned: frozenset[str], record: str, inputs: Sequence[Path]
) -> None:
    if not path.exists() and not path.is_symlink():
        return
    if any(_same_file(path, source) for source in inputs):
        raise OutputError(
            f"{path}: is an input of this build and would be overwritten; pass another --output"
        )
    if path.name not in owned:
        raise OutputError(
            f"{path}: is not a file projectmap wrote (its {record} does not list it); "
            "move it away, or pass another --output"
        )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


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

    Only leftovers of processes that no longer run are touched, so a build
    running at the same time keeps its staging folder.
    """
    beside = re.compile(rf"\.{re.escape(target.name)}\.(stage|old)-(\d+)(?:-.*)?")
    inside = re.compile(rf"{re.escape(_INNER_STAGE)}(\d+)-.*")
    for leftover in sorted(target.parent.iterdir()):
        match = beside.fullmatch(leftover.name)
        if match is None or not leftover.is_dir() or _running(int(match[2])):
            continue
        if match[1] == "old" and not target.exists():
            os.replace(leftover, target)  # killed between moving the old folder aside and in
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    if target.is_dir():
        for leftover in sorted(target.iterdir()):
            match = inside.fullmatch(leftover.name)
            if match is None or not leftover.is_dir() or _running(int(match[1])):
                continue
            if (leftover / _JOURNAL).is_file():
                _roll_forward(leftover, target)  # killed while moving its files in
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


# --- the lock ------------------------------------------------------------------------------


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
        path = target / _INNER_LOCK
        return path, os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


def _same_inode(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except OSError:
        return False


@contextmanager
def _interrupts_held(target: Path) -> Iterator[None]:
    """Hold Ctrl-C (and SIGTERM) back for the block; then raise it, saying what was written."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    signals = [signal.SIGINT, *([signal.SIGTERM] if hasattr(signal, "SIGTERM") else [])]
    before = {s: signal.signal(s, lambda number, _frame: held.append(number)) for s in signals}
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
    if held:
        raise KeyboardInterrupt(f"{target} was written whole before it stopped")
