"""Find the government that issued a report, so that places resolve inside its area.

Titles come in a few forms: ``黄石市下陆区人民政府工作报告``,
``2023年黄石港区政府工作报告``, or a line ``——在…区第十一届人民代表大会…上``.
A text without one (a news item) is scoped to the area its own admin names
point to; a text that points nowhere is refused, with the way to say where.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from projectmap.errors import RegionError
from projectmap.files.rules import read_rules
from projectmap.places.china import AdminIndex, AdminUnit
from projectmap.reading.ingest import Report

_HEAD_CHARS = 2000
_LEVELS = {1: "province", 2: "city", 3: "county"}
#: A longer line is running text, not a page's title or source line.
_HEAD_LINE_MAX = 60
#: The leading unit needs this many times the votes of the next.
_MARGIN = 1.5


@dataclass(frozen=True)
class RegionRules:
    """The word lists of ``rules/region.json``."""

    company_suffixes: tuple[str, ...]
    macro_regions: tuple[str, ...]
    generic_names: frozenset[str]
    county_share: float
    head_lines: int
    head_weight: float
    source_words: tuple[str, ...]
    congress_line: re.Pattern[str]

    @classmethod
    def load(cls, path: str | Path | None = None) -> RegionRules:
        """Read the packaged rules, or a user's copy of ``region.json`` at ``path``."""
        data = read_rules("region", path)
        return cls(
            company_suffixes=tuple(data["company_suffixes"]),
            macro_regions=tuple(data["macro_regions"]),
            generic_names=frozenset(data["generic_names"]),
            county_share=float(data["county_share"]),
            head_lines=int(data["head_lines"]),
            head_weight=float(data["head_weight"]),
            source_words=tuple(data["source_words"]),
            congress_line=re.compile(data["congress_line"]),
        )


@dataclass(frozen=True)
class Issuer:
    """The government that issued a report, and how it was found.

    Attributes
    ----------
    unit : AdminUnit
        The issuing area.
    chain : tuple of AdminUnit
        The unit and its ancestors, the unit first.
    found_by : str
        ``title``, ``congress_line``, ``text`` or ``option``.
    """

    unit: AdminUnit
    chain: tuple[AdminUnit, ...]
    found_by: str

    @property
    def code(self) -> str:
        """The unit's GB/T 2260 code."""
        return self.unit.code

    def named(self, level: int) -> str | None:
        """The name of the unit at ``level`` (1 province, 2 city, 3 county) in its chain."""
        return next((u.name for u in self.chain if u.level == level), None)

    def as_dict(self) -> dict[str, str | None]:
        """The region as ``report.json`` holds it."""
        return {
            "name": self.unit.name,
            "code": self.unit.code,
            "level": _LEVELS.get(self.unit.level, str(self.unit.level)),
            "province": self.named(1),
            "city": self.named(2),
            "county": self.named(3),
        }


def find_region(
    report: Report,
    index: AdminIndex,
    *,
    override: str | None = None,
    rules: RegionRules | None = None,
    words: Mapping[str, str] | None = None,
) -> Issuer:
    """The issuing region of a report.

    ``words`` (word → part-of-speech tag, see :func:`projectmap.text.wordtags.word_tags`)
    tell a short admin name that stands alone from one inside a common word.

    Raises
    ------
    RegionError
        When ``override`` names no unit, or the text points to no area.
    """
    if override:
        return _issuer(index.find(override), index, "option")
    rules = rules or RegionRules.load()
    head = report.text[:_HEAD_CHARS]
    for found_by, texts in (
        ("title", [report.title or ""]),
        ("congress_line", rules.congress_line.findall(head)),
    ):
        for text in texts:
            unit = _deepest(_units_in(text, index), index)
            if unit is not None:
                return _issuer(unit, index, found_by)
    unit = _most_named(report.text, index, rules, words or {})
    if unit is None:
        raise RegionError(
            f"{report.source}: no issuing government found in its title or text; "
            "say where it is with --region NAME or --region CODE (e.g. --region 420204)"
        )
    return _issuer(unit, index, "text")


def _issuer(unit: AdminUnit, index: AdminIndex, found_by: str) -> Issuer:
    return Issuer(unit, tuple(index.chain(unit.code)), found_by)


def _units_in(text: str, index: AdminIndex) -> list[AdminUnit]:
    """Units named in ``text``, longest names first and without overlaps."""
    return [u for named in _named(text, index) for u in named.units]


@dataclass(frozen=True)
class _Named:
    """Admin units a stretch of text names: several when units share the name."""

    start: int
    end: int
    units: tuple[AdminUnit, ...]
    full: bool


def _named(text: str, index: AdminIndex) -> list[_Named]:
    """Every admin name in ``text``, the longest at each place, in one pass over the text."""
    found: list[_Named] = []
    at = 0
    while at < len(text) - 1:
        name = next(
            (n for n in index.names_starting(text[at : at + 2]) if text.startswith(n, at)), None
        )
        if name is None:
            at += 1
            continue
        units = tuple(index.named(name))
        found.append(_Named(at, at + len(name), units, all(u.name == name for u in units)))
        at += len(name)
    return found


