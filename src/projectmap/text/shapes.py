"""Place names the gazetteer lacks, found by how Chinese place names are formed.

A Chinese place name is a *specific* part and a *generic* part (专名 + 通名):
``望湖`` + ``路``, ``棋盘洲`` + ``综合保税区``, ``苏军烈士`` + ``陵园``. The generic
parts are a closed class (roads, rail, water, terrain, settlements, zones, parks,
facilities, firms), listed by kind in ``rules/places.json``; the specific part is
whatever stands before the generic back to the first boundary: punctuation, a verb
or function word (``完成|望湖路``, ``位于|滨海新城``), a count (``5条|断头路``) or an
area word (``市区|黄婆汊路``). Route codes (``G318``, ``228国道``, ``轨道交通6号线``)
have shapes of their own.

The boundary is found on characters, with jieba's dictionary only to tell whether
a boundary or a generic part cuts a word (``城`` in 城市, ``新`` in 新港), since
jieba itself cuts unknown names in odd places (``望|湖路``, ``中|环路``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_CJK = re.compile(r"[\u3400-\u9fff]")
_QUOTES = {"”": "“", "’": "‘", "」": "「", "』": "『"}
_DASHES = frozenset("—－-~～")
_NEVER_CUT = frozenset({"firm", "branch", "campus"})
#: A whole name this common in the dictionary, and no place name there, is a word.
_COMMON_NAME_FREQ = 50


@dataclass(frozen=True)
class Shape:
    """A name found by its shape: its span, its generic part and the generic's kind."""

    start: int
    end: int
    generic: str
    kind: str


@dataclass(frozen=True)
class ShapeRules:
    """The word lists that say where a place name begins and ends."""

    generics: dict[str, str]
    stop_words: frozenset[str]
    area_words: frozenset[str]
    measure_words: frozenset[str]
    generic_names: frozenset[str]
    generic_specifics: frozenset[str]
    descriptors: tuple[str, ...]
    legal_forms: frozenset[str]
    bound_starts: tuple[str, ...]
    common_word_freq: int
    verb_finals: frozenset[str]
    road_words: frozenset[str]
    cross_word_freq: int
    max_length: int
    codes: tuple[re.Pattern[str], ...]
    numerals: frozenset[str]
    directions: frozenset[str]
    segment_words: frozenset[str]
    counted_in_digits: frozenset[str]
    level_prefixes: frozenset[str]
    specific_joiners: str
    name_joiners: str
    bound_ends: tuple[str, ...]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ShapeRules:
        """Build the rules from the ``toponyms`` mapping of ``rules/places.json``."""
        generics = {word: kind for kind, words in data["generics"].items() for word in words}
        return cls(
            generics=generics,
            stop_words=frozenset(data["stop_words"]),
            area_words=frozenset(data["area_words"]),
            measure_words=frozenset(data["measure_words"]),
            generic_names=frozenset(data["generic_names"]),
            generic_specifics=frozenset(data["generic_specifics"]),
            descriptors=tuple(data["descriptors"]),
            legal_forms=frozenset(data["legal_forms"]),
            bound_starts=tuple(data["bound_starts"]),
            common_word_freq=int(data["common_word_freq"]),
            verb_finals=frozenset(data["verb_finals"]),
            road_words=frozenset(data["road_words"]),
            cross_word_freq=int(data["cross_word_freq"]),
            max_length=int(data["max_length"]),
            codes=tuple(re.compile(p) for p in data["route_codes"]),
            numerals=frozenset(data["numerals"]),
            directions=frozenset(data["directions"]),
            segment_words=frozenset(data["segment_words"]),
            counted_in_digits=frozenset(data["counted_in_digits"]),
            level_prefixes=frozenset(data["level_prefixes"]),
            specific_joiners="".join(data["specific_joiners"]),
            name_joiners="".join(data["name_joiners"]),
            bound_ends=tuple(data["bound_ends"]),
        )


