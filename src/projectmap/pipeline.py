"""The build, read as a recipe: report in, located projects out.

ingest → region → segment → detect → extract → classify → resolve → locate,
then export and render. Each stage lives in its own module and holds its own
rules; this module only calls them in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from projectmap.files.outdir import staged_folder
from projectmap.files.rules import user_copies
from projectmap.files.safe import write_text_atomic
from projectmap.output.export import write_data, write_report_json
from projectmap.places import china
from projectmap.places.gazetteer import Entry, Gazetteer, load_gazetteer
from projectmap.places.locate import locate
from projectmap.places.region import RegionRules, find_region
from projectmap.places.resolve import Elsewhere, Resolver
from projectmap.places.result import BuildResult
from projectmap.reading.ingest import MAX_BYTES, ReadingRules, Report, read_report
from projectmap.text.classify import Classifier
from projectmap.text.detect import PlaceDetector, PlaceRules
from projectmap.text.extract import Project, ProjectExtractor
from projectmap.text.heads import ProjectRules
from projectmap.text.segment import split_sentences
from projectmap.text.wordtags import word_tags

#: The gazetteer folder read when none is given, if it exists.
DEFAULT_GAZETTEER = Path("gazetteer")
#: The primary names, other names and admin names a place detector is made from.
_NameSets = tuple[set[str], set[str], set[str]]
K = TypeVar("K")
V = TypeVar("V")
#: How many areas' gazetteers (the loaded one with an area's skeleton) a toolkit keeps.
REGIONS_KEPT = 16


@dataclass(frozen=True)
class BuildOptions:
    """How to build: where the gazetteer is, the region, and the map's settings.

    ``gazetteer`` None means ``./gazetteer`` when there is one, else only China's
    built-in admin skeleton (see :func:`gazetteer_folder`). ``rules`` is a folder of
    the user's rule files (any of ``projects.json``, ``places.json``, …): each one
    there replaces the packaged one; ``categories``, a categories file, wins over both.
    """

    gazetteer: Path | None = None
    region: str | None = None
    basemap: str = "osm"
    tianditu_key: str | None = None
    cdn: bool = False
    max_bytes: int = MAX_BYTES
    categories: Path | None = None
    rules: Path | None = None


@dataclass
class Toolkit:
    """What a build needs that is costly to make: load once, use for many reports."""

    gazetteer: Gazetteer
    index: china.AdminIndex
    classifier: Classifier
    words: dict[str, str] = field(default_factory=word_tags)
    region_rules: RegionRules = field(default_factory=RegionRules.load)
    extractor: ProjectExtractor = field(default_factory=ProjectExtractor)
    place_rules: PlaceRules = field(default_factory=PlaceRules.load)
    reading_rules: ReadingRules = field(default_factory=ReadingRules.load)
    _detector: PlaceDetector | None = None
    _detector_key: tuple[str | None, str | None] | None = None
    _regional: dict[str, Gazetteer] = field(default_factory=dict)
    _names: dict[tuple[str | None, str | None], _NameSets] = field(default_factory=dict)
    _country_names: frozenset[str] | None = None
    _elsewhere: dict[str, Elsewhere] = field(default_factory=dict)

    @classmethod
    def load(cls, options: BuildOptions) -> Toolkit:
        """Load the gazetteer, the admin index and the rules."""
        folder = gazetteer_folder(options)
        mine = user_copies(options.rules)
        return cls(
            load_gazetteer(folder) if folder is not None else Gazetteer(()),
            china.AdminIndex.load(),
            Classifier.load(options.categories or mine.get("categories")),
            region_rules=RegionRules.load(mine.get("region")),
            extractor=ProjectExtractor(ProjectRules.load(mine.get("projects"))),
            place_rules=PlaceRules.load(mine.get("places")),
            reading_rules=ReadingRules.load(mine.get("reading")),
        )

    def gazetteer_for(self, code: str) -> Gazetteer:
        """The gazetteer a report of the area ``code`` is read against.

        That is the loaded gazetteer, plus China's skeleton of the area when the
        gazetteer does not place it, and never another area's skeleton: a report's
        result does not depend on the reports a batch built before it.
        """
        if code in self.gazetteer and self.gazetteer.located(code) is not None:
            return self.gazetteer
        return _kept(
            self._regional,
            code,
            lambda: self.gazetteer.merged(china.skeleton([code], self.index)),
        )

    def with_region(self, code: str) -> Entry:
        """The area's entry, from its own skeleton when the gazetteer lacks it."""
        return self.gazetteer_for(code)[code]

    def elsewhere(self, code: str) -> Elsewhere:
        """The admin names that put a place outside the area ``code``, made once per area."""
        if code not in self._elsewhere:
            rules = self.region_rules
            self._elsewhere[code] = Elsewhere(
                self.index, code, rules.company_suffixes, rules.macro_regions
            )
        return self._elsewhere[code]

    @property
    def detector(self) -> PlaceDetector:
        """The place detector for every name of the loaded gazetteer, made on first use."""
        return self._detector_over(self.gazetteer, None, None)

    def detector_for(self, code: str) -> PlaceDetector:
        """The place detector for a region: it knows the names of its province only.

        A 黄石 community called 金湖 is not looked for in a report from 安徽, where it
        would cut 升金湖 in two; names of entries placed under no admin unit count anywhere.
        """
        gazetteer = self.gazetteer_for(code)
        chain = [code, *(a.id for a in gazetteer.ancestors(code))]
        province = next((i for i in reversed(chain) if gazetteer[i].admin_level == 1), chain[-1])
        return self._detector_over(
            gazetteer, province, None if gazetteer is self.gazetteer else code
        )

    def _detector_over(
        self, gazetteer: Gazetteer, scope: str | None, skeleton: str | None
    ) -> PlaceDetector:
        """The detector over ``gazetteer`` (the loaded one, or it with ``skeleton``'s area)."""
        key = (skeleton, scope)
        if self._detector is None or self._detector_key != key:
            self._detector = None  # lets the jieba dictionary go back before it is lent again
            primary, aliases, admin = _kept(
                self._names, key, lambda: _names_in_scope(gazetteer, scope)
            )
            if self._country_names is None:
                self._country_names = frozenset(self.index.names(max_level=2))
            self._detector = PlaceDetector(
                primary,
                aliases,
                admin_names=admin,
                country_names=self._country_names,
                rules=self.place_rules,
            )
            self._detector_key = key
        return self._detector


