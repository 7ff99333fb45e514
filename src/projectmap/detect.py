"""Find place mentions in report sentences.

Three ways, in this order, each with its offsets in the report text:

1. **gazetteer**: every name and alias of the gazetteer, longest first, with an
   optional part suffix (``磁湖西``, ``长乐山南北麓``, ``老下陆片``);
2. **shape**: names the gazetteer lacks but that look like places by their
   ending (``…路``, ``…大道``, ``…湾``, ``…互通``), bounded on the left by
   jieba's segmentation so that ``启动东方大道`` gives ``东方大道``;
3. **company** and **list**: a firm that stands for its plant's site
   (``新兴管业``), and the items of lists such as ``磁湖西、孙家湾等地块``.

The rules are data in ``rules/places.json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from projectmap import _jiebadict
from projectmap._wordtags import RARE, guess_tag
from projectmap.segment import Sentence

_CJK = re.compile(r"^[\u3400-\u9fff]+$")
_COMMON_WORD_FREQ = RARE
_SUFFIX_FREQ = 1000
_COMMON_TAGS = frozenset({"n", "v", "vn", "a", "an", "ad", "b", "d"})


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
        ``gazetteer``, ``shape``, ``company`` or ``list``.
    """

    text: str
    start: int
    end: int
    name: str
    part: str | None = None
    how: str = "gazetteer"


