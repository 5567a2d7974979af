"""``--format xlsx``: a workbook a bureau mails to its schools (see docs/output-xlsx.md).

Four sheets, each with a frozen header row, an autofilter and set column widths:

* **汇总** one row per school: teachers, passed, pending, failed, missing data, pass rate,
  excellence rate (when the ruleset grades teachers), the requirements most often unmet;
* **问题清单** one row per teacher × requirement not met, in plain Chinese: what is required,
  what was found, what to do, the clause's section. One row per pair (not one per teacher)
  so that Excel's filter on 要求 lists every teacher missing one requirement, and the filter
  on 教师编号 lists one teacher's whole to-do list;
* **学校要求** the school's (and a training project's) own requirements, met or not;
* **说明** the document, the as-of date, the counts and how to read the workbook;
* **输入问题** (only when there are any) every roster row left out, row not joined to a
  school, school with no roster rows, sheet or column not read: kind, file, sheet, row, reason.

Written with XlsxWriter in constant-memory mode: each row goes to a temporary file as it is
made, so memory does not grow with the rows. ``engine="openpyxl"`` writes the same workbook
with openpyxl's write-only mode, about twice as slowly (``benchmarks/bench_xlsx.py``,
docs/performance.md). Every string is written as a string cell: an id stays text (``0012``
keeps its zeros), and text beginning with ``=`` ``+`` ``-`` ``@`` is never a formula.

>>> import io
>>> from ict2rules import evaluate
>>> r = evaluate("zeku_2023", "examples/zeku_2023/school_bad.yaml", as_of="2024-01-15")
>>> buf = io.BytesIO()
>>> write_xlsx(r, buf)
>>> buf.getvalue()[:2]
b'PK'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO, TYPE_CHECKING, Any

from ..errors import column_letters
from ..kinds.base import Status
from ..labels import label, to_fill, verdict_word
from ..report.findings import Finding
from ..report.report import Report, message, render, show
from .registry import writer
from .sources import document_line, source_line

if TYPE_CHECKING:
    from ..rules.ruleset import Rule

SHEETS = ("汇总", "问题清单", "学校要求", "说明")
_NOT_MET = (Status.FAIL, Status.MISSING_DATA)
_OPEN = (Status.FAIL, Status.MISSING_DATA, Status.PENDING)
TOP_RULES = 3  # requirements named in a school's 汇总 row
MAX_CELL = 32_767  # Excel's limit on the characters of one cell
# Characters XML 1.0 cannot carry (a workbook holding one does not open): shown as U+FFFD.
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# --------------------------------------------------------------------------- words

T = {
    "zh": {
        "school_id": "学校编号", "school_name": "学校名称", "teachers": "教师人数",
        **{k: verdict_word(k, "zh") for k in ("passed", "pending", "failed", "missing", "not_passed")},
        "pass_rate": "合格率", "excellent_rate": "优秀率", "school_ok": "学校要求",
        "top": "未达到人数最多的要求", "teacher_id": "教师编号", "teacher_name": "教师姓名",
        "severity": "级别", "status": "状态", "required": "要求", "found": "检查结果",
        "todo": "怎么改", "section": "文件条款", "rule": "规则编号", "due": "截止日期",
        "level": "对象", "subject_id": "编号", "subject_name": "名称", "quote": "条款原文",
        "item": "项目", "value": "内容",
        "error": "必须", "warning": "应当", "info": "鼓励",
        "s_fail": "未达到", "s_missing_data": "缺少数据", "s_pending": "尚未到期",
        "s_pass": "符合", "s_not_applicable": "不适用",
        "school": "学校", "project": "项目", "region": "区域", "no_school": "(未填学校)",
        "met": "全部符合", "not_met": "有要求未满足", "waiting": "尚未到期",
        "todo_fail": "改正或补齐后重新提交,达到:{title}",
        "todo_missing": "在名册或记录中填写{fields},再重新检查",
        "todo_pending": "请在{due}前完成:{title}",
        "found_missing": "未填写:{fields}",
        "the_data": "所缺数据",
        "teachers_data": "{n}位教师的相关数据",
        "items_data": "{n} 项的{fields}", "sep": "、",
        "people": "{n}人",
        "total": "合计", "schools_n": "{n} 所学校", "not_filled": "未填写",
        "schools_met": "{k}/{n} 所全部符合",
    },
    "en": {
        "school_id": "School id", "school_name": "School", "teachers": "Teachers",
        **{k: verdict_word(k, "en", head=True) for k in ("passed", "pending", "failed", "missing", "not_passed")},
        "pass_rate": "Pass rate", "excellent_rate": "Excellence rate", "school_ok": "School rules",
        "top": "Requirements most often unmet", "teacher_id": "Teacher id",
        "teacher_name": "Teacher", "severity": "Severity", "status": "Status",
        "required": "Required", "found": "Found", "todo": "What to do", "section": "Section",
        "rule": "Rule", "due": "Due", "level": "Level", "subject_id": "Id", "subject_name": "Name",
        "quote": "Clause", "item": "Item", "value": "Value",
        "error": "must", "warning": "should", "info": "encouraged",
        "s_fail": "not met", "s_missing_data": "data missing", "s_pending": "not yet due",
        "s_pass": "met", "s_not_applicable": "not applicable",
        "school": "school", "project": "project", "region": "region", "no_school": "(no school)",
        "met": "all met", "not_met": "not met", "waiting": "not yet due",
        "todo_fail": "Correct or complete, then hand in again, so that: {title}",
        "todo_missing": "Fill in {fields} in the roster or record, then check again",
        "todo_pending": "Complete by {due}: {title}",
        "found_missing": "Not filled in: {fields}",
        "the_data": "the missing data",
        "teachers_data": "the data of {n} teachers",
        "items_data": "{fields} of {n} items", "sep": ", ",
        "people": "{n}",
        "total": "Total", "schools_n": "{n} schools", "not_filled": "not filled in",
        "schools_met": "{k} of {n} all met",
    },
}

# How to read the workbook (the 说明 sheet), one line a row.
HOW_TO = {
    "zh": [
        "汇总:每所学校一行。合格 + 尚未到期 + 未合格 + 缺少数据 = 教师人数。",
        "  未合格:至少一项必须达到的要求未达到;缺少数据:没有未达到的要求,但有必须的数据未填写;",
        "  尚未到期:只差尚未到截止日期的事项;合格率 = 合格 ÷ 教师人数。最后一行“合计”为全部学校之和。",
        "  以学校要求为表头的各列(如“微能力点认证优秀率不超过60%”)是每校的比率或数量:绿色为符合,红色为未达到,",
        "  黄色为应当达到而未达到,灰色为尚未到期;“未填写”为缺少数据,空白为不适用。",
        "问题清单:每位教师每项未满足的要求一行。用表头的筛选按钮选“教师编号”即得一位教师的修改清单,",
        "  选“要求”即得未达到这项要求的所有教师。红色为必须达到的要求,黄色为应当达到的要求,灰色为尚未到期。",
        "学校要求:学校(或培训项目)自身的各项要求,符合与否都列出。",
        "“文件条款”是依据文件中的条款编号,“条款原文”逐字引自文件。",
        "编号均按文本保存,不会丢失前导的 0 或变成科学计数法。",
    ],
    "en": [
        "汇总 (summary): one row per school. Passed + not yet due + failed + data missing = teachers.",
        "  Failed: some required rule not met; data missing: none failed but required data is blank;",
        "  not yet due: only work whose due date is still ahead; pass rate = passed / teachers. The last row,",
        "  合计 (total), is over all schools. The columns headed by a school requirement (an excellence rate ≤ 60 %)",
        "  give each school's rate or count: green met, red not met, amber should but not met, grey not yet due;",
        "  'not filled in' is data missing, blank not applicable.",
        "问题清单 (to-do list): one row per teacher and requirement not met. Filter 'Teacher id' for",
        "  one teacher's list, 'Required' for every teacher missing it. Red: must; amber: should; grey: not yet due.",
        "学校要求 (school rules): every rule on the school (or training project) itself, met or not.",
        "'Section' is the clause's number in the document; 'Clause' quotes it word for word.",
        "Ids are stored as text: leading zeros are kept and nothing becomes a number.",
    ],
}


def field_label(path: str, lang: str = "zh", derived: dict[str, str] | None = None) -> str:
    """A record field as people call it (the label table of :mod:`ict2rules.labels`), never
    a path; in Chinese in 「」, as a cell names a column to fill in.

    >>> field_label("completed_on"), field_label("hours.online"), field_label("hours.online", "en")
    ('「完成日期」', '「线上学时」', 'online hours')
    >>> field_label("points.0.evidence.own_work")
    '「证据是否为教师本人制作」'
    """
    if derived and path in derived:  # a value the ruleset derives: its title (最终成绩)
        return f"「{derived[path]}」" if lang == "zh" else derived[path]
    name = label(path, lang)
    return f"「{name}」" if lang == "zh" else name


# --------------------------------------------------------------------------- the view


@dataclass
class SchoolRow:
    """One school's line of 汇总."""

    id: str | None
    name: str | None = None
    passed: int = 0
    pending: int = 0
    failed: int = 0
    missing: int = 0
    excellent: int = 0
    school_ok: bool | None = None  # the school's own rules (None: no school record)
    school_waiting: bool = False
    unmet: Counter[str] = field(default_factory=Counter)  # rule id → teachers not meeting it
    measures: dict[str, Measure] = field(default_factory=dict)  # rule id → the school's rate or count

    @property
    def teachers(self) -> int:
        return self.passed + self.pending + self.failed + self.missing


