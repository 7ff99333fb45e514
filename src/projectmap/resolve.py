"""Resolve place mentions against the gazetteer, scoped to the issuing region.

Candidates are the entries whose name or alias equals the mention's name. Scope
comes first: an entry inside the issuing region beats one in its city, which
beats one in its province; an entry outside the province is never taken, so
``安达路`` cannot become 安达市 in Heilongjiang. Among candidates in the same
scope an entry known by that very name beats one that only has it as an alias,
and a larger admin unit beats a smaller one of the same name. What is left
tied is *ambiguous* and placed at the candidates' common ancestor.

Every resolution carries a reason from :data:`REASONS` and a sentence saying why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from projectmap.china import AdminIndex
from projectmap.detect import Mention
from projectmap.gazetteer import Entry, Gazetteer

#: The fixed set of reasons a resolution may give.
REASONS = {
    "unique_name": "the only gazetteer entry with this name",
    "only_candidate_in_region": "the only entry with this name inside the issuing area",
    "preferred_name": "the entry known by this name; others only have it as an alias",
    "preferred_larger_unit": "the larger of several admin units with this name",
    "preferred_located": "the only one of several same-named entries with a sourced geometry",
    "derived_from_parent": "a part of a gazetteer feature",
    "named_after": "not in the gazetteer, but named after a place inside the issuing area",
    "ambiguous": "several entries share this name; placed at what they have in common",
    "outside_region": "the only entries with this name lie outside the issuing province",
    "not_in_gazetteer": "no gazetteer entry has this name",
    "named_after_elsewhere": "named after an admin unit outside the issuing area",
    "larger_area": "a region larger than the issuing area (a city cluster, an economic belt)",
}


@dataclass(frozen=True)
class Resolution:
    """What a mention resolved to and why.

    Attributes
    ----------
    mention : Mention
        The mention as found in the text.
    entry : Entry or None
        The gazetteer entry, or None when unresolved.
    located_by : Entry or None
        The entry whose geometry places it: itself or its nearest located ancestor.
    precision : int
        Geographic precision code (1 exact … 3 district; 7 unclear when unresolved).
    reason : str
        A key of :data:`REASONS`.
    explanation : str
        A sentence for people.
    """

    mention: Mention
    entry: Entry | None
    located_by: Entry | None
    precision: int
    reason: str
    explanation: str

    @property
    def geometry(self) -> BaseGeometry | None:
        """The geometry placing the mention: for ``磁湖西`` the west half of the lake's own."""
        if self.located_by is None or self.located_by.geometry is None:
            return None
        own = self.entry is not None and self.located_by.id == self.entry.id
        if own and self.mention.part is not None:
            return part_of(self.located_by.geometry, self.mention.part)
        return self.located_by.geometry


def _name(entry: Entry | None) -> str:
    return entry.name if entry is not None else "nothing"


_HALVES = {
    "east": (0.5, 0, 1, 1),
    "west": (0, 0, 0.5, 1),
    "north": (0, 0.5, 1, 1),
    "south": (0, 0, 1, 0.5),
}


def part_of(geometry: BaseGeometry, part: str) -> BaseGeometry:
    """The named part of a line or area: its east, west, north or south half.

    Other parts (``the area of``, ``the surroundings of``) keep the whole geometry,
    and so does a point.
    """
    direction = next((d for d in _HALVES if f"the {d} " in part), None)
    if direction is None or geometry.geom_type == "Point":
        return geometry
    x0, y0, x1, y1 = geometry.bounds
    fx0, fy0, fx1, fy1 = _HALVES[direction]
    half = box(
        x0 + (x1 - x0) * fx0, y0 + (y1 - y0) * fy0, x0 + (x1 - x0) * fx1, y0 + (y1 - y0) * fy1
    )
    clipped = geometry.intersection(half)
    return geometry if clipped.is_empty else clipped