def _kept(cache: dict[K, V], key: K, make: Callable[[], V]) -> V:
    """``cache[key]``, made on first use; the oldest is dropped past :data:`REGIONS_KEPT`."""
    if key not in cache:
        if len(cache) >= REGIONS_KEPT:
            del cache[next(iter(cache))]
        cache[key] = make()
    return cache[key]


def _names_in_scope(gazetteer: Gazetteer, scope: str | None) -> _NameSets:
    """The primary names, the other names and the admin names of the entries in ``scope``."""
    entries = [e for e in gazetteer.values() if _in_scope(gazetteer, e, scope)]
    primary = {e.name for e in entries}
    names = {n for e in entries for n in e.names}
    admin = {
        name
        for entry in entries
        if entry.admin_level is not None and entry.admin_level <= 3
        for name in entry.names
    }
    return primary, names - primary, admin


def _in_scope(gazetteer: Gazetteer, entry: Entry, scope: str | None) -> bool:
    if scope is None or gazetteer.is_within(entry.id, scope):
        return True
    return not any(a.admin_level is not None for a in gazetteer.ancestors(entry.id))


def gazetteer_folder(options: BuildOptions) -> Path | None:
    """The gazetteer folder a build reads: the one given, else ``./gazetteer`` if present."""
    if options.gazetteer is not None:
        return options.gazetteer
    return DEFAULT_GAZETTEER if DEFAULT_GAZETTEER.is_dir() else None


def build(
    path: str | Path, *, options: BuildOptions | None = None, toolkit: Toolkit | None = None
) -> BuildResult:
    """Read a report and locate its projects.

    Raises
    ------
    ProjectmapError
        When the report, the gazetteer or the region cannot be used.
    """
    options = options or BuildOptions()
    kit = toolkit or Toolkit.load(options)
    report = read_report(path, max_bytes=options.max_bytes, rules=kit.reading_rules)
    issuer = find_region(
        report, kit.index, override=options.region, rules=kit.region_rules, words=kit.words
    )
    gazetteer = kit.gazetteer_for(issuer.code)
    region = gazetteer[issuer.code]
    sentences = split_sentences(report.text)
    resolver = Resolver(gazetteer, region.id, elsewhere=kit.elsewhere(issuer.code))
    mentions = [
        m
        for m in kit.detector_for(region.id).detect(report.text, sentences)
        if not resolver.is_region_itself(m)
    ]
    projects = kit.extractor.extract(report.text, sentences, mentions)
    categories = {p.id: _category(kit.classifier, p) for p in projects}
    resolutions = resolver.resolve_all(mentions)
    return locate(
        report,
        region,
        projects,
        resolutions,
        categories,
        issuer=issuer,
        classified_by=kit.classifier.categories,
    )


def _category(classifier: Classifier, project: Project) -> tuple[str, str]:
    category = classifier.classify(
        project.name, f"{project.sentence.section} {project.sentence.lead}"
    )
    return category, classifier.label(category)


def build_to_folder(
    path: str | Path,
    outdir: Path | None = None,
    *,
    options: BuildOptions | None = None,
    toolkit: Toolkit | None = None,
) -> tuple[Path, BuildResult]:
    """Build a report and write its folder atomically: all files, or the old folder intact."""
    from projectmap.output.map.render import map_html, render_map

    options = options or BuildOptions()
    result = build(path, options=options, toolkit=toolkit)
    target = outdir or Path("outputs") / result.report.id
    fmap = render_map(result, basemap=options.basemap, tianditu_key=options.tianditu_key)
    with staged_folder(target, inputs=[Path(path)]) as stage:
        written = write_data(result, stage)
        write_text_atomic(stage / "map.html", map_html(fmap, cdn=options.cdn))
        write_report_json(result, stage, [*written, stage / "map.html"])
    return target, result


__all__ = ["BuildOptions", "BuildResult", "Report", "Toolkit", "build", "build_to_folder"]
