"""The dev corpus of real texts (tests/data/dev, a copy of shared/eval/dev): the pooled
targets of the generalisation issue, scored as the team's scorer scores them."""

from __future__ import annotations

import json

import pytest

from conftest import DATA
from eval_corpus import pooled
from eval_score import place_match, score
from projectmap.batch import run_batch
from projectmap.pipeline import BuildOptions

CORPUS = DATA / "dev"
NAMES = sorted(p.stem for p in (CORPUS / "gold").glob("*.json"))
TARGETS = {
    "project_recall": 0.85,
    "project_precision": 0.80,
    "place_recall": 0.90,
    "category_accuracy": 0.80,
    "status_accuracy": 0.80,
}


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    out = tmp_path_factory.mktemp("dev")
    reports = [CORPUS / "texts" / f"{name}.txt" for name in NAMES]
    batch = run_batch(reports, out, options=BuildOptions())
    assert not [o for o in batch.outcomes if o.error], [o.error for o in batch.outcomes]
    golds = {n: json.loads((CORPUS / "gold" / f"{n}.json").read_text("utf-8")) for n in NAMES}
    return out, golds, [(golds[n], score(golds[n], out / n)) for n in NAMES]


@pytest.mark.parametrize(("metric", "target"), TARGETS.items())
def test_pooled_dev_targets(scored, metric, target):
    assert pooled(scored[2])[metric] >= target, pooled(scored[2])


def test_few_spurious_places_and_every_region_right(scored):
    total = pooled(scored[2])
    assert total["spurious_per_gold_place"] <= 0.25, total
    assert total["region_correct"] == f"{len(NAMES)}/{len(NAMES)}"


def test_no_gold_place_resolves_outside_its_region(scored):
    out, golds, _ = scored
    for name in NAMES:
        bbox = golds[name].get("region_bbox")
        region = json.loads((out / name / "report.json").read_text("utf-8"))["region"]
        places = json.loads((out / name / "places.geojson").read_text("utf-8"))["features"]
        for feature in places:
            mention = feature["properties"]["mention"]
            if not any(place_match(g, mention) for g in golds[name]["places"]):
                continue
            assert feature["properties"]["reason"] not in {"outside_region"}, (name, mention)
            if bbox and feature["geometry"]:
                lon0, lat0, lon1, lat1 = bbox
                xs, ys = _coords(feature["geometry"])
                assert lon0 <= min(xs) and max(xs) <= lon1, (name, mention, region)
                assert lat0 <= min(ys) and max(ys) <= lat1, (name, mention, region)


def _coords(geometry):
    from shapely.geometry import shape

    minx, miny, maxx, maxy = shape(geometry).bounds
    return (minx, maxx), (miny, maxy)
