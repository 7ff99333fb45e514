"""Compare two reports of one region: which projects are new, continuing, completed or dropped.

Projects are matched across the years by what they are, not by exact strings:
the character bigrams of their names once the place names are taken out (the
places are compared on their own, by gazetteer id), raised when the two share
a place; two projects at different places (蜂烈山路建设, 狮子山路建设) are
different projects unless their names are the same. Pairs are taken best
first, each project at most once.

A project of the NEW report is *completed* when the report marks it so or
says 完成/竣工/建成/投用 in its clause, unless a word such as 力争 or 确保
shows that the completion is still to come; *continuing* when it matches a
project of the OLD report; *new* otherwise. A project of the OLD report that
matches none is *dropped*.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.geometry.base import BaseGeometry

from projectmap._compare_read import folder_region, read_projects
from projectmap.errors import RegionError
from projectmap.files.rules import user_copies
from projectmap.pipeline import BuildOptions, Toolkit, build
from projectmap.places.result import LocatedProject
from projectmap.text.heads import ProjectRules

STATUSES = ("new", "continuing", "completed", "dropped")
#: Lowest score at which two projects are taken as the same one.
MATCH_THRESHOLD = 0.5
_GENERIC = re.compile("项目|工程|建设")
_NOT_WORD = re.compile(r"[\W_]+")
_CLAUSE_BREAK = re.compile(r"[，,；;：:。！？!?]")


@dataclass(frozen=True)
class Listed:
    """A project as one report lists it (the fields of ``projects.geojson`` compare uses)."""

    id: str
    name: str
    status: str
    places: tuple[str, ...]
    place_ids: tuple[str, ...]
    sentence: str
    geometry: BaseGeometry | None = None

    @classmethod
    def from_properties(cls, props: dict[str, Any], geometry: BaseGeometry | None) -> Listed:
        """A project from its ``projects.geojson`` properties or its row of a build."""
        return cls(
            id=str(props["id"]),
            name=str(props["name"]),
            status=str(props.get("status") or "unknown"),
            places=tuple(str(p) for p in props.get("places") or ()),
            place_ids=tuple(str(p) for p in props.get("place_ids") or () if p),
            sentence=str(props.get("sentence") or ""),
            geometry=geometry,
        )


@dataclass(frozen=True)
class Change:
    """One project's fate between the two reports.

    Attributes
    ----------
    status : str
        ``new``, ``continuing``, ``completed`` or ``dropped``.
    old, new : Listed or None
        The project in the OLD and in the NEW report (one may be None).
    score : float
        How alike the matched pair is (0 when unmatched).
    reason : str
        Why it got its status, in words.
    """

    status: str
    old: Listed | None
    new: Listed | None
    score: float
    reason: str

    @property
    def current(self) -> Listed:
        """The NEW report's project, or the OLD one's for a dropped project."""
        listed = self.new or self.old
        if listed is None:
            raise ValueError("a change needs an old or a new project")
        return listed


# --- matching ------------------------------------------------------------------------------


def similarity(a: Listed, b: Listed) -> float:
    """How alike two projects are, 0 to 1: their names' bigrams, then their places."""
    core_a, core_b = _core(a), _core(b)
    score = _jaccard(_bigrams(core_a), _bigrams(core_b))
    shared = set(a.place_ids) & set(b.place_ids)
    if a.place_ids and b.place_ids and not shared:  # different places: different projects
        return 0.9 if _NOT_WORD.sub("", a.name) == _NOT_WORD.sub("", b.name) else 0.0
    if shared:
        if not _GENERIC.sub("", core_a) or not _GENERIC.sub("", core_b):
            score = max(score, 0.6)  # a name that is a place and 项目 / 工程 / 建设
        score += (1 - score) * 0.3
    return score


