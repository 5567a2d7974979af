"""Does a rule read its quote the way the words say? Checks used by ``ict2rules lint``.

Chinese legal usage (民法典 第一千二百五十九条) fixes where a boundary falls: 以上, 以下, 以内,
不少于, 不超过, 不低于, 至少 include the number; 超过, 不满, 低于, 少于 exclude it. A rule whose
bound disagrees with its quote's wording (``min_exclusive: true`` on 不少于) or whose number is
not the quote's (a quote saying 30 学时 with ``min: 40``) is most likely a slip of the pen.
Quotes may be in Traditional characters (港澳台 documents, or a copy from a Traditional page):
they are compared after :func:`simplified`.

>>> [p.code for p in bound_problems("R1", "每人不少於75學時", [("min", 75.0, True)])]
['ICT180']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

# The Traditional characters of these documents' vocabulary, each with its Simplified form.
# Enough to compare quotes and to read bound words; not a general converter (that is OpenCC).
_PAIRS = """
    於于 過过 內内 滿满 達达 學学 時时 數数 個个 規规 範范 訓训 師师 資资 課课 務务
    為为 與与 對对 應应 當当 須须 該该 參参 會会 議议 級级 縣县 區区 國国 際际 點点
    環环 維维 報报 備备 檢检 測测 評评 價价 優优 習习 實实 踐践 證证 據据 檔档 畫画
    劃划 團团 隊队 導导 組组 長长 員员 職职 責责 項项 經经 費费 訂订 計计 稱称 標标
    準准 線线 網网 絡络 傳传 統统 體体 驗验 進进 階阶 擁拥 護护 獲获 頒颁 發发 佈布
    廳厅 園园 書书 館馆 處处 機机 關关 單单 這这 從从 還还 將将 並并 總总 結结 係系
    種种 類类 選选 擇择 蓋盖 現现 場场 開开 設设 們们 萬万 億亿 陳陈 題题 錄录 輔辅
    讀读 寫写 讓让 說说 請请 認认 試试 錯错 誤误 續续 約约 紀纪 幹干 養养 齊齐 屆届
    週周 歲岁 鄉乡 鎮镇 廣广 東东 無无 幾几 確确 則则 層层 歷历 曆历 韌韧
