"""Build many reports at once: one output folder each and an ``index.html`` linking them.

Reports run one after another with one :class:`~projectmap.pipeline.Toolkit`,
or with ``jobs > 1`` in worker processes that each load their own toolkit
once. A report that cannot be built is an :class:`Outcome` with an error: it
is reported and skipped, and the others go on.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from pathlib import Path

from projectmap._batch_index import Outcome, index_html, require_index_replaceable
from projectmap.errors import InputError, ProjectmapError
from projectmap.files.safe import write_text_atomic
from projectmap.pipeline import BuildOptions, Toolkit, build_to_folder
from projectmap.reading.formats import REPORT_SUFFIXES
from projectmap.reading.ingest import report_id

INDEX = "index.html"


@dataclass(frozen=True)
class Batch:
    """A finished batch: one outcome per report, in the order given, and the index page."""

    outcomes: tuple[Outcome, ...]
    index: Path

    @property
    def failed(self) -> tuple[Outcome, ...]:
        """The outcomes of reports that could not be built."""
        return tuple(o for o in self.outcomes if not o.ok)


def find_reports(paths: Sequence[Path]) -> list[Path]:
    """The files given, and the report files directly inside the folders given, sorted.

    Raises
    ------
    InputError
        When a folder holds no report file.
    """
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        try:
            inside = sorted(p for p in path.iterdir() if _is_report_file(p))
        except OSError as exc:
            raise InputError(
                f"{path}: cannot be read ({exc.strerror or exc}); check its permissions"
            ) from exc
        if not inside:
            kinds = " ".join(REPORT_SUFFIXES)
            raise InputError(f"{path}: holds no report file ({kinds}); pass a folder of reports")
        found += inside
    return found


def _is_report_file(path: Path) -> bool:
    """A report's name; a FIFO or device so named is kept, to be refused by name, not skipped."""
    hidden = path.name.startswith((".", "~$"))  # ~$ marks Word's lock files
    return path.suffix.lower() in REPORT_SUFFIXES and not path.is_dir() and not hidden


def folder_names(reports: Sequence[Path]) -> list[str]:
    """One distinct output folder name per report: its id, else id-suffix, else id-2 and on."""
    names: list[str] = []
    for path in reports:
        base = report_id(path)
        name = base if base not in names else f"{base}-{path.suffix.lstrip('.').lower()}"
        number = 2
        while name in names or name == INDEX:
            name, number = f"{base}-{number}", number + 1
        names.append(name)
    return names


def build_one(path: Path, target: Path, *, options: BuildOptions, toolkit: Toolkit) -> Outcome:
    """Build one report into ``target``; a failure becomes the outcome's error."""
    try:
        _, result = build_to_folder(path, target, options=options, toolkit=toolkit)
    except ProjectmapError as exc:
        return Outcome(path, target.name, error=_naming(path, str(exc)))
    except Exception as exc:  # one bad file must not stop the batch
        detail = f"failed unexpectedly ({type(exc).__name__}: {exc}); please report this"
        return Outcome(path, target.name, error=_naming(path, detail))
    places, unresolved = len(result.located_places), len(result.unresolved_places)
    return Outcome(
        path, target.name, result.region.name, len(result.located_projects), places - unresolved,
        unresolved,
    )  # fmt: skip


def _naming(path: Path, message: str) -> str:
    line = " ".join(message.split())
    return line if line.startswith((path.name, str(path))) else f"{path.name}: {line}"


