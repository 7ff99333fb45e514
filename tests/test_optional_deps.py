"""Optional packages: without them, the one feature that needs them says how to get it."""

import sys

import pytest

from projectmap.curate.osm import read_osm_file
from projectmap.errors import GazetteerError


def test_an_osm_file_without_pyosmium_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "osmium", None)  # import osmium now raises ImportError
    path = tmp_path / "area.osm.pbf"
    path.write_bytes(b"")
    with pytest.raises(GazetteerError, match=r"pip install 'projectmap\[osm\]'") as caught:
        read_osm_file(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)
