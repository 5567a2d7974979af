"""``--format html``: one self-contained page to send to the bureau (see docs/output-html.md).

Inline CSS and inline SVG only — no script, font, image or link to fetch — so the file opens
the same way from an e-mail attachment on an offline office computer, and prints on A4. The
page reads from the top down, the way a bureau does:

1. the summary (each number in an element with a stable ``id``, see :data:`SUMMARY_IDS`);
2. the overview: one row per school (per region then school when the schools belong to one),
   with a total row first — teachers, passed, not yet due, failed, data missing, pass and
   excellence rates, the school's own rules;
3. charts (:mod:`.svg`): pass rate per school, the share of teachers not meeting each
   requirement, the distribution of total hours and of assessment bands — each with its
   numbers as text;
4. each school's teachers in a collapsed ``<details>``: every teacher in a small report; in a
   large one (more than ``full_up_to`` teachers) only those who have not passed, with a
   pointer to ``--split-by school`` for one file per school;
5. each rule not met with its clause, then the work not yet due (in a large report the first
   :data:`MAX_LISTED` teachers under each rule, the rest counted).

A 50,000-teacher report is about 6 MB and opens in headless Chromium in about 3 s on a busy
2-core machine (``benchmarks/bench_html.py``, docs/performance.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from typing import IO, TYPE_CHECKING, Any

from .. import __version__
from ..errors import printable
from ..kinds.base import Status
from ..labels import verdict_word
from ..report.findings import Finding
from ..report.report import Report, message, show
from .registry import writer
from .svg import Bar, columns, hbars
from .text import (
    LABELS,
    MARKS,
    TeacherGroup,
    TeacherRow,
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
from .xlsx import Measure, SchoolRow, _excellent_ids, measured_rules, pooled, school_rows

if TYPE_CHECKING:
    from ..rules.ruleset import Rule

#: The ids of the summary numbers; their text is the plain number (pass rate: "66.7%").
SUMMARY_IDS = (
    "teachers-checked", "teachers-passed", "teachers-failed", "teachers-pending", "pass-rate",
    "schools-checked", "schools-passed", "errors", "warnings", "verdict",
    "findings-pass", "findings-fail", "findings-not_applicable", "findings-missing_data", "findings-pending",
)
#: The overview's columns (``<td data-col="…">``) and the total row's ids (``overview-<col>``).
OVERVIEW_COLS = ("teachers", "passed", "pending", "failed", "missing", "pass_rate", "excellent_rate", "school_ok")
FULL_UP_TO = 1000  # teachers: up to this many, every teacher is listed; above, those to act on
MAX_LISTED = 30  # in a large report, teachers listed under each rule not met (the rest counted)
FOLD_OVER = 10  # in a large report, a rule's list longer than this is folded (opened by a click)
CHART_SCHOOLS = 40  # schools drawn one bar each; above, a distribution and the lowest ones

CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em auto;
max-width:72em;padding:0 1em;color:#222;line-height:1.5}
h1{font-size:1.5em;border-bottom:2px solid #333;padding-bottom:.3em}
h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
h3{font-size:1.05em;margin-bottom:.3em}
nav.toc a{margin-right:1em}
table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid #bbb;padding:.2em .5em;vertical-align:top}
th{background:#f0f0f0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td,tr.total th{font-weight:bold;background:#f7f7f7}
tr.region td,tr.region th{font-weight:bold;background:#fbfbf2}
td.m{text-align:center}
div.wide{overflow-x:auto}table.overview td,table.overview th{white-space:nowrap}
table.overview th.measure{white-space:normal;font-weight:normal;font-size:.85em;min-width:6em;max-width:9em}
.pass{color:#1a7f37}.fail{color:#c62828;font-weight:bold}.missing_data{color:#8e24aa}
.pending{color:#0277bd}.not_applicable{color:#999}
.verdict-ok{color:#1a7f37;font-weight:bold}.verdict-bad{color:#c62828;font-weight:bold}
.sev-error{color:#c62828}.sev-warning{color:#b26a00}.sev-info{color:#0277bd}
blockquote{margin:.5em 0;padding:.3em 1em;border-left:4px solid #999;background:#fafafa}
blockquote footer{color:#555;font-size:.9em}
.note{color:#555;font-size:.95em}
code{font-size:.9em}
.figures{display:flex;flex-wrap:wrap;align-items:flex-start;column-gap:3em}figure{margin:1em 0 1.5em}figcaption{font-weight:bold;margin-bottom:.3em}
svg.chart text{fill:#333}svg.chart text.n{fill:#222;font-variant-numeric:tabular-nums}
svg.chart .track{fill:#eee}svg.chart .bar{fill:#4a78b5}svg.chart .bar.ok{fill:#2e8b57}
svg.chart .bar.low,svg.chart .bar.sev-error{fill:#c62828}svg.chart .bar.sev-warning{fill:#d08a00}
svg.chart .bar.missing{fill:#8e24aa}svg.chart .axis{stroke:#999}
svg.chart .marker line{stroke:#222;stroke-dasharray:3 2}
details.school{border:1px solid #ddd;margin:.3em 0;padding:.2em .6em}
details.school>summary{cursor:pointer;font-weight:bold}
details.school[open]{padding-bottom:.6em}
details.data>summary,details.subjects>summary{cursor:pointer;color:#555;font-size:.9em}
article.rule,details.school{content-visibility:auto;contain-intrinsic-size:auto 3em}
footer.page{margin-top:3em;color:#777;font-size:.85em}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}}
"""

