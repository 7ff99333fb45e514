#!/usr/bin/env python3
"""How fast is projectmap, against a floor measured in the same run on the same machine.

The floor is what any tool of this kind pays before doing anything of its own:
a fresh Python process that imports geopandas, folium and jieba, builds a
``jieba.Tokenizer``, initialises it and cuts the report's text. Every figure is
the best of ``--repeat`` runs, each in a fresh process; peak memory is the
largest resident set of any process a run started (``getrusage`` of children,
workers included). CPU time is printed beside wall time: on a shared machine a
wall time well above the CPU time (over the processes running at once) means
the run waited for the CPU, and the figures are worth taking again.

Figures and targets:

1. ``projectmap build`` on the sample excerpt: at most 1.5 x the floor.
2. ``projectmap build`` on a full-length report (``bench/data/``, 10,000+
   characters, written for this benchmark): at most 1.5 x the floor.
3. A batch of 100 full-length reports (variants of that one) with ``--jobs 2``:
   at most 20 s.
4. Peak memory of any process: at most 400 MB.
5. Start-up with the shipped gazetteer against a gazetteer of Huangshi alone:
   at most 1.3 x. The shipped gazetteer *is* Huangshi alone today, so the
   smaller one is a copy without ``huangshi/places.geojson`` (the admin areas
   only): the ratio is what loading the place layer costs at start-up.

Usage: ``python bench/bench.py [--repeat N] [--reports N] [--jobs N]``. It exits
1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "xialu-2022-excerpt.txt"
FULL = ROOT / "bench" / "data" / "xialu-full-report.txt"
GAZETTEER = ROOT / "gazetteer"

FLOOR = """
import sys
import folium
import geopandas
import jieba

text = open(sys.argv[1], encoding="utf-8").read()
tokenizer = jieba.Tokenizer()
tokenizer.initialize()
words = list(tokenizer.cut(text))
"""

#: Runs a command in a fresh process and reports its wall time and the peak RSS of it
#: and of every process under it (RUSAGE_CHILDREN takes the largest one waited for).
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
tail = done.stderr.decode("utf-8", "replace")[-1500:]
print(json.dumps({"rc": done.returncode, "seconds": seconds, "peak_kb": usage.ru_maxrss,
                  "cpu": usage.ru_utime + usage.ru_stime, "stderr": tail}))
"""


@dataclass(frozen=True)
class Run:
    """A command's best wall time, its CPU time in that run, and its highest peak memory."""

    seconds: float
    cpu: float
    peak_mb: float


def measure(command: list[str], repeat: int) -> Run:
    """Best wall time and highest peak memory of ``repeat`` fresh runs of ``command``."""
    times, cpus, peaks = [], [], []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True
        )
        result = json.loads(out.stdout)
        if result["rc"] not in (0, 1):
            sys.exit(f"bench: {' '.join(command)} failed:\n{result['stderr']}")
        times.append(result["seconds"])
        cpus.append(result["cpu"])
        peaks.append(result["peak_kb"] / 1024)
    best = times.index(min(times))
    return Run(times[best], cpus[best], max(peaks))


def floor(text_file: Path) -> list[str]:
    """The floor command for a report."""
    return [sys.executable, "-c", FLOOR, str(text_file)]


def build(reports: list[Path], out: Path, gazetteer: Path, *extra: str) -> list[str]:
    """A ``projectmap build`` command."""
    return [
        sys.executable, "-m", "projectmap", "build", *map(str, reports), "-o", str(out),
        "--gazetteer", str(gazetteer), *extra,
    ]  # fmt: skip


# --- inputs --------------------------------------------------------------------------------


def variants(text: str, count: int, folder: Path) -> list[Path]:
    """``count`` different full-length reports: paragraphs reordered, years and figures changed.

    Headings stay where they are; the paragraphs under each are shuffled, so every
    report has the same size and the same kind of content but its own text.
    """
    folder.mkdir(parents=True, exist_ok=True)
    head, *rest = re.split(r"\n(?=[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)", text)
    paths = []
    for i in range(count):
        path = folder / f"xialu-{i:03d}.txt"
        path.write_text(_variant(head, rest, i), encoding="utf-8")
        paths.append(path)
    return paths


