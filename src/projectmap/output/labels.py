"""Chinese words for the codes of the outputs: status, precision, reason, admin level.

One table for the map and the CSV, so that both say the same thing. An area's
word follows its actual level and name (区, 县, 市, 旗, 州, 省): a report of a
province never calls its province-wide projects "区县".
"""

from __future__ import annotations

from projectmap.places.result import BuildResult

STATUS_WORDS = {
    "planned": "谋划/计划", "starting": "新开工", "under_construction": "在建",
    "completed": "建成", "unknown": "未注明",
}  # fmt: skip
#: Precision codes 1, 2 and 5 to 8 in words; 3 and 4 name the area's own level.
PRECISION_WORDS = {
    1: "精确位置", 2: "附近或片区", 5: "估计位置", 6: "仅到国家", 7: "不明确", 8: "政府驻地",
}  # fmt: skip
REASON_WORDS = {
    "unique_name": "地名表中唯一同名",
    "only_candidate_in_region": "本地区内唯一同名",
    "preferred_name": "正式名称优先于别名",
    "preferred_larger_unit": "同名行政区取较大者",
    "preferred_located": "同名中唯一有来源坐标者",
    "derived_from_parent": "取自所属地物",
    "named_after": "以本地区内地名命名",
    "ambiguous": "多处同名，取其共同范围",
    "outside_region": "同名地物都在本省以外",
    "not_in_gazetteer": "地名表中没有",
    "named_after_elsewhere": "以本地区以外的行政区命名",
    "larger_area": "大于本地区的区域（都市圈、经济带等）",
}
#: The last character of an admin unit's name that says its kind, longest names first.
_SUFFIXES = ("自治区", "特别行政区", "省", "市", "区", "县", "旗", "州", "盟")
_LEVEL_WORDS = {1: "省", 2: "市", 3: "县"}


def area_word(name: str | None, level: int | None) -> str:
    """The word for an admin unit's kind: ``下陆区`` → 区, ``大冶市`` → 市, ``湖北省`` → 省."""
    for suffix in _SUFFIXES:
        if name and name.endswith(suffix):
            return suffix
    return _LEVEL_WORDS.get(level or 0, "区域")


def region_word(result: BuildResult) -> str:
    """The word for the issuing area's kind, from the issuer if known, else the gazetteer."""
    if result.issuer is not None:
        return area_word(result.issuer.unit.name, result.issuer.unit.level)
    return area_word(result.region.name, result.region.admin_level)


def precision_words(code: int | None, area: str) -> str:
    """A precision code in words; 3 and 4 say the area: ``仅到区（下陆区）``."""
    if code in (3, 4):
        return f"仅到{area_word(area, 3 if code == 3 else 1)}（{area}）" if area else "仅到区县或省"
    return PRECISION_WORDS.get(code or 0, "未定位")


def area_names(result: BuildResult) -> dict[str, str]:
    """The admin area each project lies in, by project id: its own admin place, else the region.

    Only read for projects placed to an admin unit (precision 3 or 4): a firm or a
    road known only to its district lies in the region.
    """
    precision = {p.id: p.precision for p in result.located_projects}
    found: dict[str, str] = {}
    for place in result.located_places:
        if place.type != "admin" or place.name is None:
            continue
        for pid in place.project_ids:
            if precision.get(pid) == place.precision:
                found.setdefault(pid, place.name)
    return {pid: found.get(pid, result.region.name) for pid in precision}
