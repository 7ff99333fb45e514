"""Only what projectmap wrote is ever replaced: records, foreign files, inputs, locks, kills.

Each output folder's record (``report.json``, ``compare.json``) lists the files the
tool wrote; everything else in the folder is the user's and stays byte for byte.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import GAZETTEER, SAMPLE
from projectmap._outdir import folder_lock, owned_files, staged_folder, tidy_leftovers
from projectmap.cli import main
from projectmap.errors import OutputError
from projectmap.pipeline import BuildOptions, build_to_folder

PYTHON = sys.executable
BUILT = ["map.html", "places.geojson", "projects.csv", "projects.geojson", "projects.gpkg",
         "report.json", "unresolved.csv"]  # fmt: skip
#: Files of the user's that sit in the output folder: they must come out byte for byte.
UNRELATED = {"notes.txt": b"my notes", ".bashrc": b"alias ll='ls -l'", "photo.jpg": b"\xff\xd8"}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def put(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def cli(argv: list[str], capsys) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def build(report: Path, out: Path, capsys, *more: str) -> tuple[int, str, str]:
    return cli(["build", str(report), "--gazetteer", str(GAZETTEER), "-o", str(out), *more], capsys)


def one_error(status: int, err: str) -> str:
    assert status == 1 and "Traceback" not in err, err
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("projectmap: error: "), err
    return lines[0]


# --- the record ----------------------------------------------------------------------------


def test_report_json_lists_exactly_the_files_the_build_wrote(tmp_path, capsys):
    out = tmp_path / "out"
    assert build(SAMPLE, out, capsys)[0] == 0
    assert owned_files(out, "report.json") == frozenset(BUILT)
    assert sorted(p.name for p in out.iterdir()) == BUILT


def test_build_o_twice_into_a_folder_of_unrelated_files_keeps_them(tmp_path, capsys):
    """``build -o ~`` twice: the second build replaces only what the first wrote."""
    home = put(tmp_path / "home", UNRELATED)
    (home / "Documents").mkdir()
    (home / "Documents" / "thesis.docx").write_bytes(b"PK my thesis")
    for _ in range(2):
        status, _out, err = build(SAMPLE, home, capsys)
        assert status == 0, err
        assert {n: snapshot(home)[n] for n in UNRELATED} == UNRELATED
        assert (home / "Documents" / "thesis.docx").read_bytes() == b"PK my thesis"
        assert sorted(set(snapshot(home)) - set(UNRELATED)) == BUILT
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert [p.name for p in home.iterdir() if p.name.startswith(".projectmap")] == []


@pytest.mark.parametrize("name", ["projects.csv", "map.html", "report.json", "projects.gpkg"])
def test_a_first_build_never_overwrites_the_users_file_of_an_output_name(name, tmp_path, capsys):
    out = put(tmp_path / "out", {name: b"the user's own file", **UNRELATED})
    before = snapshot(out)
    line = one_error(*build(SAMPLE, out, capsys)[::2])
    assert line == (
        f"projectmap: error: {out / name}: is not a file projectmap wrote (its report.json does "
        "not list it); move it away, or pass another --output"
    )
    assert snapshot(out) == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".bashrc"]


def test_a_record_that_lists_others_files_gets_none_of_them_removed(tmp_path, capsys):
    """A hand-edited record cannot make projectmap delete a file it could never have written."""
    out = tmp_path / "out"
    assert build(SAMPLE, out, capsys)[0] == 0
    put(out, UNRELATED)
    record = json.loads((out / "report.json").read_text(encoding="utf-8"))
    record["files"] += ["notes.txt", "../outside.txt", "photo.jpg"]
    (out / "report.json").write_text(json.dumps(record), encoding="utf-8")
    (tmp_path / "outside.txt").write_text("keep", encoding="utf-8")
    assert build(SAMPLE, out, capsys)[0] == 0
    assert {n: snapshot(out)[n] for n in UNRELATED} == UNRELATED
    assert (tmp_path / "outside.txt").read_text(encoding="utf-8") == "keep"


def test_an_output_dropped_by_the_new_build_is_removed_but_nothing_else(tmp_path):
    out = put(tmp_path / "out", UNRELATED)
    with staged_folder(out) as stage:
        put(
            stage,
            {"compare.csv": b"old", "report.json": b'{"files":["compare.csv","report.json"]}'},
        )
    with staged_folder(out) as stage:
        put(
            stage,
            {"projects.csv": b"new", "report.json": b'{"files":["projects.csv","report.json"]}'},
        )
    assert sorted(snapshot(out)) == sorted([*UNRELATED, "projects.csv", "report.json"])


def test_a_report_named_map_html_built_into_its_own_folder_is_kept(tmp_path, capsys):
    folder = tmp_path / "reports"
    folder.mkdir()
    report = folder / "map.html"
    report.write_bytes(SAMPLE.read_bytes())
    line = one_error(*build(report, folder, capsys)[::2])
    assert line.endswith(f"{report}: is an input of this build and would be overwritten; "
                         "pass another --output")  # fmt: skip
    assert report.read_bytes() == SAMPLE.read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == ["map.html"]


def test_a_batch_into_its_input_folder_keeps_an_input_called_index_html(tmp_path, capsys):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.txt").write_bytes(SAMPLE.read_bytes())
    (folder / "index.html").write_bytes(SAMPLE.read_bytes())
    status, _out, err = cli(["build", str(folder), "--gazetteer", str(GAZETTEER), "-o",
                             str(folder)], capsys)  # fmt: skip
    assert one_error(status, err).endswith(
        f"{folder / 'index.html'}: is one of the reports of this batch and would be overwritten; "
        "pass another --output"
    )
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt", "index.html"]
    assert (folder / "index.html").read_bytes() == SAMPLE.read_bytes()


def test_a_batch_never_overwrites_an_index_html_it_did_not_write(tmp_path, capsys):
    out = put(tmp_path / "out", {"index.html": b"<html>my own page</html>"})
    status, _out, err = cli(["build", str(SAMPLE), str(SAMPLE), "--gazetteer", str(GAZETTEER),
                             "-o", str(out)], capsys)  # fmt: skip
    assert one_error(status, err).endswith("is not an index page projectmap wrote; "
                                           "move it away, or pass another --output")  # fmt: skip
    assert snapshot(out) == {"index.html": b"<html>my own page</html>"}


def test_compare_writes_a_record_and_keeps_others_files(tmp_path, capsys, toolkit):
    old, new = tmp_path / "old", tmp_path / "new"
    for folder in (old, new):
        build_to_folder(SAMPLE, folder, options=BuildOptions(gazetteer=GAZETTEER), toolkit=toolkit)
    out = put(tmp_path / "cmp", UNRELATED)
    for _ in range(2):
        status, _out, err = cli(["compare", str(old), str(new), "-o", str(out)], capsys)
        assert status == 0, err
    assert owned_files(out, "compare.json") == {"compare.csv", "compare.geojson", "map.html",
                                                 "compare.json"}  # fmt: skip
    assert {n: snapshot(out)[n] for n in UNRELATED} == UNRELATED
    status, _out, err = cli(["compare", str(old), str(new), "-o", str(old)], capsys)
    assert "map.html: is not a file projectmap wrote (its compare.json does not list it)" in (
        one_error(status, err)
    )


# --- two builds at once --------------------------------------------------------------------

HOLD_LOCK = """
import sys, time
from pathlib import Path
from projectmap._outdir import folder_lock
with folder_lock(Path(sys.argv[1]).absolute()):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_build_into_a_folder_being_written_fails_cleanly(tmp_path, capsys):
    out = tmp_path / "out"
    assert build(SAMPLE, out, capsys)[0] == 0
    put(out, UNRELATED)
    before = snapshot(out)
    holder = subprocess.Popen([PYTHON, "-c", HOLD_LOCK, str(out)], stdout=subprocess.PIPE,
                              text=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        line = one_error(*build(SAMPLE, out, capsys)[::2])
        assert line == (f"projectmap: error: {out}: another projectmap build is writing it right "
                        "now; wait for it to finish, or pass another --output")  # fmt: skip
        assert snapshot(out) == before
    finally:
        holder.kill()
        holder.communicate()
    assert build(SAMPLE, out, capsys)[0] == 0  # the lock died with its holder


def test_the_lock_is_released_and_removed(tmp_path):
    target = tmp_path / "out"
    with folder_lock(target):
        assert (tmp_path / ".out.lock").exists()
        with pytest.raises(OutputError, match="another projectmap build is writing it"):
            _second_holder(target)
    assert list(tmp_path.iterdir()) == []


def _second_holder(target: Path) -> None:
    """Take the lock from another process (flock is per open file, so a fork would share it)."""
    done = subprocess.run([PYTHON, "-c", HOLD_LOCK.replace("time.sleep(60)", ""), str(target)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode:
        raise OutputError(done.stderr.strip().splitlines()[-1])


# --- kills ---------------------------------------------------------------------------------

#: Writes one generation of every output file through staged_folder, slowly (each rename
#: of the commit waits a little), so that a kill can land anywhere in it.
WRITER = textwrap.dedent(
    """
    import json, os, sys, time
    from pathlib import Path
    from projectmap import _outdir

    real = os.replace
    def slow(src, dst):
        time.sleep(0.004)
        real(src, dst)
    _outdir.os.replace = slow
    target, generation = Path(sys.argv[1]), sys.argv[2]
    names = json.loads(sys.argv[3])
    with _outdir.staged_folder(target) as stage:
        for name in names:
            (stage / name).write_text(generation, encoding="utf-8")
            time.sleep(0.002)
        (stage / "report.json").write_text(
            json.dumps({"generation": generation, "files": [*names, "report.json"]}),
            encoding="utf-8",
        )
    """
)
NAMES = [n for n in BUILT if n != "report.json"]


def _generation(folder: Path) -> str:
    """The one generation every output file of ``folder`` belongs to; fails on a mixture."""
    record = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    seen = {(folder / n).read_text(encoding="utf-8") for n in NAMES}
    assert seen == {record["generation"]}, f"a mixture: {seen} with {record['generation']}"
    assert sorted(set(snapshot(folder)) - set(UNRELATED)) == sorted([*NAMES, "report.json"])
    return str(record["generation"])


def _write(target: Path, generation: str) -> subprocess.Popen:
    return subprocess.Popen([PYTHON, "-c", WRITER, str(target), generation, json.dumps(NAMES)],
                            stderr=subprocess.PIPE)  # fmt: skip


def _staging(target: Path) -> bool:
    """Whether a staging folder of ``target`` exists (beside it, or inside it)."""
    beside = any(target.parent.glob(f".{target.name}.stage-*"))
    return beside or (target.is_dir() and any(target.glob(".projectmap.stage-*")))


def _until_staging(writer: subprocess.Popen, target: Path) -> float:
    """Wait until the writer has made its staging folder; the time it took."""
    start = time.monotonic()
    while not _staging(target) and writer.poll() is None:
        if time.monotonic() - start > 30:
            pytest.fail("the writer never started writing")
        time.sleep(0.001)
    return time.monotonic() - start


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("shared", [False, True], ids=["output-only", "with-unrelated-files"])
def test_twenty_random_kills_never_leave_a_mixture(shared, tmp_path):
    """SIGKILL at a random moment of 20 builds into a folder holding an earlier output.

    A folder holding only outputs is swapped whole: right after the kill it is the old
    output, the new one, or (moved aside) absent until the next build puts it back. A
    folder holding other files too is merged by a journal that the next build finishes,
    so from then on it is one build's output. The user's files never change.
    """
    target = tmp_path / "out"
    if shared:
        put(target, UNRELATED)
    first = _write(target, "g0")
    _until_staging(first, target)
    started = time.monotonic()
    _out, err = first.communicate(timeout=30)
    assert first.returncode == 0, err
    writing = time.monotonic() - started  # from its staging folder to its end
    rng = random.Random(13)
    current = "g0"
    for round_ in range(1, 21):
        writer = _write(target, f"g{round_}")
        _until_staging(writer, target)
        time.sleep(rng.uniform(0, 1.1 * writing))  # anywhere in writing and committing
        writer.send_signal(signal.SIGKILL)
        writer.communicate(timeout=30)
        if not shared and target.exists():
            assert _generation(target) in {current, f"g{round_}"}
        with folder_lock(target):
            tidy_leftovers(target)  # what the next build does first
        found = _generation(target)
        assert found in {current, f"g{round_}"}
        current = found
        if shared:
            assert {n: snapshot(target)[n] for n in UNRELATED} == UNRELATED
    assert current != "g0", "no kill landed after a commit: the test is not probing the commit"


# --- interrupts and folders whose parent cannot be written ---------------------------------


def test_ctrl_c_during_the_commit_is_held_and_then_says_the_folder_was_written(tmp_path, capsys):
    """The commit is never cut halfway by Ctrl-C; the message after it tells the truth."""
    from projectmap import _outdir

    out = put(tmp_path / "out", UNRELATED)
    real = _outdir._roll_forward

    def interrupted(stage, target):
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C lands in the middle of the commit
        real(stage, target)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_outdir, "_roll_forward", interrupted)
        status, _stdout, err = build(SAMPLE, out, capsys)
    assert status == 130 and "Traceback" not in err
    assert err == f"projectmap: interrupted; {out} was written whole before it stopped\n"
    assert sorted(set(snapshot(out)) - set(UNRELATED)) == BUILT


def test_a_folder_whose_parent_cannot_be_written_is_merged_from_inside(tmp_path, monkeypatch):
    """``-o ~`` where ``/home`` is root's: the lock and the staging folder live inside ~."""
    from projectmap import _outdir

    home = put(tmp_path / "home", UNRELATED)
    real_open, real_mkdtemp = _outdir.os.open, _outdir.tempfile.mkdtemp

    def no_parent_open(path, *args, **kwargs):
        if Path(path).parent == tmp_path:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    def no_parent_mkdtemp(*args, dir=None, **kwargs):
        if Path(dir) == tmp_path:
            raise PermissionError(13, "Permission denied", str(dir))
        return real_mkdtemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(_outdir.os, "open", no_parent_open)
    monkeypatch.setattr(_outdir.tempfile, "mkdtemp", no_parent_mkdtemp)
    record = b'{"files":["projects.csv","report.json"]}'
    for generation in (b"one", b"two"):
        with staged_folder(home) as stage:
            put(stage, {"projects.csv": generation, "report.json": record})
        assert snapshot(home) == {**UNRELATED, "projects.csv": generation, "report.json": record}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


def test_an_output_of_a_version_before_records_is_rebuilt(tmp_path, capsys):
    """A folder of nothing but projectmap's file names, projects.geojson among them."""
    names = ("projects.geojson", "projects.csv", "places.geojson", "unresolved.csv")
    out = put(tmp_path / "out", dict.fromkeys(names, b"old"))
    assert build(SAMPLE, out, capsys)[0] == 0
    assert sorted(snapshot(out)) == BUILT and snapshot(out)["projects.csv"] != b"old"


@pytest.mark.parametrize("extra", ["notes.txt", "compare.json"])
def test_a_folder_with_anything_else_is_not_taken_for_an_old_output(extra, tmp_path, capsys):
    out = put(tmp_path / "out", {"projects.geojson": b"mine", "projects.csv": b"mine",
                                 extra: b"mine"})  # fmt: skip
    before = snapshot(out)
    line = one_error(*build(SAMPLE, out, capsys)[::2])
    assert "projects.csv: is not a file projectmap wrote" in line
    assert snapshot(out) == before


def test_an_output_folder_given_as_a_symlink_stays_a_symlink(tmp_path, capsys):
    real = put(tmp_path / "real", UNRELATED)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    for _ in range(2):
        assert build(SAMPLE, link, capsys)[0] == 0
    assert link.is_symlink() and link.resolve() == real
    assert sorted(set(snapshot(real)) - set(UNRELATED)) == BUILT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


def test_two_real_builds_at_once_one_wins_whole_and_the_other_fails_cleanly(tmp_path):
    """Two ``projectmap build`` processes into one folder of the user's, started together."""
    out = put(tmp_path / "shared", UNRELATED)
    argv = [PYTHON, "-m", "projectmap", "build", str(SAMPLE), "--gazetteer", str(GAZETTEER),
            "-o", str(out)]  # fmt: skip
    processes = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]  # fmt: skip
    outputs = [p.communicate(timeout=300) for p in processes]
    results = [(p.returncode, *output) for p, output in zip(processes, outputs, strict=True)]
    for status, _stdout, err in results:
        assert "Traceback" not in err
        assert status == 0 or err == (f"projectmap: error: {out}: another projectmap build is "
                                      "writing it right now; wait for it to finish, or pass "
                                      "another --output\n"), err  # fmt: skip
    assert any(status == 0 for status, _o, _e in results)
    record = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert sorted(set(snapshot(out)) - set(UNRELATED)) == record["files"] == BUILT
    assert {n: snapshot(out)[n] for n in UNRELATED} == UNRELATED
    assert [p.name for p in tmp_path.iterdir()] == ["shared"]


# --- kills during real builds --------------------------------------------------------------


def _normalised(folder: Path) -> dict[str, bytes]:
    """A build folder's outputs, the map's random element ids made equal."""
    import re

    files = {n: (folder / n).read_bytes() for n in BUILT if (folder / n).exists()}
    if "map.html" in files:
        files["map.html"] = re.sub(rb"[0-9a-f]{32}", b"ID", files["map.html"])
    return files


def _forked_build(report: Path, out: Path, toolkit) -> int:
    """Build ``report`` into ``out`` in a forked child (the toolkit already loaded); its pid."""
    pid = os.fork()
    if pid == 0:  # the child: build, and never return into pytest
        code = 1
        try:
            build_to_folder(report, out, options=BuildOptions(gazetteer=GAZETTEER),
                            toolkit=toolkit)  # fmt: skip
            code = 0
        finally:
            os._exit(code)
    return pid


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_twenty_random_sigkills_during_real_builds_never_leave_a_mixture(tmp_path, toolkit):
    """Real builds of two different reports, each killed at a random moment, into a folder
    that holds the other one's output and files of the user's: after each kill (and the
    tidying the next build does first) the folder is one whole build and the user's files."""
    reports = [tmp_path / "a.txt", tmp_path / "b.txt"]
    text = SAMPLE.read_text(encoding="utf-8")
    reports[0].write_text(text, encoding="utf-8")
    reports[1].write_text(text[: len(text) * 2 // 3], encoding="utf-8")
    # load once, here, what a build loads on first use, so that each child only builds
    build_to_folder(reports[1], tmp_path / "warm", options=BuildOptions(gazetteer=GAZETTEER),
                    toolkit=toolkit)  # fmt: skip
    whole = []
    for n, report in enumerate(reports):
        reference = tmp_path / f"reference-{n}"
        _, status = os.waitpid(_forked_build(report, reference, toolkit), 0)
        assert status == 0
        whole.append(_normalised(reference))
    assert whole[0]["projects.geojson"] != whole[1]["projects.geojson"]
    out = put(tmp_path / "out", UNRELATED)
    start = time.monotonic()
    _, status = os.waitpid(_forked_build(reports[0], out, toolkit), 0)
    duration = time.monotonic() - start
    assert status == 0
    rng = random.Random(20)
    fates, current = [], 0
    for round_ in range(20):
        other = 1 - current  # build the report the folder does not hold
        pid = _forked_build(reports[other], out, toolkit)
        time.sleep(rng.uniform(0, duration))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with folder_lock(out):
            tidy_leftovers(out)
        assert _normalised(out) in whole, f"round {round_}: a mixture"
        assert {n: snapshot(out)[n] for n in UNRELATED} == UNRELATED
        current = whole.index(_normalised(out))
        fates.append(current == other)
    assert True in fates and False in fates, "kills must land both before and after commits"
