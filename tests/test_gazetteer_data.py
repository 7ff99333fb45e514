"""The shipped gazetteer, checked as data: it loads, passes check, and covers the sample."""

import json

import pytest

from conftest import DATA, GAZETTEER
from projectmap.curate.check import check_gazetteer
from projectmap.places.gazetteer import load_gazetteer, read_entries

GOLD = json.loads((DATA / "eval" / "seed-gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer(GAZETTEER)


def test_check_passes_on_the_shipped_gazetteer():
    errors = [p for p in check_gazetteer(GAZETTEER) if p.level == "error"]
    assert errors == []


@pytest.mark.parametrize("path", sorted(GAZETTEER.rglob("*.geojson")), ids=lambda p: p.name)
def test_files_are_sorted_one_entry_per_line_with_sources(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    entries = read_entries(path)
    assert len(lines) == len(entries) + 2
    assert [e.id for e in entries] == sorted(e.id for e in entries)
    for entry in entries:
        assert entry.source and entry.licence and entry.source_crs
        if entry.geometry is not None:
            assert entry.source_crs in {"WGS-84", "CGCS2000"}


@pytest.mark.parametrize("name", GOLD["places"])
def test_every_sample_place_is_known_with_a_parent(gazetteer, name):
    found = gazetteer.lookup(name) or gazetteer.lookup(name.removesuffix("西"))
    assert found, f"{name} is not in the gazetteer"
    assert all(gazetteer.located(e.id) is not None for e in found)
    assert all(e.parent in gazetteer for e in found)


def test_district_skeleton():
    gazetteer = load_gazetteer(GAZETTEER)
    townships = [e for e in gazetteer.values() if e.parent == "420204" and e.type == "township"]
    assert len(townships) == 5
    communities = [
        e for e in gazetteer.values() if e.type == "community" and e.id.startswith("420204/")
    ]
    assert len(communities) == 38
    assert gazetteer["420204"].geometry is not None and gazetteer["420200"].geometry is not None
