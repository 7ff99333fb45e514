"""Durable outputs: every file of a build is on disk before the rename that commits it.

``os.fsync`` and ``os.replace`` are recorded in order (a file descriptor is named by
the path it was opened at); a rename must come after the syncs of what it moves.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import GAZETTEER, SAMPLE
from projectmap.files import outdir as _outdir
from projectmap.files import safe as _safe
from projectmap.pipeline import BuildOptions, build_to_folder


@pytest.fixture
def events(monkeypatch) -> list[tuple[str, Path]]:
    """``("sync", path)`` and ``("rename", source)``, in the order they happen."""
    done: list[tuple[str, Path]] = []
    opened: dict[int, Path] = {}
    real_open, real_fsync, real_replace = os.open, os.fsync, os.replace

    def recording_open(path, *args, **kwargs):
        fd = real_open(path, *args, **kwargs)
        opened[fd] = Path(path)
        return fd

    def recording_fsync(fd):
        done.append(("sync", opened.get(fd, Path("?"))))
        real_fsync(fd)

    def recording_replace(source, target):
        done.append(("rename", Path(source)))
        real_replace(source, target)

    for module in (_safe.os, _outdir.os):
        monkeypatch.setattr(module, "open", recording_open)
        monkeypatch.setattr(module, "fsync", recording_fsync)
        monkeypatch.setattr(module, "replace", recording_replace)
    return done


@pytest.mark.parametrize("earlier", [False, True], ids=["new folder", "rebuilt folder"])
def test_every_file_and_the_stage_are_synced_before_the_commit(earlier, events, tmp_path, toolkit):
    out = tmp_path / "out"
    options = BuildOptions(gazetteer=GAZETTEER)
    if earlier:
        build_to_folder(SAMPLE, out, options=options, toolkit=toolkit)
        events.clear()
    build_to_folder(SAMPLE, out, options=options, toolkit=toolkit)
    commit = next(
        i
        for i, (kind, path) in enumerate(events)
        if kind == "rename" and path.name.startswith(".out.stage-")
    )
    stage = events[commit][1]
    renamed = {p for kind, p in events[:commit] if kind == "rename" and p.parent == stage}
    synced = {p for kind, p in events[:commit] if kind == "sync"}
    assert len(renamed) == len(list(out.iterdir())) == 7  # each file, the GeoPackage too
    assert renamed <= synced, "a file was renamed into the stage before it was on disk"
    assert stage in synced, "the stage's entries were not synced before it was committed"
    assert ("sync", tmp_path) in events[commit:], "the commit's rename was not synced"
