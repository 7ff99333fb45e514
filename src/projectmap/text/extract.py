"""Find the concrete projects a report announces.

Reports name projects in clauses built as *verb + object*: ``启动东方大道绿化升级改造``,
``实施安达路餐饮示范街改造提升、箭楼下西村城市更新等重点项目``. The object ends
with a *head*: a strong one (``项目``, ``工程``, ``产业园``, ``互通``) makes a
project when something specific comes before it; a weak one (``改造``, ``建设``,
``开发``) only when a place, a firm or a concrete quantity is named. Lists split
into one project per item when each item is complete (``蜂烈山路、狮子山路建设``
is two roads) and stay one project when a collective noun follows ``等``
(``磁湖西、孙家湾、宝钢、同大等地块开发``).

News and reviews also name projects as *sites*: list items or subjects that are
place names, when the clause builds them (``发达广场、临沂商城建成运营``,
``完成甲路、乙路等道路新建工程``). Each project's status is read from the verb that
speaks of it, after it, else before it (``甲项目点火投产暨乙项目开工``). A
project named again later is folded into the first. The word lists are data in
``rules/projects.json``.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from projectmap.text.detect import Mention
from projectmap.text.heads import ProjectRules
from projectmap.text.segment import Sentence

_CLAUSE = re.compile(r"[^，,；;：:。！？!?]+")


@dataclass(frozen=True)
class Project:
    """A project as the report names it.

    Attributes
    ----------
    id : str
        Derived from the name and its order among equal names: stable across runs.
    name : str
        The project as written; for a split list item, the item with the shared head.
    start, end : int
        Offsets in the report text of the span the project was read from.
    sentence : Sentence
        The sentence it comes from.
    status : str
        ``planned``, ``starting``, ``under_construction``, ``completed`` or ``unknown``.
    amount : str or None
        The amount as written (``15万吨``), or None.
    places : tuple of Mention
        The place mentions inside its span.
    """

    id: str
    name: str
    start: int
    end: int
    sentence: Sentence
    status: str
    amount: str | None
    places: tuple[Mention, ...]


@dataclass(frozen=True)
class _Candidate:
    name: str
    start: int
    end: int
    strong: bool


class ProjectExtractor:
    """Reads projects out of sentences, given the place mentions found in them."""

    def __init__(self, rules: ProjectRules | None = None) -> None:
        self.rules = rules or ProjectRules.load()

    def extract(
        self, text: str, sentences: Sequence[Sentence], mentions: Sequence[Mention]
    ) -> list[Project]:
        """Every project in the sentences, in text order, with stable ids.

        A project named again later (甲项目总投资25亿元) is the same project: the
        repeat is dropped, and gives the first its amount if it had none.
        """
        projects: list[Project] = []
        ordered = sorted(mentions, key=lambda m: m.start)
        starts = [m.start for m in ordered]
        carry: tuple[str, str] | None = None  # (section, the last status read in it)
        for sentence in sentences:
            first = bisect.bisect_left(starts, sentence.start)
            last = bisect.bisect_left(starts, sentence.end)
            inside = [m for m in ordered[first:last] if m.end <= sentence.end]
            said = self.rules.status(_masked(text, sentence.start, sentence.end, inside))
            if carry is None or carry[0] != sentence.section or said is not None:
                context = f"{sentence.section} {sentence.lead}"
                carry = (sentence.section, said or self.rules.default_status(context))
            for project in self._in_sentence(text, sentence, inside, carry[1]):
                _add_or_merge(projects, project)
        return _with_ids([self._with_later_amount(text, p) for p in projects])

    def _with_later_amount(self, text: str, project: Project) -> Project:
        """A project's amount from a later sentence about it (甲项目总投资25亿元)."""
        if project.amount is not None:
            return project
        at = text.find(project.name, project.end)
        while at >= 0:
            rest = text[at + len(project.name) : at + len(project.name) + 24]
            invest = self.rules.investment.search(rest.split("。")[0][:16])
            if invest is not None:
                return replace(project, amount=self.rules.amount(invest.group()))
            at = text.find(project.name, at + 1)
        return project

    def _in_sentence(
        self, text: str, sentence: Sentence, inside: Sequence[Mention], fallback: str
    ) -> list[Project]:
        out = []
        for cand, status in self._candidates(text, sentence, inside, fallback):
            places = tuple(m for m in inside if cand.start <= m.start and m.end <= cand.end)
            if sentence.is_heading and not places:
                continue  # 聚力项目建设, 精准发力招引项目: headings name topics, not projects
            cand = self._after_de(cand)
            amount = (
                self.rules.amount(cand.name)
                or self.rules.investment_before(text, cand.start)
                or self.rules.amount_after(_after(text, cand.end))
            )
            if self._accept(cand, concrete=bool(places or amount), amount=amount):
                out.append(
                    Project("", cand.name, cand.start, cand.end, sentence, status, amount, places)
                )
        return out

    # -- clauses and objects ---------------------------------------------------------------

    def _candidates(
        self, text: str, sentence: Sentence, mentions: Sequence[Mention], fallback: str
    ) -> list[tuple[_Candidate, str]]:
        """Candidates with their status.

        The verb that speaks of each in its clause, else the clause before's, else what
        the sentence or its section last said.
        """
        out: list[tuple[_Candidate, str]] = []
        status = fallback
        clauses = self._clauses(sentence)
        planned = bool(clauses) and self.rules.plans(text[clauses[0][0] : clauses[0][1]])
        for number, (start, end) in enumerate(clauses):
            clause = _masked(text, start, end, mentions)  # 开发区 is no 开发
            status = self.rules.status(clause) or status
            titled = text[end : end + 1] in "：:" and number + 1 < len(clauses)
            if titled:  # 甲工厂：主体结构封顶 — the clause after the colon speaks of it
                after = clauses[number + 1]
                status = self.rules.status(_masked(text, *after, mentions)) or status
            at = start
            barrier = _subjects_end(text, start, end, mentions)
            named = self.rules.first_head_end(clause)
            if named is not None and (barrier is None or named < barrier):
                barrier = named  # 清溪水库…工程|已完成…: a verb after a work is its predicate
            start += self.rules.frame_cut(clause, barrier)
            lead = self._lead_length(text[start:end])
            predicate = self.rules.predicate_length(text[start + lead : end])
            verb = (
                titled
                or predicate > 0
                or self.rules.status(text[start:end]) is not None
                or any(w in text[at : start + lead] for w in self.rules.build_verbs)
            )
            cands = self._objects(text, start + lead, end, mentions, predicate, verb=verb)
            names = [(c.start - at, c.end - at) for c in cands]
            spans = self.rules.status_spans(clause)
            for cand in cands:
                own = self.rules.status_of(clause, cand.start - at, cand.end - at, names, spans)
                out.append((cand, "planned" if planned else own or status))
        return out

    def _clauses(self, sentence: Sentence) -> list[tuple[int, int]]:
        spans = []
        for match in _CLAUSE.finditer(sentence.text):
            start, end = match.span()
            cut = self._connector_cut(match.group())
            if cut:
                spans.append((start, start + cut))
                start += cut + 1
            spans.append((start, end))
        return [(sentence.start + s, sentence.start + e) for s, e in spans if e > s]

    def _connector_cut(self, clause: str) -> int | None:
        """Offset of a ``并`` that opens a second verb phrase (…改造并启动…)."""
        for match in self.rules.verb_joiners.finditer(clause):
            if match.start() > 0 and self.rules.status_at(clause, match.end()):
                return match.start()
        return None

    def _lead_length(self, clause: str) -> int:
        numbered = self.rules.enumerator.match(clause)
        i = numbered.end() if numbered else 0
        while True:
            leads = self.rules.leads_by_first.get(clause[i : i + 1], ())
            word = next((w for w in leads if clause.startswith(w, i)), None)
            invest = self.rules.investment.match(clause, i)
            if invest is not None:
                i = invest.end()
            elif word is None:
                return i
            else:
                i += len(word)

    def _objects(
        self,
        text: str,
        start: int,
        end: int,
        mentions: Sequence[Mention],
        predicate: int = 0,
        *,
        verb: bool = False,
    ) -> list[_Candidate]:
        obj = text[start:end]
        deng = self._deng(obj)
        listed, rest = (obj[:deng], obj[deng + 1 :]) if deng is not None else (obj, "")
        if deng is None and predicate:
            listed = obj[: len(obj) - predicate]  # 发达广场、临沂商城|建成运营
        items = [
            part
            for s, e in self._split_items(listed, start)
            for part in self._and_split(text, s, e, mentions)
        ]
        headed = [self._headed(text, s, e) or self._phased(text, s, e) for s, e in items]
        if all(headed):
            return [c for c in headed if c is not None]
        sites = self._sites(text, items, headed, mentions, rest, verb=verb)
        if sites:
            return sites
        if headed[-1] is not None:
            return self._shared_head(text, items, headed[-1], mentions)
        if deng is not None and self._named_list(items, mentions):
            whole = self._headed(text, start, start + deng + 1 + len(rest.split("、")[0]))
            return [whole] if whole is not None else []
        return []

    def _sites(
        self,
        text: str,
        items: list[tuple[int, int]],
        headed: list[_Candidate | None],
        mentions: Sequence[Mention],
        rest: str,
        *,
        verb: bool,
    ) -> list[_Candidate]:
        """Items that are named sites, each a project, when the clause builds them.

        ``发达广场、临沂商城建成运营`` and ``完成望湖路、涵辉北路等道路新建工程`` name one
        project per site; ``磁湖西、孙家湾等地块开发`` (the items are where one programme
        happens) and ``甲路、乙路等路灯改造`` (something else at the sites) name one.
        """
        if not (verb or rest) or (rest and not self.rules.builds_the_items(rest)):
            return []
        last = headed[-1]
        if len(items) > 1 and last is not None and self.rules.ends_weak(last.name):
            return []  # 蜂烈山路、狮子山路建设: the last item's head is everyone's
        sites = [self._site(text, s, e, mentions) if c is None else c for (s, e), c in zip(
            items, headed, strict=True)]  # fmt: skip
        named = [c for c in sites if c is not None]
        if len(named) * 3 < len(items) * 2 or any(not c.strong for c in named):
            return []  # 仁和街道、良渚街道…整治: areas under one programme
        return [
            c if c is not None else self._plain_item(text, s, e)
            for (s, e), c in zip(items, sites, strict=True)
        ]

    def _plain_item(self, text: str, start: int, end: int) -> _Candidate:
        """A list item among named sites, taken as one too (国际皮草城 beside 彼得国际酒店)."""
        name = text[start:end].strip("“”\"' ")
        at = start + max(0, text[start:end].find(name))
        return _Candidate(name, at, at + len(name), True)

    def _site(
        self, text: str, start: int, end: int, mentions: Sequence[Mention]
    ) -> _Candidate | None:
        """The item as a named site: mostly covered by place mentions, starting with one."""
        inside = [m for m in mentions if start <= m.start and m.end <= end]
        if not inside or inside[0].start - start > 1 or end - start > 24:
            return None
        if sum(m.end - m.start for m in inside) * 2 < end - start:
            return None
        site = self._plain_item(text, start, end)
        return site if site.name else None

    def _named_list(self, items: list[tuple[int, int]], mentions: Sequence[Mention]) -> bool:
        """Whether most items of a ``甲、乙等…`` list are named places or firms."""
        named = sum(any(s <= m.start and m.end <= e for m in mentions) for s, e in items)
        return named * 2 >= len(items)

    def _split_items(self, listed: str, offset: int) -> list[tuple[int, int]]:
        """The items of a 、-list, without a leading 与/和/同 (与武汉理工大学)."""
        items, start = [], 0
        for part in self.rules.list_marks.split(listed):
            skip = len(part) - len(part.lstrip(self.rules.item_openers))
            if part[skip:]:
                items.append((offset + start + skip, offset + start + len(part)))
            start += len(part) + 1
        return items

    def _and_split(
        self, text: str, start: int, end: int, mentions: Sequence[Mention]
    ) -> list[tuple[int, int]]:
        """``仓前互通和闲林大桥`` is two items; ``修复和补绿工程`` is one."""
        piece = text[start:end]
        for match in self.rules.and_words.finditer(piece):
            left = self._headed(text, start, start + match.start())
            right = self._headed(text, start + match.end(), end)
            if left is None and right is not None and right.strong:
                named = any(right.start <= m.start and m.end <= right.end for m in mentions)
                left = self._site(text, start, start + match.start(), mentions) if named else None
            if left is not None and left.strong and right is not None:
                if not self.rules.specific(right.name):
                    break  # …续建工程和配套设施工程: the second is the first's
                return [(start, start + match.start()), (start + match.end(), end)]
        return [(start, end)]

    def _phased(self, text: str, start: int, end: int) -> _Candidate | None:
        """An item that ends with its phase (传化公路港二期) names a project stage."""
        piece = text[start:end]
        match = self.rules.phase.search(piece)
        if match is None or match.end() != len(piece) or match.start() < 4:
            return None
        return _Candidate(piece, start, end, True)

    def _deng(self, obj: str) -> int | None:
        """Offset of the ``等`` that closes a list (not the one in ``等级``).

        A 等 followed by more list items (甲和乙等装备生产项目、丙项目) is inside an item.
        """
        for match in self.rules.list_end.finditer(obj):
            following = obj[match.end() :].split("、")
            inside = len(following) > 1 and following[0].endswith(self.rules.count_heads)
            if match.start() > 0 and not inside:
                return match.start()
        return None

    def _headed(self, text: str, start: int, end: int) -> _Candidate | None:
        """The span up to its last head, with tails and phases dropped, if it has a head."""
        piece = text[start:end]
        chars = set(piece)
        best: tuple[int, bool] | None = None
        for strong, heads in ((True, self.rules.strong_heads), (False, self.rules.weak_heads)):
            for head in heads:
                if head[-1] not in chars:
                    continue
                at = piece.rfind(head)
                if at >= 0 and self.rules.only_tail(piece[at + len(head) :]):
                    stop = at + len(head)
                    if best is None or stop > best[0]:
                        best = (stop, strong)
        if best is None:
            return None
        stop = best[0]
        strong = best[1] or self.rules.after_facility(piece[:stop])
        phase = self.rules.phase.match(piece, stop)
        stop = phase.end() if phase else stop
        if piece[:stop].count("“") > piece[:stop].count("”") and piece[stop : stop + 1] == "”":
            stop += 1
        name = piece[:stop].strip("\"' ")
        lstrip = len(piece[:stop]) - len(piece[:stop].lstrip("\"' "))
        return _Candidate(name, start + lstrip, start + lstrip + len(name), strong)

    def _shared_head(
        self,
        text: str,
        items: list[tuple[int, int]],
        last: _Candidate | None,
        mentions: Sequence[Mention],
    ) -> list[_Candidate]:
        """``甲路、乙路建设``: one project per complete item; ``甲、乙片开发``: one in all."""
        if last is None:
            return []
        whole = _Candidate(text[items[0][0] : last.end], items[0][0], last.end, last.strong)
        lead = next((m for m in mentions if m.start == items[-1][0]), None)
        head = self.rules.head_run(text[items[-1][0] : last.end])
        earlier = [text[s:e] for s, e in items[:-1]]
        # 狮子山路|建设 splits; 东方山|四个街道完成…建设 and 省拖片|开发 do not.
        named = text[items[-1][0] : last.end - len(head)]
        place_then_head = (
            self._complete(named, mentions)
            if lead is None
            else lead.part is None and lead.end + len(head) == last.end
        )
        if not place_then_head or not all(self._complete(i, mentions) for i in earlier):
            placed = any(whole.start <= m.start and m.end <= whole.end for m in mentions)
            return (
                [whole]
                if self._named_list(items, mentions) or (placed and self.rules.specific(whole.name))
                else []
            )
        out = [_Candidate(text[s:e] + head, s, e, last.strong) for s, e in items[:-1]]
        return [
            *out,
            _Candidate(text[items[-1][0] : last.end], items[-1][0], last.end, last.strong),
        ]

    def _complete(self, item: str, mentions: Sequence[Mention]) -> bool:
        """Whether a list item names a whole feature (a road, a lab), not an area."""
        bare = self.rules.phase.sub("", item)
        if bare.endswith(self.rules.area_suffixes):
            return False
        if bare.endswith(self.rules.facility_words):
            return True
        return any(m.text == item and m.how != "list" for m in mentions)

    # -- acceptance, status, amount -----------------------------------------------------------

    def _after_de(self, cand: _Candidate) -> _Candidate:
        """The name after its last 的 and lead words (文松路西北侧的|滨海新城租赁住房项目)."""
        name, start = cand.name, cand.start
        bare = re.sub(r"“[^”]*”", lambda m: "_" * len(m.group()), name)
        at = bare.rfind("的")
        if at >= 0 and len(name) - at - 1 >= 4 and "等" not in bare[:at]:
            name, start = name[at + 1 :], start + at + 1
        lead = self._lead_length(name)
        if lead and len(name) - lead >= 4:
            name, start = name[lead:], start + lead
        return _Candidate(name, start, max(cand.end, start), cand.strong)

    def _accept(self, cand: _Candidate, *, concrete: bool, amount: str | None) -> bool:
        name = cand.name
        if (
            len(name) < 3
            or len(name) > 48
            or any(name.endswith(p) for p in self.rules.policy_words)
            or name.startswith(self.rules.title_prefixes)
            or self.rules.counts_projects(name, amount)
            or self.rules.aggregate(name)
        ):
            return False
        if concrete and self.rules.specific(name, strict=False):
            return True
        return cand.strong and self.rules.specific(name)


