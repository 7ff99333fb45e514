"""Find place mentions in report sentences.

Three ways, in this order, each with its offsets in the report text:

1. **gazetteer**: every name and alias of the gazetteer, longest first, with an
   optional part suffix (``磁湖西``, ``长乐山南北麓``, ``老下陆片``);
2. **shape**, **code** and **company**: names the gazetteer lacks but that are
   formed as places are, a specific part and a generic one (``望湖路``,
   ``棋盘洲综合保税区``, ``新兴管业``), and route codes (``G318``, ``228国道``):
   see :mod:`projectmap.shapes`. A longer name takes in a known one it starts
   with (``磁湖湿地公园``, ``鄂州市快递物流产业园``);
3. **list**: the items of lists such as ``磁湖西、孙家湾等地块`` and
   ``众联、传化等企业``.

The rules are data in ``rules/places.json``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from projectmap.files.rules import any_of, read_rules
from projectmap.text import jiebadict as _jiebadict
from projectmap.text.segment import Sentence
from projectmap.text.shapes import ShapeFinder, ShapeRules
from projectmap.text.wordtags import RARE, guess_tag

_CJK = re.compile(r"^[\u3400-\u9fff]+$")
_COMMON_WORD_FREQ = RARE
_SUFFIX_FREQ = 1000


@dataclass(frozen=True)
class Mention:
    """A place mention in the report.

    Attributes
    ----------
    text : str
        The mention as written (``磁湖西``).
    start, end : int
        Offsets in the report text.
    name : str
        The name to look up (``磁湖``).
    part : str or None
        For derived mentions, which part of the named place (``the west of``).
    how : str
        ``gazetteer``, ``shape``, ``code``, ``company`` or ``list``.
    kind : str or None
        For a name found by its shape, the kind its generic part names (``road``,
        ``water``, ``park``, …).
    """

    text: str
    start: int
    end: int
    name: str
    part: str | None = None
    how: str = "gazetteer"
    kind: str | None = None


@dataclass(frozen=True)
class PlaceRules:
    """The word lists of ``rules/places.json``."""

    part_suffixes: dict[str, str]
    part_blockers: frozenset[str]
    part_plain_after: frozenset[str]
    list_nouns: tuple[str, ...]
    left_stop_tags: frozenset[str]
    left_stop_words: frozenset[str]
    chains: tuple[str, ...]
    toponyms: ShapeRules

    @classmethod
    def load(cls, path: str | Path | None = None) -> PlaceRules:
        """Read the packaged rules, or a user's copy of ``places.json`` at ``path``."""
        return cls.from_dict(read_rules("places", path))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlaceRules:
        """Build the rules from the mapping of a places file."""
        return cls(
            part_suffixes=dict(sorted(data["part_suffixes"].items(), key=lambda kv: -len(kv[0]))),
            part_blockers=frozenset(data["part_blockers"]),
            part_plain_after=frozenset(data["part_plain_after"]),
            list_nouns=_longest_first(data["list_nouns"]),
            left_stop_tags=frozenset(data["left_stop_tags"]),
            left_stop_words=frozenset(data["left_stop_words"]),
            chains=_longest_first(data["chains"]),
            toponyms=ShapeRules.from_dict(data["toponyms"]),
        )


def _longest_first(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(words, key=len, reverse=True))


