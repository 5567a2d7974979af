"""``--format markdown``: a report a school pastes into its filing (or into a CI job summary,
``-o "$GITHUB_STEP_SUMMARY"``): a summary table, a table per school of teachers × rules, then
each rule not met with its clause quoted as a blockquote and every subject that misses it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import IO, Any

from ..errors import printable
from ..kinds.base import Status
from ..report.findings import Finding
from ..report.report import Report, message, show
from .problems import HEADS, SHOWN, TITLE, counts_line, kind_label, more_line
from .problems import _lang as problem_lang
from .registry import writer
from .text import (
    LABELS,
    MARKS,
    TeacherGroup,
    by_rule,
    cite_line,
    document_line,
    due_of,
    left_out_part,
    pct,
    pending_note,
    rate_summaries,
    show_value,
    teacher_groups,
    title_of,
)

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#])")


def md(text: object) -> str:
    """Text safe inside a Markdown paragraph or table cell (no markup, no line breaks).

    >>> md("a|b *c*")
    'a\\\\|b \\\\*c\\\\*'
    """
    # a bidi override or a control character would make the page read otherwise than stored
    return printable(_SPECIAL.sub(r"\\\1", str(text)).replace("\r", " ").replace("\n", " "))


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _summary(report: Report, t: dict[str, str], lang: str) -> list[str]:
    s = report.summary()
    ts = s["teachers"]
    rows = [
        _row(t["document"], md(document_line(report))),
        _row(t["as_of"], report.as_of.isoformat()),
    ]
    if ts["checked"]:
        rows.append(_row(t["teachers"], f"{t['checked']} {ts['checked']} · {t['passed']} {ts['passed']} · {t['not_passed']} {ts['failed']}" + (f" · {t['pending']} {ts['pending']}" if ts.get("pending") else "")))
        rows.append(_row(t["pass_rate"], pct(ts["pass_rate"])))
    for level, key in (("school", "schools"), ("project", "projects")):
        subjects = [ok for lv, _, ok in report.subjects if lv == level]
        if subjects:
            rows.append(_row(t[key], f"{t['checked']} {len(subjects)} · {t['passed']} {sum(subjects)}"))
    for rs in rate_summaries(report):
        extra = f" · {t['schools_off'].format(k=rs.schools_off, n=rs.schools)}" if rs.schools_off else ""
        if rs.schools_pending:
            extra += f" · {t['schools_pending'].format(k=rs.schools_pending, n=rs.schools)}"
        rows.append(_row(md(title_of(rs.rule, lang)), f"{pct(rs.share)}{t['lp']}{t['expected']} {md(show(rs.expected, lang))}{t['rp']}{extra}"))
    counts = " · ".join(f"{t[k]} {v}" for k, v in s["findings"].items() if v) or "0"
    rows.append(_row(t["findings"], counts))
    if report.skipped_rows:
        rows.append(_row(t["skipped"], str(report.skipped_rows)))
    if report.input_problems:
        rows.append(_row("输入问题" if lang == "zh" else "Input problems", md(counts_line(report, lang))))
    verdict = t["verdict_ok"] if report.passed else f"**{t['verdict_bad']}**{t['lp']}{t['error']} {s['errors']} · {t['warning']} {s['warnings']}{left_out_part(report, t)}{t['rp']}"
    rows.append(_row(t["verdict"], verdict))
    return [f"# {t['title']}:{md(getattr(report.ruleset.title, lang))}", "", _row(t["item"], t["result"]), _row("---", "---"), *rows, ""]


def _group(group: TeacherGroup, report: Report, t: dict[str, str], lang: str) -> list[str]:
    head = f"{t['school_h']} {md(group.school)}" if group.school else t["no_school"]
    if group.name:
        head += f" {md(group.name)}"
    out = [f"## {head}", "", t["teachers_of"].format(checked=group.checked, passed=group.passed), ""]
    if not group.columns:
        return [*out, t["all_met"].format(n=group.checked), ""]
    out.append(_row(t["teacher"], *range(1, len(group.columns) + 1), t["verdict"]))
    out.append(_row("---", *([":-:"] * len(group.columns)), "---"))
    for row in group.rows:
        ref = row.subject
        who = f"{md(ref.name)}({md(ref.id)})" if ref.name else md(ref.id)
        marks = [MARKS[row.statuses.get(rid, Status.NOT_APPLICABLE)] for rid in group.columns]
        out.append(_row(who, *marks, t["passed"] if row.passed else f"**{t[row.verdict]}**"))
    out.append("")
    out += [f"{n}. `{rid}` {md(title_of(report.ruleset.rule(rid), lang))}" for n, rid in enumerate(group.columns, 1)]
    return [*out, "", f"<sub>{md(t['legend'])}</sub>", ""]


def _quote(rule: Any, report: Report) -> list[str]:
    return [f"> {md(rule.source.quote)}", ">", f"> — {md(cite_line(rule, report))}", ""]


def _failures(report: Report, t: dict[str, str], lang: str) -> Iterator[list[str]]:
    """The heading, then each rule's block as a part of its own (a province's failures are
    millions of characters: never all held at once)."""
    problems = by_rule(report.failures())
    if not problems:
        return
    yield [f"## {t['fix']}", ""]
    for n, (rule, fs) in enumerate(problems, 1):
        out = [f"### {n}. `{rule.id}` {md(title_of(rule, lang))}({t[rule.severity]})", ""]
        out += _quote(rule, report)
        if rule.note:
            out += [f"*{t['note']}*:{md(rule.note)}", ""]
        out.append(_row(t["subject"], t["message"], t["expected"], t["actual"]))
        out.append(_row("---", "---", "---", "---"))
        out += [_finding_row(f, lang) for f in fs]
        out.append("")
        yield out


def _finding_row(f: Finding, lang: str) -> str:
    o = f.outcome
    return _row(md(f.subject.label()), md(message(f, lang)), md(show_value(f, o.expected, lang)), md(show_value(f, o.actual, lang)))


def _pending(report: Report, t: dict[str, str], lang: str) -> list[str]:
    pending = [f for f in report.findings if f.status is Status.PENDING]
    if not pending:
        return []
    out = [f"## {t['pending_h']}", ""]
    for rule, fs in by_rule(pending):
        who = ", ".join(md(f.subject.label()) for f in fs)
        note = pending_note(fs, t)
        out.append(f"- `{rule.id}` {md(title_of(rule, lang))} — {t['due']} {md(due_of(fs[0], lang))} — {who}" + (f" {md(note)}" if note else ""))
    return [*out, ""]


@writer("markdown")
def write_markdown(report: Report, stream: IO[str], *, lang: str = "zh", **_: Any) -> None:
    """Write the report as GitHub-flavoured Markdown.

    >>> import io
    >>> from ict2rules import evaluate
    >>> out = io.StringIO()
    >>> write_markdown(evaluate("zeku_2023", {"teacher": {"id": "T1"}}, as_of="2023-10-01"), out)
    >>> out.getvalue().startswith("# 检查结果")
    True
    """
    t = LABELS[lang]
    # written part by part (a school's table, a rule's block): memory does not grow with the
    # text of a province's report
    parts = itertools.chain(
        [_summary(report, t, lang), markdown_lines(report, lang)],
        (_group(group, report, t, lang) for group in teacher_groups(report)),
        _failures(report, t, lang), [_pending(report, t, lang)],
    )
    pending = ""  # blank lines at the end of the text so far: written only if more follows
    for lines in parts:
        text = "\n".join(lines)
        if not text.strip("\n"):
            continue
        body = text.rstrip("\n")
        stream.write(pending + body)
        pending = text[len(body):] + "\n"
    stream.write("\n")


def markdown_lines(report: Report, lang: str = "zh") -> list[str]:
    """The Markdown report's section: a table of place, kind and reason."""
    if not report.input_problems:
        return []
    lang = problem_lang(lang)
    heads = HEADS[lang]
    out = [f"## {TITLE[lang]}", "", f"| {' | '.join(heads)} |", "|---|---|---|"]
    for p in report.input_problems[:SHOWN]:
        reason = (f"`{md(p.field)}`: " if p.field else "") + md(p.reason(lang))
        out.append(f"| {md(p.place())} | {md(kind_label(p.kind, lang))} | {reason} |")
    more = more_line(report, lang)
    return [*out, *(["", md(more)] if more else []), ""]