#: The kinds of school rule whose finding carries a figure a bureau compares across schools.
MEASURED_KINDS = ("rate", "count")


@dataclass(frozen=True)
class Measure:
    """A school's figure for one rate or count rule, as its finding gives it (never computed
    again here): the share or the count (None: data missing, or no item), the finding's status
    (a pending one is judged as if due today: ``would_be``), and a rate's count and total.

    >>> from ict2rules import evaluate
    >>> r = evaluate("kaiyuan_2024", "examples/kaiyuan_2024/school_ok.yaml", as_of="2024-07-15")
    >>> [(rid, m.value, m.status.value) for rid, m in school_rows(r)[0].measures.items()][-2:]
    [('KY-S-EXCELLENCE-RATE', 0.388889, 'pass'), ('KY-S-BRIEFS', 3, 'pass')]
    """

    value: float | int | None
    status: Status
    would_be: Status
    count: int | None = None
    total: int | None = None

    @classmethod
    def of(cls, f: Finding) -> Measure:
        o = f.outcome
        detail = o.detail or {}
        value = o.actual if isinstance(o.actual, (int, float)) and not isinstance(o.actual, bool) else None
        would_be = Status(detail.get("would_be", f.status.value))
        if would_be is Status.MISSING_DATA or would_be is Status.NOT_APPLICABLE:
            value = None  # what was counted so far is not the figure
        count, total = detail.get("count"), detail.get("total")
        return cls(value, f.status, would_be, count if isinstance(count, int) else None,
                   total if isinstance(total, int) else None)


def measured_rules(report: Report) -> list[Rule]:
    """The school rules that yield a figure (rate or count), in ruleset order: one 汇总
    column (and one HTML overview column) each.

    >>> from ict2rules import evaluate
    >>> r = evaluate("kaiyuan_2024", "examples/kaiyuan_2024/school_ok.yaml", as_of="2024-07-15")
    >>> [rule.id for rule in measured_rules(r)][-2:]
    ['KY-S-EXCELLENCE-RATE', 'KY-S-BRIEFS']
    """
    return [r for r in report.ruleset.rules if r.level == "school" and r.check.kind in MEASURED_KINDS]