class PlaceDetector:
    """Finds place mentions with one jieba tokenizer that knows the gazetteer's names.

    Parameters
    ----------
    names : iterable of str
        Gazetteer names to look for.
    aliases : iterable of str
        Gazetteer aliases to look for, unless they are common words (``团结``,
        ``新城``): a community called 团结社区 is not meant by every 团结.
    rules : PlaceRules, optional
        Word lists; the packaged ones by default.
    """

    def __init__(
        self,
        names: Iterable[str],
        aliases: Iterable[str] = (),
        *,
        admin_names: Iterable[str] = (),
        country_names: Iterable[str] = (),
        rules: PlaceRules | None = None,
    ) -> None:
        self.rules = rules or PlaceRules.load()
        self.admin_names = frozenset(admin_names)
        self.tokenizer = _jiebadict.tokenizer()  # the dictionary is read once per process
        self.tags = _jiebadict.tags()
        kept_aliases = {
            a
            for a in aliases
            if self.tokenizer.FREQ.get(a, 0) < _COMMON_WORD_FREQ or a in self.admin_names
        }
        generic = self.rules.toponyms.generic_names
        self.names = {n for n in (*names, *kept_aliases) if len(n) >= 2 and n not in generic}
        self.longest = max((len(n) for n in self.names), default=0)
        self._openings = frozenset(n[:2] for n in self.names)  # no name starts elsewhere
        self.generics = tuple(sorted(self.rules.toponyms.generics, key=len, reverse=True))
        for suffix in self.generics:
            if suffix not in self.tokenizer.FREQ:
                self.tokenizer.add_word(suffix, freq=_SUFFIX_FREQ)  # so that 大江|环科|年 splits
        for name in sorted(self.names):
            self.tokenizer.add_word(
                name, freq=max(self.tokenizer.FREQ.get(name, 0), 20000), tag="ns"
            )
        self.shapes = ShapeFinder(
            self.rules.toponyms, self.tokenizer.FREQ, self.tags, frozenset(country_names)
        )

    def tag(self, word: str) -> str:
        """A word's part of speech: ``ns`` for gazetteer names, else jieba's, else a guess."""
        if word in self.names:
            return "ns"
        return self.tags.get(word) or guess_tag(word)

    def detect(self, text: str, sentences: Sequence[Sentence]) -> list[Mention]:
        """Every place mention in the sentences, in text order, without overlaps."""
        found: list[Mention] = []
        for sentence in sentences:
            found.extend(self.in_sentence(text, sentence))
        return found

    def in_sentence(self, text: str, sentence: Sentence) -> list[Mention]:
        """Place mentions of one sentence."""
        known = self._gazetteer_matches(text, sentence.start, sentence.end)
        known += [c for c in self._chains(text, sentence) if not _overlaps(c, known)]
        mentions = self._with_shapes(text, sentence, sorted(known, key=lambda m: m.start))
        for mention in self._list_items(text, sentence):
            if not _overlaps(mention, mentions):
                mentions.append(mention)
        return sorted(mentions, key=lambda m: m.start)

    def _with_shapes(self, text: str, sentence: Sentence, known: list[Mention]) -> list[Mention]:
        """Gazetteer mentions and names found by shape; a longer name takes in a known one.

        ``磁湖湿地公园`` is one park, not the lake; ``鄂州市快递物流产业园`` takes in its
        city's name. A gazetteer name a shape only overlaps in part stays as it is.
        """
        jump = [(m.start, m.end) for m in known if m.name in self.admin_names]
        shapes = self.shapes.find(
            text, sentence.start, sentence.end, jump=jump, names=[(m.start, m.end) for m in known]
        )
        out = list(known)
        for shape in shapes:
            inside = [m for m in out if shape.start <= m.start and m.end <= shape.end]
            partly = [
                m for m in out if _overlaps_span(m, shape.start, shape.end) and m not in inside
            ]
            if partly or any(m.start == shape.start and m.end == shape.end for m in inside):
                continue
            out = [m for m in out if m not in inside]
            name = text[shape.start : shape.end]
            how = "code" if not shape.generic else "company" if shape.kind == "firm" else "shape"
            out.append(Mention(name, shape.start, shape.end, name, None, how, shape.kind))
        return out

    # -- gazetteer names --------------------------------------------------------------------

    def _gazetteer_matches(self, text: str, start: int, end: int) -> list[Mention]:
        out: list[Mention] = []
        i = start
        while i < end:
            match = self._longest_name_at(text, i, end)
            if match is None:
                i += 1
                continue
            mention = self._with_part(text, i, i + len(match), end, match)
            if mention is not None:
                out.append(mention)
                i = mention.end
            else:
                i += len(match)
        return out

    def _longest_name_at(self, text: str, i: int, end: int) -> str | None:
        if text[i : i + 2] not in self._openings:
            return None
        for length in range(min(self.longest, end - i), 1, -1):
            if text[i : i + length] in self.names:
                return text[i : i + length]
        return None

    def _with_part(self, text: str, start: int, stop: int, end: int, name: str) -> Mention | None:
        after = text[stop:end]
        for suffix, meaning in self.rules.part_suffixes.items():
            if after.startswith(suffix):
                nxt = after[len(suffix) : len(suffix) + 1]
                if len(suffix) == 1 and nxt and nxt in self.rules.part_blockers:
                    return None  # 磁湖西路 is another name, not the west of 磁湖
                if len(suffix) == 1 and nxt and nxt in self.rules.part_plain_after:
                    break  # 蜂烈山路南延: the road's extension, not its south
                return Mention(name + suffix, start, stop + len(suffix), name, meaning)
        if after.startswith(self.generics):
            return None  # 磁湖路, 仓前互通, 大冶有色: the name only starts another one
        return Mention(name, start, stop, name)

    # -- shapes, companies, lists ------------------------------------------------------------

    def _chains(self, text: str, sentence: Sentence) -> list[Mention]:
        """The sites of national chains the sentence names (居然之家), each once, as firms."""
        out: list[Mention] = []
        for chain in self.rules.chains:
            at = text.find(chain, sentence.start, sentence.end)
            while at >= 0:
                found = Mention(chain, at, at + len(chain), chain, None, "company", "firm")
                if not _overlaps(found, out):
                    out.append(found)
                at = text.find(chain, at + len(chain), sentence.end)
        return out

    def _may_lead(self, word: str, flag: str) -> bool:
        if not _CJK.match(word) or word in self.rules.left_stop_words:
            return False
        return flag not in self.rules.left_stop_tags or (flag == "x" and word in self.names)

    def _list_items(self, text: str, sentence: Sentence) -> list[Mention]:
        """Items of ``甲、乙、丙等地块`` and ``甲、乙片`` lists: places named only by the list."""
        out = []
        nouns = any_of(self.rules.list_nouns)
        pattern = re.compile(
            rf"((?:[\u3400-\u9fff]{{2,8}}、)+[\u3400-\u9fff]{{2,8}}?)(?:等[^，,。；;、]{{0,6}}?(?:{nouns})|(?=片区|片[^区]))"
        )
        for match in pattern.finditer(sentence.text):
            items = match.group(1).split("、")
            offset = sentence.start + match.start(1)
            first = self._strip_lead_verbs(items[0])
            offset += len(items[0]) - len(first)
            items[0] = first
            for item in items:
                if 2 <= len(item) <= 8 and item not in self.rules.toponyms.generic_names:
                    out.append(Mention(item, offset, offset + len(item), item, None, "list"))
                offset += len(item) + 1
        return out

    def _strip_lead_verbs(self, item: str) -> str:
        for word in self.rules.left_stop_words:
            at = item.rfind(word)
            if at >= 0 and len(item) - at - len(word) >= 2:
                item = item[at + len(word) :]
        words = [(w, self.tag(w)) for w in self.tokenizer.cut(item, HMM=True)]
        keep = len(words)
        for index in range(len(words) - 1, -1, -1):
            if not self._may_lead(*words[index]):
                break
            keep = index
        return "".join(w for w, _ in words[keep:])


def _overlaps_span(mention: Mention, start: int, end: int) -> bool:
    return mention.start < end and start < mention.end


def _overlaps(mention: Mention, others: Iterable[Mention]) -> bool:
    return any(mention.start < o.end and o.start < mention.end for o in others)
