"""``--format html``: one self-contained page to send to the bureau.

Inline CSS only — no scripts, fonts, images or links to fetch — so the file opens the same way
from an e-mail attachment on an offline office computer, and prints on A4. Sections: the
summary (each number in an element with a stable ``id`` so other tools can read it back, see
:data:`SUMMARY_IDS`), a table per school of every teacher × the rules some teacher does not
meet, then each rule not met with its clause as a ``<blockquote>`` and every subject that
misses it, then the work not yet due.
"""

from __future__ import annotations

from html import escape
from typing import IO, Any

from .. import __version__
from ..errors import printable
from ..evaluator import Finding
from ..kinds.base import Status
from ..report import Report, message, show
from . import writer
from .text import (
    LABELS,
    MARKS,
    TeacherGroup,
    by_rule,
    cite_line,
    document_line,
    due_of,
    pct,
    pending_note,
    rate_summaries,
    show_value,
    teacher_groups,
    title_of,
)

#: The ids of the summary numbers; their text is the plain number (pass rate: "66.7%").
SUMMARY_IDS = (
    "teachers-checked", "teachers-passed", "teachers-failed", "teachers-pending", "pass-rate",
    "schools-checked", "schools-passed", "errors", "warnings", "verdict",
    "findings-pass", "findings-fail", "findings-not_applicable", "findings-missing_data", "findings-pending",
)

CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em auto;
max-width:60em;padding:0 1em;color:#222;line-height:1.5}
h1{font-size:1.5em;border-bottom:2px solid #333;padding-bottom:.3em}
h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
h3{font-size:1.05em;margin-bottom:.3em}
table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid #bbb;padding:.2em .5em;vertical-align:top}
th{background:#f0f0f0}
td.m{text-align:center}
.pass{color:#1a7f37}.fail{color:#c62828;font-weight:bold}.missing_data{color:#8e24aa}
.pending{color:#0277bd}.not_applicable{color:#999}
.verdict-ok{color:#1a7f37;font-weight:bold}.verdict-bad{color:#c62828;font-weight:bold}
.sev-error{color:#c62828}.sev-warning{color:#b26a00}.sev-info{color:#0277bd}
blockquote{margin:.5em 0;padding:.3em 1em;border-left:4px solid #999;background:#fafafa}
blockquote footer{color:#555;font-size:.9em}
.note{color:#555;font-size:.95em}
code{font-size:.9em}
footer.page{margin-top:3em;color:#777;font-size:.85em}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}}
"""


def _e(value: object) -> str:
    # a bidi override or a control character would make the page read otherwise than stored
    return escape(printable(str(value)), quote=True)


def _num(id_: str, value: object, cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<span id="{id_}"{klass}>{_e(value)}</span>'


def _summary(report: Report, t: dict[str, str], lang: str) -> list[str]:
    s = report.summary()
    ts = s["teachers"]
    rows = [
        (t["document"], _e(document_line(report))),
        (t["as_of"], _e(report.as_of.isoformat())),
        (t["teachers"], f"{t['checked']} {_num('teachers-checked', ts['checked'])} · "
                        f"{t['passed']} {_num('teachers-passed', ts['passed'])} · "
                        f"{t['failed']} {_num('teachers-failed', ts['failed'])} · "
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
        rows.append((_e(title_of(rs.rule, lang)), f"{_num(rid, pct(rs.share))}{_e(t['lp'])}{_e(t['expected'])} {_e(show(rs.expected))}{_e(t['rp'])}{off}"))
    counts = " · ".join(f'<span class="{k}">{_e(t[k])} {_num("findings-" + k, v)}</span>' for k, v in s["findings"].items())
    rows.append((t["findings"], counts))
    if report.skipped_rows:
        rows.append((t["skipped"], _e(report.skipped_rows)))
    ok = report.passed
    verdict = _num("verdict", t["verdict_ok"] if ok else t["verdict_bad"], "verdict-ok" if ok else "verdict-bad")
    rows.append((t["verdict"], f"{verdict}{_e(t['lp'])}{_e(t['error'])} {_num('errors', s['errors'])} · "
                               f"{_e(t['warning'])} {_num('warnings', s['warnings'])}{_e(t['rp'])}"))
    body = "\n".join(f"<tr><th scope=\"row\">{label}</th><td>{value}</td></tr>" for label, value in rows)
    return [f'<section id="summary"><h2>{_e(t["summary"])}</h2>', f'<table class="summary">\n{body}\n</table></section>']


def _mark(status: Status) -> str:
    return f'<td class="m {status.value}">{MARKS[status]}</td>'


def _group(group: TeacherGroup, report: Report, t: dict[str, str], lang: str) -> list[str]:
    head = f"{t['school_h']} {group.school}" if group.school else t["no_school"]
    if group.name:
        head += f" {group.name}"
    sid = f"school-{group.school}" if group.school else "teachers"
    out = [f'<section class="school" id="{_e(sid)}"><h2>{_e(head)}</h2>',
           f"<p>{_e(t['teachers_of'].format(checked=group.checked, passed=group.passed))}</p>"]
    if not group.columns:
        return [*out, f'<p class="pass">{_e(t["all_met"].format(n=group.checked))}</p></section>']
    rules = [report.ruleset.rule(rid) for rid in group.columns]
    header = "".join(f'<th title="{_e(r.id)} {_e(title_of(r, lang))}">{n}</th>' for n, r in enumerate(rules, 1))
    out.append(f'<table class="teachers"><thead><tr><th>{_e(t["teacher"])}</th>{header}<th>{_e(t["verdict"])}</th></tr></thead><tbody>')
    for row in group.rows:
        ref = row.subject
        who = f"{ref.name}({ref.id})" if ref.name else ref.id
        marks = "".join(_mark(row.statuses.get(rid, Status.NOT_APPLICABLE)) for rid in group.columns)
        verdict = f'<td class="pass">{_e(t["passed"])}</td>' if row.passed else f'<td class="fail">{_e(t["failed"])}</td>'
        out.append(f'<tr data-teacher="{_e(ref.id)}"><td>{_e(who)}</td>{marks}{verdict}</tr>')
    out.append("</tbody></table><ol class=\"legend\">")
    out += [f"<li><code>{_e(r.id)}</code> {_e(title_of(r, lang))}</li>" for r in rules]
    return [*out, f"</ol><p class=\"note\">{_e(t['legend'])}</p></section>"]


def _finding_row(f: Finding, lang: str) -> str:
    o = f.outcome
    cells = (f.subject.label(), message(f, lang), show_value(f, o.expected), show_value(f, o.actual))
    return f'<tr data-status="{f.status.value}">' + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>"


def _failures(report: Report, t: dict[str, str], lang: str) -> list[str]:
    problems = by_rule(report.failures())
    if not problems:
        return []
    out = [f'<section id="failures"><h2>{_e(t["fix"])}</h2>']
    for n, (rule, fs) in enumerate(problems, 1):
        out.append(f'<article class="rule" id="rule-{_e(rule.id)}">')
        out.append(f'<h3>{n}. <code>{_e(rule.id)}</code> {_e(title_of(rule, lang))} '
                   f'<span class="sev-{rule.severity}">({_e(t[rule.severity])})</span></h3>')
        out.append(f"<blockquote><p>{_e(rule.source.quote)}</p><footer>— {_e(cite_line(rule, report))}</footer></blockquote>")
        if rule.note:
            out.append(f'<p class="note">{_e(t["note"])}:{_e(rule.note)}</p>')
        heads = "".join(f"<th>{_e(t[k])}</th>" for k in ("subject", "message", "expected", "actual"))
        out.append(f"<table><thead><tr>{heads}</tr></thead><tbody>")
        out += [_finding_row(f, lang) for f in fs]
        out.append("</tbody></table></article>")
    return [*out, "</section>"]


def _pending(report: Report, t: dict[str, str], lang: str) -> list[str]:
    pending = [f for f in report.findings if f.status is Status.PENDING]
    if not pending:
        return []
    out = [f'<section id="pending"><h2>{_e(t["pending_h"])}</h2><ul>']
    for rule, fs in by_rule(pending):
        who = ", ".join(f.subject.label() for f in fs)
        note = pending_note(fs, t)
        extra = f' <span class="fail">{_e(note)}</span>' if note else ""
        out.append(f"<li><code>{_e(rule.id)}</code> {_e(title_of(rule, lang))} — {_e(t['due'])} {_e(due_of(fs[0]))} — {_e(who)}{extra}</li>")
    return [*out, "</ul></section>"]


def _input_problems(report: Report, lang: str) -> list[str]:
    """The inputs' problems (rows left out, not joined …), right after the summary."""
    from .problems import html_section

    section = html_section(report, lang)
    return [section] if section else []


@writer("html")
def write_html(report: Report, stream: IO[str], *, lang: str = "zh", **_: Any) -> None:
    """Write the report as one self-contained HTML page.

    >>> import io
    >>> from ict2rules import evaluate
    >>> out = io.StringIO()
    >>> write_html(evaluate("zeku_2023", {"teacher": {"id": "T1"}}, as_of="2023-10-01"), out)
    >>> '<span id="teachers-checked">1</span>' in out.getvalue()
    True
    """
    t = LABELS[lang]
    title = f"{t['title']} · {getattr(report.ruleset.title, lang)}"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<meta name=\"generator\" content=\"ict2rules {_e(__version__)}\">",
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        *_summary(report, t, lang),
        *_input_problems(report, lang),
    ]
    for group in teacher_groups(report):
        parts += _group(group, report, t, lang)
    parts += _failures(report, t, lang) + _pending(report, t, lang)
    parts.append(f'<footer class="page">{_e(t["generated"])} {_e(__version__)} · '
                 f'{_e(report.ruleset.id)} · {_e(report.as_of.isoformat())}</footer></body></html>')
    stream.write("\n".join(parts) + "\n")
