"""The ``projectmap`` command: a thin adapter over the library.

Each command parses its options, calls one or two library functions, prints a
short summary and turns a :class:`ProjectmapError` into one
``projectmap: error: …`` line and exit status 1.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from projectmap._console import one_line, safe_streams, stop_signals_as_interrupts
from projectmap.errors import ProjectmapError, UsageError

if TYPE_CHECKING:
    from projectmap.pipeline import BuildOptions

    #: The sub-command table of an argument parser.
    Commands = argparse._SubParsersAction[argparse.ArgumentParser]


Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status.

    Everything printed has its control characters escaped and survives any
    locale; Ctrl-C (or SIGTERM) exits with status 130 and one line saying what
    was written.
    """
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged PDF's text is still read
    with safe_streams(), stop_signals_as_interrupts():
        parser = _parser()
        args = parser.parse_args(argv)
        handler: Handler | None = getattr(args, "handler", None)
        if handler is None:
            parser.print_help()
            return 2
        try:
            return handler(args)
        except ProjectmapError as exc:
            print(f"projectmap: error: {one_line(str(exc))}", file=sys.stderr)
            return 1
        except KeyboardInterrupt as exc:
            said = one_line(str(exc)) or "outputs left as they were"
            print(f"projectmap: interrupted; {said}", file=sys.stderr)
            return 130
        except BrokenPipeError:
            # the reader of our output went away (`projectmap build … | head -1`): what was
            # to be written is written; say nothing more, and exit as a piped tool does
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 141


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="projectmap",
        description="Put the projects of Chinese local-government work reports on a map.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_build(commands)
    _add_compare(commands)
    _add_gazetteer(commands)
    return parser


class _Version(argparse.Action):
    """``--version``, reading the installed version only when asked."""

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        import projectmap

        print(f"projectmap {projectmap.__version__}")
        parser.exit()


def _quiet_jieba() -> None:
    """Silence jieba's start-up chatter; its import sets its logger to DEBUG."""
    import jieba

    jieba.setLogLevel(logging.WARNING)


def _gazetteer_option(parser: argparse.ArgumentParser, *, required_folder: bool = True) -> None:
    default = Path("gazetteer") if required_folder else None
    where = "./gazetteer" if required_folder else "./gazetteer if present, else built-in"
    parser.add_argument(
        "--gazetteer", type=Path, default=default, metavar="DIR",
        help=f"gazetteer folder (default: {where})",
    )  # fmt: skip


def _rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules", type=Path, metavar="DIR",
        help="folder of your rule files (projects.json, places.json, categories.json, "
        "region.json, reading.json): each one there replaces the packaged one",
    )  # fmt: skip


def _say_gazetteer(options: BuildOptions) -> None:
    """One line when no gazetteer folder is read: the built-in skeleton is used instead."""
    from projectmap.pipeline import gazetteer_folder

    if gazetteer_folder(options) is None:
        print(
            "projectmap: no gazetteer/ folder here; using the built-in China admin skeleton "
            "(pass --gazetteer DIR to add your own places)",
            file=sys.stderr,
        )


# --- build ---------------------------------------------------------------------------------


def _add_build(commands: Commands) -> None:
    build = commands.add_parser("build", help="map the projects of one or more reports")
    build.add_argument(
        "reports",
        nargs="+",
        type=Path,
        metavar="REPORT",
        help="report files (.txt .html .htm .docx .pdf), or folders of them",
    )
    build.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="OUTDIR",
        help="for one REPORT, its output folder (default: outputs/<report-id>); for several "
        "or a folder, where each gets a folder and index.html links them (default: outputs)",
    )
    build.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        default=1,
        metavar="N",
        help="build N reports at a time, in N processes (default 1)",
    )
    _gazetteer_option(build, required_folder=False)
    build.add_argument(
        "--region",
        metavar="NAME|CODE",
        help="the issuing area when the title does not say (下陆区, 420204)",
    )
    build.add_argument("--basemap", choices=("osm", "tianditu", "amap"), default="osm")
    build.add_argument(
        "--tianditu-key", metavar="KEY", help="your Tianditu key (--basemap tianditu)"
    )
    build.add_argument(
        "--cdn",
        action="store_true",
        help="link the map's JavaScript and CSS to public CDNs instead of inlining them",
    )
    build.add_argument(
        "--offline", action="store_true", help="the default (kept for old scripts): no effect"
    )
    build.add_argument(
        "--max-size",
        type=_positive_number,
        default=20.0,
        metavar="MB",
        help="largest report accepted, in MB (default 20)",
    )
    _rules_option(build)
    build.set_defaults(handler=_build)


