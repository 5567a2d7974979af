"""``--format text``: what a school IT lead reads in a terminal.

A summary panel (teachers checked, passed, failed, pass rate, each school-level rate such as
an excellence rate against its cap), a table per school of teachers × rules, then what to fix in
the order to fix it — one block per rule with its quoted clause, listing every subject that
does not meet it with expected and actual — then the work not yet due.

Colour only on a terminal; piped output is plain text (width 100).

The helpers :func:`fix_order`, :func:`teacher_groups`, :func:`rate_summaries` and
:func:`by_rule` are shared by the other human-facing writers (markdown, html).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..errors import printable
from ..evaluator import Finding, SubjectRef, passed
from ..kinds.base import Status
from ..report import Report, message, show
from . import writer

if TYPE_CHECKING:
    from ..ruleset import Rule

LABELS = {
    "zh": {
        "pass": "符合",
        "fail": "不符合",
        "not_applicable": "不适用",
        "missing_data": "缺少数据",
        "pending": "尚未到期",
        "title": "检查结果",
        "document": "依据文件",
        "as_of": "检查日期",
        "teachers": "教师",
        "schools": "学校",
        "projects": "项目",
        "regions": "区域",
        "checked": "检查",
        "passed": "合格",
        "failed": "未合格",
        "pass_rate": "合格率",
        "verdict_ok": "✔ 全部必备要求均已满足",
        "verdict_bad": "✘ 有必备要求未满足",
        "fix": "需要修改(按建议顺序)",
        "pending_h": "尚未到期的事项",
        "expected": "要求",
        "actual": "实际",
        "source": "依据",
        "note": "读法",
        "error": "错误",
        "warning": "警告",
        "info": "提示",
        "findings": "检查项",
        "skipped": "跳过的行",
        "values": "计算值(按文件推算)",
        "rates": "比率",
        "teacher": "教师",
        "all_met": "{n} 位教师全部符合",
        "others_met": "另有 {n} 位教师全部符合",
        "more_rows": "…… 另有 {n} 位教师有未满足项(完整名单见 --format html/jsonl)",
        "more_items": "…… 另有 {n} 项(完整名单见 --format html/jsonl)",
        "subjects_n": "{n} 项",
        "schools_off": "{k}/{n} 所学校未达到",
        "legend": "✔ 符合 ✘ 不符合 ? 缺少数据 … 尚未到期 – 不适用",
        "no_school": "未归属学校的教师",
        "school_h": "学校",
        "verdict": "结论",
        "due": "期限",
        "rule": "规则",
        "severity": "级别",
        "subject": "对象",
        "message": "说明",
        "teachers_of": "教师 {checked} · 合格 {passed}",
        "lp": "(",
        "rp": ")",
        "item": "项目",
        "result": "结果",
        "would_fail": "(其中 {n} 项按现有记录到期将不符合)",
        "would_fail_all": "(按现有记录到期将不符合)",
        "schools_pending": "{k}/{n} 所学校尚未到期",
        "summary": "概要",
        "generated": "由 ict2rules 生成",
    },
    "en": {
        "pass": "met",
        "fail": "not met",
        "not_applicable": "n/a",
        "missing_data": "data missing",
        "pending": "not yet due",
        "title": "Check result",
        "document": "Document",
        "as_of": "As of",
        "teachers": "Teachers",
        "schools": "Schools",
        "projects": "Projects",
        "regions": "Regions",
        "checked": "checked",
        "passed": "passed",
        "failed": "failed",
        "pass_rate": "pass rate",
        "verdict_ok": "✔ every required rule is met",
        "verdict_bad": "✘ some required rules are not met",
        "fix": "What to fix (in this order)",
        "pending_h": "Not yet due",
        "expected": "expected",
        "actual": "actual",
        "source": "source",
        "note": "reading",
        "error": "error",
        "warning": "warning",
        "info": "info",
        "findings": "Findings",
        "skipped": "Skipped rows",
        "values": "Derived values (as the document computes them)",
        "rates": "Rates",
        "teacher": "Teacher",
        "all_met": "all {n} teachers met every rule",
        "others_met": "{n} more teachers met every rule",
        "more_rows": "… {n} more teachers with rules not met (all of them: --format html/jsonl)",
        "more_items": "… {n} more (all of them: --format html/jsonl)",
        "subjects_n": "{n} subjects",
        "schools_off": "{k}/{n} schools below",
        "legend": "✔ met ✘ not met ? data missing … not yet due – n/a",
        "no_school": "Teachers without a school",
        "school_h": "School",
        "verdict": "Verdict",
        "due": "due",
        "rule": "rule",
        "severity": "severity",
        "subject": "subject",
        "message": "message",
        "teachers_of": "teachers {checked} · passed {passed}",
        "lp": " (",
        "rp": ")",
        "item": "Item",
        "result": "Result",
        "would_fail": "({n} would not be met as things stand)",
        "would_fail_all": "(would not be met as things stand)",
        "schools_pending": "{k}/{n} schools not yet due",
        "summary": "Summary",
        "generated": "Generated by ict2rules",
    },
}
STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
MARKS = {
    Status.PASS: "✔",
    Status.FAIL: "✘",
    Status.MISSING_DATA: "?",
    Status.PENDING: "…",
    Status.NOT_APPLICABLE: "–",
}
MARK_STYLE = {
    Status.PASS: "green",
    Status.FAIL: "bold red",
    Status.MISSING_DATA: "magenta",
    Status.PENDING: "cyan",
    Status.NOT_APPLICABLE: "dim",
}
_OPEN = (Status.FAIL, Status.MISSING_DATA, Status.PENDING)
MAX_ROWS = 40  # rows of a school's table in text; html shows them all
MAX_ITEMS = 50  # subjects listed under one rule in text


# ---------------------------------------------------------------------------------------------
# The view shared by the human-facing writers
# ---------------------------------------------------------------------------------------------


def fix_order(findings: list[Finding]) -> list[Finding]:
    """Schools and projects before teachers; within a level, errors first, then each rule's
    ``order``, then id."""
    level_rank = {"region": -1, "project": 0, "school": 1, "teacher": 2}
    severity_rank = {"error": 0, "warning": 1, "info": 2}
    return sorted(
        findings,
        key=lambda f: (
            level_rank[f.subject.level],
            severity_rank[f.severity],
            f.compiled.rule.order if f.compiled.rule.order is not None else 1_000,
            f.rule_id,
        ),
    )


def by_rule(findings: list[Finding]) -> list[tuple[Rule, list[Finding]]]:
    """Findings grouped by rule, the rules in fix order.

    >>> by_rule([])
    []
    """
    groups: dict[str, list[Finding]] = {}
    for f in fix_order(findings):
        groups.setdefault(f.rule_id, []).append(f)
    return [(fs[0].compiled.rule, fs) for fs in groups.values()]


@dataclass
class TeacherRow:
    """One teacher's line in a school's table: the status of each rule on them."""

    subject: SubjectRef
    statuses: dict[str, Status]
    passed: bool
    errors: dict[str, bool] = field(default_factory=dict)  # rule id → is error severity

    @property
    def clean(self) -> bool:
        return not any(s in _OPEN for s in self.statuses.values())

    @property
    def waiting(self) -> bool:
        """Not passed only because work is not yet due (no error rule failed or lacks data)."""
        return not self.passed and not any(
            s in (Status.FAIL, Status.MISSING_DATA) and self.errors.get(rid, True)
            for rid, s in self.statuses.items()
        )


@dataclass
class TeacherGroup:
    """The teachers of one school (``school`` None: teachers checked on their own)."""

    school: str | None
    name: str | None
    rows: list[TeacherRow] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # teacher rule ids with any open status

    @property
    def checked(self) -> int:
        return len(self.rows)

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.rows)


def teacher_groups(report: Report) -> list[TeacherGroup]:
    """The report's teacher findings as one table per school, in the order they were checked.

    Columns are the teacher-level rules that some teacher of the school does not meet (fail,
    data missing or not yet due), in ruleset order: a compact table of what needs attention.
    """
    rule_rank = {r.id: i for i, r in enumerate(report.ruleset.rules)}
    names = {f.subject.id: f.subject.name for f in report.findings if f.subject.level == "school"}
    verdicts = {key: ok for level, key, ok in report.subjects if level == "teacher"}
    per_teacher: dict[tuple[str | None, str], list[Finding]] = {}
    for f in report.findings:
        if f.subject.level == "teacher":
            per_teacher.setdefault((f.subject.school, f.subject.id), []).append(f)
    groups: dict[str | None, TeacherGroup] = {}
    for (school, _), fs in per_teacher.items():
        group = groups.setdefault(school, TeacherGroup(school, names.get(school or "")))
        ref = fs[0].subject
        key = f"{school}/{ref.id}" if school else ref.id
        ok = verdicts.get(key, passed(fs))
        errors = {f.rule_id: f.compiled.is_error for f in fs}
        group.rows.append(TeacherRow(ref, {f.rule_id: f.status for f in fs}, ok, errors))
    for group in groups.values():
        open_rules = {rid for r in group.rows for rid, s in r.statuses.items() if s in _OPEN}
        group.columns = sorted(open_rules, key=lambda rid: rule_rank.get(rid, 10_000))
    return list(groups.values())


@dataclass
class RateSummary:
    """A school-level ``rate`` rule over all schools: the pooled share and how many schools miss."""

    rule: Rule
    count: int
    total: int
    expected: Any
    schools: int
    schools_off: int
    schools_pending: int = 0  # the rate's due date is still ahead for these schools

    @property
    def share(self) -> float | None:
        return self.count / self.total if self.total else None


def rate_summaries(report: Report) -> list[RateSummary]:
    """Each school-level ``rate`` rule over the school's teachers or their point certifications
    (pass rate 100 %, excellence rate ≤ 60 % …), pooled over the schools.

    The share is pooled over every school's items (``detail.count / detail.total``); the
    schools below the bound are counted separately, since a county reads both.
    """
    out: dict[str, RateSummary] = {}
    for f in report.findings:
        rule = f.compiled.rule
        if f.subject.level != "school" or rule.check.kind != "rate":
            continue
        if getattr(rule.check.args, "over", None) not in ("teachers", "teachers.points"):
            continue  # a share of team members or schedule items is not a rate of the school's teachers
        detail = f.outcome.detail or {}
        if f.status not in (Status.PASS, Status.FAIL, Status.PENDING) or "total" not in detail:
            continue  # not applicable, or no data to count
        rs = out.setdefault(rule.id, RateSummary(rule, 0, 0, f.outcome.expected, 0, 0))
        rs.count += int(detail.get("count", 0))
        rs.total += int(detail["total"])
        rs.schools += 1
        rs.schools_off += f.status is Status.FAIL
        rs.schools_pending += f.status is Status.PENDING
    return list(out.values())


def pct(x: float | None) -> str:
    """A share as a percentage for people: 0.6667 → '66.7%', None → '—'."""
    return "—" if x is None else f"{x * 100:.1f}%"


# Every text a ruleset or a record supplies passes through ``printable`` on its way to a
# writer (no terminal escape, no bidi override), and reaches rich only as ``Text``, never as a
# markup string: a name "[/bold]" or "[link=…]" is shown as written.


def title_of(rule: Rule, lang: str) -> str:
    return printable(str(getattr(rule.title, lang)))


def document_line(report: Report) -> str:
    d = report.ruleset.document
    return printable(f"{d.title}({d.issuer}{', ' + d.number if d.number else ''})")


def _cited_title(rule: Rule, report: Report) -> str | None:
    """The title of the document a rule cites when it is not the report's own (an inherited
    rule); reports name documents by title, never by the file the text was copied from."""
    title = rule.source.title or rule.source.document
    return None if title in (None, report.ruleset.document.title) else title


def source_line(rule: Rule, report: Report) -> str:
    """The section, after the cited document's title when it is not the ruleset's own (a rule
    inherited through ``extends``): '三(一)3⑴' or '《…意见》 四'."""
    other = _cited_title(rule, report)
    return printable(f"《{other}》{rule.source.section}" if other else rule.source.section)


def cite_line(rule: Rule, report: Report) -> str:
    """The cited document's title and the section: '《泽库县…实施方案》三(一)3⑴'."""
    title = _cited_title(rule, report) or report.ruleset.document.title
    return printable(f"《{title}》{rule.source.section}")


