"""The typed result is the output contract: one field order, frames made from the records."""

from __future__ import annotations

import json

from projectmap.output.export import write_data
from projectmap.places.result import PLACE_FIELDS, PROJECT_FIELDS, BuildResult


def test_frames_have_the_contract_columns(sample_build):
    result = sample_build
    assert list(result.projects.columns) == [*PROJECT_FIELDS, "geometry"]
    assert list(result.places.columns) == [*PLACE_FIELDS, "geometry"]
    assert str(result.projects.crs) == "EPSG:4326"
    assert len(result.unresolved) == len(result.unresolved_places)


def test_records_come_back_whole_from_their_frames(sample_build):
    result = sample_build
    again = BuildResult.from_frames(
        result.report, result.region, result.projects, result.places, result.issuer
    )
    assert again.located_projects == result.located_projects
    assert again.located_places == result.located_places


def test_geojson_properties_follow_the_contract_order(sample_build, tmp_path):
    result = sample_build
    write_data(result, tmp_path)
    for name, order in (("projects", PROJECT_FIELDS), ("places", PLACE_FIELDS)):
        data = json.loads((tmp_path / f"{name}.geojson").read_text("utf-8"))
        assert data["features"], name
        assert all(tuple(f["properties"]) == order for f in data["features"]), name


def test_an_edited_frame_reaches_the_records(sample_result):
    projects = sample_result.projects.copy()
    projects.loc[0, "name"] = "改过的名字"
    edited = sample_result.with_frames(projects)
    assert edited.located_projects[0].name == "改过的名字"
    assert edited.located_projects[1:] == sample_result.located_projects[1:]
    assert edited.located_places == sample_result.located_places