def _core(listed: Listed) -> str:
    """The name without its place names and punctuation (the whole name if nothing is left)."""
    core = listed.name
    for place in sorted(listed.places, key=len, reverse=True):
        core = core.replace(place, "")
    core = _NOT_WORD.sub("", core)
    return core if len(core) >= 2 else _NOT_WORD.sub("", listed.name)


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def match(
    old: Sequence[Listed], new: Sequence[Listed], *, threshold: float = MATCH_THRESHOLD
) -> list[tuple[Listed, Listed, float]]:
    """Pairs of the same project in both lists, best first, each project at most once."""
    pairs = sorted(
        ((similarity(o, n), i, j) for i, o in enumerate(old) for j, n in enumerate(new)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    out = []
    for score, i, j in pairs:
        if score < threshold:
            break
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            out.append((old[i], new[j], round(score, 3)))
    return out


# --- completion ----------------------------------------------------------------------------


def completion(listed: Listed, rules: ProjectRules | None = None) -> str | None:
    """Why a project counts as completed in its report, or None when it does not.

    The words are ``completion_words`` and ``completion_doubts`` of ``rules/projects.json``
    (the packaged file if ``rules`` is None).
    """
    rules = rules or ProjectRules.load()
    left, right = _around(listed.name, listed.sentence)
    if any(word in left for word in rules.completion_doubts):
        return None
    said = next((w for w in rules.completion_words if w in left or w in right), None)
    if said is not None:
        return f"the report says {said}"
    return "marked completed" if listed.status == "completed" else None


def _around(name: str, sentence: str) -> tuple[str, str]:
    """The text of the name's clause before and after it (``("", "")`` if not found)."""
    at = sentence.find(name)
    if at < 0:
        at = sentence.find(name[:4]) if len(name) >= 4 else -1
        if at < 0:
            return "", ""
    end = at + len(name) if sentence.startswith(name, at) else at + 4
    starts = [m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, at)]
    stop = _CLAUSE_BREAK.search(sentence, end)
    left = sentence[starts[-1] if starts else 0 : at]
    left = left[left.rfind("并") + 1 :]  # 完成A并启动B: B's verb is 启动
    return left, sentence[end : stop.start() if stop else len(sentence)]


def compare(
    old: Sequence[Listed], new: Sequence[Listed], rules: ProjectRules | None = None
) -> list[Change]:
    """Label every project of both reports: NEW's in its order, then OLD's dropped ones.

    ``rules`` are the project rules that say what completion is (the packaged ones if None).
    """
    rules = rules or ProjectRules.load()
    pairs = {n.id: (o, score) for o, n, score in match(old, new)}
    matched_old = {o.id for o, _ in pairs.values()}
    changes = []
    for listed in new:
        before, score = pairs.get(listed.id, (None, 0.0))
        done = completion(listed, rules)
        if done is not None:
            changes.append(Change("completed", before, listed, score, done))
        elif before is not None:
            changes.append(Change("continuing", before, listed, score, f"matches {before.name}"))
        else:
            changes.append(Change("new", None, listed, 0.0, "not in the old report"))
    changes += [
        Change("dropped", o, None, 0.0, "not in the new report")
        for o in old
        if o.id not in matched_old
    ]
    return changes


# --- reading the two sides -----------------------------------------------------------------


def read_folder(folder: Path) -> list[Listed]:
    """The projects of an output folder's ``projects.geojson``.

    Raises
    ------
    InputError
        When the folder has no readable ``projects.geojson``, or one whose
        structure is not what projectmap writes (naming the feature and field).
    """
    return [Listed.from_properties(props, geometry) for props, geometry in read_projects(folder)]


def from_result(projects: Iterable[LocatedProject]) -> list[Listed]:
    """Projects from a build's typed records."""
    return [
        Listed(p.id, p.name, p.status, p.places, tuple(i for i in p.place_ids if i), p.sentence,
               p.geometry)
        for p in projects
    ]  # fmt: skip


def same_region(old: tuple[str, str], new: tuple[str, str]) -> None:
    """Refuse two reports of different regions, given as ``(id, name)``.

    Raises
    ------
    RegionError
        When the ids differ.
    """
    if old[0] != new[0]:
        raise RegionError(
            f"OLD is {old[1]} ({old[0]}) and NEW is {new[1]} ({new[0]}); compare needs two "
            "reports of one region (pass --region CODE if a title misleads)"
        )


# --- the command: two reports or output folders in, a folder of files out ----------------


@dataclass(frozen=True)
class Comparison:
    """The changes between an OLD and a NEW report, with the names they were given by."""

    old: str
    new: str
    changes: tuple[Change, ...]

    def counts(self) -> dict[str, int]:
        """How many projects got each status, in :data:`STATUSES` order."""
        return {s: sum(1 for c in self.changes if c.status == s) for s in STATUSES}


def compare_reports(
    old: Path, new: Path, *, options: BuildOptions | None = None, toolkit: Toolkit | None = None
) -> Comparison:
    """Build both reports (or read two output folders) and label their projects.

    Raises
    ------
    ProjectmapError
        When a report cannot be built or read, or the two are of different regions.
    """
    options = options or BuildOptions()
    sides: list[list[Listed]] = []
    regions: list[tuple[str, str]] = []
    for path in (old, new):
        if path.is_dir():
            sides.append(read_folder(path))
            regions.append(folder_region(path))
            continue
        toolkit = toolkit or Toolkit.load(options)
        result = build(path, options=options, toolkit=toolkit)
        sides.append(from_result(result.located_projects))
        regions.append((result.region.id, result.region.name))
    if len(regions) == 2:
        same_region(regions[0], regions[1])
    rules = toolkit.extractor.rules if toolkit else ProjectRules.load(_user_projects(options))
    return Comparison(old.name, new.name, tuple(compare(sides[0], sides[1], rules)))


def _user_projects(options: BuildOptions) -> Path | None:
    return user_copies(options.rules).get("projects")
