"""Find the government that issued a report, so that places resolve inside its area.

Titles come in a few forms: ``黄石市下陆区人民政府工作报告``,
``2023年黄石港区政府工作报告``, or a line ``——在…区第十一届人民代表大会…上``.
A text without one (a news item) is scoped to the area its own admin names
point to; a text that points nowhere is refused, with the way to say where.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from projectmap.china import AdminIndex, AdminUnit
from projectmap.errors import RegionError
from projectmap.ingest import Report

_CONGRESS = re.compile(r"在[^\n]{0,30}?(?:人民代表大会|人大)")
_HEAD_CHARS = 2000
_LEVELS = {1: "province", 2: "city", 3: "county"}


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


def find_region(report: Report, index: AdminIndex, *, override: str | None = None) -> Issuer:
    """The issuing region of a report.

    Raises
    ------
    RegionError
        When ``override`` names no unit, or the text points to no area.
    """
    if override:
        return _issuer(index.find(override), index, "option")
    head = report.text[:_HEAD_CHARS]
    for found_by, texts in (
        ("title", [report.title or ""]),
        ("congress_line", _CONGRESS.findall(head)),
    ):
        for text in texts:
            unit = _deepest(_units_in(text, index), index)
            if unit is not None:
                return _issuer(unit, index, found_by)
    unit = _most_named(report.text, index)
    if unit is None:
        raise RegionError(
            f"{report.source}: no issuing government found in its title or text; "
            "say where it is with --region NAME or --region CODE (e.g. --region 420204)"
        )
    return _issuer(unit, index, "text")


def _issuer(unit: AdminUnit, index: AdminIndex, found_by: str) -> Issuer:
    return Issuer(unit, tuple(index.chain(unit.code)), found_by)


def _units_in(text: str, index: AdminIndex, *, short_counties: bool = True) -> list[AdminUnit]:
    """Units named in ``text``, longest names first and without overlaps.

    Without ``short_counties``, a county counts only by its full name: in running
    text 城中 is more often 城中村 than 城中区.
    """
    found: list[AdminUnit] = []
    taken = [False] * len(text)
    for name in index.names():
        if len(name) < 2 or name not in text:
            continue
        for match in re.finditer(re.escape(name), text):
            span = range(match.start(), match.end())
            if any(taken[i] for i in span):
                continue
            units = [
                u for u in index.named(name) if short_counties or u.level < 3 or u.name == name
            ]
            if not units:
                continue
            for i in span:
                taken[i] = True
            found.extend(units)
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


def _most_named(text: str, index: AdminIndex) -> AdminUnit | None:
    """The unit a text names most often, counting its sub-units' mentions as its own."""
    units = _units_in(text, index, short_counties=False)
    if not units:
        return None
    counts: Counter[str] = Counter()
    for unit in units:
        for ancestor in index.chain(unit.code):
            counts[ancestor.code] += 1
    top = max(counts.values())
    leaders = [index.by_code[c] for c, n in counts.items() if n == top]
    return max(leaders, key=lambda u: u.level)