# The page's own words; the rest are the text report's (LABELS) so both read the same.
WORDS = {
    "zh": {
        "overview": "各校汇总", "charts": "图表", "schools_h": "各校教师明细", "total": "合计",
        "region": "区县", "school_id": "学校编号", "school_name": "学校名称", "teachers": "教师",
        **{k: verdict_word(k, "zh") for k in ("passed", "pending", "failed", "missing")},
        "pass_rate": "合格率", "excellent_rate": "优秀率", "school_ok": "学校要求",
        "met": "符合", "not_met": "未满足", "waiting": "尚未到期", "no_school": "(未填学校)",
        "chart_schools": "各校合格率(从低到高)",
        "chart_lowest": "合格率最低的 {n} 所学校(共 {total} 所)",
        "chart_spread": "各校合格率分布(学校数)",
        "chart_regions": "各区县合格率",
        "chart_rules": "未达到各项要求的教师比例(共 {n} 位教师)",
        "chart_hours": "教师学时分布(人数):{title}",
        "chart_bands": "{title}分布(人数)",
        "as_table": "以表格查看这些数字",
        "schools_n": "{n} 所", "people": "{n} 人", "not_filled": "未填写", "none": "无",
        "share_of": "{share}({n} 人)", "rate_of": "{rate}({n}/{total})", "name_id": "{name}({id})", "of_teachers": "(报告中有 {k}/{n} 位教师的这一项)",
        "only_to_fix": "教师较多(共 {n} 位),下面只列出未合格、缺少数据或尚未到期的 {k} 位教师;"
                       "另 {m} 位教师已合格,不逐一列出。给每所学校一份完整文件:"
                       "ict2rules check … -f html --split-by school -o 目录",
        "school_all_passed": "本校 {n} 位教师全部合格。",
        "more_listed": "…… 另有 {n} 位教师未满足此项,见上方各校教师明细;完整名单:--split-by school(每校一份)或 -f xlsx 的问题清单",
        "more_names": "等共 {n} 位",
        "band": "等次", "count": "人数", "range": "学时", "rule": "要求", "share": "比例",
        "rate_ge": "≥ {v}", "rate_gt": "> {v}", "rate_lt": "< {v}", "rate_le": "≤ {v}",
        "bin": "{a}–<{b}", "sep": "、", "show_list": "列出 {n} 个对象",
        "measures_note": "以学校要求为表头的各列是每校的比率或数量:✔ 符合,✘ 未达到,? 缺少数据(未填写),… 尚未到期,"
                         "空白为不适用;合计与区县行为各校教师(或能力点)合并计算的比率。",
    },
    "en": {
        "overview": "Schools at a glance", "charts": "Charts", "schools_h": "Teachers by school",
        "total": "Total", "region": "Region", "school_id": "School id", "school_name": "School",
        "teachers": "Teachers", **{k: verdict_word(k, "en", head=True) for k in ("passed", "pending", "failed", "missing")},
        "pass_rate": "Pass rate", "excellent_rate": "Excellence rate",
        "school_ok": "School rules", "met": "met", "not_met": "not met", "waiting": "not yet due",
        "no_school": "(no school)",
        "chart_schools": "Pass rate per school (lowest first)",
        "chart_lowest": "The {n} schools with the lowest pass rate (of {total})",
        "chart_spread": "Schools by pass rate (number of schools)",
        "chart_regions": "Pass rate per region",
        "chart_rules": "Share of teachers not meeting each requirement (of {n} teachers)",
        "chart_hours": "Teachers by hours (number of teachers): {title}",
        "chart_bands": "{title} (number of teachers)",
        "as_table": "These numbers as a table",
        "schools_n": "{n} schools", "people": "{n}", "not_filled": "not filled in", "none": "none",
        "share_of": "{share} ({n})", "rate_of": "{rate} ({n}/{total})", "name_id": "{name} ({id})", "of_teachers": " ({k} of {n} teachers in the report)",
        "only_to_fix": "A large report ({n} teachers): listed below are the {k} teachers who have not "
                       "passed (failed, data missing or not yet due); the other {m} passed. One complete "
                       "file per school: ict2rules check … -f html --split-by school -o FOLDER",
        "school_all_passed": "All {n} teachers of this school passed.",
        "more_listed": "… {n} more teachers do not meet this; see each school's teachers above, or the "
                       "whole list: --split-by school (a file per school) or the xlsx to-do list",
        "more_names": "and others, {n} in all",
        "band": "band", "count": "teachers", "range": "hours", "rule": "requirement", "share": "share",
        "rate_ge": "≥ {v}", "rate_gt": "> {v}", "rate_lt": "< {v}", "rate_le": "≤ {v}",
        "bin": "{a}–<{b}", "sep": ", ", "show_list": "list {n} subjects",
        "measures_note": "The columns headed by a school requirement give each school's rate or count: ✔ met, "
                         "✘ not met, ? data missing, … not yet due, blank not applicable; the total and region "
                         "rows pool the schools' teachers (or points).",
    },
}
_NOT_MET = (Status.FAIL, Status.MISSING_DATA)


def _e(value: object) -> str:
    # a bidi override or a control character would make the page read otherwise than stored
    return escape(printable(str(value)), quote=True)


