"""``--format text``: what a school IT lead or a county office reads in a terminal.

A summary panel (teachers checked, passed, failed, pass rate, each school-level rate such as
an excellence rate against its cap), one line per school (its id beside its name), a table per
school of the teachers who fail or lack data × the rules they miss (every teacher with
``details``), then what to fix in the order to fix it — one block per rule with its quoted
clause, listing the subjects that do not meet it — then the work not yet due.

The panel is rich's; everything that grows with the roster is written as plain lines padded
by terminal cells (CJK characters are two wide), so 50,000 teachers take seconds, not a
minute. Colour only on a terminal; piped output is plain text (width 100).

The helpers :func:`fix_order`, :func:`teacher_groups`, :func:`rate_summaries` and
:func:`by_rule` are shared by the other human-facing writers (markdown, html).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..errors import printable
from ..kinds.base import Status
from ..labels import verdict_word
from ..report.findings import Finding, SubjectRef
from ..report.report import Report, message, rows_left_out, show
from .registry import writer
from .sources import cite_line, document_line, source_line  # noqa: F401 (cite_line: re-exported)

if TYPE_CHECKING:
    from ..rules.ruleset import Rule

_COUNTED = ("passed", "pending", "failed", "missing")  # a school's teachers, in the order shown

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
        "passed": verdict_word("passed", "zh"),
        "failed": verdict_word("failed", "zh"),
        "missing": verdict_word("missing", "zh"),
        "not_passed": verdict_word("not_passed", "zh"),
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
        "left_out": "未检查的名册行",
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
        "schools_h": "各校情况",
        "school_cols": "|".join(["学校编号", "学校名称", "教师人数", *(verdict_word(k, "zh") for k in _COUNTED), "合格率", "学校要求"]),
        "more_details": "…… 另有 {n} 项(全部列出:--details;每位教师一份清单:--format teachers)",
        "others_waiting": "另有 {n} 位教师只差尚未到期的事项",
        "all_waiting": "{n} 位教师只差尚未到期的事项",
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
        "passed": verdict_word("passed", "en"),
        "failed": verdict_word("failed", "en"),
        "missing": verdict_word("missing", "en"),
        "not_passed": verdict_word("not_passed", "en"),
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
        "left_out": "roster rows not checked",
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
        "schools_h": "Schools",
        "school_cols": "|".join(["School id", "School", "Teachers", *(verdict_word(k, "en", head=True) for k in _COUNTED),
                                 "Pass rate", "School rules"]),
        "more_details": "… {n} more (all of them: --details; one list per teacher: --format teachers)",
        "others_waiting": "{n} more teachers only have work not yet due",
        "all_waiting": "all {n} teachers only have work not yet due",
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
MAX_ITEMS = 50  # subjects listed under one rule in text (all with details)


# ---------------------------------------------------------------------------------------------
# The view shared by the human-facing writers
# ---------------------------------------------------------------------------------------------


def fix_order(findings: list[Finding]) -> list[Finding]:
    """Errors first, then warnings, then info (what must be fixed before what is encouraged);
    within a severity, schools and projects before teachers, then each rule's ``order``,
    then id.

    >>> from ict2rules import evaluate
    >>> r = evaluate("kaiyuan_2024", "examples/kaiyuan_2024/school_bad.yaml", as_of="2024-07-15")
    >>> ranks = [_SEVERITY_RANK[f.severity] for f in fix_order(r.failures())]
    >>> ranks == sorted(ranks) and {f.severity for f in r.failures()} == {"error", "warning", "info"}
    True
    """
    return sorted(findings, key=_fix_key)


_LEVEL_RANK = {"region": -1, "project": 0, "school": 1, "teacher": 2}
_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


def _fix_key(f: Finding) -> tuple[int, int, int, str]:
    order = f.compiled.rule.order
    return (_SEVERITY_RANK[f.severity], _LEVEL_RANK[f.subject.level], order if order is not None else 1_000, f.rule_id)


def by_rule(findings: list[Finding]) -> list[tuple[Rule, list[Finding]]]:
    """Findings grouped by rule, the rules in fix order.

    >>> by_rule([])
    []
    """
    groups: dict[str, list[Finding]] = {}
    for f in findings:  # grouped first: the rules are sorted, not every finding
        group = groups.get(f.rule_id)
        if group is None:
            group = groups[f.rule_id] = []
        group.append(f)
    # within one rule, fix_order keeps the findings' order (one level, severity and order)
    return [(fs[0].compiled.rule, fs) for fs in sorted(groups.values(), key=lambda fs: _fix_key(fs[0]))]


@dataclass
class TeacherRow:
    """One teacher's line in a school's table: the status of each rule on them."""

    subject: SubjectRef
    statuses: dict[str, Status]
    passed: bool
    errors: dict[str, bool] = field(default_factory=dict)  # rule id → is error severity (rules not met)

    @property
    def clean(self) -> bool:
        return not any(s in _OPEN for s in self.statuses.values())

    @property
    def verdict(self) -> str:
        """How the teacher is counted (:data:`~ict2rules.labels.TEACHER_VERDICTS`): passed,
        pending, failed (a required rule not met) or missing (none failed, data lacking)."""
        if self.passed:
            return "passed"
        open_ = {s for rid, s in self.statuses.items() if s in _OPEN and self.errors.get(rid, True)}
        if Status.FAIL in open_ or not open_:  # (as the workbook's 汇总 counts a teacher)
            return "failed"
        return "missing" if Status.MISSING_DATA in open_ else "pending"

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

    >>> from ict2rules import evaluate
    >>> r = evaluate("zeku_2023", "examples/zeku_2023/school_bad.yaml", as_of="2024-01-15")
    >>> [(g.school, g.checked, g.passed) for g in teacher_groups(r)]
    [('ZK-HJZX', 3, 1)]
    """
    rule_rank = {r.id: i for i, r in enumerate(report.ruleset.rules)}
    verdicts = {key: ok for level, key, ok in report.subjects if level == "teacher"}
    names: dict[str, str | None] = {}
    groups: dict[str | None, TeacherGroup] = {}
    rows: dict[SubjectRef, TeacherRow] = {}
    open_rules: dict[str | None, set[str]] = {}
    opened, not_met = frozenset(_OPEN), frozenset((Status.FAIL, Status.MISSING_DATA))
    for f in report.findings:  # one pass: a province has millions of findings
        ref = f.subject
        if ref.level != "teacher":
            if ref.level == "school":
                names.setdefault(ref.id, ref.name)
            continue
        row = rows.get(ref)
        if row is None:
            group = groups.get(ref.school)
            if group is None:
                group = groups[ref.school] = TeacherGroup(ref.school, None)
                open_rules[ref.school] = set()
            row = rows[ref] = TeacherRow(ref, {}, True, {})
            group.rows.append(row)
        status, rid = f.status, f.rule_id
        row.statuses[rid] = status
        if status in opened:
            open_rules[ref.school].add(rid)
            is_error = f.compiled.is_error
            if is_error:
                row.passed = False  # as evaluator.passed: an error rule not passed or not applicable
            if status in not_met:
                row.errors[rid] = is_error
    for ref, row in rows.items():
        row.passed = verdicts.get(f"{ref.school}/{ref.id}" if ref.school else ref.id, row.passed)
    for school, group in groups.items():
        group.name = names.get(school or "")
        group.columns = sorted(open_rules[school], key=lambda rid: rule_rank.get(rid, 10_000))
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