""".split()  # noqa: SIM905  (a table reads better as text)
_T2S = str.maketrans("".join(p[0] for p in _PAIRS), "".join(p[1] for p in _PAIRS))


def simplified(text: str) -> str:
    """``text`` with the Traditional characters of ICT 2.0 documents made Simplified.

    >>> simplified("不少於50學時,優秀率不超過60%")
    '不少于50学时,优秀率不超过60%'
    """
    return text.translate(_T2S)


_NUM = r"(\d+(?:\.\d+)?)\s*(%|％)?"
_GAP = r"[^\d\s,，。;；]{0,3}"  # a unit between the number and 以上 (75学时以上)
INCLUSIVE_MIN = [rf"不少于\s*{_NUM}", rf"至少\s*{_NUM}", rf"不低于\s*{_NUM}", rf"{_NUM}\s*{_GAP}以上"]
INCLUSIVE_MAX = [rf"不超过\s*{_NUM}", rf"不高于\s*{_NUM}", rf"不多于\s*{_NUM}",
                 rf"{_NUM}\s*{_GAP}以(?:下|内)"]
EXCLUSIVE_MIN = [rf"(?<![不得能应可])超过\s*{_NUM}", rf"(?<!不)高于\s*{_NUM}", rf"(?<!不)多于\s*{_NUM}"]
EXCLUSIVE_MAX = [rf"不满\s*{_NUM}", rf"(?<!不)低于\s*{_NUM}", rf"(?<!不)少于\s*{_NUM}"]
# A number a rule or parameter could be about: one with a unit (dates and section numbers are not)
_MEASURE = re.compile(
    r"(\d+(?:\.\d+)?)(?:\s*[-—–~～至到]\s*(\d+(?:\.\d+)?))?\s*"  # 25 学时, or a range 1-3个
    r"(学时|课时|小时|天|%|％|个|项|份|人|名|次|分|所|篇|节|期)"
)
_FRACTION = re.compile(r"(?<![\d/])(\d+)\s*/\s*(\d+)(?![\d/])")  # 1/10 of the trainees


def numbers(patterns: Iterable[str], quote: str) -> set[float]:
    """The numbers that ``patterns`` find in ``quote`` (percentages as fractions).

    >>> sorted(numbers(INCLUSIVE_MAX, "优秀率不超过60%,90分以下"))
    [0.6, 90.0]
    >>> numbers(EXCLUSIVE_MIN, "不超过30天") == set()
    True
    """
    text = simplified(quote)
    found: set[float] = set()
    for pattern in patterns:
        for m in re.finditer(pattern, text):
            value = float(m.group(1))
            found.add(value / 100 if m.group(2) else value)
    return found


def measures(quote: str) -> set[float]:
    """Every number with a unit in ``quote``, a percentage also as its fraction.

    >>> sorted(measures("不少于25学时,合格率100%,2024年6月30日"))
    [1.0, 25.0, 100.0]
    >>> sorted(measures("每位教师1-3个案例,覆盖学员1/10"))
    [0.1, 1.0, 3.0]
    """
    text = simplified(quote)
    found: set[float] = set()
    for m in _MEASURE.finditer(text):
        for group in (m.group(1), m.group(2)):
            if group is not None:
                found.add(float(group))
                if m.group(3) in "%％":
                    found.add(float(group) / 100)
    for m in _FRACTION.finditer(text):
        if int(m.group(2)):
            found.add(int(m.group(1)) / int(m.group(2)))
    return found


@dataclass(frozen=True)
class WordingProblem:
    """One disagreement between a rule (or parameter) and its quote."""

    code: str
    subject: str  # the rule id or the $parameter
    side: str | None
    message_zh: str
    message_en: str


def bound_problems(
    rule_id: str, quote: str, bounds: Iterable[tuple[str, float, bool]]
) -> list[WordingProblem]:
    """ICT180: a bound's exclusivity against the words of its quote.

    ``bounds`` holds ``(side, value, exclusive)`` for each constant bound of the rule.

    >>> print(bound_problems("R", "超过30天", [("min", 30.0, False)])[0].message_en)
    R: the quote says 超过 30 (more than: 30 itself excluded) but the min includes 30
    """
    inc = {"min": numbers(INCLUSIVE_MIN, quote), "max": numbers(INCLUSIVE_MAX, quote)}
    exc = {"min": numbers(EXCLUSIVE_MIN, quote), "max": numbers(EXCLUSIVE_MAX, quote)}
    word = {("min", True): "不少于/以上/至少", ("max", True): "不超过/以下/以内",
            ("min", False): "超过", ("max", False): "不满/低于/少于"}
    out = []
    for side, value, exclusive in bounds:
        v = f"{value:g}"
        if exclusive and value in inc[side] and value not in exc[side]:
            out.append(WordingProblem(
                "ICT180", rule_id, side,
                f"{rule_id}:原文“{word[side, True]} {v}”包含 {v},但 {side}_exclusive 排除了它",
                f"{rule_id}: the quote says {word[side, True]} {v} ({v} itself included) "
                f"but {side}_exclusive excludes it",
            ))
        if not exclusive and value in exc[side] and value not in inc[side]:
            meaning = "more than" if side == "min" else "less than"
            out.append(WordingProblem(
                "ICT180", rule_id, side,
                f"{rule_id}:原文“{word[side, False]} {v}”不含 {v},但规则的 {side} 包含了它",
                f"{rule_id}: the quote says {word[side, False]} {v} ({meaning}: {v} itself "
                f"excluded) but the {side} includes {v}",
            ))
    return out


def number_problem(subject: str, quote: str, value: float) -> WordingProblem | None:
    """ICT181: a bound or parameter whose number is not among the quote's measures.

    Only a quote that states measures is judged: one that gives none (a date, a list) may well
    be about a number another clause gives.

    >>> print(number_problem("$hours", "不少于30学时", 40).message_en)
    $hours is 40, but the quote states 30学时: is this the clause it encodes?
    >>> number_problem("$hours", "不少于30学时", 30) is None
    True
    """
    found = measures(quote)
    if not found or value in found:
        return None
    listed = "、".join(dict.fromkeys(m.group(0) for m in _MEASURE.finditer(simplified(quote))))
    return WordingProblem(
        "ICT181", subject, None,
        f"{subject} 为 {value:g},而原文给出的数是 {listed}:是否引错了条款?",
        f"{subject} is {value:g}, but the quote states {listed}: is this the clause it encodes?",
    )


def _number(raw: Any) -> float | None:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw)
    return None


def constant_bounds(ruleset: Any, rule: Any) -> Iterator[tuple[str, float, bool, str | None]]:
    """``(side, value, exclusive, parameter)`` of each constant bound of a rule's top check."""
    args = rule.check.args
    for side in ("min", "max"):
        raw = getattr(args, side, None)
        param = raw[1:] if isinstance(raw, str) and raw.startswith("$") else None
        if param is not None and param in ruleset.parameters:
            raw = ruleset.parameters[param].value
        value = _number(raw)
        if value is not None:
            yield side, value, bool(getattr(args, f"{side}_exclusive", False)), param


def ruleset_wording_problems(ruleset: Any) -> list[WordingProblem]:
    """Every ICT180/ICT181 problem of a loaded ruleset's own rules and parameters.

    >>> from ict2rules import load_ruleset
    >>> ruleset_wording_problems(load_ruleset("zeku_2023"))
    []
    """
    out: list[WordingProblem] = []
    own = ruleset.id
    for rule in ruleset.rules:
        if ruleset.rule_origin.get(rule.id) != own:
            continue
        bounds = list(constant_bounds(ruleset, rule))
        out += bound_problems(rule.id, rule.source.quote, [(s, v, x) for s, v, x, _ in bounds])
        for _side, value, _exclusive, param in bounds:
            # a constant written in the rule is judged against the rule's quote; 0 and 1 are
            # what "none" and "there is one" mean, stated by no number
            if param is None and value not in (0, 1):
                problem = number_problem(rule.id, rule.source.quote, value)
                if problem:
                    out.append(problem)
    for name, p in ruleset.parameters.items():
        value = _number(p.value)
        if p.defined_in == own and value is not None:
            problem = number_problem(f"${name}", p.source.quote, value)
            if problem:
                out.append(problem)
    return out
