"""``--format teachers``: 给每位教师的修改清单 — the list a school coordinator prints and hands
to each teacher.

One block per teacher who has something to do: name, id and school, then each requirement
not met in plain words — what is required, what was found, what to do, and the clause's
section — and after it the work not yet due, with its due date (and, when the record falls short so far, how). A school's own requirements
(its plan, its teams) come first, for the coordinator. Teachers with nothing to do are
counted, not listed. Plain text: no colour, no box drawing, lines of at most 100 columns,
so it prints as it reads; ``--split-by school`` writes one list per school.

The words are the workbook's 问题清单 (:func:`ict2rules.render.xlsx.problem`): what one
teacher reads on paper is what the bureau filters in Excel.

>>> import io
>>> from ict2rules import evaluate
>>> r = evaluate("zeku_2023", "examples/zeku_2023/school_bad.yaml", as_of="2024-01-15")
>>> out = io.StringIO()
>>> write_teachers(r, out)
>>> block = out.getvalue().split("\\n\\n")[3]
>>> print("\\n".join(block.splitlines()[:7]))
马晓琴(ZK102) · 学校 泽库县和日寄宿制小学(ZK-HJZX)
需要修改 4 项:
 1. [必须] 总学时不少于75学时
    要求:总学时不少于75学时(≥ 75 学时)
    实际:总学时 74.5 学时,要求 ≥ 75 学时
    怎么改:改正或补齐后重新提交,达到:总学时不少于75学时
    依据:二(一)1
"""

from __future__ import annotations

from typing import IO, Any

from ..errors import printable
from ..kinds.base import Status
from ..report.findings import Finding
from ..report.report import Report, show
from .registry import writer
from .text import document_line, fix_order, show_value, source_line, wrap
from .xlsx import derived_titles, problem, school_rows

WIDTH = 100
_NOT_MET = (Status.FAIL, Status.MISSING_DATA)

WORDS = {
    "zh": {
        "title": "给每位教师的修改清单",
        "document": "依据文件", "as_of": "检查日期",
        "school": "学校", "no_school": "未归属学校的教师",
        "school_items": "学校自身的要求(由学校负责):", "lp": "(", "rp": ")",
        "to_fix": "需要修改 {n} 项:", "to_come": "尚未到期 {n} 项:",
        "required": "要求", "found": "实际", "now": "目前", "todo": "怎么改", "section": "依据", "due": "期限",
        "colon": ":",
        "counts": "教师 {checked} 人 · 有需要修改或尚未完成事项的 {listed} 人",
        "rest": "其余 {n} 位教师没有需要修改的事项。",
        "none": "没有需要修改的事项。",
        "error": "必须", "warning": "应当", "info": "鼓励",
    },
    "en": {
        "title": "What each teacher has to fix",
        "document": "Document", "as_of": "As of",
        "school": "School", "no_school": "Teachers without a school",
        "school_items": "The school's own requirements (for the school):", "lp": " (", "rp": ")",
        "to_fix": "To fix: {n}", "to_come": "Not yet due: {n}",
        "required": "Required", "found": "Found", "now": "So far", "todo": "What to do", "section": "Section",
        "due": "due", "colon": ": ",
        "counts": "{checked} teachers · {listed} with something to fix or still to do",
        "rest": "The other {n} teachers have nothing to fix.",
        "none": "Nothing to fix.",
        "error": "must", "warning": "should", "info": "encouraged",
    },
}


def _item(n: int, f: Finding, report: Report, lang: str, derived: dict[str, str]) -> list[str]:
    """One requirement: what is required, what was found, what to do, the clause's section."""
    w = WORDS[lang]
    rule = f.compiled.rule
    title = printable(str(getattr(rule.title, lang)))
    expected = f.outcome.expected
    shown = show_value(f, expected, lang) if expected not in (None, "", [], {}) else ""
    required = f"{title}{w['lp']}{shown}{w['rp']}" if shown and shown != title else title
    found, todo = problem(f, lang, derived)
    c = w["colon"]
    lines = wrap(f"{n:>2}. [{w[rule.severity]}] {title}", WIDTH, 0, 4)
    for label, text in ((w["required"], required), (w["found"], found), (w["todo"], todo),
                        (w["section"], source_line(rule, report))):
        lines += wrap(f"{label}{c}{printable(text)}", WIDTH, 4, 6)
    return lines