class Elsewhere:
    """Admin names that put a place outside the issuing area when a name starts with them.

    A full name anywhere (武汉市…), or any name of a unit of the same province outside
    the issuing city (鄂州花湖机场, 武汉都市圈 for a 黄石 report). A short name of a
    distant unit is more often a brand (临沂商城 in Inner Mongolia) and does not count,
    nor does a name that goes on as a firm's (大冶有色).

    Parameters
    ----------
    index : AdminIndex
        China's provinces, cities and counties.
    region_code : str
        The issuing area's code.
    firm_words : iterable of str
        Words that make an admin name the start of a firm's name.
    macro_regions : iterable of str
        Endings of regions larger than a county (都市圈, 经济带, 长三角).
    """

    def __init__(
        self,
        index: AdminIndex,
        region_code: str,
        firm_words: Iterable[str],
        macro_regions: Iterable[str] = (),
    ) -> None:
        self.macro_regions = tuple(macro_regions)
        chain = index.chain(region_code)
        home = {u.code for u in chain}
        province = chain[-1].code if chain else region_code
        near = next((u.code for u in chain if u.level == 2), province)
        self.firm_words = tuple(firm_words)
        self.names: dict[str, str] = {}
        for unit in index.by_code.values():
            lineage = {u.code for u in index.chain(unit.code)}
            if unit.code in home or region_code in lineage or near in lineage:
                continue  # the area, what lies in it, and its neighbours in the same city
            self.names.setdefault(unit.name, index.label(unit.code))
            if unit.short != unit.name and len(unit.short) >= 2 and province in lineage:
                self.names.setdefault(unit.short, index.label(unit.code))
        self.longest = max((len(n) for n in self.names), default=0)

    def prefix(self, name: str) -> str | None:
        """The unit elsewhere that ``name`` is named after, or None."""
        for length in range(min(self.longest, len(name) - 1), 1, -1):
            label = self.names.get(name[:length])
            if label is not None and not name.startswith(self.firm_words, length):
                return label
        return None