def said_values(f: Finding, lang: str) -> tuple[str, str]:
    """A finding's (expected, actual) as people read them in ``lang``: labels, 未填写, a
    share as a percentage, never a field path or a set symbol (every writer for people uses
    these; JSON keeps the machine values).

    >>> from ict2rules import evaluate
    >>> r = evaluate("zeku_2023", {"teacher": {"id": "T1"}}, as_of="2024-01-15", keep={"missing_data"})
    >>> f = [f for f in r.findings if f.rule_id == "ZK-T-HOURS-TOTAL"][0]
    >>> said_values(f, "zh"), said_values(f, "en")
    (('≥ 75 学时', '未填写'), ('≥ 75 hours', 'not given'))
    """
    o = f.outcome
    detail = o.detail or {}
    # how the kind says its value to people (a share as "46.2%"), per language or for both
    told = detail.get(f"actual_text_{lang}", detail.get("actual_text"))
    actual = show(told, lang) if told is not None else show_value(f, o.actual, lang)
    return show_value(f, o.expected, lang), actual


def expected_actual(f: Finding, t: dict[str, str]) -> list[str]:
    """'要求 ≥ 75 学时 · 实际 60' on one line, or two lines when the values are long."""
    expected, actual = said_values(f, "zh" if t is LABELS["zh"] else "en")
    exp = f"{t['expected']} {expected}"
    act = f"{t['actual']} {actual}"
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