def show_value(f: Finding, value: Any, lang: str | None = None) -> str:
    """A finding's expected or actual value for people (in ``lang`` when given: labels, not
    paths); a ``rate`` share as a percentage."""
    if (
        f.compiled.rule.check.kind == "rate"
        and isinstance(value, (int, float))
        and not isinstance(value, bool)
    ):
        return pct(value)
    return show(value, lang)


def expected_actual(f: Finding, t: dict[str, str]) -> list[str]:
    """'要求 ≥ 75 学时 · 实际 60' on one line, or two lines when the values are long."""
    o = f.outcome
    detail = o.detail or {}
    lang = "zh" if t is LABELS["zh"] else "en"
    # how the kind says its value to people (a share as "46.2%"), per language or for both
    told = detail.get(f"actual_text_{lang}", detail.get("actual_text"))
    exp = f"{t['expected']} {show_value(f, o.expected, lang)}"
    act = f"{t['actual']} {show(told, lang) if told is not None else show_value(f, o.actual, lang)}"
    return [f"{exp} · {act}"] if len(exp) + len(act) <= 60 else [exp, act]


def would_fail(findings: list[Finding]) -> int:
    """How many pending findings would not be met if the due date were today (``would_be``)."""
    return sum(
        1 for f in findings if (f.outcome.detail or {}).get("would_be") in ("fail", "missing_data")
    )