def run_batch(
    reports: Sequence[Path],
    outdir: Path,
    *,
    options: BuildOptions,
    jobs: int = 1,
    progress: Callable[[Outcome], None] | None = None,
) -> Batch:
    """Build each report into ``outdir/<name>`` and write ``outdir/index.html``.

    Parameters
    ----------
    reports : sequence of Path
        Report files (see :func:`find_reports`).
    outdir : Path
        The batch folder.
    options : BuildOptions
        How to build every report.
    jobs : int
        Worker processes; 1 builds in this process.
    progress : callable, optional
        Called with each outcome as it finishes.

    Raises
    ------
    ProjectmapError
        When the toolkit (the gazetteer, the rules) cannot be loaded.
    """
    index = outdir / INDEX
    require_index_replaceable(index, reports)
    targets = [outdir / name for name in folder_names(reports)]
    finished = _run_parallel if jobs > 1 and len(reports) > 1 else _run_here
    outcomes: dict[Path, Outcome] = {}
    try:
        for target, outcome in finished(list(zip(reports, targets, strict=True)), options, jobs):
            outcomes[target] = outcome
            if progress is not None:
                progress(outcome)
    except KeyboardInterrupt:
        raise KeyboardInterrupt(
            _interrupted(list(outcomes.values()), len(reports), index)
        ) from None
    ordered = tuple(outcomes[t] for t in targets)
    write_text_atomic(index, index_html(ordered))
    return Batch(ordered, index)


def _interrupted(done: list[Outcome], total: int, index: Path) -> str:
    """What an interrupted batch wrote: the reports built whole, and what was left as it was."""
    built = [o.folder for o in done if o.ok]
    names = f" ({', '.join(built)})" if built else ""
    return (
        f"{len(built)} of {total} reports written whole{names}; the others left as they were, "
        f"and {index} not written"
    )


Work = list[tuple[Path, Path]]


def _run_here(work: Work, options: BuildOptions, _jobs: int) -> Iterator[tuple[Path, Outcome]]:
    toolkit = Toolkit.load(options)
    for path, target in work:
        yield target, build_one(path, target, options=options, toolkit=toolkit)


def _run_parallel(work: Work, options: BuildOptions, jobs: int) -> Iterator[tuple[Path, Outcome]]:
    workers = min(jobs, len(work))
    with ProcessPoolExecutor(
        workers, _context(), initializer=_start_worker, initargs=(options,)
    ) as pool:
        futures: dict[Future[Outcome], tuple[Path, Path]] = {
            pool.submit(_build_in_worker, path, target, options): (path, target)
            for path, target in work
        }
        try:
            for future in as_completed(futures):
                path, target = futures[future]
                yield target, _result(future, path, target)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            yield from _finish_running(futures)  # workers ignore Ctrl-C: let them end whole
            raise


def _finish_running(
    futures: dict[Future[Outcome], tuple[Path, Path]],
) -> Iterator[tuple[Path, Outcome]]:
    """The outcomes of the builds still running when the batch was stopped, as they end."""
    for future, (path, target) in futures.items():
        if not future.cancelled():
            try:
                yield target, _result(future, path, target)
            except BaseException:  # a build that failed wrote nothing
                continue


def _context() -> BaseContext:
    """How to start workers.

    ``fork`` on Linux before Python 3.12, where it is the default: workers start
    with this process's imports, a second less per batch. ``spawn`` elsewhere: safe
    with threads, and the same on every platform.
    """
    if sys.platform == "linux" and sys.version_info < (3, 12):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _result(future: Future[Outcome], path: Path, target: Path) -> Outcome:
    try:
        return future.result()
    except BrokenProcessPool:
        return Outcome(path, target.name, error=f"{path.name}: its worker process died")


#: The toolkit of a worker process, loaded once by :func:`_start_worker`; never set in the
#: parent. An error loading it is kept and raised by every task.
_worker_toolkit: Toolkit | ProjectmapError | None = None


def _start_worker(options: BuildOptions) -> None:
    global _worker_toolkit
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        toolkit = Toolkit.load(options)
        toolkit.detector  # noqa: B018 - build the tokenizer now, once
        _worker_toolkit = toolkit
    except ProjectmapError as exc:
        _worker_toolkit = exc


def _build_in_worker(path: Path, target: Path, options: BuildOptions) -> Outcome:
    if not isinstance(_worker_toolkit, Toolkit):
        raise _worker_toolkit or RuntimeError("worker started without its toolkit")
    return build_one(path, target, options=options, toolkit=_worker_toolkit)
