# Copied from the team eval kit (shared/eval/score.py) so the tests hold the sample and dev targets on their own.
#!/usr/bin/env python3
"""Score a projectmap output folder against a gold annotation.

Usage: score.py GOLD.json OUTDIR [--truth TRUTH.json] [--json]

OUTDIR must hold projects.geojson and places.geojson as described in
eval/README.md. Only the standard library is used, so this runs anywhere.
"""
import json
import math
import re
import sys
from pathlib import Path

SUFFIXES = ("片区", "片", "地区", "区域", "一带", "周边", "地块")
CATEGORY_ALIASES = {
    "investment_park": "industrial_park",
    "logistics_commerce": "commerce_logistics",
    "infrastructure_transport": "infrastructure",
}


def cats(gold_project):
    return {CATEGORY_ALIASES.get(c, c) for c in gold_project.get("categories") or [gold_project.get("category")]}


def norm(s):
    s = re.sub(r"[\s()（）\[\]【】“”\"'、,，。:：;；·]", "", s or "")
    return s


def base(s):
    s = norm(s)
    for suf in SUFFIXES:
        if s.endswith(suf) and len(s) > len(suf) + 1:
            return s[: -len(suf)]
    return s


def lcs(a, b):
    if not a or not b:
        return 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0]
        for j, cb in enumerate(b):
            cur.append(prev[j] + 1 if ca == cb else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def name_match(gold, got):
    g, o = norm(gold), norm(got)
    if not g or not o:
        return False
    if g in o or o in g:
        return min(len(g), len(o)) >= 0.5 * max(len(g), len(o)) or g in o
    return lcs(g, o) >= 0.7 * len(g)


def place_match(gold, got):
    """A mention matches a gold place when it is the place, the place with a part or area suffix
    (长乐山南北麓, 老下陆片), or a composite that contains it (大广高速东方山互通)."""
    g, o = base(gold), base(got)
    if not g or not o:
        return False
    if g == o:
        return True
    return g in o and len(o) - len(g) <= 6


def coords(geom):
    if not geom:
        return []
    t, c = geom.get("type"), geom.get("coordinates")
    if t == "GeometryCollection":
        return [p for g in geom.get("geometries", []) for p in coords(g)]
    out = []

    def walk(x):
        if isinstance(x, (list, tuple)) and x and isinstance(x[0], (int, float)):
            out.append((float(x[0]), float(x[1])))
        elif isinstance(x, (list, tuple)):
            for y in x:
                walk(y)

    walk(c)
    return out


def haversine_km(a, b):
    (lon1, lat1), (lon2, lat2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def min_dist_km(geom, point):
    pts = coords(geom)
    return min((haversine_km(p, point) for p in pts), default=float("inf"))


def load_fc(path):
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SystemExit(f"{path}: missing (the output folder must hold projects.geojson and places.geojson)")
    except json.JSONDecodeError as e:
        raise SystemExit(f"{path}: not valid JSON ({e})")
    if data.get("type") != "FeatureCollection":
        raise SystemExit(f"{path}: not a GeoJSON FeatureCollection")
    return data["features"]


def score(gold, outdir, truth=None):
    projects = load_fc(Path(outdir) / "projects.geojson")
    places = load_fc(Path(outdir) / "places.geojson")
    gp = gold["projects"]
    # projects: greedy one-to-one matching by name
    used, matched = set(), []
    for g in gp:
        for i, f in enumerate(projects):
            if i not in used and name_match(g["name"], f["properties"].get("name", "")):
                used.add(i)
                matched.append((g, f))
                break
    cat_ok = sum(1 for g, f in matched if f["properties"].get("category") in cats(g))
    with_status = [(g, f) for g, f in matched if g.get("status") not in (None, "unknown")]
    status_ok = sum(1 for g, f in with_status if f["properties"].get("status") == g["status"])
    with_amount = [(g, f) for g, f in matched if g.get("amount")]
    amount_ok = sum(1 for g, f in with_amount if norm(g["amount"]) == norm(f["properties"].get("amount") or ""))
    located = [(g, f) for g, f in matched if g["places"]]
    geo_ok = sum(1 for g, f in located if f.get("geometry"))
    # place mentions
    mentions = [(f["properties"].get("mention") or f["properties"].get("name", ""), f) for f in places]
    gold_places = gold["places"]
    found = {gpl: [f for m, f in mentions if place_match(gpl, m)] for gpl in gold_places}
    recalled = [p for p, fs in found.items() if fs]
    resolved = [p for p, fs in found.items() if any(f.get("geometry") for f in fs)]
    precise = [p for p, fs in found.items()
               if any(f.get("geometry") and f["properties"].get("precision") in (1, 2) for f in fs)]
    external = gold.get("external_places", [])
    spurious = [m for m, f in mentions if not any(place_match(g, m) for g in gold_places + external)]
    res = {
        "projects_gold": len(gp),
        "projects_out": len(projects),
        "project_recall": round(len(matched) / len(gp), 3) if gp else None,
        "project_precision": round(len(matched) / len(projects), 3) if projects else 0.0,
        "category_accuracy": round(cat_ok / len(matched), 3) if matched else 0.0,
        "status_accuracy": round(status_ok / len(with_status), 3) if with_status else None,
        "amount_accuracy": round(amount_ok / len(with_amount), 3) if with_amount else None,
        "located_projects_with_geometry": round(geo_ok / len(located), 3) if located else None,
        "place_recall": round(len(recalled) / len(gold_places), 3) if gold_places else None,
        "place_resolved": round(len(resolved) / len(gold_places), 3) if gold_places else None,
        "place_precise": round(len(precise) / len(gold_places), 3) if gold_places else None,
        "spurious_place_mentions": len(spurious),
        "missed_places": sorted(set(gold_places) - set(recalled)),
        "unresolved_places": sorted(set(recalled) - set(resolved)),
        "missed_projects": [g["name"] for g in gp if all(g is not m[0] for m in matched)],
    }
    res["region_ok"] = region_ok(gold.get("region"), Path(outdir) / "report.json")
    bbox = gold.get("region_bbox")
    if bbox:
        lon0, lat0, lon1, lat1 = bbox
        outside = []
        for p in resolved:
            for f in found[p]:
                for lon, lat in coords(f.get("geometry")):
                    if not (lon0 <= lon <= lon1 and lat0 <= lat <= lat1):
                        outside.append(p)
                        break
        res["resolved_outside_region"] = sorted(set(outside))
    if truth:
        errs, far = [], []
        for name, t in truth.items():
            fs = [f for f in found.get(name, []) if f.get("geometry")]
            if not fs:
                continue
            d = min(min_dist_km(f["geometry"], (t["lon"], t["lat"])) for f in fs)
            errs.append(d)
            if d > t.get("tolerance_km", 1.0):
                far.append(f"{name}:{d:.1f}km")
        errs.sort()
        res["located_with_truth"] = len(errs)
        res["median_error_km"] = round(errs[len(errs) // 2], 2) if errs else None
        res["beyond_tolerance"] = far
    return res


def region_ok(gold_region, report_json):
    """Whether report.json names the issuing government of the gold: its county, or its city
    when the gold has no county. None when either side is missing."""
    if not gold_region or not report_json.exists():
        return None
    try:
        region = json.loads(report_json.read_text(encoding="utf-8")).get("region") or {}
    except (json.JSONDecodeError, AttributeError):
        return False
    want = gold_region.get("county") or gold_region.get("city") or gold_region.get("province")
    got = region.get("name") if isinstance(region, dict) else None
    return bool(want and got) and (norm(want) == norm(got))


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    if len(args) < 2:
        raise SystemExit(__doc__)
    gold = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    truth = None
    if "--truth" in argv:
        truth = json.loads(Path(argv[argv.index("--truth") + 1]).read_text(encoding="utf-8"))
        args = [a for a in args if a != argv[argv.index("--truth") + 1]]
    res = score(gold, args[1], truth)
    if "--json" in argv:
        print(json.dumps(res, ensure_ascii=False, indent=1))
    else:
        for k, v in res.items():
            print(f"{k}: {v}")


if __name__ == "__main__":
    main(sys.argv[1:])
