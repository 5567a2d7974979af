"""The report's input problems (rows left out, rows not joined, sheets and columns not read) as
each writer shows them: one small function per format, so that a writer adds one call.

Every format lists them (issue #13, #16: nothing is lost silently): ``text`` and ``html`` a
short section after the summary, ``markdown`` a table, ``json`` the ``input_problems`` list,
``jsonl`` one ``{"type": "input_problem"}`` line each, ``junit`` a suite of skipped cases,
``sarif`` tool notifications, ``github`` ``::warning`` annotations, ``xlsx`` a sheet 输入问题.

>>> from ict2rules.errors import Problem
>>> from ict2rules.report.report import InputProblem
>>> p = InputProblem.of(Problem("r.csv", "学校 'X' 与给出的任何学校都不一致", "school 'X' matches no given school",
...                             line=4, field="school_id", code="unjoined"))
>>> print(plain_line(p, "en"))
r.csv:4: row not joined to a school: school_id: school 'X' matches no given school
"""

from __future__ import annotations

import html
from typing import Any

from ..report.report import INPUT_PROBLEM_KINDS, InputProblem, Report

#: What each kind is called, per language.
KIND_LABELS = {
    "zh": {
        "skipped_row": "已跳过的行", "unjoined_row": "未关联学校的行",
        "school_without_rows": "没有名册行的学校", "sheet": "未读取的工作表", "column": "未识别的列",
    },
    "en": {
        "skipped_row": "row skipped", "unjoined_row": "row not joined to a school",
        "school_without_rows": "school with no roster rows", "sheet": "sheet not read",
        "column": "column not recognised",
    },
}
TITLE = {"zh": "输入问题", "en": "Input problems"}
HEADS = {"zh": ("位置", "类别", "原因"), "en": ("Place", "Kind", "Reason")}
# a province's roster with thousands of bad rows: the human formats show this many, then a count
# (json, jsonl, sarif and xlsx list every one)
SHOWN = 200


def _lang(lang: str) -> str:
    return lang if lang in KIND_LABELS else "zh"


def kind_label(kind: str, lang: str = "zh") -> str:
    return KIND_LABELS[_lang(lang)].get(kind, kind)


def plain_line(p: InputProblem, lang: str = "zh") -> str:
    """One problem on one line: ``place: kind: field: reason``."""
    field = f"{p.field}: " if p.field else ""
    return f"{p.place()}: {kind_label(p.kind, lang)}: {field}{p.reason(lang)}"


def counts_line(report: Report, lang: str = "zh") -> str:
    """'已跳过的行 2 · 未关联学校的行 1' — the kinds present, for a summary row ('' when none)."""
    counts = report.summary()["input_problems"]
    sep = " · "
    return sep.join(f"{kind_label(k, lang)} {counts[k]}" for k in INPUT_PROBLEM_KINDS if counts.get(k))


def more_line(report: Report, lang: str) -> str | None:
    """'… and N more' when the human formats stop at :data:`SHOWN`."""
    rest = len(report.input_problems) - SHOWN
    if rest <= 0:
        return None
    return (f"…… 另有 {rest} 项(完整列表见 --format json / jsonl / xlsx)" if _lang(lang) == "zh"
            else f"… and {rest} more (the whole list: --format json / jsonl / xlsx)")


def text_lines(report: Report, lang: str = "zh") -> list[str]:
    """The text report's section (plain lines; none when the inputs had no problem)."""
    if not report.input_problems:
        return []
    lang = _lang(lang)
    out = [f"{TITLE[lang]}({counts_line(report, lang)})" if lang == "zh"
           else f"{TITLE[lang]} ({counts_line(report, lang)})"]
    out += [f"  {plain_line(p, lang)}" for p in report.input_problems[:SHOWN]]
    more = more_line(report, lang)
    return out + ([f"  {more}"] if more else [])


def html_section(report: Report, lang: str = "zh") -> str:
    """The HTML report's section (``<section id="input-problems">``; '' when none)."""
    if not report.input_problems:
        return ""
    lang = _lang(lang)
    e = html.escape
    heads = "".join(f"<th>{e(h)}</th>" for h in HEADS[lang])
    rows = "\n".join(
        f'<tr class="input-problem {e(p.kind)}"><td>{e(p.place())}</td><td>{e(kind_label(p.kind, lang))}</td>'
        f"<td>{e((p.field + ': ') if p.field else '')}{e(p.reason(lang))}</td></tr>"
        for p in report.input_problems[:SHOWN]
    )
    more = more_line(report, lang)
    return (f'<section id="input-problems"><h2>{e(TITLE[lang])}</h2>'
            f'<p id="input-problems-count">{e(counts_line(report, lang))}</p>'
            f"<table><thead><tr>{heads}</tr></thead><tbody>\n{rows}\n</tbody></table>"
            + (f"<p>{e(more)}</p>" if more else "") + "</section>")


def xlsx_columns(lang: str = "zh") -> list[tuple[str, int]]:
    """The 输入问题 sheet's (header, width) columns."""
    if _lang(lang) == "zh":
        return [("类别", 16), ("文件", 28), ("工作表", 12), ("行", 6), ("列", 5), ("字段", 16), ("原因", 70)]
    return [("Kind", 22), ("File", 28), ("Sheet", 12), ("Row", 6), ("Col", 5), ("Field", 16), ("Reason", 70)]


def xlsx_values(p: InputProblem, lang: str = "zh") -> list[Any]:
    at = p.row if p.row is not None else p.line
    return [kind_label(p.kind, lang), p.file, p.sheet, at, p.column, p.field, p.reason(lang)]
