"""The sample's committed outputs match what the code builds now."""

import pytest

from conftest import ROOT

COMMITTED = ROOT / "outputs" / "xialu-2022-excerpt"


@pytest.mark.parametrize(
    "name", ["projects.geojson", "places.geojson", "projects.csv", "unresolved.csv", "report.json"]
)
def test_committed_sample_outputs_are_current(sample_folder, name):
    assert (COMMITTED / name).read_bytes() == (sample_folder / name).read_bytes(), (
        f"outputs/xialu-2022-excerpt/{name} is stale: run `make demo` and commit it"
    )