def due_of(f: Finding, lang: str | None = None) -> str:
    """When a pending finding is due (a date), or what it expects, in ``lang`` when given."""
    due = (f.outcome.detail or {}).get("due")
    return show(due if due is not None else f.outcome.expected, lang)


# ---------------------------------------------------------------------------------------------
# Text: the summary panel through rich (one small panel); everything that grows with the
# roster as plain aligned lines, written straight to the stream. Rich's tables took ≈ 90 % of
# a province's 66 s; these lines take a fraction of a second (benchmarks/bench_text.py).
# ---------------------------------------------------------------------------------------------

_SGR = {
    "bold": "1", "dim": "2", "italic": "3", "underline": "4",
    "red": "31", "green": "32", "yellow": "33", "magenta": "35", "cyan": "36",
}
# A wide (East Asian) character may end a line anywhere; a run of narrow ones is a word.
_TOKENS = re.compile(
    r"\n|[ \t]+|[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60"
    r"\uffe0-\uffe6\U00020000-\U0003fffd]|[^\s\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff"
    r"\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]+"
)


def wrap(text: str, width: int, indent: int = 0, hang: int | None = None) -> list[str]:
    """``text`` cut into lines of at most ``width`` terminal cells (a CJK character is two),
    the first indented by ``indent`` spaces, the others by ``hang`` (default ``indent``).

    Lines break between words, or between any two wide characters; a newline in the text
    starts a new line.

    >>> wrap("总学时不少于75学时 at least 75 hours", 14, 2, 4)
    ['  总学时不少于', '    75学时 at', '    least 75', '    hours']
    """
    hang = indent if hang is None else hang
    if "\n" not in text and (indent + 2 * len(text) <= width or indent + cells(text) <= width):
        return [(" " * indent + text).rstrip()]  # most lines fit: no need to look at each word
    lines: list[str] = []
    line, used, base = " " * indent, indent, indent
    for token in _TOKENS.findall(text):
        if token == "\n":
            lines.append(line.rstrip())
            line, used, base = " " * hang, hang, hang
            continue
        if token[0] in " \t":
            if used > base:  # one space between words; none at the start of a line
                line, used = line + " ", used + 1
            elif not lines and used == base:  # the text's own leading blanks are kept
                line, used = line + token, used + len(token)
            continue
        size = len(token) if token.isascii() else cell_len(token)
        if used + size > width and used > base:
            lines.append(line.rstrip())
            line, used, base = " " * hang, hang, hang
        while used + size > width and len(token) > 1:  # a word longer than a line: cut it
            cut = _fit(token, width - used)
            lines.append(line + token[:cut])
            token = token[cut:]
            size = cell_len(token)
            line, used, base = " " * hang, hang, hang
        line, used = line + token, used + size
    if used > base or not lines:
        lines.append(line.rstrip())
    return lines


def _fit(token: str, room: int) -> int:
    """How many leading characters of ``token`` fit in ``room`` cells (at least one)."""
    used = 0
    for i, ch in enumerate(token):
        used += cell_len(ch)
        if used > room:
            return max(i, 1)
    return len(token)