def _variant(head: str, sections: list[str], seed: int) -> str:
    rng = random.Random(seed)
    parts = [head]
    for section in sections:
        heading, *paras = section.split("\n")
        rng.shuffle(paras)
        parts.append("\n".join([heading, *paras]))
    shift = seed % 6

    def year(m: re.Match[str]) -> str:
        return f"{int(m.group(1)) - shift}年"

    def growth(m: re.Match[str]) -> str:
        return f"增长{float(m.group(1)) + rng.random():.1f}%"

    body = re.sub(r"(202[34])年", year, "\n".join(parts))
    return re.sub(r"增长(\d+(?:\.\d)?)%", growth, body)


def admin_only(folder: Path) -> Path:
    """A copy of the shipped gazetteer without its place layer: Huangshi's admin areas alone."""
    target = folder / "gazetteer-admin-only"
    shutil.copytree(GAZETTEER, target)
    (target / "huangshi" / "places.geojson").unlink()
    return target


# --- the report ----------------------------------------------------------------------------


def line(label: str, value: str, target: str, ok: bool | None) -> str:
    """One printed figure: label, value, target and PASS/FAIL."""
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    return f"{label:<54} {value:>22}   {target:<14} {verdict}"


def main() -> int:
    """Measure, print each figure with its target, and return 1 when one is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument("--reports", type=int, default=100, help="reports in the batch")
    parser.add_argument("--jobs", type=int, default=2, help="--jobs of the batch (default 2)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="projectmap-bench-"))
    try:
        return _run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(args: argparse.Namespace, work: Path) -> int:
    full_text = FULL.read_text(encoding="utf-8")
    batch = variants(full_text, args.reports, work / "batch")
    small_gazetteer = admin_only(work)
    print(f"projectmap benchmark: best of {args.repeat} fresh runs; Python "
          f"{platform.python_version()}, {os.cpu_count()} CPUs; full report "
          f"{len(full_text):,} characters")  # fmt: skip
    subprocess.run(floor(SAMPLE), check=True, capture_output=True)  # warm jieba's cache file
    runs = {
        "floor sample": measure(floor(SAMPLE), args.repeat),
        "build sample": measure(build([SAMPLE], work / "o1", GAZETTEER), args.repeat),
        "floor full": measure(floor(FULL), args.repeat),
        "build full": measure(build([FULL], work / "o2", GAZETTEER), args.repeat),
        "build sample, admin only": measure(
            build([SAMPLE], work / "o3", small_gazetteer), args.repeat
        ),
        "batch": measure(
            build(batch, work / "o4", GAZETTEER, "--jobs", str(args.jobs)), args.repeat
        ),
    }
    results = _figures(runs, args)
    for text, _ in results:
        print(text)
    return 0 if all(ok for _, ok in results) else 1


def _ratio(label: str, run: Run, base: Run, base_label: str, limit: float) -> tuple[str, bool]:
    ratio = run.seconds / base.seconds
    value = f"{run.seconds:.2f} s = {ratio:.2f}x"
    return line(f"{label} (vs {base_label} {base.seconds:.2f} s)", value, f"<= {limit}x",
                ratio <= limit), ratio <= limit  # fmt: skip


def _figures(runs: dict[str, Run], args: argparse.Namespace) -> list[tuple[str, bool]]:
    batch = runs["batch"]
    peak = max(runs.values(), key=lambda r: r.peak_mb)
    peak_of = next(k for k, r in runs.items() if r is peak)
    out = [
        _ratio("build, sample", runs["build sample"], runs["floor sample"], "floor", 1.5),
        _ratio("build, full-length report", runs["build full"], runs["floor full"], "floor", 1.5),
        (line(f"batch of {args.reports} full-length reports, --jobs {args.jobs}",
              f"{batch.seconds:.2f} s", "<= 20 s", batch.seconds <= 20), batch.seconds <= 20),
        (line(f"peak memory of any process ({peak_of})", f"{peak.peak_mb:.0f} MB", "<= 400 MB",
              peak.peak_mb <= 400), peak.peak_mb <= 400),
        _ratio("start-up, shipped gazetteer", runs["build sample"],
               runs["build sample, admin only"], "Huangshi admin only", 1.3),
    ]  # fmt: skip
    for name, run in runs.items():
        detail = f"{run.seconds:6.2f} s wall {run.cpu:6.2f} s CPU {run.peak_mb:5.0f} MB peak"
        out.append((f"  {name:<28} {detail}", True))
    return out


if __name__ == "__main__":
    sys.exit(main())