def _num(id_: str, value: object, cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<span id="{id_}"{klass}>{_e(value)}</span>'


def _int(n: int) -> str:
    return f"{n:,}"


def _section(sid: str, title: str, body: list[str]) -> list[str]:
    return [f'<section id="{sid}"><h2>{_e(title)}</h2>', *body, "</section>"]


# ------------------------------------------------------------------------------ one pass


@dataclass
class View:
    """What the page needs from the findings, gathered in one pass over them (a province has
    a million): the teachers not meeting each requirement, the total hours, the findings
    listed under each rule (all of them, or in a large report the schools' and the first
    teachers'), and in a large report the open findings of each teacher."""

    summary: dict[str, Any]
    large: bool
    not_met: Counter[str] = field(default_factory=Counter)  # teacher rule id → teachers not meeting it
    rules: dict[str, Rule] = field(default_factory=dict)
    hours: list[float | None] = field(default_factory=list)
    failures: list[Finding] = field(default_factory=list)  # listed under "what to fix"
    failures_n: Counter[str] = field(default_factory=Counter)  # rule id → subjects not meeting it
    pending: list[Finding] = field(default_factory=list)
    pending_n: Counter[str] = field(default_factory=Counter)
    open_: dict[tuple[str | None, str], list[Finding]] = field(default_factory=dict)  # large: per teacher


def _view(report: Report, large: bool, hours_rule: str | None) -> View:
    v = View(report.summary(), large)
    listed: Counter[str] = Counter()  # teacher findings listed so far, per rule
    for f in report.findings:
        st = f.status
        if st is Status.PASS or st is Status.NOT_APPLICABLE:
            if st is Status.PASS and hours_rule is not None and f.compiled.rule.id == hours_rule:
                v.hours.append(_number(f.outcome.actual))
            continue
        rule = f.compiled.rule
        teacher = f.subject.level == "teacher"
        if teacher and hours_rule is not None and rule.id == hours_rule:
            v.hours.append(_number(f.outcome.actual))
        if teacher and large:
            v.open_.setdefault((f.subject.school, f.subject.id), []).append(f)
        counts, kept = (v.pending_n, v.pending) if st is Status.PENDING else (v.failures_n, v.failures)
        counts[rule.id] += 1
        if not teacher or not large or listed[rule.id] < MAX_LISTED:
            kept.append(f)
            listed[rule.id] += teacher
        if teacher and st is not Status.PENDING and rule.severity != "info":
            v.not_met[rule.id] += 1
            v.rules.setdefault(rule.id, rule)
    return v


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


# ------------------------------------------------------------------------------ summary


def _summary(report: Report, s: dict[str, Any], t: dict[str, str], lang: str) -> list[str]:
    ts = s["teachers"]
    rows = [
        (t["document"], _e(document_line(report))),
        (t["as_of"], _e(report.as_of.isoformat())),
        (t["teachers"], f"{t['checked']} {_num('teachers-checked', ts['checked'])} · "
                        f"{t['passed']} {_num('teachers-passed', ts['passed'])} · "
                        f"{t['not_passed']} {_num('teachers-failed', ts['failed'])} · "
                        f"{t['pending']} {_num('teachers-pending', ts.get('pending', 0))}"),
        (t["pass_rate"], _num("pass-rate", pct(ts["pass_rate"]))),
    ]
    schools = [ok for lv, _, ok in report.subjects if lv == "school"]
    if schools:
        rows.append((t["schools"], f"{t['checked']} {_num('schools-checked', len(schools))} · "
                                   f"{t['passed']} {_num('schools-passed', sum(schools))}"))
    for rs in rate_summaries(report):
        off = f' · <span class="fail">{_e(t["schools_off"].format(k=rs.schools_off, n=rs.schools))}</span>' if rs.schools_off else ""
        if rs.schools_pending:
            note = t["schools_pending"].format(k=rs.schools_pending, n=rs.schools)
            off += f' · <span class="pending">{_e(note)}</span>'
        rid = f"rate-{rs.rule.id}"
        rows.append((_e(title_of(rs.rule, lang)), f"{_num(rid, pct(rs.share))}{_e(t['lp'])}{_e(t['expected'])} {_e(show(rs.expected, lang))}{_e(t['rp'])}{off}"))
    counts = " · ".join(f'<span class="{k}">{_e(t[k])} {_num("findings-" + k, v)}</span>' for k, v in s["findings"].items())
    rows.append((t["findings"], counts))
    if report.skipped_rows:
        rows.append((t["skipped"], _e(report.skipped_rows)))
    ok = report.passed
    verdict = _num("verdict", t["verdict_ok"] if ok else t["verdict_bad"], "verdict-ok" if ok else "verdict-bad")
    rows.append((t["verdict"], f"{verdict}{_e(t['lp'])}{_e(t['error'])} {_num('errors', s['errors'])} · "
                               f"{_e(t['warning'])} {_num('warnings', s['warnings'])}"
                               f"{_e(left_out_part(report, t))}{_e(t['rp'])}"))
    body = "\n".join(f"<tr><th scope=\"row\">{label}</th><td>{value}</td></tr>" for label, value in rows)
    return [f'<section id="summary"><h2>{_e(t["summary"])}</h2>', f'<table class="summary">\n{body}\n</table></section>']


# ------------------------------------------------------------------------------ overview


@dataclass
class Tally:
    """The counts of one overview row: a school, a region of schools, or every school."""

    level: str  # "total", "region" or "school"
    id: str | None
    name: str | None = None
    region: str | None = None
    passed: int = 0
    pending: int = 0
    failed: int = 0
    missing: int = 0
    excellent: int = 0
    schools: int = 0  # schools with their own record checked
    schools_ok: int = 0
    school_ok: bool | None = None  # a school's own rules (None: no school record)
    school_waiting: bool = False
    children: list[Tally] = field(default_factory=list)
    measures: dict[str, Measure] = field(default_factory=dict)  # a school's rates and counts

    def schools_under(self) -> list[Tally]:
        """The schools this row counts (itself, for a school)."""
        if self.level == "school":
            return [self]
        return [s for c in self.children for s in c.schools_under()]

    @property
    def teachers(self) -> int:
        return self.passed + self.pending + self.failed + self.missing

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.teachers if self.teachers else None

    @property
    def excellent_rate(self) -> float | None:
        return self.excellent / self.teachers if self.teachers else None

    def add(self, other: Tally, child: bool = True) -> None:
        """Count ``other`` in (a school in its region, a region in the total); ``child``: list it."""
        for name in ("passed", "pending", "failed", "missing", "excellent", "schools", "schools_ok"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if child:
            self.children.append(other)


def _school_tally(row: SchoolRow, region: str | None) -> Tally:
    checked = row.school_ok is not None
    return Tally("school", row.id, row.name, region, row.passed, row.pending, row.failed, row.missing,
                 row.excellent, int(checked), int(bool(row.school_ok)), row.school_ok, row.school_waiting,
                 measures=row.measures)


def overview(report: Report, regions: Mapping[str, str] | None = None) -> Tally:
    """The overview's rows as a tree: the total, then each region (when ``regions`` maps
    school ids to one), then its schools, in the order they were checked.

    >>> from ict2rules import evaluate
    >>> r = evaluate("zeku_2023", "examples/zeku_2023/school_bad.yaml", as_of="2024-01-15")
    >>> total = overview(r, {"ZK-HJZX": "泽库县"})
    >>> (total.teachers, total.passed, [(c.level, c.id, c.teachers) for c in total.children])
    (3, 1, [('region', '泽库县', 3)])
    """
    total = Tally("total", None)
    by_region: dict[str, Tally] = {}
    for row in school_rows(report):
        region = regions.get(row.id) if regions and row.id is not None else None
        school = _school_tally(row, region)
        if region is None:
            total.add(school)
            continue
        if region not in by_region:
            by_region[region] = Tally("region", region, region)
            total.children.append(by_region[region])
        by_region[region].add(school)
    for r in by_region.values():  # listed in the total where its first school was
        total.add(r, child=False)
    return total


def regions_of(records: Any) -> dict[str, str]:
    """The region (county) of each school of ``records``, for the overview: the school's own
    ``attributes.county`` (a roster's 所属区县 column), else its teachers' most common one.

    >>> from ict2rules.input.files import records_from_data
    >>> regions_of(records_from_data({"school": {"id": "S1", "teachers": [
    ...     {"id": "T1", "attributes": {"county": "泽库县"}}]}}))
    {'S1': '泽库县'}
    """
    out: dict[str, str] = {}
    for school in getattr(records, "schools", ()):
        county = (school.attributes or {}).get("county")
        if not isinstance(county, str) or not county.strip():
            named = Counter(c.strip() for t in school.teachers or () if isinstance(c := (t.attributes or {}).get("county"), str) and c.strip())
            county = named.most_common(1)[0][0] if named else None
        if county:
            out[school.id] = printable(county.strip())
    return out


def _measure(row: Tally, rule: Rule, w: dict[str, str]) -> tuple[str, str]:
    """A school's figure for a rate or count rule (from its finding), and its class: the
    status, and a rule that should (not must) be met by its severity. A region's or the
    total's is the rate of their schools' items pooled, where that means something."""
    if row.level != "school":
        share = pooled(rule, [m for s in row.schools_under() if (m := s.measures.get(rule.id)) is not None])
        return ("" if share is None else pct(share)), "n"
    m = row.measures.get(rule.id)
    if m is None or m.would_be is Status.NOT_APPLICABLE:
        return "", "n"
    shown = w["not_filled"] if m.value is None else pct(m.value) if rule.check.kind == "rate" else _int(int(m.value))
    cls = f"n {m.status.value}" + (f" sev-{rule.severity}" if m.status is Status.FAIL and rule.severity != "error" else "")
    return f"{shown} {MARKS[m.status]}", cls


def _cells(row: Tally, w: dict[str, str], excellence: bool, ids: bool, measured: list[Rule] | None = None) -> str:
    own = ""
    if row.level == "school" and row.school_ok is not None:
        own = (f'<span class="pass">{_e(w["met"])}</span>' if row.school_ok else
               f'<span class="pending">{_e(w["waiting"])}</span>' if row.school_waiting else
               f'<span class="fail">{_e(w["not_met"])}</span>')
    elif row.level != "school" and row.schools:
        own = _e(f"{row.schools_ok}/{row.schools} {w['met']}")
    values = {
        "teachers": _int(row.teachers), "passed": _int(row.passed), "pending": _int(row.pending),
        "failed": _int(row.failed), "missing": _int(row.missing), "pass_rate": pct(row.pass_rate),
        "excellent_rate": pct(row.excellent_rate), "school_ok": own,
    }
    out = []
    for col in OVERVIEW_COLS:
        if col == "excellent_rate" and not excellence:
            continue
        cls = "" if col == "school_ok" else ' class="n"'
        ident = f' id="overview-{col}"' if ids else ""
        text = values[col] if col == "school_ok" else _e(values[col])
        out.append(f'<td data-col="{col}"{cls}{ident}>{text}</td>')
    for rule in measured or ():
        text, cls = _measure(row, rule, w)
        col = f"rule-{rule.id}"
        ident = f' id="overview-{_e(col)}"' if ids else ""
        out.append(f'<td data-col="{_e(col)}" class="{cls}"{ident}>{_e(text)}</td>')
    return "".join(out)


def _overview(total: Tally, w: dict[str, str], excellence: bool, measured: list[Rule] | None = None,
              lang: str = "zh") -> list[str]:
    schools = _schools_of(total)
    if not schools:
        return []
    measured = measured or []
    regional = any(c.level == "region" for c in total.children)
    heads = ([w["region"]] if regional else []) + [w["school_id"], w["school_name"]] + [
        w[c] for c in OVERVIEW_COLS if c != "excellent_rate" or excellence]
    ths = "".join(f'<th scope="col">{_e(h)}</th>' for h in heads) + "".join(
        f'<th scope="col" class="measure" title="{_e(r.id)}">{_e(title_of(r, lang))}</th>' for r in measured)
    out = ['<div class="wide"><table class="overview"><thead><tr>' + ths + "</tr></thead><tbody>"]
    lead = f'<th scope="row" colspan="{3 if regional else 2}">{_e(w["total"])}{_e(" · " + w["schools_n"].format(n=len(schools)))}</th>'
    out.append(f'<tr class="total" id="overview-total">{lead}{_cells(total, w, excellence, True, measured)}</tr>')
    for child in total.children:
        rows = [child] if child.level == "school" else [child, *child.children]
        for row in rows:
            if row.level == "region":
                head = (f'<th scope="row">{_e(row.name)}</th>'
                        f'<th colspan="2">{_e(w["schools_n"].format(n=len(row.children)))}</th>')
                out.append(f'<tr class="region" data-region="{_e(row.id)}">{head}{_cells(row, w, excellence, False, measured)}</tr>')
                continue
            sid = row.id or ""
            target = f"school-{sid}" if row.id else "teachers"  # the id of its teachers' <details>
            shown = sid or w["no_school"]
            link = f'<a href="#{_e(target)}">{_e(shown)}</a>' if row.teachers else _e(shown)
            region = f"<td>{_e(row.region or '')}</td>" if regional else ""
            name = _e(row.name or "")
            out.append(f'<tr data-school="{_e(sid)}">{region}<td>{link}</td><td>{name}</td>{_cells(row, w, excellence, False, measured)}</tr>')
    out.append("</tbody></table></div>")
    if measured:
        out.append(f'<p class="note">{_e(w["measures_note"])}</p>')
    return out


def _schools_of(total: Tally) -> list[Tally]:
    return [s for c in total.children for s in ([c] if c.level == "school" else c.children)]


# ------------------------------------------------------------------------------ charts


def _data_table(heads: tuple[str, ...], rows: list[tuple[str, ...]], w: dict[str, str]) -> str:
    """The numbers of a chart as a small table, folded away under the chart."""
    head = "".join(f"<th>{_e(h)}</th>" for h in heads)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f'<details class="data"><summary>{_e(w["as_table"])}</summary><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details>'


def _figure(fid: str, caption: str, svg: str, table: str) -> str:
    return f'<figure id="{fid}"><figcaption>{_e(caption)}</figcaption>{svg}{table}</figure>'


def _label(t: Tally, w: dict[str, str]) -> str:
    if t.name and t.id and t.level == "school":
        return w["name_id"].format(name=t.name, id=t.id)
    return t.name or t.id or w["no_school"]


def _rate_bars(rows: list[Tally], w: dict[str, str]) -> list[Bar]:
    return [Bar(_label(r, w), r.pass_rate or 0.0, w["rate_of"].format(rate=pct(r.pass_rate), n=r.passed, total=r.teachers),
                "ok" if r.pass_rate == 1 else "", key=r.id or "") for r in rows]


def _school_charts(total: Tally, w: dict[str, str]) -> list[str]:
    schools = [s for s in _schools_of(total) if s.teachers]
    if len(schools) < 2:
        return []
    out = []
    regions = [c for c in total.children if c.level == "region" and c.teachers]
    if len(regions) > 1:
        rows = sorted(regions, key=lambda r: (r.pass_rate or 0.0, r.id or ""))
        table = _data_table((w["region"], w["teachers"], w["passed"], w["pass_rate"]),
                            [(_label(r, w), _int(r.teachers), _int(r.passed), pct(r.pass_rate)) for r in rows], w)
        out.append(_figure("fig-regions", w["chart_regions"],
                           hbars("chart-regions", w["chart_regions"], _rate_bars(rows, w)), table))
    ranked = sorted(schools, key=lambda s: (s.pass_rate or 0.0, s.id or ""))
    if len(schools) <= CHART_SCHOOLS:
        title = w["chart_schools"]
        out.append(_figure("fig-schools", title, hbars("chart-schools", title, _rate_bars(ranked, w)), ""))
        return out
    # many schools: how they spread over pass-rate bands, then the lowest ones by name
    edges = [i / 10 for i in range(11)]
    counts = [0] * 11  # ten bins of 10 points, and exactly 100 %
    for s in schools:
        rate = s.pass_rate or 0.0
        counts[10 if rate >= 1 else min(int(rate * 10), 9)] += 1
    labels = [w["bin"].format(a=f"{edges[i] * 100:.0f}%", b=f"{edges[i + 1] * 100:.0f}%") for i in range(10)] + ["100%"]
    top = max(counts) or 1
    bars = [Bar(label, n / top, _int(n), "ok" if i == 10 else "", tip=f"{label}:{w['schools_n'].format(n=n)}")
            for i, (label, n) in enumerate(zip(labels, counts, strict=True))]
    table = _data_table((w["pass_rate"], w["schools_n"].format(n="")), list(zip(labels, map(_int, counts), strict=True)), w)
    out.append(_figure("fig-school-spread", w["chart_spread"], columns("chart-school-spread", w["chart_spread"], bars), table))
    title = w["chart_lowest"].format(n=CHART_SCHOOLS, total=len(schools))
    out.append(_figure("fig-schools", title, hbars("chart-schools", title, _rate_bars(ranked[:CHART_SCHOOLS], w)), ""))
    return out


def _rules_chart(view: View, teachers: int, w: dict[str, str], lang: str) -> list[str]:
    """The share of teachers not meeting (failing, or lacking the data of) each requirement."""
    counts, rules = view.not_met, view.rules
    if not teachers or not counts:
        return []
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    bars, rows = [], []
    for rid, n in ranked:
        rule = rules[rid]
        share = n / teachers
        text = w["share_of"].format(share=pct(share), n=_int(n))
        title = title_of(rule, lang)
        bars.append(Bar(title, share, text, f"sev-{rule.severity}", tip=f"{rid} {title}:{text}", key=rid))
        rows.append((rid, title, pct(share), _int(n)))
    caption = w["chart_rules"].format(n=_int(teachers))
    table = _data_table(("id", w["rule"], w["share"], w["count"]), rows, w)
    return [_figure("fig-rules", caption, hbars("chart-rules", caption, bars, label_px=320), table)]


def _hours_rule(report: Report) -> tuple[Any, float | None, bool]:
    """The teacher rule on total hours (a threshold on ``hours.total``), its bound, and whether
    the bound is exclusive; (None, None, False) when the ruleset has none."""
    for rule in report.ruleset.rules:
        args = getattr(rule.check, "args", None)
        if rule.level == "teacher" and rule.check.kind == "threshold" and getattr(args, "value", None) == "hours.total":
            bound = args.min  # type: ignore[union-attr]
            if isinstance(bound, str) and bound.startswith("$"):
                bound = report.ruleset.parameters[bound[1:]].value
            return rule, (float(bound) if isinstance(bound, (int, float)) else None), bool(args.min_exclusive)  # type: ignore[union-attr]
    return None, None, False


def _num_text(x: float) -> str:
    return f"{x:g}"


def _hours_chart(report: Report, view: View, w: dict[str, str], lang: str) -> list[str]:
    """Teachers by total hours: five bins below the required total, one at or above it, and
    the teachers whose hours are not filled in."""
    rule, bound, exclusive = _hours_rule(report)
    values = view.hours
    if rule is None or not bound or bound <= 0 or not values:
        return []
    step = bound / 5
    edges = [step * i for i in range(6)]
    counts = [0] * 7  # five bins below the bound, the bound and above, not filled in
    for v in values:
        if v is None:
            counts[6] += 1
        elif v > bound or (v == bound and not exclusive):
            counts[5] += 1
        else:
            counts[min(max(int(v // step), 0), 4)] += 1
    labels = [w["rate_lt"].format(v=_num_text(edges[1]))] + [
        w["bin"].format(a=_num_text(edges[i]), b=_num_text(edges[i + 1])) for i in range(1, 5)
    ] + [(w["rate_gt"] if exclusive else w["rate_ge"]).format(v=_num_text(bound)), w["not_filled"]]
    if exclusive:  # the bound itself does not meet it: the last bin below holds it
        labels[4] = f"{_num_text(edges[4])}–{_num_text(bound)}"
    keep = [i for i in range(7) if i < 6 or counts[6]]
    top = max(counts) or 1
    bars = [Bar(labels[i], counts[i] / top, _int(counts[i]), "ok" if i == 5 else "missing" if i == 6 else "low",
                tip=f"{labels[i]}:{w['people'].format(n=counts[i])}") for i in keep]
    caption = w["chart_hours"].format(title=title_of(rule, lang))
    teachers = view.summary["teachers"]["checked"]
    if len(values) < teachers:  # --status kept only some findings: say whom the chart counts
        caption += w["of_teachers"].format(k=_int(len(values)), n=_int(teachers))
    table = _data_table((w["range"], w["count"]), [(labels[i], _int(counts[i])) for i in keep], w)
    return [_figure("fig-hours", caption, columns("chart-hours", caption, bars), table)]


def _bands_chart(report: Report, teachers: int, w: dict[str, str], lang: str) -> list[str]:
    """Teachers by each graded band the ruleset derives (优秀 / 合格 / 不合格), and those with none."""
    out = []
    excellent = _excellent_ids(report)
    for cd in report.ruleset.plan.derived.get("teacher", ()):
        d = cd.derived
        if d.compute.kind != "band":
            continue
        bands = d.compute.args.bands
        labels = {b.label for b in bands}
        counts = Counter(v.value for v in report.values
                         if v.subject.level == "teacher" and v.id == d.id and v.value in labels)
        graded = sum(counts.values())
        if not graded:
            continue
        names = [getattr(b, lang, None) or b.label for b in bands]
        ns = [counts.get(b.label, 0) for b in bands]
        classes = ["ok" if b.label in excellent.get(d.id, ()) else "" if b.passing else "low" for b in bands]
        if teachers > graded:  # no score, so no band: said, not hidden
            names.append(w["not_filled"])
            ns.append(teachers - graded)
            classes.append("missing")
        top = max(ns) or 1
        bars = [Bar(name, n / top, _int(n), cls, tip=f"{name}:{w['people'].format(n=n)}", key=label)
                for name, n, cls, label in zip(names, ns, classes, [b.label for b in bands] + ["none"], strict=False)]
        title = printable(getattr(d.title, lang))
        caption = w["chart_bands"].format(title=title)
        table = _data_table((w["band"], w["count"]), list(zip(names, map(_int, ns), strict=True)), w)
        out.append(_figure(f"fig-band-{_e(d.id)}", caption, columns(f"chart-band-{_e(d.id)}", caption, bars), table))
    return out


def _charts(report: Report, view: View, total: Tally, w: dict[str, str], lang: str) -> list[str]:
    teachers = view.summary["teachers"]["checked"]
    figures = (_school_charts(total, w) + _rules_chart(view, teachers, w, lang)
               + _hours_chart(report, view, w, lang) + _bands_chart(report, teachers, w, lang))
    return _section("charts", w["charts"], ['<div class="figures">', *figures, "</div>"]) if figures else []


# ------------------------------------------------------------------------------ schools


def _mark(status: Status) -> str:
    return f'<td class="m {status.value}">{MARKS[status]}</td>'


def _verdict_cell(row: TeacherRow, t: dict[str, str]) -> str:
    verdict = "pending" if row.waiting and not row.passed else row.verdict
    css = {"passed": "pass", "pending": "pending", "failed": "fail", "missing": "missing_data"}[verdict]
    return f'<td class="{css}">{_e(t[verdict])}</td>'


def _details_open(sid: str, head: str, counts: str, school: str | None, open_: bool) -> str:
    attrs = f' data-school="{_e(school or "")}"' + (" open" if open_ else "")
    return f'<details class="school" id="{_e(sid)}"{attrs}><summary>{_e(head)} · {_e(counts)}</summary>'


def _group(group: TeacherGroup, report: Report, t: dict[str, str], lang: str, open_: bool) -> list[str]:
    """A school's teachers × the rules some teacher does not meet (a small report: everyone)."""
    head = f"{t['school_h']} {group.school}" if group.school else t["no_school"]
    if group.name:
        head += f" {group.name}"
    counts = t["teachers_of"].format(checked=group.checked, passed=group.passed)
    sid = f"school-{group.school}" if group.school else "teachers"
    out = [_details_open(sid, head, counts, group.school, open_)]
    if not group.columns:
        return [*out, f'<p class="pass">{_e(t["all_met"].format(n=group.checked))}</p></details>']
    rules = [report.ruleset.rule(rid) for rid in group.columns]
    header = "".join(f'<th title="{_e(r.id)} {_e(title_of(r, lang))}">{n}</th>' for n, r in enumerate(rules, 1))
    out.append(f'<table class="teachers"><thead><tr><th>{_e(t["teacher"])}</th>{header}<th>{_e(t["verdict"])}</th></tr></thead><tbody>')
    for row in group.rows:
        ref = row.subject
        who = f"{ref.name}({ref.id})" if ref.name else ref.id
        marks = "".join(_mark(row.statuses.get(rid, Status.NOT_APPLICABLE)) for rid in group.columns)
        out.append(f'<tr data-teacher="{_e(ref.id)}"><td>{_e(who)}</td>{marks}{_verdict_cell(row, t)}</tr>')
    out.append("</tbody></table><ol class=\"legend\">")
    out += [f"<li><code>{_e(r.id)}</code> {_e(title_of(r, lang))}</li>" for r in rules]
    return [*out, f"</ol><p class=\"note\">{_e(t['legend'])}</p></details>"]


_OPEN_ORDER = (Status.FAIL, Status.MISSING_DATA, Status.PENDING)


def _large_group(row: Tally, teachers: list[TeacherRow], report: Report, t: dict[str, str],
                 w: dict[str, str], lang: str) -> list[str]:
    """A school of a large report: only the teachers who have not passed, each with the
    numbers of what is open for them by status, the numbers' rules listed below (a matrix of
    every rule would be 20 cells a teacher; the titles in full, 300 bytes)."""
    head = f"{t['school_h']} {row.id}" if row.id else t["no_school"]
    if row.name:
        head += f" {row.name}"
    counts = t["teachers_of"].format(checked=row.teachers, passed=row.passed)
    out = [_details_open(f"school-{row.id}" if row.id else "teachers", head, counts, row.id, False)]
    if not teachers:
        return [*out, f'<p class="pass">{_e(w["school_all_passed"].format(n=row.teachers))}</p></details>']
    rank = {r.id: i for i, r in enumerate(report.ruleset.rules)}
    used = sorted({rid for tr in teachers for rid in tr.statuses}, key=lambda rid: rank.get(rid, 10_000))
    number = {rid: n for n, rid in enumerate(used, 1)}
    heads = (t["teacher"], t["verdict"], *(f"{MARKS[s]} {t[s.value]}" for s in _OPEN_ORDER))
    out.append('<table class="teachers open"><thead><tr>' + "".join(f"<th>{_e(h)}</th>" for h in heads) + "</tr></thead><tbody>")
    for tr in teachers:
        ref = tr.subject
        who = f"{ref.name}({ref.id})" if ref.name else ref.id
        cells = []
        for status in _OPEN_ORDER:
            items = sorted(number[rid] for rid, st in tr.statuses.items() if st is status)
            cells.append(f'<td class="{status.value}">{w["sep"].join(map(str, items))}</td>' if items else "<td></td>")
        out.append(f'<tr data-teacher="{_e(ref.id)}"><td>{_e(who)}</td>{_verdict_cell(tr, t)}{"".join(cells)}</tr>')
    out.append('</tbody></table><ol class="legend">')
    out += [f"<li><code>{_e(rid)}</code> {_e(title_of(report.ruleset.rule(rid), lang))}</li>" for rid in used]
    return [*out, "</ol></details>"]


def _large_rows(report: Report, view: View) -> dict[str | None, list[TeacherRow]]:
    """The teachers of a large report who have not passed, by school, in checking order."""
    verdicts = {key: ok for level, key, ok in report.subjects if level == "teacher"}
    out: dict[str | None, list[TeacherRow]] = {}
    for (school, tid), fs in view.open_.items():
        ok = verdicts.get(f"{school}/{tid}" if school else tid, False)
        if ok:
            continue
        statuses = {f.rule_id: f.status for f in fs}
        out.setdefault(school, []).append(TeacherRow(fs[0].subject, statuses, ok, {f.rule_id: f.compiled.is_error for f in fs}))
    return out


def _schools(report: Report, view: View, total: Tally, t: dict[str, str], w: dict[str, str], lang: str) -> list[str]:
    body: list[str] = []
    if not view.large:
        groups = teacher_groups(report)
        for group in groups:
            body += _group(group, report, t, lang, open_=len(groups) == 1)
        return _section("schools", w["schools_h"], body) if body else []
    ts = view.summary["teachers"]
    note = w["only_to_fix"].format(n=_int(ts["checked"]), k=_int(ts["checked"] - ts["passed"]), m=_int(ts["passed"]))
    body.append(f'<p class="note" id="large-note">{_e(note)}</p>')
    rows = _large_rows(report, view)
    for school in _schools_of(total):
        if school.teachers:
            body += _large_group(school, rows.get(school.id, []), report, t, w, lang)
    return _section("schools", w["schools_h"], body)


# ------------------------------------------------------------------------------ rules not met


def _finding_row(f: Finding, lang: str) -> str:
    o = f.outcome
    cells = (f.subject.label(), message(f, lang), show_value(f, o.expected, lang), show_value(f, o.actual, lang))
    return f'<tr data-status="{f.status.value}">' + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>"


def _failures(report: Report, view: View, t: dict[str, str], w: dict[str, str], lang: str) -> list[str]:
    problems = by_rule(view.failures)
    if not problems:
        return []
    out = [f'<section id="failures"><h2>{_e(t["fix"])}</h2>']
    for n, (rule, fs) in enumerate(problems, 1):
        total = view.failures_n[rule.id]
        out.append(f'<article class="rule" id="rule-{_e(rule.id)}">')
        out.append(f'<h3>{n}. <code>{_e(rule.id)}</code> {_e(title_of(rule, lang))} '
                   f'<span class="sev-{rule.severity}">({_e(t[rule.severity])})</span> · {_e(t["subjects_n"].format(n=_int(total)))}</h3>')
        out.append(f"<blockquote><p>{_e(rule.source.quote)}</p><footer>— {_e(cite_line(rule, report))}</footer></blockquote>")
        if rule.note:
            out.append(f'<p class="note">{_e(t["note"])}:{_e(rule.note)}</p>')
        heads = "".join(f"<th>{_e(t[k])}</th>" for k in ("subject", "message", "expected", "actual"))
        fold = view.large and len(fs) > FOLD_OVER  # a long list is opened on demand
        if fold:
            out.append(f'<details class="subjects"><summary>{_e(w["show_list"].format(n=_int(len(fs))))}</summary>')
        out.append(f"<table><thead><tr>{heads}</tr></thead><tbody>")
        out += [_finding_row(f, lang) for f in fs]
        out.append("</tbody></table>" + ("</details>" if fold else ""))
        if len(fs) < total:  # a large report: the first teachers (each school's table has them all)
            out.append(f'<p class="note more">{_e(w["more_listed"].format(n=_int(total - len(fs))))}</p>')
        out.append("</article>")
    return [*out, "</section>"]


def _pending(report: Report, view: View, t: dict[str, str], w: dict[str, str], lang: str) -> list[str]:
    if not view.pending:
        return []
    out = [f'<section id="pending"><h2>{_e(t["pending_h"])}</h2><ul>']
    for rule, fs in by_rule(view.pending):
        total = view.pending_n[rule.id]
        who = ", ".join(f.subject.label() for f in fs)
        if len(fs) < total:
            who += f" {w['more_names'].format(n=_int(total))}"
        note = pending_note(fs, t) if len(fs) == total else ""  # "would fail" of those listed only
        extra = f' <span class="fail">{_e(note)}</span>' if note else ""
        out.append(f"<li><code>{_e(rule.id)}</code> {_e(title_of(rule, lang))} — {_e(t['due'])} {_e(due_of(fs[0], lang))} — {_e(who)}{extra}</li>")
    return [*out, "</ul></section>"]


def _input_problems(report: Report, lang: str) -> list[str]:
    """The inputs' problems (rows left out, not joined …), right after the summary."""
    from .problems import html_section

    section = html_section(report, lang)
    return [section] if section else []


# ------------------------------------------------------------------------------ the page


def _toc(parts: dict[str, str]) -> str:
    return '<nav class="toc">' + "".join(f'<a href="#{k}">{_e(v)}</a>' for k, v in parts.items()) + "</nav>"


@writer("html")
def write_html(report: Report, stream: IO[str], *, lang: str = "zh", full_up_to: int = FULL_UP_TO,
               regions: Mapping[str, str] | None = None, **_: Any) -> None:
    """Write the report as one self-contained HTML page.

    ``full_up_to``: with more teachers than this, each school lists only the teachers who
    have not passed (the page stays small enough to open); ``regions`` maps school ids to the
    region (county) they belong to, which groups the overview.

    >>> import io
    >>> from ict2rules import evaluate
    >>> out = io.StringIO()
    >>> write_html(evaluate("zeku_2023", {"teacher": {"id": "T1"}}, as_of="2023-10-01"), out)
    >>> '<span id="teachers-checked">1</span>' in out.getvalue()
    True
    """
    t = LABELS[lang]
    w = WORDS[lang]
    title = f"{t['title']} · {getattr(report.ruleset.title, lang)}"
    hours_rule = _hours_rule(report)[0]
    teachers = sum(1 for level, _, _ in report.subjects if level == "teacher")
    view = _view(report, teachers > full_up_to, hours_rule.id if hours_rule is not None else None)
    total = overview(report, regions)
    excellence = bool(_excellent_ids(report))
    sections = {
        "overview": _section("overview", w["overview"], _overview(total, w, excellence, measured_rules(report), lang))
        if _schools_of(total) else [],
        "charts": _charts(report, view, total, w, lang),
        "schools": _schools(report, view, total, t, w, lang),
        "failures": _failures(report, view, t, w, lang),
        "pending": _pending(report, view, t, w, lang),
    }
    names = {"summary": t["summary"], "overview": w["overview"], "charts": w["charts"],
             "schools": w["schools_h"], "failures": t["fix"], "pending": t["pending_h"]}
    toc = _toc({k: v for k, v in names.items() if k == "summary" or sections[k]})
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<meta name=\"generator\" content=\"ict2rules {_e(__version__)}\">",
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        toc,
        *_summary(report, view.summary, t, lang),
        *_input_problems(report, lang),
    ]
    for part in sections.values():
        parts += part
    parts.append(f'<footer class="page">{_e(t["generated"])} {_e(__version__)} · '
                 f'{_e(report.ruleset.id)} · {_e(report.as_of.isoformat())}</footer></body></html>')
    stream.write("\n".join(parts) + "\n")