def cells(text: str) -> int:
    """The terminal cells ``text`` takes (a CJK character two); ASCII without a lookup.

    >>> cells("S1"), cells("泽库县")
    (2, 6)
    """
    return len(text) if text.isascii() else cell_len(text)


def clip(text: str, room: int) -> str:
    """``text`` cut to ``cells`` terminal cells, with an ellipsis when it was longer.

    >>> clip("泽库县民族中学", 9), clip("S1", 9)
    ('泽库县民…', 'S1')
    """
    if cells(text) <= room:
        return text
    out, used = "", 0
    for ch in text:
        size = cell_len(ch)
        if used + size > room - 1:
            break
        out, used = out + ch, used + size
    return out + "…"


def ljust(text: str, room: int) -> str:
    """``text`` padded with spaces to ``room`` terminal cells (CJK characters count two)."""
    return text + " " * max(room - cells(text), 0)


def rjust(text: str, room: int) -> str:
    return " " * max(room - cells(text), 0) + text


class Lines:
    """Plain lines to a stream, coloured with ANSI codes only when ``color`` is on."""

    def __init__(self, stream: IO[str], width: int, color: bool) -> None:
        self.stream, self.width, self.color = stream, width, color

    def paint(self, text: str, style: str = "") -> str:
        if not (self.color and style and text):
            return text
        codes = ";".join(_SGR[s] for s in style.split())
        return f"\x1b[{codes}m{text}\x1b[0m"

    def line(self, text: str = "", style: str = "") -> None:
        self.stream.write(self.paint(text.rstrip(), style) + "\n")

    def para(self, text: str, indent: int = 0, hang: int | None = None, style: str = "") -> None:
        """A paragraph wrapped to the width, each line painted alike."""
        for line in wrap(text, self.width, indent, hang):
            self.line(line, style)


def left_out_part(report: Report, t: dict[str, str]) -> str:
    """' · 未检查的名册行 2' after the verdict's counts when bad rows were left out (else '')."""
    n = rows_left_out(report.input_problems)
    return f" · {t['left_out']} {n}" if n else ""


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
                f"{t['not_passed']} {ts['failed']} · "
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
            f"{title_of(rs.rule, lang)}: {pct(rs.share)}{t['lp']}{t['expected']} {show(rs.expected, lang)}{t['rp']}"
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
            f"{t['lp']}{t['error']} {s['errors']} · {t['warning']} {s['warnings']}"
            f"{left_out_part(report, t)}{t['rp']}",
            style="red",
        )
    title = Text(f"{t['title']} · {printable(getattr(report.ruleset.title, lang))}")
    return Panel(Group(grid, Text(""), verdict), title=title, title_align="left", expand=False)



def _school_table(out: Lines, report: Report, t: dict[str, str], lang: str) -> None:
    """One line per school: teachers, passed, not yet due, failed, data missing, pass rate and
    the school's own rules — a county reads its schools here before any teacher."""
    from .xlsx import T, rate, school_rows

    rows = school_rows(report)
    if not rows or (len(rows) == 1 and rows[0].id is None and rows[0].school_ok is None):
        return  # teachers checked on their own: the summary already counts them
    w = T[lang if lang in T else "zh"]
    heads = t["school_cols"].split("|")
    table = []
    for r in rows:
        own = "" if r.school_ok is None else w["met"] if r.school_ok else w["waiting"] if r.school_waiting else w["not_met"]
        table.append([
            printable(r.id) if r.id else w["no_school"], printable(r.name or ""), str(r.teachers),
            str(r.passed), str(r.pending), str(r.failed), str(r.missing),
            pct(rate(r.passed, r.teachers)) if r.teachers else "—", own,
        ])
    caps = [16, 20, 0, 0, 0, 0, 0, 0, 0]  # ids and names are cut; counts never
    widths = []
    for i, head in enumerate(heads):
        wide = max([cell_len(head), *(cells(c[i]) for c in table)])
        widths.append(min(wide, max(caps[i], cell_len(head))) if caps[i] else wide)
    over = sum(widths) + 2 * (len(widths) - 1) - out.width
    if over > 0:  # a narrow terminal: the name gives way, down to its header
        widths[1] = max(widths[1] - over, cells(heads[1]))
    styles = ["bold", "", "", "green", "cyan", "red", "magenta", "", ""]

    def fmt(values: list[str], paint: bool) -> str:
        parts = []
        for i, v in enumerate(values):
            v = clip(v, widths[i])
            padded = ljust(v, widths[i]) if i in (0, 1, 8) else rjust(v, widths[i])
            style = styles[i] if paint and v not in ("0", "") else ""
            if paint and i == 8 and v:
                style = "green" if v == w["met"] else "cyan" if v == w["waiting"] else "red"
            parts.append(out.paint(padded, style))
        return "  ".join(parts)

    out.line()
    out.line(t["schools_h"], "bold underline")
    out.line(fmt(heads, False), "bold")
    out.line("─" * (sum(widths) + 2 * (len(widths) - 1)))
    for values in table:
        out.line(fmt(values, out.color))