def _build(args: argparse.Namespace) -> int:
    from projectmap.pipeline import BuildOptions, build_to_folder

    _quiet_jieba()

    options = BuildOptions(
        gazetteer=args.gazetteer,
        region=args.region,
        basemap=args.basemap,
        tianditu_key=args.tianditu_key,
        cdn=args.cdn,
        max_bytes=int(args.max_size * 1_000_000),
        rules=args.rules,
    )
    _say_gazetteer(options)
    if len(args.reports) == 1 and not args.reports[0].is_dir():
        outdir, result = build_to_folder(args.reports[0], args.output, options=options)
        print(summary(result, outdir))
        return 0
    return _build_batch(args, options)


def _build_batch(args: argparse.Namespace, options: BuildOptions) -> int:
    from projectmap._progress import Progress
    from projectmap.batch import find_reports, run_batch

    reports = find_reports(args.reports)
    progress = Progress(len(reports), sys.stderr)
    progress.start()
    outdir = args.output or Path("outputs")
    batch = run_batch(reports, outdir, options=options, jobs=args.jobs, progress=progress)
    for o in batch.outcomes:
        if o.ok:
            print(f"{o.source.name}: {o.region}, {o.projects} projects, {o.resolved} places "
                  f"resolved, {o.unresolved} unresolved -> {outdir / o.folder}")  # fmt: skip
    built = len(batch.outcomes) - len(batch.failed)
    print(f"{built} built, {len(batch.failed)} failed; wrote {batch.index}")
    return 1 if batch.failed else 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return value