def pending_note(findings: list[Finding], t: dict[str, str]) -> str:
    n = would_fail(findings)
    if not n:
        return ""
    return t["would_fail_all"] if n == len(findings) else t["would_fail"].format(n=n)


def due_of(f: Finding) -> str:
    return str((f.outcome.detail or {}).get("due", show(f.outcome.expected)))


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------


def _summary(report: Report, t: dict[str, str], lang: str) -> Panel:
    s = report.summary()
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    grid.add_row(t["document"], Text(document_line(report)))
    grid.add_row(t["as_of"], report.as_of.isoformat())
    ts = s["teachers"]
    if ts["checked"]:
        grid.add_row(
            t["teachers"],
            Text(
                f"{t['checked']} {ts['checked']} · {t['passed']} {ts['passed']} · "
                f"{t['failed']} {ts['failed']} · "
                + (f"{t['pending']} {ts['pending']} · " if ts.get("pending") else "")
                + f"{t['pass_rate']} {pct(ts['pass_rate'])}"
            ),
        )
    for level, key in (("school", "schools"), ("project", "projects"), ("region", "regions")):
        subjects = [ok for lv, _, ok in report.subjects if lv == level]
        if subjects:
            waiting = report.schools_waiting if level == "school" else 0
            grid.add_row(
                t[key],
                f"{t['checked']} {len(subjects)} · {t['passed']} {sum(subjects)}"
                + (f" · {t['pending']} {waiting}" if waiting else ""),
            )
    for rs in rate_summaries(report):
        line = Text(
            f"{title_of(rs.rule, lang)}: {pct(rs.share)}{t['lp']}{t['expected']} {show(rs.expected)}{t['rp']}"
        )
        if rs.schools_off:
            line.append(
                " · " + t["schools_off"].format(k=rs.schools_off, n=rs.schools), style="red"
            )
        if rs.schools_pending:
            line.append(
                " · " + t["schools_pending"].format(k=rs.schools_pending, n=rs.schools),
                style="cyan",
            )
        grid.add_row(t["rates"], line)
    counts = Text()
    for k, v in s["findings"].items():
        if v:
            if counts:
                counts.append(" · ")
            counts.append(f"{t[k]} {v}", style=MARK_STYLE[Status(k)])
    grid.add_row(t["findings"], counts or Text("0"))
    if report.skipped_rows:
        grid.add_row(t["skipped"], Text(str(report.skipped_rows), style="yellow"))
    ok = report.passed
    verdict = Text(
        t["verdict_ok"] if ok else t["verdict_bad"], style="bold green" if ok else "bold red"
    )
    if not ok:
        verdict.append(
            f"{t['lp']}{t['error']} {s['errors']} · {t['warning']} {s['warnings']}{t['rp']}",
            style="red",
        )
    title = Text(f"{t['title']} · {printable(getattr(report.ruleset.title, lang))}")
    return Panel(Group(grid, Text(""), verdict), title=title, title_align="left", expand=False)


