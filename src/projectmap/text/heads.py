"""The words that say where a project's name ends and whether it names something.

Kept apart from :mod:`projectmap.text.extract`, which parses clauses and lists: this
module only reads words, from the lists in ``rules/projects.json``. A *head* ends
a project's name (strong: ``项目``, ``工程``, ``互通``; weak: ``改造``, ``建设``); a
*tail* may follow it without being part of it (``验收``, ``顺利开工``); *generic*
words (``优质``, ``一批``) do not make a name specific.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from projectmap.files.rules import any_of, read_rules

_NUMBER = r"\d+(?:\.\d+)?"
#: A count in digits or in words (5, 五, 十几, 百余).
_COUNT = r"[\d一二三四五六七八九十两百千几余多]+"


@dataclass(frozen=True)
class ProjectRules:
    """The word lists of ``rules/projects.json``, compiled."""

    strong_heads: tuple[str, ...]
    weak_heads: tuple[str, ...]
    tails: tuple[str, ...]
    phase: re.Pattern[str]
    generic_words: tuple[str, ...]
    policy_words: tuple[str, ...]
    lead_words: tuple[str, ...]
    facility_words: tuple[str, ...]
    area_suffixes: tuple[str, ...]
    quantity: re.Pattern[str]
    investment: re.Pattern[str]
    title_prefixes: tuple[str, ...]
    count_heads: tuple[str, ...]
    project_count: re.Pattern[str]
    status_words: dict[str, tuple[str, ...]]
    predicate_words: tuple[str, ...]
    frame_words: tuple[str, ...]
    future_words: tuple[str, ...]
    plan_markers: tuple[str, ...]
    collective_heads: tuple[str, ...]
    verb_starts: tuple[str, ...]
    count_start: re.Pattern[str]
    aggregate_heads: tuple[str, ...]
    pronoun_starts: tuple[str, ...]
    slogan: re.Pattern[str]
    build_verbs: tuple[str, ...]
    plan_openers: tuple[str, ...]
    enumerator: re.Pattern[str]
    done_markers: tuple[str, ...]
    statuses: tuple[str, ...]
    connectors: tuple[str, ...]
    share: re.Pattern[str]
    and_words: re.Pattern[str]
    list_marks: re.Pattern[str]
    item_openers: str
    list_end: re.Pattern[str]
    verb_joiners: re.Pattern[str]
    counted: re.Pattern[str]
    area_endings: tuple[str, ...]
    not_area_before: str
    project_words: tuple[str, ...]
    completion_words: tuple[str, ...]
    completion_doubts: tuple[str, ...]

    @classmethod
    def load(cls, path: str | Path | None = None) -> ProjectRules:
        """Read the packaged rules, or a user's copy of ``projects.json`` at ``path``."""
        return cls.from_dict(read_rules("projects", path))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProjectRules:
        """Compile the rules from the mapping of a projects file."""

        def longest_first(key: str) -> tuple[str, ...]:
            return tuple(sorted(data[key], key=len, reverse=True))

        units = any_of(data["quantity_units"])
        return cls(
            strong_heads=longest_first("strong_heads"),
            weak_heads=longest_first("weak_heads"),
            tails=longest_first("tails"),
            phase=re.compile(data["phase"]),
            generic_words=longest_first("generic_words"),
            policy_words=longest_first("policy_words"),
            lead_words=longest_first("lead_words"),
            facility_words=longest_first("facility_words"),
            area_suffixes=longest_first("area_suffixes"),
            quantity=re.compile(
                rf"(?:[约近超逾]?{_NUMBER}(?:万|亿|千)?(?:{units})(?:[\u4e00-\u9fff]{{0,2}}?(?={_NUMBER}))?)+"
            ),
            investment=re.compile(data["investment"]),
            title_prefixes=longest_first("title_prefixes"),
            count_heads=longest_first("count_heads"),
            project_count=re.compile(data["project_count"]),
            status_words={k: tuple(v) for k, v in data["status_words"].items()},
            predicate_words=longest_first("predicate_words"),
            frame_words=longest_first("frame_words"),
            future_words=longest_first("future_words"),
            plan_markers=longest_first("plan_markers"),
            collective_heads=longest_first("collective_heads"),
            verb_starts=longest_first("verb_starts"),
            count_start=re.compile(data["count_start"]),
            aggregate_heads=longest_first("aggregate_heads"),
            pronoun_starts=longest_first("pronoun_starts"),
            slogan=re.compile(data["slogan"]),
            build_verbs=longest_first("build_verbs"),
            plan_openers=longest_first("plan_openers"),
            enumerator=re.compile(data["enumerator"]),
            done_markers=longest_first("done_markers"),
            statuses=tuple(data["statuses"]),
            connectors=tuple(data["connectors"]),
            share=re.compile(data["share"]),
            and_words=re.compile(any_of(data["and_words"])),
            list_marks=re.compile(any_of(data["list_marks"])),
            item_openers="".join(data["item_openers"]),
            list_end=_list_end(data["not_list_ends"]),
            verb_joiners=re.compile(any_of(data["verb_joiners"])),
            counted=re.compile(rf"^(?:{_COUNT}(?:{any_of(data['item_counters'])}))?"),
            area_endings=tuple(data["area_endings"]),
            not_area_before="".join(data["not_area_before"]),
            project_words=tuple(data["project_words"]),
            completion_words=tuple(data["completion_words"]),
            completion_doubts=tuple(data["completion_doubts"]),
        )

    def after_facility(self, name: str) -> bool:
        """Whether a weak head follows a facility (之江实验室二期|建设), which makes it strong."""
        rest = name
        while head := next((h for h in self.weak_heads if rest.endswith(h)), None):
            rest = rest[: -len(head)]
        rest = self.phase.sub("", rest)
        return rest != name and rest.endswith(self.facility_words)

    def head_run(self, name: str) -> str:
        """The run of head words that ends a name: 提升改造工程 of 文一西路提升改造工程."""
        rest = name
        heads = (*self.strong_heads, *self.weak_heads)
        while head := next((h for h in heads if rest.endswith(h) and len(rest) > len(h)), None):
            rest = rest[: -len(head)]
        return name[len(rest) :]

    def only_tail(self, rest: str) -> bool:
        """Whether what follows a head is only tails, a phase, an amount or a connector."""
        rest = self.phase.sub("", rest).strip("“”‘’\"'、 ")
        rest = self.quantity.sub("", rest)
        if rest.startswith(self.connectors):
            return True  # 地块开发|和业态布局: the name ends before the connector
        if rest.startswith(self.verb_starts):
            return True  # 拆炉并网工程|新接入…: the name ends where its predicate begins
        while rest:
            tail = next((t for t in self.tails if rest.startswith(t)), None)
            if tail is None:
                return False
            rest = rest[len(tail) :]
        return True

    def investment_before(self, text: str, start: int) -> str | None:
        """The amount of a ``总投资50亿元的`` phrase just before a name, if there is one."""
        window = text[max(0, start - 16) : start]
        for at in range(len(window)):
            match = self.investment.match(window, at)
            if match and match.end() == len(window):
                return self.amount(match.group())
        return None

    def specific(self, name: str, *, strict: bool = True) -> bool:
        """Whether a named thing, not only generic words, stands right before the head.

        Without ``strict``, only a name made of nothing but generic words and verbs fails.
        """
        rest = self.phase.sub("", name)
        rest = rest[: len(rest) - len(self.head_run(rest))]
        rest = re.sub(r"[\d.()（）“”、\s]+$", "", rest)
        while word := next((w for w in self.generic_words if rest.endswith(w)), None):
            rest = re.sub(r"[\d.()（）“”、\s]+$", "", rest[: -len(word)])
        if strict and any(rest.endswith(w) for w in self.lead_words):
            return False
        for word in (*self.lead_words, *self.generic_words):
            rest = rest.replace(word, "") if not strict else rest
        return len(rest) >= (2 if strict else 1)

    def status(self, clause: str) -> str | None:
        """The status its verbs give a clause, or None when it has no status verb.

        Longer phrases are read first (完成投资 is progress, not completion), and a verb
        after 将, 计划 or 力争 only plans. The most advanced status read wins.
        """
        return _most_advanced(self.status_spans(clause), self.statuses)

    def status_spans(self, clause: str) -> list[tuple[int, int, str]]:
        """Where a clause's status verbs stand, and the status each gives, in text order.

        At each place the longest phrase is read (完成投资, not 完成).
        """
        spans: list[tuple[int, int, str]] = []
        statuses = self._status_of_phrase
        for match in self._status_pattern.finditer(clause):
            before = clause[max(0, match.start() - 4) : match.start()]
            future = any(f in before for f in self.future_words)
            status = "planned" if future else statuses[match.group()]
            if status == "completed" and self.share.match(clause, match.end()):
                status = "under_construction"  # 完成80%: under way, not done
            spans.append((match.start(), match.end(), status))
        return spans

    def status_at(self, clause: str, at: int) -> bool:
        """Whether a status verb begins at ``clause[at]`` (…改造并|启动…)."""
        return self._status_pattern.match(clause, at) is not None

    @functools.cached_property
    def _status_of_phrase(self) -> dict[str, str]:
        return dict(reversed(self._status_phrases))

    @functools.cached_property
    def _status_pattern(self) -> re.Pattern[str]:
        return re.compile("|".join(re.escape(w) for w, _ in self._status_phrases))

    @functools.cached_property
    def leads_by_first(self) -> dict[str, tuple[str, ...]]:
        """The lead words by their first character, longest first."""
        out: dict[str, tuple[str, ...]] = {}
        for word in self.lead_words:
            out[word[0]] = (*out.get(word[0], ()), word)
        return out

    def status_of(
        self,
        clause: str,
        start: int,
        end: int,
        names: Sequence[tuple[int, int]] = (),
        spans: Sequence[tuple[int, int, str]] | None = None,
    ) -> str | None:
        """The status of the project named at ``clause[start:end]``.

        The verb right after it (甲项目点火投产), else the nearest one before it (完成甲),
        else the clause's; verbs inside project names (提质增效) do not count. A plan
        verb before it (支持, 助推) makes a later completion a goal: planned.
        """
        read = self.status_spans(clause) if spans is None else spans
        spans = [s for s in read if not any(a <= s[0] < b for a, b in names)]
        before = [s for s in spans if s[1] <= start]
        after = [s for s in spans if s[0] >= end]
        framed = any(s[2] == "planned" for s in before)
        if after:
            status = after[0][2]
            return "planned" if framed and status == "completed" else status
        if before:
            return before[-1][2]
        return _most_advanced(read, self.statuses)

    @functools.cached_property
    def _status_phrases(self) -> list[tuple[str, str]]:
        """Status phrases with their status, longest first (sorted once per rule set)."""
        pairs = [(w, s) for s, words in self.status_words.items() for w in words]
        return sorted(pairs, key=lambda p: -len(p[0]))

    def plans(self, opening: str) -> bool:
        """Whether a sentence's first clause says it speaks of plans (今年，我县将…)."""
        return any(w in opening for w in self.plan_openers) and not any(
            w in opening for w in self.done_markers
        )

    def default_status(self, context: str) -> str:
        """The status of a project no verb speaks of: planned in a plan, else under way."""
        return "planned" if any(m in context for m in self.plan_markers) else "under_construction"

    def predicate_length(self, clause: str) -> int:
        """How long the predicate that ends a clause is (建成运营, 正式投入使用, 进展顺利)."""
        rest = clause.rstrip("。；;，, ")
        cut = len(clause) - len(rest)
        while rest:
            word = next((w for w in self.predicate_words if rest.endswith(w)), None)
            if word is None:
                break
            rest = rest[: -len(word)]
        return len(clause) - len(rest) - cut if rest else 0

    def first_head_end(self, clause: str) -> int | None:
        """Where the first strong head of a clause ends (清溪水库|…), if it has one."""
        ends = [at + len(h) for h in self.strong_heads if (at := clause.find(h)) >= 0]
        return min(ends) if ends else None

    def frame_cut(self, clause: str, barrier: int | None = None) -> int:
        """Where a clause's object begins after a framing verb (赴…调研|临港产业园项目).

        A verb after ``barrier``, where a list of subjects ends (甲、乙等企业|完成升级改造),
        is the list's predicate, no frame.
        """
        best = 0
        for word in self.frame_words:
            at = clause.rfind(word)
            if at >= 0 and len(clause) - at - len(word) >= 4 and (barrier is None or at < barrier):
                best = max(best, at + len(word))
        return best

    def ends_weak(self, name: str) -> bool:
        """Whether a name ends with weak heads only (…建设, …改造), no 项目 or 工程 among them."""
        run = self.head_run(name)
        return bool(run) and not any(h in run for h in self.strong_heads)

    def builds_the_items(self, rest: str) -> bool:
        """Whether what closes a 等-list says the items themselves are built.

        ``等重点项目``, ``等公共服务项目``, ``等5条断头路打通工程``, ``等建设成果``: yes;
        ``等路灯改造项目`` (something else at the items), ``等地块开发`` (one programme): no.
        """
        rest = self.counted.sub("", rest)
        if rest.startswith(self.collective_heads) or rest.startswith(self.weak_heads):
            return True
        at = min((i for i in map(rest.find, self.project_words) if i >= 0), default=-1)
        return 0 <= at <= 6 and not any(h in rest[:at] for h in self.weak_heads)

    def aggregate(self, name: str) -> bool:
        """Whether a name counts or qualifies kinds instead of naming one thing.

        ``12个“口袋公园”``, ``七大购物中心``, ``新港园区重大项目``, ``城市“里子”工程``.
        """
        if self.count_start.match(name) and len(re.findall(r"\d+", name)) < 2:
            return True
        if name.endswith(self.aggregate_heads) or name.startswith(self.pronoun_starts):
            return True
        if self.slogan.search(name):
            return True  # 防止出现“半拉子”工程, 建立…“交流联系通道”
        rest = name[: len(name) - len(self.head_run(name))]
        if (
            len(rest) <= 6
            and rest.endswith(self.area_endings)
            and rest[-2:-1] not in self.not_area_before
        ):
            return True  # 黄石港区项目建设: the area's works, no one work
        bare = re.sub(r"“[^”]{1,8}”|\"[^\"]{1,8}\"", "", name)
        return bare != name and not self.specific(bare, strict=False)

    def amount_after(self, rest: str) -> str | None:
        """A quantity right after a name (口袋公园|10个), not one further on (…等18个项目)."""
        match = self.quantity.match(rest)
        if match:
            return match.group()
        invest = self.investment.match(rest)
        return self.amount(invest.group()) if invest else None  # 甲项目|总投资25亿元

    def counts_projects(self, name: str, amount: str | None) -> bool:
        """Whether a name counts projects (重点项目86个, 7个技改类项目) instead of naming one."""
        if not name.endswith(self.count_heads):
            return False
        count = self.project_count.search(name) or (amount and self.project_count.fullmatch(amount))
        return bool(count)

    def amount(self, name: str) -> str | None:
        """The first quantity written in ``name`` (``15万吨``, ``7个小区6850户``), or None."""
        match = self.quantity.search(name)
        return match.group() if match else None


def _list_end(not_ends: Sequence[str]) -> re.Pattern[str]:
    """The 等 that closes a list: not the one of 等级 or another of ``not_ends``."""
    rests = "|".join(re.escape(w.removeprefix("等")) for w in not_ends)
    return re.compile(f"等(?!{rests})")


def _most_advanced(spans: Sequence[tuple[int, int, str]], statuses: Sequence[str]) -> str | None:
    """The most advanced status among those read, by ``statuses`` (completed first, …)."""
    found = {status for _, _, status in spans}
    return next((s for s in statuses if s in found), None)