def pooled(rule: Rule | None, measures: Sequence[Measure]) -> float | None:
    """A rate over several schools: their items pooled (Σ count / Σ total, as the report's
    summary gives it), for the rates of a school's teachers or their points; None otherwise
    (a count summed over schools, a share of team members, says nothing about the whole).

    >>> pooled(None, [])
    """
    if rule is None or rule.check.kind != "rate" or getattr(rule.check.args, "over", None) not in ("teachers", "teachers.points"):
        return None
    known = [m for m in measures if m.total and m.value is not None]
    total = sum(m.total or 0 for m in known)
    return round(sum(m.count or 0 for m in known) / total, 6) if total else None


_FAIL_BIT, _MISSING_BIT, _PENDING_BIT = 1, 2, 4


def school_rows(report: Report) -> list[SchoolRow]:
    """The 汇总 rows, schools in the order they were checked (teachers without a school last).

    Each teacher is counted once: passed, or else failed (an error-severity rule not met),
    missing data (none failed, but required data is blank) or pending (only work not yet due).

    >>> from ict2rules import evaluate
    >>> r = evaluate("zeku_2023", "examples/zeku_2023/school_bad.yaml", as_of="2024-01-15")
    >>> [(s.id, s.teachers, s.passed, s.failed) for s in school_rows(r)]
    [('ZK-HJZX', 3, 1, 2)]
    """
    verdicts = {key: ok for level, key, ok in report.subjects if level == "teacher"}
    schools: dict[str | None, SchoolRow] = {}
    flags: dict[tuple[str | None, str], int] = {}
    unmet_schools: set[str] = set()  # a school rule that must be met failed or lacks data
    measured = {r.id for r in measured_rules(report)}

    def row_of(sid: str | None) -> SchoolRow:  # made once a school (not once a finding)
        row = schools.get(sid)
        if row is None:
            row = schools[sid] = SchoolRow(sid)
        return row

    for f in report.findings:
        ref = f.subject
        if ref.level == "school":
            row = row_of(ref.id)
            row.name = row.name or ref.name
            if f.compiled.is_error and f.status in _NOT_MET:
                unmet_schools.add(ref.id)
            if f.rule_id in measured:
                row.measures[f.rule_id] = Measure.of(f)
            continue
        if ref.level != "teacher":
            continue
        key = (ref.school, ref.id)
        bits = flags.setdefault(key, 0)
        st = f.status
        if st in _OPEN:
            if f.compiled.is_error:
                bits |= _FAIL_BIT if st is Status.FAIL else _MISSING_BIT if st is Status.MISSING_DATA else _PENDING_BIT
                flags[key] = bits
            if st in _NOT_MET and f.severity != "info":
                row_of(ref.school).unmet[f.rule_id] += 1
    for (school, tid), bits in flags.items():
        row = row_of(school)
        ok = verdicts.get(f"{school}/{tid}" if school else tid, bits == 0)
        if ok:
            row.passed += 1
        elif bits & _FAIL_BIT or not bits:
            row.failed += 1
        elif bits & _MISSING_BIT:
            row.missing += 1
        else:
            row.pending += 1
    school_ok = {key: ok for level, key, ok in report.subjects if level == "school"}
    for sid, row in schools.items():
        if sid in school_ok:
            row.school_ok = school_ok[sid]
            row.school_waiting = not row.school_ok and sid not in unmet_schools
    excellent = _excellent_ids(report)
    if excellent:
        for v in report.values:
            if v.subject.level == "teacher" and v.id in excellent and v.value in excellent[v.id]:
                row_of(v.subject.school).excellent += 1
    rows = [r for sid, r in schools.items() if sid is not None]
    if None in schools:
        rows.append(schools[None])
    return rows


def _excellent_ids(report: Report) -> dict[str, set[str]]:
    """Derived grades with an excellent band (优秀): derived id → its excellent labels."""
    out: dict[str, set[str]] = {}
    for cd in report.ruleset.plan.derived.get("teacher", ()):
        compute = cd.derived.compute
        if compute.kind != "band":
            continue
        labels = {b.label for b in compute.args.bands if b.label == "excellent" or b.zh == "优秀"}
        if labels:
            out[cd.derived.id] = labels
    return out


def has_excellence(report: Report) -> bool:
    return bool(_excellent_ids(report))


def rate(n: int, total: int) -> float | None:
    return round(n / total, 4) if total else None


def derived_titles(report: Report, lang: str) -> dict[str, str]:
    """The ruleset's derived values by id, as people call them (final_score → 最终成绩)."""
    return {
        cd.derived.id: getattr(cd.derived.title, lang)
        for derived in report.ruleset.plan.derived.values()
        for cd in derived
    }


def problem(f: Finding, lang: str, derived: dict[str, str] | None = None) -> tuple[str, str]:
    """What was found and what to do about one finding not met, in plain words.

    >>> from ict2rules import evaluate
    >>> r = evaluate("zeku_2023", {"teacher": {"id": "T1"}}, as_of="2024-01-15")
    >>> f = next(f for f in r.findings if f.rule_id == "ZK-T-HOURS-TOTAL")
    >>> problem(f, "zh")
    ('未填写:「线上学时」、「线下学时」', '在名册或记录中填写「线上学时」、「线下学时」,再重新检查')
    """
    t = T[lang]
    rule = f.compiled.rule
    title = getattr(rule.title, lang)
    detail = f.outcome.detail or {}
    would_be = detail.get("would_be") if f.status is Status.PENDING else f.status.value
    if would_be == Status.MISSING_DATA.value:
        missing = detail.get("missing") or []
        if isinstance(missing, int):  # a share of a school's items: how many lack which data
            named = detail.get("missing_fields")
            labels = ([t["items_data"].format(n=missing, fields=(t["sep"]).join(
                dict.fromkeys(field_label(str(m), lang, derived) for m in named)))] if named
                else [t["teachers_data"].format(n=missing)])
        else:
            missing = to_fill([missing] if isinstance(missing, str) else missing)
            labels = list(dict.fromkeys(field_label(str(m), lang, derived) for m in missing)) or [t["the_data"]]
        fields = "、".join(labels) if lang == "zh" else ", ".join(labels)
        found = t["found_missing"].format(fields=fields)
        todo = t["todo_missing"].format(fields=fields)
    else:
        # a pending finding reads as the rule's message would if it were due today
        found = message(f, lang) if f.status is Status.FAIL else render(getattr(rule.message, lang), f, lang)
        todo = t["todo_fail"].format(title=title)
    if f.status is Status.PENDING:
        todo = t["todo_pending"].format(due=detail.get("due", "—"), title=title)
    return found, todo


