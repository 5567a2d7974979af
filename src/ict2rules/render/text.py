"""``--format text``: a summary, then what to fix in the order to fix it, each with its clause.

Colour only on a terminal; piped output is plain text.
"""

from __future__ import annotations

from collections import defaultdict
from typing import IO, Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..evaluator import Finding
from ..kinds.base import Status
from ..report import Report, message, show
from . import writer

LABELS = {
    "zh": {
        "pass": "符合", "fail": "不符合", "not_applicable": "不适用", "missing_data": "缺少数据", "pending": "尚未到期",
        "title": "检查结果", "document": "依据文件", "as_of": "检查日期", "teachers": "教师",
        "checked": "检查", "passed": "合格", "failed": "未合格", "pass_rate": "合格率", "verdict_ok": "✔ 全部必备要求均已满足",
        "verdict_bad": "✘ 有必备要求未满足", "fix": "需要修改(按建议顺序)", "pending_h": "尚未到期的事项",
        "expected": "要求", "actual": "实际", "source": "依据", "note": "读法", "error": "错误", "warning": "警告", "info": "提示",
        "findings": "检查项", "skipped": "跳过的行", "values": "计算值",
    },
    "en": {
        "pass": "met", "fail": "not met", "not_applicable": "n/a", "missing_data": "data missing", "pending": "not yet due",
        "title": "Check result", "document": "Document", "as_of": "As of", "teachers": "Teachers",
        "checked": "checked", "passed": "passed", "failed": "failed", "pass_rate": "pass rate", "verdict_ok": "✔ every required rule is met",
        "verdict_bad": "✘ some required rules are not met", "fix": "What to fix (in this order)", "pending_h": "Not yet due",
        "expected": "expected", "actual": "actual", "source": "source", "note": "reading", "error": "error", "warning": "warning", "info": "info",
        "findings": "findings", "skipped": "skipped rows", "values": "derived values",
    },
}
STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def fix_order(findings: list[Finding]) -> list[Finding]:
    """Schools and projects before teachers; within a level, by each rule's ``order``, then id."""
    level_rank = {"project": 0, "school": 1, "teacher": 2}
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


def _summary(report: Report, t: dict[str, str]) -> Panel:
    s = report.summary()
    rs = report.ruleset
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row(t["document"], f"{rs.document.title}({rs.document.issuer}{', ' + rs.document.number if rs.document.number else ''})")
    grid.add_row(t["as_of"], report.as_of.isoformat())
    ts = s["teachers"]
    if ts["checked"]:
        rate = f"{ts['pass_rate'] * 100:.1f}%" if ts["pass_rate"] is not None else "—"
        grid.add_row(t["teachers"], f"{t['checked']} {ts['checked']} · {t['passed']} {ts['passed']} · {t['failed']} {ts['failed']} · {t['pass_rate']} {rate}")
    counts = " · ".join(f"{t[k]} {v}" for k, v in s["findings"].items() if v)
    grid.add_row(t["findings"], counts or "0")
    if report.skipped_rows:
        grid.add_row(t["skipped"], str(report.skipped_rows))
    verdict = Text(t["verdict_ok"], style="bold green") if report.passed else Text(t["verdict_bad"], style="bold red")
    return Panel(Group(grid, Text(""), verdict), title=f"{t['title']} · {rs.title.zh if t is LABELS['zh'] else rs.title.en}", expand=False)


def _finding_block(n: int, f: Finding, lang: str, t: dict[str, str]) -> Text:
    rule = f.compiled.rule
    out = Text()
    out.append(f"{n}. ", style="bold")
    out.append(f"[{t[f.severity]}] ", style=STYLE[f.severity])
    out.append(f"{f.subject.label()} ", style="bold")
    out.append(f"{rule.id} ", style="dim")
    out.append(getattr(rule.title, lang) + "\n")
    out.append(f"   {message(f, lang)}\n")
    out.append(f"   {t['expected']}: {show(f.outcome.expected)}   {t['actual']}: {show(f.outcome.actual)}\n", style="dim")
    src = rule.source
    out.append(f"   {t['source']}: {src.document or ''} {src.section} ", style="dim")
    out.append(f"「{src.quote}」\n", style="italic")
    if rule.note:
        out.append(f"   {t['note']}: {rule.note}\n", style="dim")
    return out


@writer("text")
def write_text(report: Report, stream: IO[str], *, lang: str = "zh", color: bool | None = None, width: int | None = None, **_: Any) -> None:
    t = LABELS[lang]
    console = Console(
        file=stream,
        force_terminal=color,
        no_color=color is False,
        width=width or (None if stream.isatty() else 100),
        highlight=False,
        soft_wrap=False,
    )
    console.print(_summary(report, t))
    problems = fix_order(report.failures())
    if problems:
        console.print(Text(f"\n{t['fix']}", style="bold"))
        for n, f in enumerate(problems, 1):
            console.print(_finding_block(n, f, lang, t))
    pending = fix_order([f for f in report.findings if f.status is Status.PENDING])
    if pending:
        console.print(Text(f"{t['pending_h']}", style="bold"))
        by_rule: dict[str, list[Finding]] = defaultdict(list)
        for f in pending:
            by_rule[f.rule_id].append(f)
        for rid, fs in by_rule.items():
            rule = fs[0].compiled.rule
            due = (fs[0].outcome.detail or {}).get("due", show(fs[0].outcome.expected))
            who = ", ".join(f.subject.label() for f in fs[:5]) + (f" … (+{len(fs) - 5})" if len(fs) > 5 else "")
            console.print(f"  · {rid} {getattr(rule.title, lang)} — {due} — {who}")