def _mark(status: Status) -> Text:
    return Text(MARKS[status], style=MARK_STYLE[status])


def _group_table(group: TeacherGroup, report: Report, t: dict[str, str], lang: str) -> list[Any]:
    """A school's heading, its teachers × open rules table, and the legend of its columns."""
    head = Text()
    head.append(f"{t['school_h']} {group.school}" if group.school else t["no_school"], style="bold")
    if group.name:
        head.append(f" {group.name}", style="bold")
    head.append(
        "  " + t["teachers_of"].format(checked=group.checked, passed=group.passed), style="dim"
    )
    if not group.columns:
        return [head, Text("  " + t["all_met"].format(n=group.checked), style="green")]
    rows = group.rows if group.checked <= MAX_ROWS else [r for r in group.rows if not r.clean]
    table = Table(
        box=box.SIMPLE_HEAD, padding=(0, 1), show_edge=False, pad_edge=False, collapse_padding=True
    )
    table.add_column(t["teacher"], no_wrap=True, max_width=24)
    for n in range(1, len(group.columns) + 1):
        table.add_column(str(n), justify="center", no_wrap=True, min_width=len(str(n)))
    # the verdict is the one column that must never be cut short
    widest = max(cell_len(t[k]) for k in ("passed", "failed", "pending"))
    table.add_column(t["verdict"], no_wrap=True, min_width=widest)
    for row in rows[:MAX_ROWS]:
        ref = row.subject
        who = f"{ref.name}({ref.id})" if ref.name else ref.id
        marks = [_mark(row.statuses.get(rid, Status.NOT_APPLICABLE)) for rid in group.columns]
        if row.passed:
            verdict = Text(t["passed"], style="green")
        elif row.waiting:
            verdict = Text(t["pending"], style="cyan")
        else:
            verdict = Text(t["failed"], style="red")
        table.add_row(Text(who), *marks, verdict)
    out: list[Any] = [head, table]
    hidden_open = len([r for r in rows if not r.clean]) - len(
        [r for r in rows[:MAX_ROWS] if not r.clean]
    )
    if hidden_open > 0:
        out.append(Text("  " + t["more_rows"].format(n=hidden_open), style="dim"))
    if len(rows) < group.checked:
        out.append(Text("  " + t["others_met"].format(n=group.checked - len(rows)), style="green"))
    legend = Text()
    for n, rid in enumerate(group.columns, 1):
        legend.append(f"  {n:>2} ", style="bold")
        legend.append(f"{rid} ", style="dim")
        legend.append(title_of(report.ruleset.rule(rid), lang) + "\n")
    legend.append("     " + t["legend"], style="dim")
    out.append(legend)
    return out