# --------------------------------------------------------------------------- cells


def cell_text(value: Any) -> str:
    """Text as a cell can hold it: no character XML refuses, no more than Excel shows.

    >>> cell_text("=1+1"), cell_text("a\\x00b")
    ('=1+1', 'a�b')
    """
    text = value if isinstance(value, str) else show(value)
    if not text.isprintable():  # (a printable text has none of them)
        text = _BAD_XML.sub("\ufffd", text)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    wrap: bool = False
    text: bool = True  # a text column ("@"): what a person types stays text; else a centred number
    percent: bool = False


Style = str  # "head", "error", "warning", "pending", "ok", ""
# fill, font colour, bold: red for what must be met, amber for what should, grey for not yet due
STYLES: dict[Style, tuple[str | None, str | None, bool]] = {
    "head": ("DDEBF7", "1F3864", True),
    "error": ("FFC7CE", "9C0006", False),
    "warning": ("FFEB9C", "7F6000", False),
    "pending": ("EDEDED", "404040", False),
    "ok": ("E2EFDA", "375623", False),
    "": (None, None, False),
}
FONT = "等线"  # Excel's default CJK font since 2016 (DengXian); others substitute their own


LINE_HEIGHT = 16.0  # points a line of 11-point CJK text takes (DengXian, or the font put in its place)


def row_height(columns: Sequence[Column], values: Sequence[Any]) -> float | None:
    """The height a row needs to show its wrapped cells whole, in points (None: one line).

    Excel and LibreOffice do not grow a row for wrapped text on their own when a file is
    opened, so the writer estimates it: a CJK character is two columns wide, others one.

    >>> row_height([Column("a", 10, wrap=True)], ["一二三四五六七八九十"])
    48.0
    """
    lines = 1
    for c, v in zip(columns, values, strict=True):
        if c.wrap and v and isinstance(v, str):
            lines = max(lines, text_lines(v, c.width))
    return LINE_HEIGHT * lines if lines > 1 else None


