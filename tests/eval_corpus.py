# Copied from the team eval kit (shared/eval/score_corpus.py): its pooling, for the dev-corpus test.
#!/usr/bin/env python3
"""Score projectmap on a whole annotated corpus: pooled figures, then one line per text.

Usage: score_corpus.py [CORPUS] [--projectmap CMD] [--outputs DIR] [--verbose] [--json]

CORPUS holds texts/<name>.txt and gold/<name>.json (default: the dev/ folder beside this
file). Every text with a gold file is built in one `projectmap build` run (a folder build)
into DIR (default: a temporary folder), then scored with score.py. Pooled figures weigh
every gold project and place alike, so long texts count for more than short ones.
CMD defaults to .venv/bin/projectmap, then `projectmap` on PATH. Standard library only.
"""
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_score as scorer  # noqa: E402


def find_projectmap(given):
    if given:
        return given
    for c in (Path(".venv/bin/projectmap"), shutil.which("projectmap")):
        if c and Path(c).exists():
            return str(Path(c).resolve())
    raise SystemExit("no projectmap command: pass --projectmap CMD or run `make setup` first")


def build_all(pm, corpus, names, outdir):
    """One folder build of the texts that have gold; a text that fails is built alone once
    more, so that its error message can be shown."""
    src = Path(tempfile.mkdtemp())
    for n in names:
        shutil.copy(corpus / "texts" / f"{n}.txt", src / f"{n}.txt")
    subprocess.run([pm, "build", str(src), "-o", str(outdir)], capture_output=True, text=True)
    errors = {}
    for n in names:
        if not (outdir / n / "projects.geojson").exists():
            r = subprocess.run([pm, "build", str(src / f"{n}.txt"), "-o", str(outdir / n)],
                               capture_output=True, text=True)
            if r.returncode:
                errors[n] = (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[-1][:200]
    shutil.rmtree(src)
    return errors


def pooled(rows):
    t = dict(pg=0, pm=0, pout=0, lg=0, lm=0, lr=0, lp=0, spur=0, cat=0, st=0, stn=0, reg=0, regn=0)
    for gold, s in rows:
        if s is None:
            t["pg"] += len(gold["projects"])
            t["lg"] += len(gold["places"])
            continue
        m = round((s["project_recall"] or 0) * s["projects_gold"])
        t["pg"] += s["projects_gold"]
        t["pm"] += m
        t["pout"] += s["projects_out"]
        t["lg"] += len(gold["places"])
        t["lm"] += len(gold["places"]) - len(s["missed_places"])
        t["lr"] += round((s["place_resolved"] or 0) * len(gold["places"]))
        t["lp"] += round((s["place_precise"] or 0) * len(gold["places"]))
        t["spur"] += s["spurious_place_mentions"]
        t["cat"] += round(s["category_accuracy"] * m)
        n_status = sum(1 for p in gold["projects"] if p.get("status") not in (None, "unknown"))
        if s.get("status_accuracy") is not None:
            k = round(s["status_accuracy"] * min(m, n_status))
            t["st"] += k
            t["stn"] += min(m, n_status)
        if s.get("region_ok") is not None:
            t["regn"] += 1
            t["reg"] += bool(s["region_ok"])

    def ratio(a, b):
        return round(t[a] / t[b], 3) if t[b] else None

    return {
        "texts": len(rows),
        "projects_gold": t["pg"],
        "places_gold": t["lg"],
        "project_recall": ratio("pm", "pg"),
        "project_precision": ratio("pm", "pout"),
        "category_accuracy": ratio("cat", "pm"),
        "status_accuracy": ratio("st", "stn"),
        "place_recall": ratio("lm", "lg"),
        "place_resolved": ratio("lr", "lg"),
        "place_precise": ratio("lp", "lg"),
        "spurious_per_gold_place": ratio("spur", "lg"),
        "region_correct": f"{t['reg']}/{t['regn']}" if t["regn"] else "no report.json",
    }


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    opt = {a: argv[argv.index(a) + 1] for a in ("--projectmap", "--outputs") if a in argv}
    args = [a for a in args if a not in opt.values()]
    corpus = Path(args[0]) if args else Path(__file__).resolve().parent / "dev"
    names = sorted(p.stem for p in (corpus / "gold").glob("*.json"))
    if not names:
        raise SystemExit(f"{corpus}: no gold/*.json")
    pm = find_projectmap(opt.get("--projectmap"))
    outdir = Path(opt["--outputs"]) if "--outputs" in opt else Path(tempfile.mkdtemp())
    errors = build_all(pm, corpus, names, outdir)
    rows, lines = [], []
    for n in names:
        gold = json.loads((corpus / "gold" / f"{n}.json").read_text(encoding="utf-8"))
        if n in errors:
            rows.append((gold, None))
            lines.append(f"{n}: BUILD FAILED: {errors[n]}")
            continue
        s = scorer.score(gold, outdir / n)
        rows.append((gold, s))
        lines.append(
            f"{n}: projects {s['project_recall']} of {s['projects_gold']} (precision "
            f"{s['project_precision']}), places {s['place_recall']} of {len(gold['places'])}, "
            f"spurious {s['spurious_place_mentions']}, region {s['region_ok']}")
        if "--verbose" in argv:
            lines.append("    missed places: " + "、".join(s["missed_places"]))
            lines.append("    missed projects: " + "、".join(s["missed_projects"]))
    total = pooled(rows)
    if "--json" in argv:
        print(json.dumps({"pooled": total, "failed": sorted(errors)}, ensure_ascii=False))
        return
    print("pooled over %d texts (%d gold projects, %d gold places):" % (
        total["texts"], total["projects_gold"], total["places_gold"]))
    for k, v in total.items():
        if k not in ("texts", "projects_gold", "places_gold"):
            print(f"  {k}: {v}")
    print("\n".join(lines))
    if "--outputs" not in opt:
        shutil.rmtree(outdir, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