def _mark(out: Lines, status: Status) -> str:
    return out.paint(MARKS[status], MARK_STYLE[status])


def _group_lines(out: Lines, group: TeacherGroup, report: Report, t: dict[str, str], lang: str,
                 details: bool) -> list[SubjectRef]:
    """A school's heading, its table of teachers × open rules and the legend of its columns;
    returns the teachers listed.

    Without ``details`` only the teachers who fail or lack data are listed; the others are
    counted on one line each (all met; only work not yet due)."""
    out.line()
    head = f"{t['school_h']} {printable(group.school)}" if group.school else t["no_school"]
    if group.name:
        head += f" {printable(group.name)}"
    counts = t["teachers_of"].format(checked=group.checked, passed=group.passed)
    if cells(head) + 2 + cells(counts) <= out.width:
        out.line(out.paint(head, "bold") + "  " + out.paint(counts, "dim"))
    else:
        out.para(f"{head}  {counts}", 0, 2, "bold")
    waiting = {id(r) for r in group.rows if r.waiting}
    rows = group.rows if details else [r for r in group.rows if not r.passed and id(r) not in waiting]
    shown = {rid for r in rows for rid, s in r.statuses.items() if s in _OPEN}
    columns = [rid for rid in group.columns if rid in shown]
    if not columns:
        rows = []
    if rows:
        names = [clip(printable(f"{r.subject.name}({r.subject.id})" if r.subject.name else r.subject.id), 24)
                 for r in rows]
        sizes = [cells(n) for n in names]
        first = max(cells(t["teacher"]), *sizes)
        widest = max(cells(t[k]) for k in _COUNTED)
        marks = {s: _mark(out, s) for s in Status}
        verdicts = {k: out.paint(t[k], c) for k, c in zip(_COUNTED, ("green", "cyan", "red", "magenta"), strict=True)}
        numbered = list(enumerate(columns, 1))
        while numbered:  # as many rule columns as the width holds; the rest in a grid below
            room, chunk = out.width - first - 2 - widest, []
            while numbered and (not chunk or room >= len(str(numbered[0][0])) + 2):
                room -= len(str(numbered[0][0])) + 2
                chunk.append(numbered.pop(0))
            nums = [str(n) for n, _ in chunk]
            out.line("  ".join([ljust(t["teacher"], first), *nums, t["verdict"]]), "bold")
            out.line("─" * (first + sum(len(n) + 2 for n in nums) + 2 + widest))
            pads = [((len(n) - 1) // 2, len(n) - 1 - (len(n) - 1) // 2) for n in nums]
            lines = []
            for name, size, row in zip(names, sizes, rows, strict=True):
                statuses = row.statuses
                cols = [" " * left + marks[statuses.get(rid, Status.NOT_APPLICABLE)] + " " * right
                        for (_, rid), (left, right) in zip(chunk, pads, strict=True)]
                verdict = verdicts["pending" if id(row) in waiting else row.verdict]
                lines.append("  ".join([name + " " * (first - size), *cols, verdict]) + "\n")
            out.stream.write("".join(lines))
    listed = {id(r) for r in rows}
    hidden = [r for r in group.rows if id(r) not in listed]
    met = sum(1 for r in hidden if r.passed)
    later = len(hidden) - met
    if met:
        key = "all_met" if met == group.checked else "others_met"
        out.line("  " + t[key].format(n=met), "green")
    if later:
        key = "all_waiting" if later == group.checked else "others_waiting"
        out.line("  " + t[key].format(n=later), "cyan")
    if rows:
        for n, rid in enumerate(columns, 1):
            out.para(f"  {n:>2} {rid} {title_of(report.ruleset.rule(rid), lang)}", 0, 5)
        out.line("     " + t["legend"], "dim")
    return [r.subject for r in rows]


def _values_lines(out: Lines, report: Report, t: dict[str, str], lang: str, listed: set[SubjectRef] | None) -> None:
    """Derived values (final score, band, incentive points, a project's rates) per subject:
    schools and projects, and the teachers ``listed`` in the tables (None: every teacher)."""
    if not any(v.value is not None for v in report.values):
        return  # nothing computed yet (a plan before any scores): no empty table
    titles = {d.id: printable(getattr(d.title, lang)) for d in report.ruleset.derived}
    band_names = {  # a band's label reads as its own name in the report's language
        (d.id, b.label): printable(getattr(b, lang) or b.label)
        for d in report.ruleset.derived
        if d.compute.kind == "band"
        for b in d.compute.args.bands
    }
    ids = list(dict.fromkeys(v.id for v in report.values))
    rows: dict[SubjectRef, dict[str, Any]] = {}
    last: SubjectRef | None = None
    row: dict[str, Any] | None = None
    for v in report.values:  # a subject's values come together: each subject looked up once
        if v.subject is not last:
            last = v.subject
            keep = listed is None or last.level != "teacher" or last in listed
            row = rows.setdefault(last, {}) if keep else None
        if row is not None:
            row[v.id] = v.value
    shown = list(rows.items())
    if not shown:
        return
    labels = [clip(printable(ref.label()), 32) for ref, _ in shown]
    cells = [[band_names.get((i, values.get(i)), show(values.get(i))) for i in ids] for _, values in shown]
    heads = [titles.get(i, i) for i in ids]
    first = max([cell_len(t["subject"]), *(cell_len(x) for x in labels)])
    widths = [max([cell_len(h), *(cell_len(c[k]) for c in cells)]) for k, h in enumerate(heads)]
    out.line()
    out.line(t["values"], "bold")
    out.line("   ".join([ljust(t["subject"], first), *(rjust(h, w) for h, w in zip(heads, widths, strict=True))]),
             "bold")
    out.line("─" * (first + sum(w + 3 for w in widths)))
    for label, row in zip(labels, cells, strict=True):
        out.line("   ".join([ljust(label, first), *(rjust(c, w) for c, w in zip(row, widths, strict=True))]))


def _said(f: Finding, said: str, t: dict[str, str]) -> list[str]:
    """The finding's expected · actual line(s), unless its message already says both."""
    lang = "zh" if t is LABELS["zh"] else "en"
    expected, actual = said_values(f, lang)
    if expected in said and actual in said:
        return []
    return expected_actual(f, t)


def _rule_lines(out: Lines, n: int, rule: Rule, findings: list[Finding], report: Report, lang: str,
                t: dict[str, str], details: bool) -> None:
    """One rule not met: its title, clause and reading once, then each subject that misses it."""
    count = " · " + t["subjects_n"].format(n=len(findings)) if len(findings) > 1 else ""
    plain = f"{n:>2}. [{t[rule.severity]}] {rule.id} {title_of(rule, lang)}{count}"
    heads = wrap(plain, out.width, 0, 4)
    if out.color and len(heads) == 1:  # on a terminal: severity in its colour, the title in bold
        heads = [out.paint(f"{n:>2}. ", "bold") + out.paint(f"[{t[rule.severity]}] ", STYLE[rule.severity])
                 + out.paint(f"{rule.id} ", "dim") + out.paint(title_of(rule, lang), "bold") + out.paint(count, "dim")]
    for line in heads:
        out.line(line)
    out.para(f"{t['source']} {source_line(rule, report)}", 4, style="dim")
    out.para(f"「{printable(rule.source.quote)}」", 4, style="italic")
    if rule.note:
        out.para(f"{t['note']} {printable(rule.note)}", 4, style="dim")
    shown = findings if details else findings[:MAX_ITEMS]
    for f in shown:
        said = printable(message(f, lang))
        label = printable(f.subject.label())
        lines = wrap(f"· {label} {said}", out.width, 4, 6)
        lead = f"    · {label}"
        if out.color and lines[0].startswith(lead):  # the subject in bold, on a terminal
            lines[0] = "    · " + out.paint(label, "bold") + lines[0][len(lead):]
        for line in lines:
            out.line(line)
        for line in _said(f, said, t):
            out.para(line, 6, 8, style="dim")
    if len(shown) < len(findings):
        out.line("    " + t["more_details"].format(n=len(findings) - len(shown)), "dim")
    out.line()


def _pending_lines(out: Lines, pending: list[Finding], lang: str, t: dict[str, str], details: bool) -> None:
    """Work not yet due, one rule a line with its due date, then who it concerns (indented)."""
    out.line(t["pending_h"], "bold underline")
    for rule, fs in by_rule(pending):
        text = f"  … {rule.id} {title_of(rule, lang)} — {t['due']} {due_of(fs[0], lang)}"
        note = pending_note(fs, t)
        for i, line in enumerate(wrap(text + (f" {note}" if note else ""), out.width, 0, 4)):
            out.line(line, "cyan" if i == 0 else "")
        shown = fs if details else fs[:MAX_ITEMS]
        more = f" … (+{len(fs) - len(shown)})" if len(shown) < len(fs) else ""
        out.para(", ".join(printable(f.subject.label()) for f in shown) + more, 4, style="dim")


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
    details: bool = False,
    **_: Any,
) -> None:
    """Write the human report: the summary, the schools, the teachers who fail or lack data
    (every teacher with ``details``), what to fix rule by rule, and the work not yet due.

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
    console.file.flush()
    out = Lines(stream, console.width, console.is_terminal and not console.no_color)
    _input_problems(out, report, lang)
    _school_table(out, report, t, lang)
    listed: set[SubjectRef] = set()
    for group in teacher_groups(report):
        listed.update(_group_lines(out, group, report, t, lang, details))
    _values_lines(out, report, t, lang, None if details else listed)
    not_met, pending = [], []
    for f in report.findings:  # one pass for both (a province has millions of findings)
        if f.status is Status.FAIL or f.status is Status.MISSING_DATA:
            not_met.append(f)
        elif f.status is Status.PENDING:
            pending.append(f)
    problems = by_rule(not_met)
    if problems:
        out.line()
        out.line(t["fix"], "bold underline")
        for n, (rule, fs) in enumerate(problems, 1):
            _rule_lines(out, n, rule, fs, report, lang, t, details)
    if pending:
        if not problems:  # a rule block already ends with a blank line
            out.line()
        _pending_lines(out, pending, lang, t, details)
    stream.flush()


def _input_problems(out: Lines, report: Report, lang: str) -> None:
    """The inputs' problems (rows left out, not joined …), right after the summary."""
    from .problems import text_lines

    lines = text_lines(report, lang)
    if lines:
        out.line()
        out.line(lines[0], "bold yellow")
        for line in lines[1:]:
            out.line(line, "yellow")


# kept here for callers of the earlier API; the progress display lives in ict2rules.render.progress
from .progress import progress  # noqa: E402

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
