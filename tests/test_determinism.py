"""Determinism: the same report gives the same bytes, whoever builds it and from where.

Two ``python -m projectmap build`` runs from different working folders, with
different hash seeds (so that set and dict order cannot leak into the output),
must write byte-identical data files that carry no path of the machine.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GAZETTEER, SAMPLE

PYTHON = sys.executable
DATA_FILES = (
    "projects.geojson",
    "places.geojson",
    "projects.csv",
    "unresolved.csv",
    "projects.gpkg",
)


def _build_in(cwd: Path, seed: str) -> Path:
    cwd.mkdir(parents=True)
    env = {**os.environ, "PYTHONHASHSEED": seed}
    argv = [PYTHON, "-m", "projectmap", "build", str(SAMPLE), "--gazetteer", str(GAZETTEER)]
    subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True)
    return cwd / "outputs" / SAMPLE.stem


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("determinism")
    return _build_in(root / "first", "0"), _build_in(root / "second" / "deeper", "4242")


@pytest.mark.parametrize("name", DATA_FILES)
def test_two_builds_in_different_folders_give_the_same_bytes(two_builds, name):
    first, second = two_builds
    assert (first / name).read_bytes() == (second / name).read_bytes()


@pytest.mark.parametrize("name", [*DATA_FILES, "map.html"])
def test_outputs_carry_no_local_paths(two_builds, name):
    first, _second = two_builds
    data = (first / name).read_bytes()
    roots = {first.parents[2], Path.cwd(), Path.home(), Path(__file__).parents[1], Path("/work")}
    for root in roots:
        for form in (str(root), root.as_posix(), str(root).replace("/", "\\/")):
            assert form.encode() not in data, f"{name} holds {form}"


def test_ids_derive_from_content(two_builds):
    """Project ids are hashes of the names, not counters or uuids."""
    first, _second = two_builds
    text = (first / "projects.csv").read_text(encoding="utf-8-sig")
    ids = [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]]
    assert ids and all(i.startswith("p-") and len(i) == 14 for i in ids)
    assert len(set(ids)) == len(ids)


def test_a_report_is_built_the_same_whatever_was_built_before(tmp_path):
    """A toolkit that built a report of another area first gives the same result.

    Building a 黄州区 report adds China's skeleton of 黄州 to what the toolkit knows;
    a 阳新县 report built after it must not find 黄冈's names through that skeleton.
    """
    from projectmap.pipeline import BuildOptions, Toolkit, build

    texts = Path(__file__).parent / "data" / "dev" / "texts"
    options = BuildOptions(gazetteer=GAZETTEER)
    fresh = build(texts / "hs-yangxin-xingang-2020.txt", toolkit=Toolkit.load(options))
    used = Toolkit.load(options)
    for other in ("hb-huanggang-urbanrenewal.txt", "cn-hailaer-2016.txt"):
        build(texts / other, toolkit=used)
    after = build(texts / "hs-yangxin-xingang-2020.txt", toolkit=used)
    assert after.located_places == fresh.located_places
    assert after.located_projects == fresh.located_projects