def _values_table(report: Report, t: dict[str, str], lang: str) -> list[Any]:
    """Derived values (final score, band, incentive points, a project's rates) per subject."""
    if not any(v.value is not None for v in report.values):
        return []  # nothing computed yet (a plan before any scores): no empty table
    titles = {d.id: printable(getattr(d.title, lang)) for d in report.ruleset.derived}
    band_names = {  # a band's label reads as its own name in the report's language
        (d.id, b.label): printable(getattr(b, lang) or b.label)
        for d in report.ruleset.derived
        if d.compute.kind == "band"
        for b in d.compute.args.bands
    }
    ids = list(dict.fromkeys(v.id for v in report.values))
    rows: dict[SubjectRef, dict[str, Any]] = {}
    for v in report.values:
        rows.setdefault(v.subject, {})[v.id] = v.value
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), show_edge=False, pad_edge=False)
    table.add_column(t["subject"], no_wrap=True, max_width=32)
    for i in ids:
        table.add_column(Text(titles.get(i, i)), justify="right", no_wrap=True)
    for ref, values in list(rows.items())[:MAX_ROWS]:
        cells = (Text(band_names.get((i, values.get(i)), show(values.get(i)))) for i in ids)
        table.add_row(Text(ref.label()), *cells)
    out: list[Any] = [Text(t["values"], style="bold"), table]
    if len(rows) > MAX_ROWS:
        out.append(Text("  " + t["more_items"].format(n=len(rows) - MAX_ROWS), style="dim"))
    return out