def _block(items: list[Finding], report: Report, lang: str, derived: dict[str, str], head: str) -> list[str]:
    """The numbered requirements not met, then those not yet due, under ``head``."""
    w = WORDS[lang]
    now = [f for f in items if f.status in _NOT_MET]
    later = [f for f in items if f.status is Status.PENDING]
    lines = [head]
    if now:
        lines.append(w["to_fix"].format(n=len(now)))
        for n, f in enumerate(now, 1):
            lines += _item(n, f, report, lang, derived)
    if later:
        lines.append(w["to_come"].format(n=len(later)))
        for n, f in enumerate(later, 1):
            due = (f.outcome.detail or {}).get("due")
            title = printable(str(getattr(f.compiled.rule.title, lang)))
            text = f"{n:>2}. {title}" + (f"{w['lp']}{w['due']} {show(due, lang)}{w['rp']}" if due else "")
            lines += wrap(text, WIDTH, 0, 4)
            if (f.outcome.detail or {}).get("would_be") in ("fail", "missing_data"):
                found, _ = problem(f, lang, derived)  # short as the record stands: say how
                lines += wrap(f"{w['now']}{w['colon']}{printable(found)}", WIDTH, 4, 6)
    return lines


@writer("teachers")
def write_teachers(report: Report, stream: IO[str], *, lang: str = "zh", **_: Any) -> None:
    """Write one block per teacher with something to fix (and each school's own list first)."""
    lang = lang if lang in WORDS else "zh"
    w = WORDS[lang]
    derived = derived_titles(report, lang)
    rows = school_rows(report)
    names = {r.id: r.name for r in rows}
    checked = {r.id: r.teachers for r in rows}
    # each subject's requirements not met (or not yet due), in the order to fix them, by school
    by_school: dict[str | None, dict[tuple[str, str], list[Finding]]] = {}
    items = [f for f in report.findings if f.status in (*_NOT_MET, Status.PENDING) and f.severity != "info"]
    for f in fix_order(items):
        ref = f.subject
        school = ref.id if ref.level == "school" else ref.school if ref.level == "teacher" else None
        if ref.level == "teacher" and school not in names:
            school = None  # a teacher checked on its own, whatever school it names
        by_school.setdefault(school, {}).setdefault((ref.level, ref.id), []).append(f)
    out = [w["title"], f"{w['document']}{w['colon']}{document_line(report)}",
           f"{w['as_of']}{w['colon']}{report.as_of.isoformat()}"]
    from .problems import text_lines  # rows left out, not joined …: before the lists

    out += ["", *problems] if (problems := text_lines(report, lang)) else []
    write = stream.write
    write("\n".join(out) + "\n")
    if not by_school:
        write("\n" + w["none"] + "\n")
        return
    for school in dict.fromkeys([*names, *by_school]):
        subjects = by_school.get(school, {})
        teachers = [fs for (level, _), fs in subjects.items() if level == "teacher"]
        own = [f for (level, _), fs in subjects.items() if level != "teacher" for f in fs]
        total = checked.get(school, len(teachers))
        if not teachers and not own:
            continue
        name = names.get(school)
        head = (f"{w['school']} {printable(school)}" + (f" {printable(name)}" if name else "")) if school else w["no_school"]
        write("\n" + "=" * WIDTH + "\n" + head + "\n" + w["counts"].format(checked=total, listed=len(teachers)) + "\n")
        if own:
            write("\n" + "\n".join(_block(own, report, lang, derived, w["school_items"])) + "\n")
        where = f"{printable(name)}({printable(school)})" if name and school else printable(school or "")
        for fs in teachers:
            ref = fs[0].subject
            who = f"{printable(ref.name)}({printable(ref.id)})" if ref.name else printable(ref.id)
            head = f"{who} · {w['school']} {where}" if where else who
            write("\n" + "\n".join(_block(fs, report, lang, derived, head)) + "\n")
        if total > len(teachers):
            write("\n" + w["rest"].format(n=total - len(teachers)) + "\n")
