"""Atomic outputs: a build stopped at any point leaves the earlier folder byte for byte, or none.

The earlier output here is the hand-made conftest result, so that any file of the
new build that slipped into the folder would show as a changed byte.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import projectmap.output.export
import projectmap.output.map.render
import projectmap.pipeline
from conftest import GAZETTEER, SAMPLE, build_sample_result
from projectmap.cli import main
from projectmap.errors import OutputError
from projectmap.files import outdir as _outdir
from projectmap.files import safe as _files
from projectmap.files.outdir import staged_folder, tidy_leftovers
from projectmap.files.safe import write_text_atomic
from projectmap.output.export import write_data
from projectmap.pipeline import BuildOptions, build_to_folder

PYTHON = sys.executable


def snapshot(folder: Path) -> dict[str, bytes]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def write_record(folder: Path) -> None:
    """A ``report.json`` listing every file of ``folder`` (and itself), as a build writes it."""
    files = sorted({p.name for p in folder.iterdir()} | {"report.json"})
    (folder / "report.json").write_text(json.dumps({"files": files}), encoding="utf-8")


@pytest.fixture
def earlier(tmp_path) -> Path:
    folder = tmp_path / "out"
    write_data(build_sample_result(), folder)
    (folder / "map.html").write_text("<!doctype html><title>old</title>", encoding="utf-8")
    write_record(folder)
    return folder


def _raise(error: BaseException):
    def boom(*_args, **_kwargs):
        raise error

    return boom


def _after(real, error: BaseException):
    """``real``, then ``error``: the interruption comes once that step's file is written."""

    def step(*args, **kwargs):
        real(*args, **kwargs)
        raise error

    return step


def _fail_swap(real_replace):
    def replace(src, dst, *args, **kwargs):
        if ".stage-" in Path(src).name:  # the staging folder itself, not a file in it
            raise OSError(28, "No space left on device")
        return real_replace(src, dst, *args, **kwargs)

    return replace


#: Where a build is stopped: (module, attribute, replacement maker).
STOPS = {
    "while writing the CSV": (projectmap.output.export, "projects_csv", lambda e: _raise(e)),
    "after the GeoPackage": (
        projectmap.output.export,
        "write_geopackage",
        lambda e: _after(projectmap.output.export.write_geopackage, e),
    ),
    "while drawing the map page": (projectmap.output.map.render, "map_html", lambda e: _raise(e)),
    "after map.html": (
        projectmap.pipeline,
        "write_text_atomic",
        lambda e: _after(write_text_atomic, e),
    ),
}
ERRORS = {"KeyboardInterrupt": KeyboardInterrupt, "RuntimeError": RuntimeError}


def _build(out: Path, toolkit) -> None:
    build_to_folder(SAMPLE, out, options=BuildOptions(gazetteer=GAZETTEER), toolkit=toolkit)


@pytest.mark.parametrize("error", ERRORS)
@pytest.mark.parametrize("stop", STOPS)
def test_an_interrupted_build_leaves_the_earlier_output(stop, error, earlier, toolkit, monkeypatch):
    module, name, make = STOPS[stop]
    before = snapshot(earlier)
    monkeypatch.setattr(module, name, make(ERRORS[error]("stop")))
    with pytest.raises(ERRORS[error]):
        _build(earlier, toolkit)
    assert snapshot(earlier) == before
    assert hidden(earlier.parent) == []