def _deepest(units: list[AdminUnit], index: AdminIndex) -> AdminUnit | None:
    """The most specific unit whose ancestors agree with the other names found."""
    if not units:
        return None
    named = {u.code for u in units}

    def support(unit: AdminUnit) -> tuple[int, int]:
        ancestors = {a.code for a in index.chain(unit.code)[1:]}
        return (len(ancestors & named), unit.level)

    best = max(units, key=support)
    rivals = [u for u in units if u.code != best.code and support(u) == support(best)]
    if rivals:
        choices = ", ".join(f"{u.code} ({index.label(u.code)})" for u in [best, *rivals])
        raise RegionError(f"the title names one of several areas: {choices}; pass --region CODE")
    return best


def _most_named(
    text: str, index: AdminIndex, rules: RegionRules, words: Mapping[str, str]
) -> AdminUnit | None:
    """The area a running text is about, from the admin names it uses.

    Each name is a vote, shared among the units that bear it, and counts for their
    ancestors too. The province with most votes is chosen, then its city, then one of
    that city's counties when it has most of the county-level votes: a news item
    that names four districts of a city is about the city, one that keeps naming
    one district is about that district.
    """
    votes = _votes(text, index, rules, words)
    if not votes:
        return None
    totals: dict[str, float] = {}
    for code, weight in votes.items():
        for unit in index.chain(code):
            totals[unit.code] = totals.get(unit.code, 0.0) + weight
    chosen: AdminUnit | None = None
    for level in (1, 2, 3):
        pool = [
            c
            for c in totals
            if index.by_code[c].level == level
            and (chosen is None or index.by_code[c].parent == chosen.code)
        ]
        best = _leader(pool, totals, share=rules.county_share if level == 3 else 0.0)
        if best is None:
            break
        chosen = index.by_code[best]
    return chosen


def _leader(pool: list[str], totals: Mapping[str, float], *, share: float) -> str | None:
    """The code with at least ``share`` of the pool's votes and clearly more than any rival."""
    ranked = sorted(pool, key=lambda c: -totals[c])
    if not ranked:
        return None
    total = sum(totals[c] for c in ranked)
    top = totals[ranked[0]]
    second = totals[ranked[1]] if len(ranked) > 1 else 0.0
    if top <= 0 or top < share * total or top < _MARGIN * second:
        return None
    return ranked[0]


def _votes(
    text: str, index: AdminIndex, rules: RegionRules, words: Mapping[str, str]
) -> dict[str, float]:
    """Votes by unit code, for the admin names a text uses.

    A full name (黄州区) or a short one of three characters or more (海拉尔) is one
    vote; a two-character short name (长乐, 黄州) half a vote, and none when it is cut
    out of a common word (惠农 in 惠农贸) or is itself a generic word (新区). Names in
    the first lines, where a page names its publisher, count three times.
    """
    votes: dict[str, float] = {}
    head = _head_spans(text, rules)
    for named in _named(text, index):
        name = text[named.start : named.end]
        if text.startswith(rules.company_suffixes, named.end) or name in rules.generic_names:
            continue  # 大冶有色, 大兴安岭森工集团: a firm named after a place
        if not _reads_as_place(text, named, words, full=named.full):
            continue
        weight = 1.0 if named.full or len(name) >= 3 else 0.5
        if any(a <= named.start < b for a, b in head):
            weight *= rules.head_weight
        for unit in named.units:
            votes[unit.code] = votes.get(unit.code, 0.0) + weight / len(named.units)
    return votes


def _head_spans(text: str, rules: RegionRules) -> list[tuple[int, int]]:
    """The title line and the source lines (来源：…, 发布单位：…) at the top of a page."""
    spans: list[tuple[int, int]] = []
    start = 0
    for number, line in enumerate(text.split("\n")[: rules.head_lines]):
        end = start + len(line)
        if len(line) <= _HEAD_LINE_MAX and (
            number == 0 or any(w in line for w in rules.source_words)
        ):
            spans.append((start, end))
        start = end + 1
    return spans


def _reads_as_place(
    text: str, named: _Named, words: Mapping[str, str], *, full: bool = False
) -> bool:
    """Whether a short admin name stands for its unit here, not inside a common word.

    城中 is a common word and 城中村 a word of its own; 长乐 in 长乐20个项目 and 黄州 in
    黄州大道 stand for their counties. A full name ends in its admin suffix, so only a
    word across its start cuts it (西塞山区政府 is the district's government).
    """
    name = text[named.start : named.end]
    tag = words.get(name)
    if not full and tag is not None and not tag.startswith("ns"):
        return False
    start, end = named.start, named.end
    for a in range(max(0, start - 3), end):
        for b in range(max(a + 2, start + 1), min(len(text), end + 3) + 1):
            crosses = a < start < b or (not full and a < end < b)
            if crosses and (b - a) > 1 and text[a:b] in words and text[a:b] != name:
                return False  # 惠|农贸, 城中村, 振|兴文: the name is cut out of a word
    return True