@lru_cache(maxsize=1 << 16)  # a requirement, what to do, a school's name recur on many rows
def text_lines(text: str, width: float) -> int:
    r"""The lines ``text`` takes in a wrapped column ``width`` characters wide.

    >>> text_lines("一二三四五六七八九十", 10), text_lines("a\nb", 10)
    (3, 2)
    """
    room = max(width - 1.5, 1.0)
    n = 0
    for part in text.split("\n"):
        chars = (len(part.encode("utf-8")) + len(part)) / 1.9  # CJK: 3 bytes → 2+ columns
        n += max(1, -int(-chars // room))
    return n


def _number_format(c: Column, style: Style) -> str | None:
    if c.percent:
        return "0.0%"
    return "@" if c.text and style != "head" else None  # typed into later, an id stays text


class XlsxWriterBook:
    """Sheets written with XlsxWriter in constant-memory mode (each row goes to a temporary
    file as it is written)."""

    def __init__(self, stream: IO[bytes]) -> None:
        import xlsxwriter

        self.book = xlsxwriter.Workbook(stream, {
            "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False,
        })
        self._formats: dict[tuple[Style, bool, str | None, bool], Any] = {}
        self.rows_at_once = writes_rows_at_once()

    def format(self, style: Style, wrap: bool, number: str | None, center: bool = False) -> Any:
        key = (style, wrap, number, center)
        fmt = self._formats.get(key)
        if fmt is None:
            fill, color, bold = STYLES[style]
            spec: dict[str, Any] = {"font_name": FONT, "valign": "top", "text_wrap": wrap, "bold": bold}
            if center:
                spec["align"] = "center"
            if fill:
                spec.update(bg_color="#" + fill, pattern=1)
            if color:
                spec["font_color"] = "#" + color
            if number:
                spec["num_format"] = number
            fmt = self._formats[key] = self.book.add_format(spec)
        return fmt

    def sheet(self, title: str, columns: Sequence[Column]) -> XlsxWriterSheet:
        return XlsxWriterSheet(self, title, columns)

    def save(self) -> None:
        self.book.close()


class XlsxWriterSheet:
    def __init__(self, book: XlsxWriterBook, title: str, columns: Sequence[Column]) -> None:
        self.book, self.columns = book, columns
        self.ws = book.book.add_worksheet(title)
        for i, c in enumerate(columns):
            self.ws.set_column(i, i, c.width)
        self.ws.freeze_panes(1, 0)
        # printed: A4 landscape, one page wide, the header on every page
        self.ws.set_paper(9)
        self.ws.set_landscape()
        self.ws.fit_to_pages(1, 0)
        self.ws.repeat_rows(0)
        self.rows = 0
        self._formats = {
            style: [book.format(style, c.wrap or style == "head", _number_format(c, style), not c.text) for c in columns]
            for style in STYLES
        }
        if book.rows_at_once:
            self._cells = RowCells(self.ws)
        self.append([c.header for c in columns], "head")

    def append(self, values: Sequence[Any], style: Style = "") -> None:
        ws, r = self.ws, self.rows
        height = row_height(self.columns, values)
        formats = self._formats[style]
        # a row of text and blank cells only (a 问题清单 row) is written whole; others cell by cell
        cells = self.book.rows_at_once and self._cells.prepared(values)
        if not (cells and self._cells.append(r, cells, formats, height)):
            if height:
                ws.set_row(r, height)
            for i, (v, fmt) in enumerate(zip(values, formats, strict=True)):
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.write_number(r, i, v, fmt)
                elif v is None or v == "":
                    ws.write_blank(r, i, None, fmt)
                else:  # a string is a string: "=cmd|…" is never a formula, "0012" never a number
                    text = cell_text(v)
                    if text.startswith("<r>") and text.endswith("</r>"):
                        # XlsxWriter (constant memory) writes such a text as raw rich-text XML: a
                        # name "<r><t>x</t></r>" would show as "x", or break the workbook. As three
                        # plain runs it is escaped and reads as given.
                        ws.write_rich_string(r, i, text[:1], text[1:-1], text[-1:], fmt)
                    else:
                        ws.write_string(r, i, text, fmt)
        self.rows += 1
        # the row before is on disk now: XlsxWriter would keep its height for every row
        for kept in (getattr(ws, "row_info", None), getattr(ws, "row_sizes", None)):
            if isinstance(kept, dict):
                kept.pop(r - 1, None)

    def append_styled(self, values: Sequence[Any], styles: Sequence[Style]) -> None:
        """A row whose cells have fills of their own (a 汇总 row's figures): written by
        ``append`` with the cells' formats combined once into a style of their own."""
        key = "|".join(styles)
        if key not in self._formats:
            self._formats[key] = [self._formats[st][i] for i, st in enumerate(styles)]
        self.append(values, key)

    def close(self) -> None:
        self.ws.autofilter(0, 0, max(self.rows - 1, 0), len(self.columns) - 1)


class RowCells:
    """Whole rows of text and blank cells into a constant-memory XlsxWriter worksheet, each
    written as the XML XlsxWriter writes it cell by cell (``<row r="2" ht="48" …><c r="A2"
    s="3" t="inlineStr">…``), without its calls for each row (its height kept, then looked up)
    and each cell (four, and two walks of each text), each text that recurs (a school, a
    requirement, what to do) escaped once: the rows of a province's 问题清单 are most of its
    workbook's time. A row goes to the worksheet's file once the row XlsxWriter holds is
    written, its cells' formats numbered as they are written, a row's start as XlsxWriter
    writes it for that height: the file is byte for byte the same, and
    :func:`writes_rows_at_once` checks that this XlsxWriter writes rows as this class does
    (else they go cell by cell)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self._heads: list[dict[int, tuple[str, str, str]]] = []
        self._tails: dict[str, str | None] = {}
        self._starts: dict[float | None, str] = {}

    def prepared(self, values: Sequence[Any]) -> list[str | None] | None:
        """Each cell's XML after its reference and format (None: a blank), for the values
        :meth:`XlsxWriterSheet.append` would write one by one — or None when one is a
        number, or a text XlsxWriter would shorten or take for rich text."""
        tails, out = self._tails, []
        for v in values:
            if v is None or v == "":
                out.append(None)
                continue
            tail = tails.get(v) if type(v) is str else None
            if tail is None:
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    return None
                tail = _tail(cell_text(v))
                if type(v) is str:
                    if len(tails) > 100_000:
                        tails.clear()
                    tails[v] = tail or ""
            if not tail:
                return None
            out.append(tail)
        return out

    def append(self, r: int, cells: list[str | None], formats: Sequence[Any], height: float | None) -> bool:
        """Write row ``r`` (False, nothing written: XlsxWriter's row start for ``height`` is
        not known)."""
        start = self._starts.get(height)
        if start is None:
            start = self._starts[height] = self._start(height)
        if not start:
            return False
        ws = self.ws
        ws._check_dimensions(r, 0)
        ws._check_dimensions(r, len(cells) - 1)
        if r > ws.previous_row:
            ws._write_single_row(r)  # the row XlsxWriter holds, as writing a cell of row r does
        ws.fh.write(f'<row r="{r + 1}"{start}{self.xml(r, cells, formats)}</row>')
        return True

    def _start(self, height: float | None) -> str:
        """What XlsxWriter writes after ``<row r="…"`` for a row of ``height`` points ("":
        not what it writes here)."""
        import io

        from xlsxwriter.format import Format
        from xlsxwriter.worksheet import Worksheet

        probe = Worksheet()
        for name in ("constant_memory", "default_row_height", "original_row_height"):
            if hasattr(self.ws, name):
                setattr(probe, name, getattr(self.ws, name))
        probe.fh = io.StringIO()
        if height:
            probe.set_row(0, height)
        fmt = Format()
        fmt.xf_index = 1  # numbered already: nothing is added to a workbook
        probe.write_blank(0, 0, None, fmt)
        probe._write_single_row(1)
        text, head, tail = probe.fh.getvalue(), '<row r="1"', '<c r="A1" s="1"/></row>'
        return text[len(head):-len(tail)] if text.startswith(head) and text.endswith(tail) else ""

    def xml(self, row: int, cells: Sequence[str | None], formats: Sequence[Any]) -> str:
        """The row's cells (:meth:`prepared`), as XlsxWriter's ``_write_cell`` writes each."""
        heads, n = self._heads, str(row + 1)
        while len(heads) < len(cells):
            heads.append({})
        out = []
        for i, (tail, fmt) in enumerate(zip(cells, formats, strict=True)):
            head = heads[i].get(id(fmt))
            if head is None:  # numbered now, where XlsxWriter numbers it: when first written
                xf = fmt._get_xf_index()
                s = f' s="{xf}"' if xf else ""
                head = heads[i][id(fmt)] = (f'<c r="{column_letters(i + 1)}', f'"{s} t="inlineStr"><is>', f'"{s}/>')
            out.append(f"{head[0]}{n}{head[2]}" if tail is None else f"{head[0]}{n}{head[1]}{tail}")
        return "".join(out)


def _tail(text: str) -> str | None:
    """A text cell's XML after ``<is>``, as XlsxWriter writes an inline string (None: one it
    would shorten, or write as rich text)."""
    if len(text) > 16_000:
        return None
    if not text.isprintable() or "_x" in text:  # (a printable text has no control character)
        text = _excel_escaped(text)
    if text.startswith("<r>") and text.endswith("</r>"):
        return None
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<t{space}>{text}</t></is></c>"


_ESCAPE_LIKE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile("([\x00-\x08\x0b-\x1f])")


def _excel_escaped(text: str) -> str:
    r"""Control characters as Excel's ``_xHHHH_`` (and a text that reads like one escaped), as
    XlsxWriter writes an inline string.

    >>> _excel_escaped("a\x01b_x0041_")
    'a_x0001_b_x005F_x0041_'
    """
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", _ESCAPE_LIKE.sub(r"_x005F\1", text))
    return text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")


_PROBES = ("text", "中文 & <b> \"q\" x>y", " lead", "trail ", "a\nb ", "tab\tend", "\r", "_x0041_", "a\x01b\u0085")


def writes_rows_at_once() -> bool:
    """Whether this XlsxWriter writes rows of text and blank cells as :class:`RowCells` does:
    two rows of probes (escapes, spaces kept, control characters; with a height and without)
    written both ways, compared.

    >>> writes_rows_at_once()
    True
    """
    import io

    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

    try:
        theirs, ours = Worksheet(), Worksheet()
        fmt = Format()
        fmt.xf_index = 7  # numbered already: nothing is added to a workbook
        values = [*_PROBES, None]
        for ws in (theirs, ours):
            ws.constant_memory = True
            ws.fh = io.StringIO()
        cells = RowCells(ours)
        for r, height in ((1, 48.0), (2, None)):  # a row XlsxWriter is given a height, one not
            if height:
                theirs.set_row(r, height)
            for i, text in enumerate(values):
                if text is None:
                    theirs.write_blank(r, i, None, fmt)
                else:
                    theirs.write_string(r, i, cell_text(text), fmt)
            prepared = cells.prepared(values)
            if prepared is None or not cells.append(r, prepared, [fmt] * len(values), height):
                return False
        theirs._write_single_row(3)
        ours._write_single_row(3)
        return theirs.fh.getvalue() == ours.fh.getvalue()
    except (AttributeError, TypeError, ValueError, KeyError):  # another XlsxWriter's insides:
        return False  # cell by cell, as it always writes


class OpenpyxlBook:
    """Sheets written with openpyxl in write-only mode."""

    def __init__(self, stream: IO[bytes]) -> None:
        from openpyxl import Workbook

        self.stream = stream
        self.book = Workbook(write_only=True)
        self._styles: dict[tuple[Style, bool, str | None, bool], Any] = {}

    def style(self, style: Style, wrap: bool, number: str | None, center: bool = False) -> Any:
        """The style array of a format, made once (assigning fonts cell by cell is slow)."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill

        key = (style, wrap, number, center)
        if key not in self._styles:
            fill, color, bold = STYLES[style]
            cell = WriteOnlyCell(self.book.create_sheet("_"))
            cell.font = Font(name=FONT, color=color, bold=bold)
            cell.fill = PatternFill("solid", start_color=fill, end_color=fill) if fill else PatternFill()
            cell.alignment = Alignment(wrap_text=wrap, vertical="top", horizontal="center" if center else None)
            if number:
                cell.number_format = number
            self.book.remove(self.book["_"])
            self._styles[key] = cell._style
        return self._styles[key]

    def sheet(self, title: str, columns: Sequence[Column]) -> OpenpyxlSheet:
        return OpenpyxlSheet(self, title, columns)

    def save(self) -> None:
        self.book.save(self.stream)


class OpenpyxlSheet:
    def __init__(self, book: OpenpyxlBook, title: str, columns: Sequence[Column]) -> None:
        from openpyxl.utils import get_column_letter

        self.ws = book.book.create_sheet(title)
        self.columns = columns
        self.rows = 0
        self.letter = get_column_letter(len(columns))
        for i, c in enumerate(columns, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = c.width
        self.ws.freeze_panes = "A2"
        self.ws.page_setup.paperSize = "9"  # A4
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.fitToWidth, self.ws.page_setup.fitToHeight = 1, 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.print_title_rows = "1:1"
        self._styles = {
            style: [book.style(style, c.wrap or style == "head", _number_format(c, style), not c.text) for c in columns]
            for style in STYLES
        }
        self.append([c.header for c in columns], "head")

    def append(self, values: Sequence[Any], style: Style = "") -> None:
        from copy import copy

        from openpyxl.cell import Cell

        ws, cells = self.ws, []
        height = row_height(self.columns, values)
        if height:
            ws.row_dimensions[self.rows + 1].height = height
        for v, st in zip(values, self._styles[style], strict=True):
            cell = Cell(ws, row=1, column=1, style_array=copy(st))
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                cell.value = v
            elif v is not None and v != "":
                cell._value = cell_text(v)
                cell.data_type = "s"  # a string is a string: "=cmd|…" is never a formula
            cells.append(cell)
        ws.append(cells)
        self.rows += 1
        ws.row_dimensions.pop(self.rows, None)  # written: not kept for every row

    def append_styled(self, values: Sequence[Any], styles: Sequence[Style]) -> None:
        """A row whose cells have fills of their own (see :meth:`XlsxWriterSheet.append_styled`)."""
        key = "|".join(styles)
        if key not in self._styles:
            self._styles[key] = [self._styles[st][i] for i, st in enumerate(styles)]
        self.append(values, key)

    def close(self) -> None:
        self.ws.auto_filter.ref = f"A1:{self.letter}{max(self.rows, 1)}"


ENGINES = {"xlsxwriter": XlsxWriterBook, "openpyxl": OpenpyxlBook}
ENGINE = "xlsxwriter"  # by measurement: about half openpyxl's time (benchmarks/bench_xlsx.py)


def style_of(f: Finding) -> Style:
    """The fill of a finding's row: red for a rule that must be met, amber for should."""
    if f.status is Status.PENDING:
        return "pending"
    if f.status in _NOT_MET:
        return {"error": "error", "warning": "warning"}.get(f.severity, "")
    return "ok" if f.status is Status.PASS else ""


# --------------------------------------------------------------------------- sheets


def summary_columns(lang: str, excellence: bool, measured: Sequence[Rule] = ()) -> list[Column]:
    t = T[lang]
    cols = [
        Column(t["school_id"], 14), Column(t["school_name"], 26, wrap=True),
        Column(t["teachers"], 9, text=False), Column(t["passed"], 8, text=False),
        Column(t["pending"], 9, text=False), Column(t["failed"], 8, text=False),
        Column(t["missing"], 9, text=False), Column(t["pass_rate"], 9, text=False, percent=True),
    ]
    if excellence:
        cols.append(Column(t["excellent_rate"], 9, text=False, percent=True))
    cols.append(Column(t["school_ok"], 12))
    # one column per school rule that yields a figure: its title heads it, the figure below
    cols += [Column(str(getattr(r.title, lang)), 13, wrap=True, text=False, percent=r.check.kind == "rate")
             for r in measured]
    cols.append(Column(t["top"], 60, wrap=True))
    return cols


def measure_cell(m: Measure | None, severity: str, lang: str) -> tuple[Any, Style]:
    """A school's figure for one rule as a 汇总 cell: the number, coloured by whether it meets
    the rule (green, or red/amber by severity, grey when not yet due); 未填写 where data is
    missing; blank where the rule does not apply (or the school was not checked by it).

    >>> measure_cell(Measure(0.389, Status.PASS, Status.PASS, 7, 18), "error", "zh")
    (0.389, 'ok')
    >>> measure_cell(Measure(None, Status.MISSING_DATA, Status.MISSING_DATA), "error", "zh")
    ('未填写', 'error')
    """
    if m is None or m.would_be is Status.NOT_APPLICABLE:
        return None, ""
    value: Any = T[lang]["not_filled"] if m.value is None else m.value
    if m.status is Status.PENDING:
        return value, "pending"
    if m.status is Status.PASS:
        return value, "ok"
    return value, {"error": "error", "warning": "warning"}.get(severity, "")


def summary_values(row: SchoolRow, report: Report, lang: str, excellence: bool,
                   measured: Sequence[Rule] = ()) -> tuple[list[Any], Style, list[Style]]:
    """A school's 汇总 row: its values, the row's fill and each cell's (a figure's own)."""
    t = T[lang]
    titles = {r.id: getattr(r.title, lang) for r in report.ruleset.rules}
    top = "\n".join(
        f"{titles.get(rid, rid)}({t['people'].format(n=n)})"
        for rid, n in sorted(row.unmet.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_RULES]
    )
    n = row.teachers
    values: list[Any] = [
        row.id or t["no_school"], row.name, n, row.passed, row.pending, row.failed, row.missing,
        rate(row.passed, n),
    ]
    if excellence:
        values.append(rate(row.excellent, n))
    style: Style = "error" if row.failed or row.missing or row.school_ok is False else "pending" if row.pending else "ok"
    own = "" if row.school_ok is None else t["met"] if row.school_ok else t["waiting"] if row.school_waiting else t["not_met"]
    values.append(own)
    styles: list[Style] = [style] * len(values)
    for r in measured:
        value, cell = measure_cell(row.measures.get(r.id), r.severity, lang)
        values.append(value)
        styles.append(cell)
    values.append(top)
    styles.append(style)
    return values, style, styles


def total_values(rows: Sequence[SchoolRow], lang: str, excellence: bool,
                 measured: Sequence[Rule] = ()) -> list[Any]:
    """The 合计 row under the schools: teachers, passed, not yet due, failed, data missing
    over all of them, the pass rate over all teachers, and each rate of the schools' teachers
    pooled (Σ count / Σ total) — the figures of the report's summary.

    >>> total_values([SchoolRow("S1", passed=3, failed=1), SchoolRow("S2", passed=1)], "zh", False)
    ['合计', '2 所学校', 5, 4, 0, 1, 0, 0.8, '', '']
    """
    t = T[lang]
    sums = [sum(getattr(r, k) for r in rows) for k in ("passed", "pending", "failed", "missing")]
    n = sum(sums)
    schools = sum(1 for r in rows if r.id is not None)
    values: list[Any] = [t["total"], t["schools_n"].format(n=schools), n, *sums, rate(sums[0], n)]
    if excellence:
        values.append(rate(sum(r.excellent for r in rows), n))
    checked = [r.school_ok for r in rows if r.school_ok is not None]
    values.append(t["schools_met"].format(k=sum(checked), n=len(checked)) if checked else "")
    for r in measured:
        values.append(pooled(r, [m for row in rows if (m := row.measures.get(r.id)) is not None]))
    values.append("")
    return values


def problem_columns(lang: str) -> list[Column]:
    t = T[lang]
    return [
        Column(t["school_id"], 11), Column(t["school_name"], 16, wrap=True),
        Column(t["teacher_id"], 12), Column(t["teacher_name"], 9, wrap=True),
        Column(t["severity"], 6), Column(t["status"], 9),
        Column(t["required"], 26, wrap=True), Column(t["found"], 38, wrap=True),
        Column(t["todo"], 32, wrap=True), Column(t["section"], 10, wrap=True),
        Column(t["rule"], 28),
    ]


def problem_rows(report: Report, lang: str, names: dict[str | None, str | None],
                 only: frozenset[Status] | None = None) -> Iterator[tuple[list[Any], Style]]:
    """The 问题清单 rows: each teacher finding not met (or not yet due), in checking order."""

    t = T[lang]
    derived = derived_titles(report, lang)
    for f in report.findings:
        ref = f.subject
        if ref.level != "teacher" or f.status not in _OPEN or f.severity == "info":
            continue
        if only is not None and f.status not in only:
            continue
        rule = f.compiled.rule
        found, todo = problem(f, lang, derived)
        yield [
            ref.school or t["no_school"], names.get(ref.school), ref.id, ref.name,
            t[f.severity], t["s_" + f.status.value], getattr(rule.title, lang), found, todo,
            source_line(rule, report), rule.id,
        ], style_of(f)


def school_columns(lang: str) -> list[Column]:
    t = T[lang]
    return [
        Column(t["level"], 6), Column(t["subject_id"], 14), Column(t["subject_name"], 22, wrap=True),
        Column(t["severity"], 6), Column(t["status"], 9), Column(t["required"], 30, wrap=True),
        Column(t["found"], 44, wrap=True), Column(t["todo"], 34, wrap=True),
        Column(t["section"], 10, wrap=True), Column(t["rule"], 28), Column(t["quote"], 50, wrap=True),
    ]


def school_finding_rows(report: Report, lang: str, only: frozenset[Status] | None = None) -> Iterator[tuple[list[Any], Style]]:

    t = T[lang]
    derived = derived_titles(report, lang)
    for f in report.findings:
        ref = f.subject
        if ref.level == "teacher" or f.status is Status.NOT_APPLICABLE:
            continue
        if only is not None and f.status not in only:
            continue
        rule = f.compiled.rule
        if f.status in _OPEN:
            found, todo = problem(f, lang, derived)
        else:
            found, todo = message(f, lang), ""
        yield [
            t[ref.level], ref.id, ref.name, t[f.severity], t["s_" + f.status.value],
            getattr(rule.title, lang), found, todo, source_line(rule, report), rule.id,
            rule.source.quote,
        ], style_of(f)


def about_rows(report: Report, rows: list[SchoolRow], problems: int, lang: str) -> list[tuple[str, Any]]:
    """The 说明 sheet: what was checked, when, the counts, and how to read the workbook."""

    zh = lang == "zh"
    s = report.summary()
    ts = s["teachers"]
    d = report.ruleset.document
    out: list[tuple[str, Any]] = [
        ("依据文件" if zh else "Document", document_line(report)),
        ("文件日期" if zh else "Issued", d.date.isoformat() if d.date else ""),
        ("规则集" if zh else "Ruleset", report.ruleset.id),
        ("检查日期" if zh else "As of", report.as_of.isoformat()),
        ("检查的文件" if zh else "Inputs", "\n".join(report.inputs)),
        ("结论" if zh else "Verdict", (T[lang]["met"] if report.passed else T[lang]["not_met"])),
        ("学校数" if zh else "Schools", sum(1 for r in rows if r.id is not None)),
        ("教师人数" if zh else "Teachers", ts["checked"]),
        (T[lang]["passed"], ts["passed"]),
        (T[lang]["pending"], ts["pending"]),
        (T[lang]["not_passed"], ts["failed"]),
        ("合格率" if zh else "Pass rate", ts["pass_rate"]),
        ("问题清单行数" if zh else "To-do rows", problems),
        ("未满足的必须要求" if zh else "Required rules not met", s["errors"]),
        ("未满足的应当要求" if zh else "Recommended rules not met", s["warnings"]),
    ]
    if s.get("skipped_rows"):
        out.append(("跳过的名册行" if zh else "Roster rows skipped", s["skipped_rows"]))
    if report.input_problems:
        from .problems import counts_line

        out.append(("输入问题(见“输入问题”表)" if zh else "Input problems (sheet 输入问题)",
                    counts_line(report, lang)))
    out.append(("", ""))
    out += [("读法" if zh and i == 0 else "How to read" if i == 0 else "", line) for i, line in enumerate(HOW_TO[lang])]
    return out


# --------------------------------------------------------------------------- writer


@writer("xlsx")
def write_xlsx(report: Report, stream: IO[bytes], *, lang: str = "zh",
               only: frozenset[Status] | None = None, engine: str = ENGINE, **_: Any) -> None:
    """Write the workbook to a binary ``stream`` (``only``: statuses to list, as ``--status``;
    ``engine``: "xlsxwriter" or "openpyxl", the library that writes it)."""

    lang = lang if lang in T else "zh"
    t = T[lang]
    book = ENGINES[engine](stream)
    rows = school_rows(report)
    names = {r.id: r.name for r in rows}
    excellence = has_excellence(report)
    measured = measured_rules(report)

    summary = book.sheet(SHEETS[0], summary_columns(lang, excellence, measured))
    for row in rows:
        values, style, styles = summary_values(row, report, lang, excellence, measured)
        if styles == [style] * len(styles):
            summary.append(values, style)
        else:
            summary.append_styled(values, styles)
    summary.close()  # the filter covers the schools; the 合计 row below stays in place
    if rows:
        summary.append(total_values(rows, lang, excellence, measured), "head")

    problems = book.sheet(SHEETS[1], problem_columns(lang))
    for values, style in problem_rows(report, lang, names, only):
        problems.append(values, style)
    problems.close()

    schools = book.sheet(SHEETS[2], school_columns(lang))
    for values, style in school_finding_rows(report, lang, only):
        schools.append(values, style)
    schools.close()

    about = book.sheet(SHEETS[3], [
        Column(t["item"], 28), Column(t["value"], 56, wrap=True),
        Column(t["section"], 12, wrap=True), Column(t["quote"], 70, wrap=True),
    ])
    for item, value in about_rows(report, rows, problems.rows - 1, lang):
        about.append([item, value, None, None])
    about.append([None] * 4)
    # the clauses the requirements quote, once each (not on every row of 问题清单)
    about.append([t["rule"], t["required"], t["section"], t["quote"]], "head")
    for rule in report.ruleset.rules:
        about.append([rule.id, getattr(rule.title, lang), source_line(rule, report), rule.source.quote])
    about.close()
    write_input_problems(book, report, lang)
    book.save()


INPUT_SHEET = "输入问题"  # the fifth sheet, only when the inputs had problems


def write_input_problems(book: Any, report: Report, lang: str) -> None:
    """The 输入问题 sheet: every row left out, row not joined, sheet or column not read."""
    from .problems import xlsx_columns, xlsx_values

    if not report.input_problems:
        return
    sheet = book.sheet(INPUT_SHEET, [Column(h, w, wrap=h in ("原因", "Reason"), text=h not in ("行", "列", "Row", "Col"))
                                     for h, w in xlsx_columns(lang)])
    for p in report.input_problems:
        sheet.append(xlsx_values(p, lang), "warning")
    sheet.close()