@pytest.mark.parametrize("stop", STOPS)
def test_an_interrupted_first_build_leaves_nothing(stop, tmp_path, toolkit, monkeypatch):
    module, name, make = STOPS[stop]
    monkeypatch.setattr(module, name, make(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        _build(tmp_path / "out", toolkit)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_swap_puts_the_earlier_output_back(earlier, toolkit, monkeypatch):
    before = snapshot(earlier)
    monkeypatch.setattr(_outdir.os, "replace", _fail_swap(os.replace))
    with pytest.raises(OutputError, match=r"/out: cannot be written \(No space left"):
        _build(earlier, toolkit)
    assert snapshot(earlier) == before
    assert hidden(earlier.parent) == []


def test_ctrl_c_in_the_cli_says_the_outputs_are_untouched(earlier, monkeypatch, capsys):
    before = snapshot(earlier)
    monkeypatch.setattr(projectmap.output.export, "write_geopackage", _raise(KeyboardInterrupt()))
    argv = ["build", str(SAMPLE), "--gazetteer", str(GAZETTEER), "-o", str(earlier)]
    assert main(argv) == 130
    assert capsys.readouterr().err.strip().endswith("interrupted; outputs left as they were")
    assert snapshot(earlier) == before


# --- a real SIGKILL ------------------------------------------------------------------------

#: Loaded by ``python -m projectmap`` through PYTHONPATH: the build sleeps once its
#: GeoPackage is written, so the kill lands halfway through the staging folder.
SLOW_HOOK = """
import time
import projectmap.output.export as export

_write = export.write_geopackage


def _slow(result, path):
    _write(result, path)
    time.sleep(120)


export.write_geopackage = _slow
"""


def _stage_with_files(parent: Path, name: str) -> Path | None:
    for stage in parent.glob(f".{name}.stage-*"):
        if (stage / "projects.gpkg").is_file():
            return stage
    return None


def _start_slow_build(out: Path, hook: Path) -> tuple[subprocess.Popen, Path]:
    """Start ``python -m projectmap build`` and wait until it is halfway through writing."""
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SLOW_HOOK, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(hook)}
    argv = [PYTHON, "-m", "projectmap", "build", str(SAMPLE), "--gazetteer", str(GAZETTEER)]
    process = subprocess.Popen(
        [*argv, "-o", str(out)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while (stage := _stage_with_files(out.parent, out.name)) is None:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the build never started writing: {process.communicate()}")
        time.sleep(0.02)
    assert (stage / "projects.geojson").is_file()  # halfway: data written, no map yet
    assert not (stage / "map.html").exists()
    return process, stage


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_build_killed_halfway_leaves_the_earlier_output(earlier, tmp_path, toolkit):
    before = snapshot(earlier)
    process, stage = _start_slow_build(earlier, tmp_path / "hook")
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL
    assert snapshot(earlier) == before
    # a kill cannot clean up after itself: its staging folder and its (released) lock stay
    assert hidden(earlier.parent) == sorted([stage.name, ".out.lock"])

    _build(earlier, toolkit)  # the next build tidies the dead one's staging folder
    assert hidden(earlier.parent) == []
    assert (earlier / "projects.gpkg").is_file() and snapshot(earlier) != before


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM"])
def test_ctrl_c_halfway_leaves_the_earlier_output_and_no_leftovers(stop, earlier, tmp_path):
    """Ctrl-C, and SIGTERM (a `kill`, a service manager) alike: staging folder removed."""
    before = snapshot(earlier)
    process, _stage = _start_slow_build(earlier, tmp_path / "hook")
    process.send_signal(getattr(signal, stop))
    _stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "projectmap: interrupted; outputs left as they were"
    assert "Traceback" not in stderr
    assert snapshot(earlier) == before
    assert hidden(earlier.parent) == []


# --- leftovers of killed builds ------------------------------------------------------------


@pytest.fixture(scope="module")
def dead_pid() -> int:
    """The id of a process that has exited."""
    done = subprocess.run(
        [PYTHON, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    return int(done.stdout)


def test_a_folder_moved_aside_by_a_killed_build_is_put_back(earlier, dead_pid):
    """Killed between moving the old folder aside and moving the new one in."""
    before = snapshot(earlier)
    aside = earlier.with_name(f".out.old-{dead_pid}")
    earlier.rename(aside)
    tidy_leftovers(earlier)
    assert snapshot(earlier) == before
    assert hidden(earlier.parent) == []


def test_leftovers_of_running_builds_and_other_folders_are_kept(tmp_path, dead_pid):
    target = tmp_path / "out"
    alive = tmp_path / f".out.stage-{os.getppid()}-abc"
    dead = tmp_path / f".out.stage-{dead_pid}-abc"
    other = tmp_path / f".outer.stage-{dead_pid}-abc"
    for folder in (alive, dead, other):
        folder.mkdir()
    tidy_leftovers(target)
    assert hidden(tmp_path) == sorted([alive.name, other.name])


def test_a_stale_stage_does_not_break_the_next_build(tmp_path, dead_pid):
    stale = tmp_path / f".out.stage-{dead_pid}-xyz"
    stale.mkdir()
    (stale / "projects.geojson").write_text("half", encoding="utf-8")
    with staged_folder(tmp_path / "out") as stage:
        (stage / "projects.geojson").write_text("{}", encoding="utf-8")
    assert (tmp_path / "out" / "projects.geojson").read_text(encoding="utf-8") == "{}"
    assert hidden(tmp_path) == []


# --- what a build may replace --------------------------------------------------------------


def test_a_folder_that_is_not_an_output_is_never_replaced(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("keep me", encoding="utf-8")
    (notes / ".log").write_text("a log the caller keeps", encoding="utf-8")
    with staged_folder(notes) as stage:
        (stage / "projects.geojson").write_text("{}", encoding="utf-8")
    assert (notes / "todo.txt").read_text(encoding="utf-8") == "keep me"
    assert (notes / ".log").read_text(encoding="utf-8") == "a log the caller keeps"
    assert (notes / "projects.geojson").read_text(encoding="utf-8") == "{}"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_nothing_lands_in_a_foreign_folder_when_the_build_fails(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(RuntimeError), staged_folder(notes) as stage:
        (stage / "projects.geojson").write_text("{}", encoding="utf-8")
        raise RuntimeError("halfway")
    assert sorted(p.name for p in notes.iterdir()) == ["todo.txt"]


def test_a_file_is_never_replaced_by_a_folder(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputError, match="is a file"), staged_folder(path):
        pytest.fail("must not get here")
    assert path.read_text(encoding="utf-8") == "keep me"


def test_an_output_folder_that_cannot_be_made_is_a_clean_error(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    argv = ["build", str(SAMPLE), "--gazetteer", str(GAZETTEER), "-o", str(blocker / "out")]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("projectmap: error: ") and err.count("\n") == 1
    assert "a-file/out: cannot be written" in err and "Traceback" not in err


def test_a_write_error_becomes_an_output_error(tmp_path, monkeypatch):
    monkeypatch.setattr(_files.os, "fsync", _raise(OSError(28, "No space left on device")))
    with pytest.raises(OutputError, match=r"x\.txt: cannot be written \(No space left"):
        write_text_atomic(tmp_path / "x.txt", "text")
    assert list(tmp_path.iterdir()) == []