class ShapeFinder:
    """Finds place-shaped names in a stretch of text.

    Parameters
    ----------
    rules : ShapeRules
        The generic parts and boundary words.
    freq : mapping of str to int
        Word frequencies of the segmentation dictionary (jieba's ``FREQ``).
    tags : mapping of str to str
        Part-of-speech tags of dictionary words.
    admin_names : frozenset of str
        Names of China's provinces and cities, full and short: a generic part that
        ends one (浙|江) is that name's.
    """

    def __init__(
        self,
        rules: ShapeRules,
        freq: Mapping[str, int],
        tags: Mapping[str, str],
        admin_names: frozenset[str] = frozenset(),
    ) -> None:
        self.rules = rules
        kinds = rules.generic_names | set(rules.generics)
        self.admin_names = frozenset(n for n in admin_names if n not in kinds)
        self.freq = freq
        self.tags = tags
        self._longest_generic = max(len(g) for g in rules.generics)
        self._stops = rules.stop_words | rules.area_words
        self._longest_stop = max(len(w) for w in self._stops)
        self._generic_lasts = {g[-1] for g in rules.generics}
        self._generics_by_first: dict[str, list[str]] = {}
        for generic in rules.generics:
            self._generics_by_first.setdefault(generic[0], []).append(generic)
        self._road_generics = tuple(g for g, kind in rules.generics.items() if kind == "road")
        self._long_kinds = tuple(
            g for g in rules.generic_names if len(g) >= 4 and g not in rules.generics
        )

    def find(
        self,
        text: str,
        start: int,
        end: int,
        *,
        jump: Sequence[tuple[int, int]] = (),
        names: Sequence[tuple[int, int]] = (),
    ) -> list[Shape]:
        """Names in ``text[start:end]``, longest first where they overlap.

        ``jump`` are spans of names a new one may take in on its left (an admin name
        that starts a longer name: 鄂州市|快递物流产业园). ``names`` are spans of names
        found otherwise: a new name begins after one (滨海新城|万新路) unless what
        follows it names nothing by itself (棋盘洲|货运铁路, 大冶湖|北岸环湖绿道), and
        no name begins or ends inside one.
        """
        found = list(self._codes(text, start, end))
        firm_ends: set[int] = set()
        jumped = set(jump)
        ends = sorted({e for s, e in names if (s, e) not in jumped} | {f.end for f in found})
        inner = [(s, e) for s, e in names]
        known_ends = frozenset(e for _, e in names)
        for stop in range(start + 1, end + 1):
            generic = self._generic_ending(text, stop, start, end)
            if generic is None or any(s < stop < e for s, e in inner):
                continue
            if any(s <= stop - len(generic) and stop <= e for s, e in names):
                continue  # 黄石港 of 黄石港区, 机场 of 鄂州花湖机场: the known name's own
            if any(text[stop - k : stop] in self.admin_names for k in range(2, 5)):
                continue  # 浙江, 吴江: an admin unit's name, found as such or not at all
            shape = self._named(text, start, stop, generic, jump, (ends, firm_ends, known_ends))
            if shape is None or any(s < shape.start < e for s, e in inner):
                continue
            ends.append(shape.end)
            if shape.kind == "firm":
                firm_ends.add(shape.end)  # 盛隆电气|智能制造产业基地: the firm's own
            if generic not in self.rules.legal_forms:
                found.append(shape)  # …有限公司 is the firm as a party, not a site
        return _longest_first(found)

    # -- the generic part -----------------------------------------------------------------

    def _generic_ending(self, text: str, stop: int, start: int, end: int) -> str | None:
        """The generic part that ends a name at ``stop``, if one does."""
        if text[stop - 1] not in self._generic_lasts:
            return None
        for length in range(min(self._longest_generic, stop - start), 0, -1):
            generic = text[stop - length : stop]
            if generic not in self.rules.generics:
                continue
            if self._goes_on(text, stop, end) or self._cut_after(text, stop, end):
                return None
            if len(generic) == 1 and self._cut_before(text, stop - 1, stop, start):
                return None
            return generic
        return None

    def _goes_on(self, text: str, stop: int, end: int) -> bool:
        """Whether a generic part is followed by another (磁湖|湿地公园, 狮子山|路).

        Not when that one is cut from a word (物流园区|路网).
        """
        if stop >= end or text[stop] not in self._generics_by_first:
            return False
        nxt = text[stop : min(end, stop + self._longest_generic)]
        return any(
            nxt.startswith(g) and not self._cut_after(text, stop + len(g), end)
            for g in self._generics_by_first[nxt[0]]
        )

    def _cut_after(self, text: str, stop: int, end: int) -> bool:
        """Whether a word runs on over the end of the generic part (城|市, 湖|水, 路|口).

        A direction after it is the part of the place (万新路|西南侧, 大冶湖|北岸).
        """
        direction = stop < end and text[stop] in self.rules.directions
        if direction or text[stop : stop + 1] in self.rules.segment_words:
            return False  # 万新路|西南侧, 大冶湖|北岸, 日升路|段
        return self._word_across(
            text, stop, max(0, stop - 3), end, against=self._word_at(text, stop, end)
        )

    def _word_at(self, text: str, at: int, end: int) -> int:
        """How common the word that begins at ``at`` is (水质 of 磊山湖|水质)."""
        return max(
            (self.freq.get(text[at:b], 0) for b in range(at + 2, min(end, at + 3) + 1)), default=0
        )

    def _word_across(self, text: str, at: int, first: int, end: int, *, against: int = 0) -> bool:
        """Whether a dictionary word starting at or after ``first`` runs on over ``at``.

        Not one less common than the word that begins at ``at`` (``against``).
        """
        for a in range(max(first, at - 3), at):
            for b in range(at + 1, min(end, at + 3) + 1):
                floor = self.rules.cross_word_freq
                if b - a == 2:
                    floor = max(floor, against + 1)  # 湖|水 against 水质; not 二中|全会
                if b - a >= 2 and self.freq.get(text[a:b], 0) >= floor:
                    return True
        return False

    def _cut_before(self, text: str, at: int, stop: int, start: int) -> bool:
        """Whether a one-character generic ends a common word (航|海, 城|乡, 思|路).

        Not when what comes before names a place (中环|路, 狮子山|路) or numbers a road
        (新港一|路).
        """
        if at - 1 < start:
            return False
        word = text[at - 1 : stop]
        if text[at - 1] in self.rules.verb_finals:
            return True  # 火爆开|园, 出门入|园: a verb and its object
        if self.freq.get(word, 0) < self.rules.common_word_freq or self.tags.get(
            word, ""
        ).startswith("ns"):
            return False
        if text[at - 1] in self.rules.numerals or any(
            text[a:at] in self.rules.generics for a in range(max(start, at - 3), at)
        ):
            return False
        before = range(max(start, at - 3), at - 1)
        return not any(self.tags.get(text[a:at], "").startswith("ns") for a in before)

    # -- the specific part ----------------------------------------------------------------

    def _named(
        self,
        text: str,
        start: int,
        stop: int,
        generic: str,
        jump: Sequence[tuple[int, int]],
        known: tuple[Sequence[int], set[int], frozenset[int]],
    ) -> Shape | None:
        at = stop - len(generic)
        kind = self.rules.generics[generic]
        ends, owners, known_ends = known
        left = self._left_edge(text, start, at, jump, ends)
        after = max((e for e in ends if left < e < at and e not in owners), default=None)
        if after is not None and kind not in _NEVER_CUT:
            cut = _without_connective(text, after, at, self.rules.name_joiners)
            joined = cut > after  # 外贸码头|和|客运码头: a connective starts a new name
            if self._stands_alone(text[cut:at], text[cut:stop], joined=joined):
                left = cut
            elif (
                after in known_ends
                and at - cut >= 2
                and not text[cut:at].startswith(self.rules.descriptors)
            ):
                return None  # 长乐山南北麓|开山塘口: a kind of thing at a known place
        if not self._specific(text[left:at], text[left:stop]):
            return None
        if self._verb_and_kind(text, left, at, stop):
            return None
        return Shape(left, stop, generic, kind)

    def _left_edge(
        self,
        text: str,
        start: int,
        at: int,
        jump: Sequence[tuple[int, int]],
        ends: Sequence[int],
    ) -> int:
        """Where the specific part begins: walk left to the first boundary."""
        left = at
        limit = at - self.rules.max_length
        while left > max(start, limit):
            span = next((s for s, e in jump if e == left and s >= start), None)
            if span is not None and any(e == span for _, e in jump):
                span = None  # 黄石市西塞山区|牧羊湖小区: an address, not a name
            joined = span if span is not None else self._joined_before(text, left, start, ends)
            if joined is not None:
                left = joined  # 鄂州市|…产业园, “海悦城”|时代广场, 柯尔山—|白马山公园
                continue
            first = left == at or text[left:at] in self.rules.generics
            if self._boundary_before(text, left, start, first=first):
                break
            left -= 1
        return left

    def _joined_before(self, text: str, at: int, start: int, ends: Sequence[int]) -> int | None:
        """The start of a quoted name, or of a name and a dash, that ends at ``at``."""
        char = text[at - 1]
        if char in _QUOTES:
            opening = text.rfind(_QUOTES[char], max(start, at - 12), at - 1)
            inside = text[opening + 1 : at - 1]
            if opening >= 0 and inside and all(_CJK.match(c) for c in inside):
                return opening
        if char in _DASHES and (at - 1) in ends:
            return at - 1
        return None

    def _boundary_before(self, text: str, at: int, start: int, *, first: bool = False) -> bool:
        """Whether a name cannot reach over ``text[at - 1]`` to its left.

        A count is a boundary (5条|断头路), but not right before the generic part, where
        numeral and measure word are the name (三台|河).
        """
        char = text[at - 1]
        if not _CJK.match(char):
            return char not in _DASHES
        for length in range(min(self._longest_stop, at - start), 0, -1):
            word = text[at - length : at]
            if word in self.rules.road_words and text.startswith(self._road_generics, at):
                return False  # 建设|路, 发展|大道: common words that name roads
            if word in self._stops and not self._runs_on(text, at - length, at):
                return True  # 完成|望湖路, but not 连接|线 of 连接线
        if char in self.rules.measure_words and not first and at - 2 >= start:
            before = text[at - 2]
            digits_only = char in self.rules.counted_in_digits
            return before.isdigit() if digits_only else before in self.rules.numerals
        return False

    def _runs_on(self, text: str, start: int, at: int) -> bool:
        """Whether a word that begins with the stop word runs on past it (连接|线, 和|平)."""
        return any(self.freq.get(text[start:b], 0) > 0 for b in range(at + 1, at + 3))

    def _verb_and_kind(self, text: str, left: int, at: int, stop: int) -> bool:
        """Whether a name is a verb and a short generic word (编制|园区, 掀起|园区).

        Not when the verb opens a list item (、繁荣|广场), where it is the name, nor
        before a longer generic (智能制造|产业园), which a verb often qualifies.
        """
        generic = text[at:stop]
        if len(generic) > 2 or generic not in self.rules.generic_names or at - left > 5:
            return False
        verb = next((text[a:at] for a in (at - 2, at - 3) if a >= left), "")
        tag = self.tags.get(verb, "")
        if not verb or not tag.startswith("v") or tag == "vn":
            return False
        return not (verb == text[left:at] and left > 0 and text[left - 1] in "、“")

    def _stands_alone(self, specific: str, name: str, *, joined: bool = False) -> bool:
        """Whether what follows another name is a name of its own (万新路 after 滨海新城).

        Not a descriptor (棋盘洲|货运铁路), a verb or an adjective (两湖|连通渠), unless a
        connective stands between them (外贸码头|和|客运码头).
        """
        if not _CJK.match(specific[:1]):
            return False
        if not joined and specific.startswith(self.rules.descriptors):
            return False
        if not joined and self.tags.get(specific, "").startswith(("v", "a")):
            return False
        return self._specific(specific, name)

    def _specific(self, specific: str, name: str) -> bool:
        """Whether the part before a generic names something (望湖), not a kind (城市)."""
        if specific in self.rules.level_prefixes and len(name) - len(specific) >= 3:
            return True  # 市会议中心, 省体育馆: the city's or the province's own
        if len(specific) < 2 or name in self.rules.generic_names:
            return False
        if name.endswith(self._long_kinds):
            return False  # 践行绿水青山: a set phrase at the end
        if len(name) - len(specific) == 1 and name[-2:] in self.rules.generic_names:
            return False  # 健康乡村, 推进城乡: a kind word (乡村) at the end, no generic part
        if specific in self.rules.road_words and name[len(specific) :] in self._road_generics:
            return True  # 建设路, 解放路
        if name[0] not in self.rules.level_prefixes and self._common_word(name):
            return False  # 航空港, 农贸市场: a word of the language, not a name
        if specific.startswith(self.rules.bound_starts) or specific.endswith(self.rules.bound_ends):
            return False
        bare = specific.lstrip("".join(self.rules.numerals))
        return bool(bare) and not self._all_generic(bare)

    def _common_word(self, name: str) -> bool:
        tag = self.tags.get(name, "")
        return self.freq.get(name, 0) >= _COMMON_NAME_FREQ and not tag.startswith("ns")

    def _all_generic(self, specific: str) -> bool:
        """Whether the specific part is made of generic words only (城市, 旅游文化)."""
        if specific in self.rules.generic_specifics:
            return True
        rest = specific
        while rest:
            if rest[0] in self.rules.specific_joiners:
                rest = rest[1:]
                continue
            word = next(
                (rest[:n] for n in range(min(6, len(rest)), 1, -1)
                 if rest[:n] in self.rules.generic_specifics),
                None,
            )  # fmt: skip
            if word is None:
                return False
            rest = rest[len(word) :]
        return True

    def _codes(self, text: str, start: int, end: int) -> Iterable[Shape]:
        """Route codes: G318, S225, 228国道, 轨道交通6、7、8号线."""
        piece = text[start:end]
        for pattern in self.rules.codes:
            for match in pattern.finditer(piece):
                yield Shape(start + match.start(), start + match.end(), "", "road")


def _without_connective(text: str, at: int, stop: int, joiners: str) -> int:
    """Skip a 和, 与, 及 or 跨 (one of ``joiners``) that joins two names (中环路|跨|三台河桥)."""
    while at < stop and text[at] in joiners:
        at += 1
    return at


def _longest_first(shapes: list[Shape]) -> list[Shape]:
    """Shapes without overlaps: a route code first, then a longer one before a shorter."""
    kept: list[Shape] = []
    for shape in sorted(shapes, key=lambda s: (bool(s.generic), -(s.end - s.start), s.start)):
        if all(shape.end <= k.start or k.end <= shape.start for k in kept):
            kept.append(shape)
    return sorted(kept, key=lambda s: s.start)