class Resolver:
    """Resolves mentions inside one issuing region.

    Parameters
    ----------
    gazetteer : Gazetteer
        Entries to resolve against, the region's skeleton included.
    region_id : str
        The gazetteer id of the issuing area (``420204``).
    """

    def __init__(
        self, gazetteer: Gazetteer, region_id: str, *, elsewhere: Elsewhere | None = None
    ) -> None:
        self.gazetteer = gazetteer
        self.region_id = region_id
        self.scopes = [region_id, *(a.id for a in gazetteer.ancestors(region_id))]
        self.elsewhere = elsewhere

    def resolve(self, mention: Mention) -> Resolution:
        """Resolve one mention; an unresolved mention is a value, not an error.

        A name the gazetteer lacks is presumed to lie in the issuing area, which a
        report describes, and is placed there as a whole (precision 3), unless it is
        named after an admin unit elsewhere (鄂州花湖机场 in a 黄石 report).
        """
        candidates = self.gazetteer.lookup(mention.name)
        scoped = self._in_scope(candidates)
        if scoped:
            chosen, reason = self._choose(scoped, len(candidates))
            return self._placed(mention, chosen, reason, scoped)
        if self.elsewhere is not None and mention.name.endswith(self.elsewhere.macro_regions):
            return Resolution(
                mention, None, None, 7, "larger_area",
                f"{mention.name} is {REASONS['larger_area']}; it is not placed",
            )  # fmt: skip
        foreign = self.elsewhere.prefix(mention.name) if self.elsewhere else None
        if foreign is not None:
            return Resolution(
                mention, None, None, 7, "named_after_elsewhere",
                f"{mention.name} is named after {foreign}, outside "
                f"{self._label_id(self.region_id)}; add it to gazetteer/ if it lies inside",
            )  # fmt: skip
        if candidates and mention.how == "gazetteer":
            where = "、".join(sorted({self._label(c) for c in candidates}))
            return Resolution(
                mention, None, None, 7, "outside_region",
                f"{mention.name} is only known outside {self._label_id(self.scopes[-1])} ({where})",
            )  # fmt: skip
        return self._named_after(mention) or self._in_region(mention, bool(candidates))

    def _in_region(self, mention: Mention, known_elsewhere: bool) -> Resolution:
        region = self.gazetteer.located(self.region_id)
        where = _name(region)
        lacks = (
            "has no entry inside the issuing area" if known_elsewhere else "is not in the gazetteer"
        )
        return Resolution(
            mention, None, region, self._precision(region, own=False), "not_in_gazetteer",
            f"{mention.name} {lacks}; placed in {where} as a whole; add it to gazetteer/ "
            "to place it exactly",
        )  # fmt: skip

    def resolve_all(self, mentions: Sequence[Mention]) -> list[Resolution]:
        """Resolve every mention."""
        return [self.resolve(m) for m in mentions]

    def _named_after(self, mention: Mention) -> Resolution | None:
        """``仓前互通`` is not in the gazetteer but 仓前(街道) is: place it in that area."""
        for length in range(len(mention.name) - 1, 1, -1):
            inside = [
                c
                for c in self.gazetteer.lookup(mention.name[:length])
                if c.id != self.region_id and self.gazetteer.is_within(c.id, self.region_id)
            ]
            chosen = self._choose(inside, len(inside))[0] if inside else None
            if isinstance(chosen, Entry):
                located = self.gazetteer.located(chosen.id)
                text = (
                    f"{mention.name} is not in the gazetteer; it is named after {chosen.name} "
                    f"({chosen.id}, {chosen.type}), so it is placed in the area of "
                    f"{_name(located)}; add it to gazetteer/ to place it exactly"
                )
                precision = self._precision(located, own=False)
                return Resolution(mention, None, located, precision, "named_after", text)
        return None

    def is_region_itself(self, mention: Mention) -> bool:
        """Whether a mention names the issuing region or one of its ancestors (下陆, 黄石市)."""
        return any(c.id in self.scopes for c in self.gazetteer.lookup(mention.name))

    def _in_scope(self, candidates: list[Entry]) -> list[Entry]:
        for scope in self.scopes:
            inside = [c for c in candidates if self.gazetteer.is_within(c.id, scope)]
            if inside:
                return inside
        return []

    def _choose(self, scoped: list[Entry], total: int) -> tuple[Entry | list[Entry], str]:
        if len(scoped) == 1:
            return scoped[0], "unique_name" if total == 1 else "only_candidate_in_region"
        return self._tie_break(scoped)

    def _tie_break(self, scoped: list[Entry]) -> tuple[Entry | list[Entry], str]:
        name = self._common_name(scoped)
        by_name = [c for c in scoped if c.name == name]
        if len(by_name) == 1:
            return by_name[0], "preferred_name"
        pool = by_name or scoped
        located = [c for c in pool if c.geometry is not None and c.admin_level is None]
        if len(located) == 1:
            return located[0], "preferred_located"
        levels = sorted({c.admin_level for c in pool if c.admin_level is not None})
        if levels and all(c.admin_level is not None for c in pool):
            top = [c for c in pool if c.admin_level == levels[0]]
            if len(top) == 1:
                return top[0], "preferred_larger_unit"
        return pool, "ambiguous"

    @staticmethod
    def _common_name(entries: list[Entry]) -> str:
        names = set(entries[0].names)
        for entry in entries[1:]:
            names &= set(entry.names)
        return min(names, key=len) if names else ""

    def _placed(
        self, mention: Mention, chosen: Entry | list[Entry], reason: str, scoped: list[Entry]
    ) -> Resolution:
        if isinstance(chosen, list):
            anchor = self._common_ancestor(chosen)
            located = self.gazetteer.located(anchor.id) if anchor else None
            ids = ", ".join(c.id for c in chosen)
            return Resolution(
                mention,
                None,
                located,
                self._precision(located, own=False),
                reason,
                f"{mention.name} may be any of {ids}; placed at {_name(located)}",
            )
        located = self.gazetteer.located(chosen.id)
        own = located is not None and located.id == chosen.id
        if mention.part is not None:
            reason = "derived_from_parent"
        text = self._explain(mention, chosen, located, reason, own)
        return Resolution(
            mention,
            chosen,
            located,
            self._precision(located, own=own, part=mention.part),
            reason,
            text,
        )

    def _common_ancestor(self, entries: list[Entry]) -> Entry | None:
        chains = [[e, *self.gazetteer.ancestors(e.id)] for e in entries]
        shared = set.intersection(*({a.id for a in chain} for chain in chains))
        return next((a for a in chains[0] if a.id in shared), None)

    @staticmethod
    def _precision(located: Entry | None, *, own: bool, part: str | None = None) -> int:
        if located is None:
            return 7
        level = located.admin_level
        if level is not None and level <= 1:
            return 4
        if level is not None and level <= 3:
            return 3
        if own and part is None and level is None:
            return 1
        return 2

    def _explain(
        self, mention: Mention, entry: Entry, located: Entry | None, reason: str, own: bool
    ) -> str:
        what = f"{mention.name} is {entry.id} ({entry.type}): {REASONS[reason]}"
        if mention.part:
            what += f"; {mention.text} is {mention.part} it"
        if located is None:
            return f"{what}; neither it nor its parents have a geometry"
        if own:
            return f"{what}; placed by its own geometry ({entry.source_crs} source)"
        return f"{what}; it has no sourced geometry, so it is placed at {located.name}"

    def _label(self, entry: Entry) -> str:
        chain = [entry, *self.gazetteer.ancestors(entry.id)]
        return "".join(a.name for a in reversed(chain) if a.admin_level is not None) or entry.id

    def _label_id(self, entry_id: str) -> str:
        return self.gazetteer[entry_id].name if entry_id in self.gazetteer else entry_id