def _indent(text: Text, n: int) -> Padding:
    return Padding(text, (0, 0, 0, n), expand=False)


def _rule_block(
    n: int, rule: Rule, findings: list[Finding], report: Report, lang: str, t: dict[str, str]
) -> Group:
    """One rule not met: its title, clause and reading once, then each subject that misses it.

    Continuation lines are indented under the number, so a long clause still reads as a block.
    """
    head = Text()
    head.append(f"{n:>2}. ", style="bold")
    head.append(f"[{t[rule.severity]}] ", style=STYLE[rule.severity])
    head.append(f"{rule.id} ", style="dim")
    head.append(title_of(rule, lang), style="bold")
    if len(findings) > 1:
        head.append(" · " + t["subjects_n"].format(n=len(findings)), style="dim")
    source = Text(f"{t['source']} {source_line(rule, report)}", style="dim")
    quote = Text(f"「{printable(rule.source.quote)}」", style="italic")
    parts: list[Any] = [head, _indent(source, 4), _indent(quote, 4)]
    if rule.note:
        parts.append(_indent(Text(f"{t['note']} {printable(rule.note)}", style="dim"), 4))
    for f in findings[:MAX_ITEMS]:
        line = Text("· ")
        line.append(f.subject.label(), style="bold")
        line.append(f" {printable(message(f, lang))}")
        parts.append(_indent(line, 4))
        parts.extend(_indent(Text(line, style="dim"), 6) for line in expected_actual(f, t))
    if len(findings) > MAX_ITEMS:
        more = t["more_items"].format(n=len(findings) - MAX_ITEMS)
        parts.append(_indent(Text(more, style="dim"), 4))
    parts.append(Text(""))
    return Group(*parts)


def _pending(report: Report, lang: str, t: dict[str, str]) -> list[Any]:
    """Work not yet due, one rule a line with its due date, then who it concerns (indented)."""
    pending = [f for f in report.findings if f.status is Status.PENDING]
    if not pending:
        return []
    out: list[Any] = [Text(t["pending_h"], style="bold underline")]
    for rule, fs in by_rule(pending):
        line = Text(f"  … {rule.id} ", style="cyan")
        line.append(f"{title_of(rule, lang)} — {t['due']} {due_of(fs[0])}", style="")
        note = pending_note(fs, t)
        if note:
            line.append(f" {note}", style="yellow")
        shown = ", ".join(f.subject.label() for f in fs[:MAX_ITEMS])
        more = f" … (+{len(fs) - MAX_ITEMS})" if len(fs) > MAX_ITEMS else ""
        out += [line, _indent(Text(shown + more, style="dim"), 4)]
    return out