def _subjects_end(text: str, start: int, end: int, mentions: Sequence[Mention]) -> int | None:
    """Where a clause's list of places begins (甲、乙、丙四个街道…), if it opens with one."""
    deng = text.find("等", start, end)
    for m in mentions:
        if start <= m.start and m.end < end and text[m.end : m.end + 1] == "、":
            return m.end - start if deng < 0 else min(m.end, deng) - start
    return deng - start if deng >= 0 else None


def _masked(text: str, start: int, end: int, mentions: Sequence[Mention]) -> str:
    """``text[start:end]`` with place names blanked out, so that their words are no verbs."""
    chars = list(text[start:end])
    for m in mentions:
        for i in range(max(m.start, start), min(m.end, end)):
            chars[i - start] = "　"
    return "".join(chars)


def _after(text: str, end: int) -> str:
    """What follows a name up to the end of its clause (口袋公园|10个)."""
    match = _CLAUSE.match(text, end)
    return match.group() if match else ""


def _add_or_merge(projects: list[Project], project: Project) -> None:
    """Add a project, or fold it into an earlier one it repeats."""
    for index, earlier in enumerate(projects):
        if earlier.sentence.start != project.sentence.start and _same_name(earlier, project):
            if earlier.amount is None and project.amount is not None:
                projects[index] = replace(earlier, amount=project.amount)
            return
    projects.append(project)


def _same_name(a: Project, b: Project) -> bool:
    """Whether two names name one work: equal, or one holds most of the other."""
    short, long = sorted((a.name, b.name), key=len)
    return short in long and len(short) >= 4 and len(short) * 5 >= len(long) * 3


def _with_ids(projects: list[Project]) -> list[Project]:
    seen: dict[str, int] = {}
    out = []
    for project in projects:
        seen[project.name] = seen.get(project.name, 0) + 1
        out.append(replace(project, id=project_id(project.name, seen[project.name])))
    return out


def project_id(name: str, occurrence: int) -> str:
    """A stable id from the project's name and which of its equal-named siblings it is."""
    digest = hashlib.sha1(f"{name}\n{occurrence}".encode()).hexdigest()[:12]
    return f"p-{digest}"