def _positive_number(text: str) -> float:
    """A finite number above 0 (not ``nan``, ``inf`` or ``-1``)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text!r}")
    return value


def summary(result: object, outdir: Path) -> str:
    """A few lines on what a build found and where it wrote it."""
    from projectmap.places.result import BuildResult

    if not isinstance(result, BuildResult):
        raise TypeError("summary() needs a BuildResult")
    places = result.located_places
    by_precision = Counter(p.precision for p in places if p.geometry is not None)
    resolved = ", ".join(
        f"{count} at precision {code}" for code, count in sorted(by_precision.items())
    )
    unresolved = sorted({p.mention for p in result.unresolved_places})
    lines = [
        f"{result.report.source}: {result.region.name}, {len(result.located_projects)} "
        f"projects, {len(places)} place mentions",
        f"  resolved: {resolved or 'none'}",
        f"  unresolved ({len(unresolved)}): {'、'.join(unresolved) or 'none'}",
        f"  wrote {outdir}",
    ]
    if unresolved or any((p.precision or 0) >= 3 for p in places):
        lines.append(
            f"  to place them precisely: projectmap gazetteer fetch-osm --from {outdir}, "
            f"or gazetteer geocode {outdir} --provider amap|tianditu, or place them in map.html"
        )
    return "\n".join(lines)


# --- compare -------------------------------------------------------------------------------


def _add_compare(commands: Commands) -> None:
    compare = commands.add_parser(
        "compare", help="label the projects of two reports of one region: new, continuing, …"
    )
    compare.add_argument(
        "old", type=Path, metavar="OLD", help="the earlier report, or its output folder"
    )
    compare.add_argument(
        "new", type=Path, metavar="NEW", help="the later report, or its output folder"
    )
    compare.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="OUTDIR",
        help="where compare.csv, compare.geojson and map.html go "
        "(default: outputs/compare-<old-id>-<new-id>)",
    )
    _gazetteer_option(compare, required_folder=False)
    compare.add_argument(
        "--region", metavar="NAME|CODE", help="the issuing area of both, when titles do not say"
    )
    _rules_option(compare)
    compare.set_defaults(handler=_compare)


def _compare(args: argparse.Namespace) -> int:
    from projectmap._compare_files import write_comparison
    from projectmap.compare import compare_reports
    from projectmap.pipeline import BuildOptions
    from projectmap.reading.ingest import report_id

    _quiet_jieba()
    options = BuildOptions(gazetteer=args.gazetteer, region=args.region, rules=args.rules)
    _say_gazetteer(options)
    comparison = compare_reports(args.old, args.new, options=options)
    outdir = args.output or Path("outputs") / f"compare-{report_id(args.old)}-{report_id(args.new)}"
    write_comparison(comparison, outdir, inputs=[args.old, args.new])
    counts = ", ".join(f"{n} {status}" for status, n in comparison.counts().items())
    print(f"{comparison.old} -> {comparison.new}: {counts}\n  wrote {outdir}")
    return 0


# --- gazetteer -----------------------------------------------------------------------------


def _add_gazetteer(commands: Commands) -> None:
    gazetteer = commands.add_parser("gazetteer", help="check, import or fetch gazetteer data")
    actions = gazetteer.add_subparsers(title="gazetteer commands", metavar="ACTION")
    gazetteer.set_defaults(handler=lambda _args: _usage(gazetteer))
    check = actions.add_parser("check", help="report every problem of the gazetteer files")
    _gazetteer_option(check)
    check.set_defaults(handler=_gazetteer_check)

    imports = actions.add_parser("import", help="import a GeoJSON, CSV or OSM file as a layer")
    imports.add_argument(
        "file", type=Path, metavar="FILE", help=".geojson, .csv, .osm.pbf, .osm or Overpass .json"
    )
    imports.add_argument(
        "--crs",
        default="wgs84",
        metavar="wgs84|gcj02|bd09",
        help="coordinate system of FILE (default wgs84; AMap is gcj02)",
    )
    imports.add_argument(
        "--within", metavar="AREA", help="keep features inside this gazetteer entry (id or name)"
    )
    imports.add_argument("--name", metavar="LAYER", help="layer name (default: the file name)")
    imports.add_argument("--source", help="source text for features without one")
    imports.add_argument("--licence", help="licence for features without one")
    _gazetteer_option(imports)
    imports.set_defaults(handler=_gazetteer_import)

    fetch = actions.add_parser("fetch-osm", help="import an area's named OSM features via Overpass")
    fetch.add_argument(
        "area",
        nargs="?",
        metavar="AREA",
        help="gazetteer id or name with a polygon, or any county of China (海拉尔区, 150702)",
    )
    fetch.add_argument(
        "--from",
        dest="outdir",
        type=Path,
        metavar="OUTDIR",
        help="instead of AREA: fetch the names a build left unresolved or at district level",
    )
    fetch.add_argument(
        "--overpass-url",
        metavar="URL",
        help="Overpass interpreter (default: $PROJECTMAP_OVERPASS_URL or "
        "https://overpass-api.de/api/interpreter)",
    )
    fetch.add_argument(
        "--timeout",
        type=_positive_number,
        default=180.0,
        metavar="S",
        help="seconds for the whole fetch (default 180)",
    )
    _gazetteer_option(fetch)
    fetch.set_defaults(handler=_gazetteer_fetch_osm)

    _add_geocode(actions)

    skeleton = actions.add_parser(
        "skeleton", help="write admin units from packaged data (outlines, townships, communities)"
    )
    skeleton.add_argument(
        "codes", nargs="+", metavar="CODE", help="6-digit admin codes, e.g. 420200"
    )
    skeleton.add_argument(
        "--seats",
        type=Path,
        metavar="CSV",
        help="GeoNames points for township seats (geonameid, latitude, longitude, chinese_names)",
    )
    skeleton.add_argument(
        "--township-codes",
        type=Path,
        metavar="CSV",
        help="statistical codes for entries (columns id, code, source)",
    )
    skeleton.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="FILE",
        help="gazetteer file to write, e.g. gazetteer/huangshi/admin.geojson",
    )
    skeleton.set_defaults(handler=_gazetteer_skeleton)


def _add_geocode(actions: Commands) -> None:
    geocode = actions.add_parser(
        "geocode", help="look a build's imprecise places up in Tianditu or AMap and import them"
    )
    geocode.add_argument("outdir", type=Path, metavar="OUTDIR", help="a build's output folder")
    geocode.add_argument("--provider", choices=("tianditu", "amap"), required=True)
    geocode.add_argument(
        "--key",
        metavar="KEY",
        help="your key (default: $PROJECTMAP_TIANDITU_KEY or $PROJECTMAP_AMAP_KEY); never stored",
    )
    geocode.add_argument("--url", metavar="URL", help="the service's URL (default: its own)")
    geocode.add_argument(
        "--rate", type=float, default=2.0, metavar="N", help="requests per second (default 2)"
    )
    geocode.add_argument(
        "--retries", type=int, default=3, metavar="N", help="retries of a refused request (3)"
    )
    geocode.add_argument(
        "--timeout", type=float, default=300.0, metavar="S", help="seconds in all (default 300)"
    )
    geocode.add_argument(
        "--cache",
        type=Path,
        metavar="DIR",
        help="where answers are kept (default: ~/.cache/projectmap/geocode)",
    )
    geocode.add_argument("--no-cache", action="store_true", help="ask again, keep nothing")
    _gazetteer_option(geocode)
    geocode.set_defaults(handler=_gazetteer_geocode)


def _gazetteer_geocode(args: argparse.Namespace) -> int:
    import os

    from projectmap.curate.geocode import GeocodeOptions, default_cache, geocode
    from projectmap.curate.providers import PROVIDERS

    key = args.key or os.environ.get(PROVIDERS[args.provider].key_env) or ""
    options = GeocodeOptions(
        provider=args.provider,
        key=key,
        url=args.url,
        rate=args.rate,
        retries=args.retries,
        timeout=_seconds(args.timeout),
        cache=None if args.no_cache else (args.cache or default_cache()),
    )
    print(geocode(args.outdir, args.gazetteer, options).summary())
    return 0


def _gazetteer_check(args: argparse.Namespace) -> int:
    from projectmap.curate.check import check_gazetteer, summarize

    problems = check_gazetteer(args.gazetteer)
    for problem in problems:
        print(problem)
    print(f"{args.gazetteer}: {summarize(problems)}")
    return 1 if any(p.level == "error" for p in problems) else 0


def _gazetteer_import(args: argparse.Namespace) -> int:
    from projectmap.curate.importer import import_file

    result = import_file(
        args.file,
        args.gazetteer,
        crs=args.crs,
        within=args.within,
        layer=args.name,
        source=args.source,
        licence=args.licence,
    )
    print(result.summary())
    return 0


def _gazetteer_fetch_osm(args: argparse.Namespace) -> int:
    from projectmap.curate.fetch import fetch_osm, fetch_osm_from

    if (args.area is None) == (args.outdir is None):
        raise UsageError("gazetteer fetch-osm: pass either AREA or --from OUTDIR")
    options = {"url": args.overpass_url, "timeout": _seconds(args.timeout)}
    if args.outdir is not None:
        result = fetch_osm_from(args.outdir, args.gazetteer, **options)
    else:
        result = fetch_osm(args.area, args.gazetteer, **options)
    print(result.summary())
    return 0


def _seconds(value: float) -> float:
    if not 0 < value < 86_400:
        raise UsageError(f"--timeout {value:g}: pass a number of seconds between 0 and 86400")
    return value


def _gazetteer_skeleton(args: argparse.Namespace) -> int:
    from projectmap.places import china
    from projectmap.places.gazetteer import write_entries

    entries = china.skeleton(args.codes, china.AdminIndex.load())
    if args.seats:
        entries = china.with_seats(entries, china.read_geonames_csv(args.seats))
    if args.township_codes:
        entries = china.with_codes(entries, args.township_codes)
    write_entries(args.output, entries)
    located = sum(e.geometry is not None for e in entries)
    print(f"wrote {len(entries)} entries ({located} with geometry) to {args.output}")
    return 0


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