@dataclass(frozen=True)
class PlaceRules:
    """The word lists of ``rules/places.json``."""

    shape_suffixes: tuple[str, ...]
    company_suffixes: tuple[str, ...]
    part_suffixes: dict[str, str]
    part_blockers: frozenset[str]
    part_plain_after: frozenset[str]
    list_nouns: tuple[str, ...]
    generic_names: frozenset[str]
    generic_modifiers: tuple[str, ...]
    road_suffixes: tuple[str, ...]
    road_name_words: frozenset[str]
    left_stop_tags: frozenset[str]
    left_stop_words: frozenset[str]
    max_name_length: int
    min_specific_length: int

    @classmethod
    def load(cls, data: dict[str, Any] | None = None) -> PlaceRules:
        """Read the packaged rules, or build them from ``data``."""
        if data is None:
            text = resources.files("projectmap").joinpath("rules/places.json").read_text("utf-8")
            data = json.loads(text)
        by_length = lambda words: tuple(sorted(words, key=len, reverse=True))  # noqa: E731
        return cls(
            shape_suffixes=by_length(data["shape_suffixes"]),
            company_suffixes=by_length(data["company_suffixes"]),
            part_suffixes=dict(sorted(data["part_suffixes"].items(), key=lambda kv: -len(kv[0]))),
            part_blockers=frozenset(data["part_blockers"]),
            part_plain_after=frozenset(data["part_plain_after"]),
            list_nouns=by_length(data["list_nouns"]),
            generic_names=frozenset(data["generic_names"]),
            generic_modifiers=tuple(data["generic_modifiers"]),
            road_suffixes=by_length(data["road_suffixes"]),
            road_name_words=frozenset(data["road_name_words"]),
            left_stop_tags=frozenset(data["left_stop_tags"]),
            left_stop_words=frozenset(data["left_stop_words"]),
            max_name_length=int(data["max_name_length"]),
            min_specific_length=int(data["min_specific_length"]),
        )


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
        self, names: Iterable[str], aliases: Iterable[str] = (), *, rules: PlaceRules | None = None
    ) -> None:
        self.rules = rules or PlaceRules.load()
        self.tokenizer = _jiebadict.tokenizer()  # the dictionary is read once per process
        self.tags = _jiebadict.tags()
        kept_aliases = {a for a in aliases if self.tokenizer.FREQ.get(a, 0) < _COMMON_WORD_FREQ}
        self.names = {n for n in (*names, *kept_aliases) if len(n) >= 2}
        self.longest = max((len(n) for n in self.names), default=0)
        self._openings = frozenset(n[:2] for n in self.names)  # no name starts elsewhere
        for suffix in (*self.rules.shape_suffixes, *self.rules.company_suffixes):
            if suffix not in self.tokenizer.FREQ:
                self.tokenizer.add_word(suffix, freq=_SUFFIX_FREQ)  # so that 大江|环科|年 splits
        for name in sorted(self.names):
            self.tokenizer.add_word(
                name, freq=max(self.tokenizer.FREQ.get(name, 0), 20000), tag="ns"
            )

    def tag(self, word: str) -> str:
        """A word's part of speech: ``ns`` for gazetteer names, else jieba's, else a guess."""
        if word in self.names:
            return "ns"
        return self.tags.get(word) or guess_tag(word)

    def _is_common_word(self, name: str) -> bool:
        """Whether jieba's dictionary knows ``name`` as a word that is not a place name."""
        tag = self.tags.get(name, "")
        return self.tokenizer.FREQ.get(name, 0) > 0 and not tag.startswith("ns")

    def detect(self, text: str, sentences: Sequence[Sentence]) -> list[Mention]:
        """Every place mention in the sentences, in text order, without overlaps."""
        found: list[Mention] = []
        for sentence in sentences:
            found.extend(self.in_sentence(text, sentence))
        return found

    def in_sentence(self, text: str, sentence: Sentence) -> list[Mention]:
        """Place mentions of one sentence."""
        mentions = self._gazetteer_matches(text, sentence.start, sentence.end)
        tokens = self._tokens(sentence)
        for suffixes, how in (
            (self.rules.shape_suffixes, "shape"),
            (self.rules.company_suffixes, "company"),
        ):
            for mention in self._suffix_matches(text, tokens, suffixes, how=how, taken=mentions):
                if not _overlaps(mention, mentions):
                    mentions.append(mention)
        for mention in self._list_items(text, sentence):
            if not _overlaps(mention, mentions):
                mentions.append(mention)
        return sorted(mentions, key=lambda m: m.start)

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
        if after.startswith((*self.rules.shape_suffixes, *self.rules.company_suffixes)):
            return None  # 磁湖路, 仓前互通, 大冶有色: the name only starts another one
        return Mention(name, start, stop, name)

    # -- shapes, companies, lists ------------------------------------------------------------

    def _tokens(self, sentence: Sentence) -> list[tuple[str, str, int]]:
        out, offset = [], sentence.start
        for word in self.tokenizer.cut(sentence.text, HMM=True):
            out.append((word, self.tag(word), offset))
            offset += len(word)
        return out

    def _suffix_matches(
        self,
        text: str,
        tokens: list[tuple[str, str, int]],
        suffixes: Sequence[str],
        *,
        how: str,
        taken: Sequence[Mention],
    ) -> list[Mention]:
        out = []
        ends = tuple(suffixes)
        for index, (word, _flag, offset) in enumerate(tokens):
            if not word.endswith(ends):
                continue  # one C call rules out most words
            suffix = next((s for s in suffixes if word.endswith(s)), None)
            if suffix is None or not self._suffix_word(word, suffix):
                continue
            following = tokens[index + 1][0] if index + 1 < len(tokens) else ""
            if any(following.startswith(s) for s in (*suffixes, *"区市县镇乡")):
                continue  # the name goes on: 狮子山|路, 大湾|区
            start = self._left_edge(tokens, index, taken)
            end = offset + len(word)
            name = text[start:end]
            if self._plausible(name, suffix, company=how == "company"):
                out.append(Mention(name, start, end, name, None, how))
        return out

    def _suffix_word(self, word: str, suffix: str) -> bool:
        """Whether a token ending in a suffix can end a name: 山路 can, 思路 and 道路 cannot."""
        if word == suffix or self._road_name(word):
            return True
        if word in self.rules.generic_names:
            return False
        if self.tokenizer.FREQ.get(word, 0) < _COMMON_WORD_FREQ:
            return True
        return word[: -len(suffix)] in self.rules.shape_suffixes

    def _left_edge(
        self, tokens: list[tuple[str, str, int]], index: int, taken: Sequence[Mention]
    ) -> int:
        word, _flag, start = tokens[index]
        length = len(word)
        for back in range(index - 1, -1, -1):
            prev_word, prev_flag, prev_offset = tokens[back]
            if (
                prev_word in self.rules.road_name_words
                and tokens[back + 1][0] in self.rules.road_suffixes
            ):
                return prev_offset  # 建设|路, 发展|大道|立交: a common word that names a road
            if not self._may_lead(prev_word, prev_flag):
                break
            if len(prev_word) == 1 and back > 0 and tokens[back - 1][1] == "m":
                break  # 4|处|口袋公园: a measure word after a number
            if any(m.start < prev_offset + len(prev_word) and prev_offset < m.end for m in taken):
                break  # 团城山|万达金街: a known name ends the new one on the left
            if length + len(prev_word) > self.rules.max_name_length:
                break
            start, length = prev_offset, length + len(prev_word)
        return start

    def _may_lead(self, word: str, flag: str) -> bool:
        if not _CJK.match(word) or word in self.rules.left_stop_words:
            return False
        return flag not in self.rules.left_stop_tags or (flag == "x" and word in self.names)

    def _road_name(self, name: str) -> bool:
        """Whether a name is a common word before a road suffix (建设路, 发展大道)."""
        return any(
            name.endswith(road) and name[: -len(road)] in self.rules.road_name_words
            for road in self.rules.road_suffixes
        )

    def _plausible(self, name: str, suffix: str, *, company: bool = False) -> bool:
        if self._road_name(name) or self._road_name(name[: -len(suffix)]):
            return not any(g in name for g in self.rules.generic_modifiers)
        specific = name[: -len(suffix)]
        if len(specific) < self.rules.min_specific_length or name in self.rules.generic_names:
            return False
        if len(name) > self.rules.max_name_length or not _CJK.match(name):
            return False
        if self._is_common_word(name) or any(g in name for g in self.rules.generic_modifiers):
            return False
        if company:
            return True  # 新兴管业: firms take common words as names
        tag = self.tags.get(specific, "")
        common_modifier = self.tokenizer.FREQ.get(specific, 0) >= _COMMON_WORD_FREQ
        return not (common_modifier and tag in _COMMON_TAGS)

    def _list_items(self, text: str, sentence: Sentence) -> list[Mention]:
        """Items of ``甲、乙、丙等地块`` and ``甲、乙片`` lists: places named only by the list."""
        out = []
        nouns = "|".join(re.escape(n) for n in self.rules.list_nouns)
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
                if 2 <= len(item) <= 8 and item not in self.rules.generic_names:
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


def _overlaps(mention: Mention, others: Iterable[Mention]) -> bool:
    return any(mention.start < o.end and o.start < mention.end for o in others)