class TrimmedLines:
    """A stream that drops the spaces rich pads lines with, so piped text has no trailing blanks."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._pending = ""

    def write(self, data: str) -> int:
        lines = (self._pending + data).split("\n")
        self._pending = lines.pop()
        for line in lines:
            self._stream.write(line.rstrip(" ") + "\n")
        return len(data)

    def flush(self) -> None:
        if self._pending:
            self._stream.write(self._pending.rstrip(" "))
            self._pending = ""
        self._stream.flush()

    def isatty(self) -> bool:
        return False


@writer("text")
def write_text(
    report: Report,
    stream: IO[str],
    *,
    lang: str = "zh",
    color: bool | None = None,
    width: int | None = None,
    **_: Any,
) -> None:
    """Write the human report.

    >>> import io
    >>> from ict2rules import evaluate
    >>> out = io.StringIO()
    >>> write_text(evaluate("zeku_2023", {"teacher": {"id": "T1"}}, as_of="2023-10-01"), out, lang="en")
    >>> "What to fix" in out.getvalue()
    True
    """
    t = LABELS[lang]
    tty = hasattr(stream, "isatty") and stream.isatty()
    console = Console(
        file=stream if tty else TrimmedLines(stream),
        force_terminal=color,
        no_color=color is False or None,
        width=width or (None if tty else 100),
        highlight=False,
        emoji=False,
        markup=False,  # nothing from a file is ever read as rich markup (see title_of)
    )
    console.print(_summary(report, t, lang))
    for group in teacher_groups(report):
        console.print()
        for part in _group_table(group, report, t, lang):
            console.print(part)
    values = _values_table(report, t, lang)
    if values:
        console.print()
        for part in values:
            console.print(part)
    problems = by_rule(report.failures())
    if problems:
        console.print(Text(f"\n{t['fix']}", style="bold underline"))
        for n, (rule, fs) in enumerate(problems, 1):
            console.print(_rule_block(n, rule, fs, report, lang, t))
    pending = _pending(report, lang, t)
    if pending:
        if not problems:  # a rule block already ends with a blank line
            console.print()
        for line in pending:
            console.print(line)
    console.file.flush()


# ---------------------------------------------------------------------------------------------
# Progress on stderr while a big roster is checked (used by ``check --format text``)
# ---------------------------------------------------------------------------------------------

PROGRESS_THRESHOLD = 2000  # teachers; smaller runs finish before a bar is worth drawing


class _Counting(list):  # type: ignore[type-arg]
    """A list that calls ``tick`` as each item is iterated (the evaluator walks it once)."""

    def __init__(self, items: list[Any], tick: Any) -> None:
        super().__init__(items)
        self._tick = tick

    def __iter__(self) -> Iterator[Any]:
        for item in super().__iter__():
            yield item
            self._tick()


@contextmanager
def progress(
    records: Any, stream: IO[str] | None = None, *, threshold: int = PROGRESS_THRESHOLD
) -> Iterator[None]:
    """Show a transient progress bar on ``stream`` (stderr) while ``records`` are evaluated —
    only when it is a terminal and there are at least ``threshold`` teachers.

    >>> from ict2rules.inputs import Records
    >>> with progress(Records()):  # nothing to draw: no bar, no output
    ...     pass
    """
    stream = stream or sys.stderr
    owners = [records, *records.schools]
    total = sum(len(getattr(o, "teachers", None) or ()) for o in owners)
    if total < threshold or not (hasattr(stream, "isatty") and stream.isatty()):
        yield
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("检查 / checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(file=stream),
        transient=True,
    ) as bar:
        task = bar.add_task("teachers", total=total)
        saved = [(o, o.teachers) for o in owners if getattr(o, "teachers", None)]
        for owner, teachers in saved:
            owner.teachers = _Counting(teachers, lambda: bar.advance(task))
        try:
            yield
        finally:
            for owner, teachers in saved:
                owner.teachers = teachers


__all__ = [
    "LABELS",
    "MARKS",
    "RateSummary",
    "TeacherGroup",
    "TeacherRow",
    "by_rule",
    "fix_order",
    "progress",
    "rate_summaries",
    "teacher_groups",
    "write_text",
]
