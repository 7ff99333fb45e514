"""Fuzz the readers at the edges with random JSON shapes: a clean error, never a crash.

The gazetteer reader and the compare reader get any JSON Hypothesis can build,
shaped like their files (a FeatureCollection whose features and fields are
anything) or not at all; each run is 500 examples from a fixed seed.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projectmap._compare_read import read_features
from projectmap.errors import GazetteerError, InputError
from projectmap.gazetteer import Entry, entry_from_feature, parse_json, read_entries

FUZZ = settings(
    max_examples=500,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8)
    | st.sampled_from(["Feature", "FeatureCollection", "admin", "road", "420204", "Point", "三"])
)  # fmt: skip
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                  max_size=4),
    max_leaves=20,
)  # fmt: skip
GEOMETRY = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {"type": st.sampled_from(["Point", "LineString", "Polygon", "MultiPoint", "Nope"]),
         "coordinates": JSON},
    ),
)  # fmt: skip
GAZETTEER_PROPS = st.fixed_dictionaries(
    {},
    optional={
        key: JSON | st.text(min_size=1, max_size=6)
        for key in ("id", "name", "type", "parent", "aliases", "admin_level", "code", "source",
                    "licence", "source_crs", "notes")
    },
)  # fmt: skip
FEATURE = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {"type": st.just("Feature") | JSON, "properties": GAZETTEER_PROPS | JSON,
         "geometry": GEOMETRY},
    ),
)  # fmt: skip
COLLECTION = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {"type": st.just("FeatureCollection") | JSON, "features": st.lists(FEATURE, max_size=4)
         | JSON},
    ),
)  # fmt: skip


@FUZZ
@given(COLLECTION)
def test_the_gazetteer_reader_gives_entries_or_one_gazetteer_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("g") / "fuzz.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    try:
        entries = read_entries(path)
    except GazetteerError as exc:
        message = str(exc)
        assert "\n" not in message and "fuzz.geojson" in message
        return
    assert all(isinstance(e, Entry) and isinstance(e.id, str) and e.id for e in entries)
    assert all(e.admin_level is None or 1 <= e.admin_level <= 5 for e in entries)


@FUZZ
@given(FEATURE)
def test_a_gazetteer_feature_gives_an_entry_or_one_gazetteer_error(feature):
    try:
        entry = entry_from_feature(feature, where="f.geojson:feature 1")
    except GazetteerError as exc:
        assert str(exc).startswith("f.geojson:feature 1: ") and "\n" not in str(exc)
        return
    assert isinstance(entry.name, str) and all(isinstance(a, str) for a in entry.aliases)


@FUZZ
@given(st.binary(max_size=64) | st.text(max_size=64).map(str.encode))
def test_gazetteer_bytes_parse_or_give_one_gazetteer_error(data):
    try:
        parse_json(data, Path("x.geojson"))
    except GazetteerError as exc:
        assert str(exc).startswith("x.geojson: ")


PROJECT_PROPS = st.fixed_dictionaries(
    {},
    optional={key: JSON for key in ("id", "name", "status", "places", "place_ids", "sentence")},
)
PROJECTS = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {"type": st.just("FeatureCollection") | JSON,
         "features": st.lists(
             st.one_of(JSON, st.fixed_dictionaries(
                 {"type": st.just("Feature"), "properties": PROJECT_PROPS | JSON,
                  "geometry": st.none() | GEOMETRY})),
             max_size=4) | JSON},
    ),
)  # fmt: skip


@FUZZ
@given(PROJECTS)
def test_the_compare_reader_gives_projects_or_one_input_error(data):
    from projectmap.compare import Listed

    try:
        rows = read_features(data, where="old/projects.geojson")
    except InputError as exc:
        assert str(exc).startswith("old/projects.geojson: ") and "\n" not in str(exc)
        return
    listed = [Listed.from_properties(props, geometry) for props, geometry in rows]
    assert all(isinstance(x.name, str) and isinstance(x.places, tuple) for x in listed)
