"""The one HTML page of ``ict2rules serve``: the form, and under it the result or the input
errors. Every value from a record or a file name is escaped here; the page has no inline
script or style (the Content-Security-Policy forbids both), its charts are SVG drawn from
attributes only.

>>> "<form" in page("zh", csrf="t", rulesets=[("zeku_2023", "泽库县", "county")])
True
"""

from __future__ import annotations

import datetime as dt
import functools
from html import escape
from importlib import resources
from pathlib import Path
from string import Template
from urllib.parse import quote

from .. import __version__
from ..errors import Problem
from ..kinds.base import Status
from ..render.text import (
    LABELS,
    by_rule,
    cite_line,
    document_line,
    expected_actual,
    fix_order,
    pct,
    teacher_groups,
    title_of,
)
from ..report.findings import Finding
from ..report.report import Report, message

TEXT = {
    "zh": {
        "title": "能力提升工程2.0 方案与记录检查",
        "lead": "选择依据文件,上传学校方案(YAML/JSON)和平台导出的教师名册(XLSX/CSV),查看需要修改的地方。文件只用于本次检查,检查完即删除。",
        "step_document": "1. 依据文件",
        "label_ruleset": "内置规则集",
        "label_ruleset_file": "或上传规则集文件(上传后以它为准)",
        "step_date": "2. 检查日期",
        "label_as_of": "按此日期判断是否到期",
        "hint_as_of": "留空为今天。未到期的事项记为“尚未到期”,不算不合格。",
        "step_files": "3. 记录文件",
        "label_files": "选择文件(可多选)",
        "hint_files": "可把文件拖到这里。学校方案 .yaml/.json,名册 .xlsx/.csv/.jsonl。",
        "submit": "检查",
        "switch": "English",
        "levels": {"national": "国家", "province": "省级", "city": "市级", "county": "县级", "school": "校级", "project": "项目"},
        "errors_h": "输入有误,未进行检查",
        "errors_tip": "请按提示改正文件后重新上传。",
        "downloads": "下载报告",
        "xlsx_missing": "Excel 下载暂不可用:此安装没有 xlsx 写出器。",
        "schools_h": "各校概况",
        "school": "学校",
        "school_verdict": "学校要求",
        "teachers_bar": "教师合格情况",
        "rules_h": "未满足最多的要求",
        "fixes_h": "需要修改的地方",
        "school_fixes": "学校层面",
        "teacher_fixes": "教师",
        "files_checked": "检查的文件",
        "items": "{n} 项",
        "errors_n": "错误 {n}",
        "nothing_to_fix": "没有需要修改的地方。",
        "subjects": "{n} 个对象",
        "pending_h": "尚未到期的事项",
        "expired": "该报告已过期(只保留 {m} 分钟),请重新检查。",
        "footer": "ict2rules {v} · 上传的文件不保存;结果只在内存中保留 {m} 分钟以便下载。",
        "templates": "还没有方案?下载空白模板",
        "templates_hint": "学校方案(YAML,每项都有中文注释)和教师名册(Excel,含能力点表、下拉选项和说明)。填好后在上面选择文件检查。",
        "template_plan": "学校方案 YAML",
        "template_roster": "教师名册 Excel",
        "none": "无",
    },
    "en": {
        "title": "ICT 2.0 plan and record check",
        "lead": "Choose the document, upload the school's plan (YAML/JSON) and the roster exported from the platform (XLSX/CSV), and see what to fix. Files are used for this check only and deleted right after.",
        "step_document": "1. Document",
        "label_ruleset": "Bundled ruleset",
        "label_ruleset_file": "or upload a ruleset file (it is used when given)",
        "step_date": "2. As-of date",
        "label_as_of": "Decide what is due as of",
        "hint_as_of": "Empty: today. Work not yet due is shown as not yet due, not as failed.",
        "step_files": "3. Record files",
        "label_files": "Choose files (several at once)",
        "hint_files": "Or drop files here. School plan .yaml/.json, roster .xlsx/.csv/.jsonl.",
        "submit": "Check",
        "switch": "中文",
        "levels": {"national": "national", "province": "province", "city": "city", "county": "county", "school": "school", "project": "project"},
        "errors_h": "The input has problems; nothing was checked",
        "errors_tip": "Correct the files as told and upload them again.",
        "downloads": "Download the report",
        "xlsx_missing": "Excel download unavailable: this installation has no xlsx writer.",
        "schools_h": "Schools at a glance",
        "school": "School",
        "school_verdict": "School rules",
        "teachers_bar": "Teachers",
        "rules_h": "Rules missed most",
        "fixes_h": "What to fix",
        "school_fixes": "The school",
        "teacher_fixes": "Teachers",
        "files_checked": "Files checked",
        "items": "{n} items",
        "errors_n": "{n} errors",
        "nothing_to_fix": "Nothing to fix.",
        "subjects": "{n} subjects",
        "pending_h": "Not yet due",
        "expired": "This report has expired (kept {m} minutes only): check again.",
        "footer": "ict2rules {v} · uploaded files are not kept; a result stays in memory for {m} minutes for its downloads.",
        "templates": "No plan yet? Download a blank template",
        "templates_hint": "The school plan (YAML, every field commented) and the teacher roster (Excel, with a points sheet, drop-down lists and instructions). Fill them in, then choose them above.",
        "template_plan": "School plan (YAML)",
        "template_roster": "Teacher roster (Excel)",
        "none": "none",
    },
}
DOWNLOADS = (("html", "HTML"), ("json", "JSON"), ("xlsx", "Excel (xlsx)"))
KEEP_MINUTES = 15


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def count(t: dict[str, object], key: str, n: int) -> str:
    """'3 项' / '3 items', and '1 item' in English.

    >>> count(TEXT["en"], "items", 1), count(TEXT["en"], "subjects", 2), count(TEXT["zh"], "items", 1)
    ('1 item', '2 subjects', '1 项')
    """
    text = str(t[key]).format(n=n)
    return text.replace("items", "item").replace("subjects", "subject").replace("errors", "error") if n == 1 else text


@functools.lru_cache(maxsize=1)
def _template() -> Template:
    return Template(resources.files(__package__).joinpath("templates/page.html").read_text("utf-8"))


def lang_of(value: str | None) -> str:
    """'en' when asked for, else Chinese.

    >>> lang_of("en"), lang_of("fr"), lang_of(None)
    ('en', 'zh', 'zh')
    """
    return "en" if value == "en" else "zh"


def page(
    lang: str,
    *,
    csrf: str,
    rulesets: list[tuple[str, str | dict[str, str], str]],
    chosen: str | None = None,
    as_of: str = "",
    result: str = "",
    root: str = "",
) -> str:
    """The whole page; ``rulesets`` are (id, title or {lang: title}, level), ``result`` a section made by
    :func:`result_section` or :func:`errors_section`."""
    t = TEXT[lang]
    other = "en" if lang == "zh" else "zh"
    options = "\n".join(
        f'      <option value="{_e(rid)}"{" selected" if rid == chosen else ""}>'
        f"{_e(title_in(title, lang))}({_e(t['levels'].get(level, level))} · {_e(rid)})</option>"
        for rid, title, level in rulesets
    )
    return _template().substitute(
        templates=templates_section(lang, rulesets, root),
        html_lang="zh-CN" if lang == "zh" else "en",
        version=_e(__version__),
        title=_e(t["title"]),
        root=_e(root),
        lang=lang,
        lang_switch=f'<a href="{_e(root)}/?lang={other}" hreflang="{other}" lang="{other}">{_e(t["switch"])}</a>',
        lead=_e(t["lead"]),
        csrf=_e(csrf),
        ruleset_options=options,
        as_of=_e(as_of),
        result=result,
        footer=_e(t["footer"].format(v=__version__, m=KEEP_MINUTES)),
        **{k: _e(t[k]) for k in (
            "step_document", "label_ruleset", "label_ruleset_file", "step_date", "label_as_of",
            "hint_as_of", "step_files", "label_files", "hint_files", "submit",
        )},
    )


def templates_section(lang: str, rulesets: list[tuple[str, str | dict[str, str], str]], root: str = "") -> str:
    """Links to each ruleset's blank plan and roster (``ict2rules template``), folded.

    >>> "/template/zeku_2023/xlsx" in templates_section("zh", [("zeku_2023", "泽库", "county")])
    True
    """
    t = TEXT[lang]
    rows = "\n".join(
        f'<li>{_e(title_in(title, lang))}({_e(rid)}):'
        f'<a class="template" href="{_e(root)}/template/{_e(rid)}/yaml" download>{_e(t["template_plan"])}</a> · '
        f'<a class="template" href="{_e(root)}/template/{_e(rid)}/xlsx" download>{_e(t["template_roster"])}</a></li>'
        for rid, title, _level in rulesets
    )
    return (f'<details id="templates" class="templates"><summary>{_e(t["templates"])}</summary>'
            f'<p class="hint">{_e(t["templates_hint"])}</p><ul>{rows}</ul></details>')


def errors_section(lang: str, problems: list[Problem]) -> str:
    """The input errors, each exactly as ``ict2rules check`` prints it (``str(problem)``)."""
    t = TEXT[lang]
    items = "\n".join(f"<li><code>{_e(p)}</code></li>" for p in problems)
    return (f'<section id="errors" class="errors" role="alert"><h2>{_e(t["errors_h"])}</h2>'
            f'<ul class="problems">\n{items}\n</ul><p>{_e(t["errors_tip"])}</p></section>')


def notice_section(text: str) -> str:
    """A one-line refusal (CSRF, limits) in the place of the result."""
    return f'<section id="errors" class="errors" role="alert"><p>{_e(text)}</p></section>'


def _bar(parts: list[tuple[str, int]], total: int, width: int = 240, label: str = "") -> str:
    """A stacked horizontal bar: each (css class, count) a rectangle, scaled to ``total``."""
    x = 0.0
    rects = []
    for cls, n in parts:
        if n <= 0 or total <= 0:
            continue
        w = width * n / total
        rects.append(f'<rect class="{cls}" x="{x:.1f}" y="0" width="{w:.1f}" height="16"><title>{n}</title></rect>')
        x += w
    return (f'<svg class="bar" width="{width}" height="16" viewBox="0 0 {width} 16" role="img" '
            f'aria-label="{_e(label)}"><rect class="track" x="0" y="0" width="{width}" height="16"/>'
            f'{"".join(rects)}</svg>')


def _summary(report: Report, lang: str) -> str:
    L = LABELS[lang]
    s = report.summary()
    ts = s["teachers"]
    schools = [ok for lv, _, ok in report.subjects if lv == "school"]
    rows = [
        (L["document"], _e(document_line(report))),
        (L["as_of"], _e(report.as_of.isoformat())),
        (TEXT[lang]["files_checked"], '<span id="inputs">' + " · ".join(f"<code>{_e(f)}</code>" for f in report.inputs) + "</span>"),
        (L["teachers"], f'{_e(L["checked"])} <b id="teachers-checked">{ts["checked"]}</b> · '
                        f'{_e(L["passed"])} <b id="teachers-passed" class="pass">{ts["passed"]}</b> · '
                        f'{_e(L["failed"])} <b id="teachers-failed" class="fail">{ts["failed"]}</b> · '
                        f'{_e(L["pending"])} <b id="teachers-pending" class="pending">{ts.get("pending", 0)}</b>'),
        (L["pass_rate"], f'<b id="pass-rate">{_e(pct(ts["pass_rate"]))}</b>'),
    ]
    if schools:
        rows.append((L["schools"], f'{_e(L["checked"])} <b id="schools-checked">{len(schools)}</b> · '
                                   f'{_e(L["passed"])} <b id="schools-passed">{sum(schools)}</b>'))
    rows.append((L["verdict"], f'{_e(L["error"])} <b id="errors">{s["errors"]}</b> · '
                               f'{_e(L["warning"])} <b id="warnings">{s["warnings"]}</b>'))
    body = "".join(f"<tr><th scope=\"row\">{_e(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="summary">{body}</table>'


def _downloads(lang: str, token: str, available: list[str], root: str) -> str:
    t = TEXT[lang]
    out = [f'<div class="downloads" id="downloads"><h3>{_e(t["downloads"])}</h3><p>']
    note = ""
    for fmt, label in DOWNLOADS:
        if fmt in available:
            out.append(f'<a class="btn" id="download-{fmt}" href="{_e(root)}/download/{quote(token)}/{fmt}?lang={lang}" download>{_e(label)}</a>')
        else:
            out.append(f'<span class="btn disabled" id="download-{fmt}" aria-disabled="true">{_e(label)}</span>')
            note = f'<p class="note" id="download-note">{_e(t["xlsx_missing"])}</p>'
    return "".join(out) + f"</p>{note}</div>"


def _schools(report: Report, lang: str) -> str:
    t, L = TEXT[lang], LABELS[lang]
    school_ok = {sid: ok for lv, sid, ok in report.subjects if lv == "school"}
    heads = (t["school"], L["teachers"], L["passed"], L["failed"], L["pending"], t["teachers_bar"], t["school_verdict"])
    rows = []
    for g in teacher_groups(report):
        waiting = sum(r.waiting for r in g.rows)
        failed = g.checked - g.passed - waiting
        name = f"{g.name}({g.school})" if g.name else (g.school or L["no_school"])
        ok = school_ok.get(g.school or "")
        verdict = "" if ok is None else (f'<span class="pass">{_e(L["passed"])}</span>' if ok else f'<span class="fail">{_e(L["failed"])}</span>')
        bar = _bar([("passed", g.passed), ("waiting", waiting), ("failed", failed)], g.checked,
                   label=f"{L['passed']} {g.passed} · {L['pending']} {waiting} · {L['failed']} {failed}")
        rows.append(f'<tr data-school="{_e(g.school or "")}"><td>{_e(name)}</td><td class="n">{g.checked}</td>'
                    f'<td class="n pass">{g.passed}</td><td class="n fail">{failed}</td><td class="n pending">{waiting}</td>'
                    f"<td>{bar}</td><td>{verdict}</td></tr>")
    grouped = {g.school for g in teacher_groups(report)}
    for sid, ok in school_ok.items():  # a school checked without teachers
        if sid not in grouped:
            verdict = f'<span class="pass">{_e(L["passed"])}</span>' if ok else f'<span class="fail">{_e(L["failed"])}</span>'
            rows.append(f'<tr data-school="{_e(sid)}"><td>{_e(sid)}</td><td class="n">0</td><td></td><td></td><td></td><td></td><td>{verdict}</td></tr>')
    if not rows:
        return ""
    head = "".join(f"<th>{_e(h)}</th>" for h in heads)
    return (f'<section id="schools"><h3>{_e(t["schools_h"])}</h3><table class="schools"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></section>')


def _rules_chart(report: Report, lang: str) -> str:
    t = TEXT[lang]
    groups = by_rule(report.failures())
    if not groups:
        return ""
    top = max(len(fs) for _, fs in groups)
    rows = []
    for rule, fs in sorted(groups, key=lambda g: -len(g[1]))[:10]:
        bar = _bar([(f"sev-{rule.severity}", len(fs))], top, width=200, label=count(t, "subjects", len(fs)))
        rows.append(f'<tr><td><code>{_e(rule.id)}</code> {_e(title_of(rule, lang))}</td><td>{bar}</td><td class="n">{len(fs)}</td></tr>')
    return f'<section id="rules"><h3>{_e(t["rules_h"])}</h3><table class="rules">{"".join(rows)}</table></section>'


def _fix_item(f: Finding, report: Report, lang: str) -> str:
    L = LABELS[lang]
    rule = f.compiled.rule
    values = " · ".join(expected_actual(f, L))
    note = f'<p class="note">{_e(L["note"])}:{_e(rule.note)}</p>' if rule.note else ""
    return (f'<li class="fix" data-status="{f.status.value}" data-rule="{_e(rule.id)}">'
            f'<p><span class="tag sev-{rule.severity}">{_e(L[rule.severity])}</span> '
            f'<span class="{f.status.value}">{_e(L[f.status.value])}</span> '
            f"<b>{_e(message(f, lang))}</b> <code>{_e(rule.id)}</code></p>"
            f'<p class="values">{_e(values)}</p>'
            f"<blockquote><p>{_e(rule.source.quote)}</p><footer>— {_e(cite_line(rule, report))}</footer></blockquote>"
            f"{note}</li>")


def _fixes(report: Report, lang: str) -> str:
    t = TEXT[lang]
    failures = fix_order(report.failures())
    if not failures:
        return f'<section id="fixes"><h3>{_e(t["fixes_h"])}</h3><p class="pass">{_e(t["nothing_to_fix"])}</p></section>'
    out = [f'<section id="fixes"><h3>{_e(t["fixes_h"])}</h3>']
    others = [f for f in failures if f.subject.level != "teacher"]
    if others:
        out.append(f'<h4>{_e(t["school_fixes"])}</h4>')
        per: dict[tuple[str, str], list[Finding]] = {}
        for f in others:
            per.setdefault((f.subject.level, f.subject.id), []).append(f)
        for fs in per.values():
            ref = fs[0].subject
            out.append(f'<details class="subject school" open data-school="{_e(ref.id)}"><summary>{_e(ref.label())} · '
                       f'{_e(count(t, "items", len(fs)))}</summary><ol>{"".join(_fix_item(f, report, lang) for f in fs)}</ol></details>')
    teachers: dict[tuple[str | None, str], list[Finding]] = {
        (g.school, row.subject.id): [] for g in teacher_groups(report) for row in g.rows
    }  # in the order they were checked, each teacher's items in fix order
    for f in failures:
        if f.subject.level == "teacher":
            teachers.setdefault((f.subject.school, f.subject.id), []).append(f)
    if any(teachers.values()):
        out.append(f'<h4>{_e(t["teacher_fixes"])}</h4>')
        many = sum(bool(fs) for fs in teachers.values()) > 12  # a long list starts closed; a school's few are shown open
        for (school, tid), fs in teachers.items():
            if not fs:
                continue
            ref = fs[0].subject
            errors = sum(f.compiled.is_error for f in fs)
            err = f' · <span class="fail">{_e(count(t, "errors_n", errors))}</span>' if errors else ""
            out.append(f'<details class="subject teacher" data-teacher="{_e(tid)}" data-school="{_e(school or "")}"{"" if many else " open"}>'
                       f'<summary>{_e(ref.label())} · {_e(count(t, "items", len(fs)))}'
                       f"{err}</summary>"
                       f'<ol>{"".join(_fix_item(f, report, lang) for f in fs)}</ol></details>')
    return "".join(out) + "</section>"


def _pending(report: Report, lang: str) -> str:
    t, L = TEXT[lang], LABELS[lang]
    pending = [f for f in report.findings if f.status is Status.PENDING]
    if not pending:
        return ""
    items = "".join(
        f"<li><code>{_e(rule.id)}</code> {_e(title_of(rule, lang))} — {_e(count(t, 'subjects', len(fs)))}</li>"
        for rule, fs in by_rule(pending)
    )
    return f'<section id="pending"><h3>{_e(t["pending_h"])}</h3><ul>{items}</ul><p class="note">{_e(L["legend"])}</p></section>'


def result_section(report: Report, lang: str, token: str, available: list[str], root: str = "") -> str:
    """The result: verdict, summary, downloads, schools with charts, what to fix with the
    clauses quoted, and what is not yet due."""
    L = LABELS[lang]
    ok = report.passed
    verdict = L["verdict_ok"] if ok else L["verdict_bad"]
    title = getattr(report.ruleset.title, lang)
    return "".join([
        f'<section id="result" class="result {"ok" if ok else "bad"}">',
        f'<h2>{_e(L["title"])} · {_e(title)}</h2>',
        f'<p id="verdict" class="verdict {"verdict-ok" if ok else "verdict-bad"}">{_e(verdict)}</p>',
        _summary(report, lang),
        _downloads(lang, token, available, root),
        _schools(report, lang),
        _rules_chart(report, lang),
        _fixes(report, lang),
        _pending(report, lang),
        "</section>",
    ])


def today() -> str:
    return dt.date.today().isoformat()


def title_in(title: str | dict[str, str], lang: str) -> str:
    return title if isinstance(title, str) else title.get(lang) or next(iter(title.values()))


def ruleset_choice(name: str | Path) -> tuple[str, dict[str, str], str]:
    """A ruleset as (id, {"zh": the document's title, "en": the ruleset's English title}, level)."""
    from ..rules.loader import load_ruleset

    rs = load_ruleset(name)
    return rs.id, {"zh": rs.document.title, "en": rs.title.en}, rs.document.level


def ruleset_choices() -> list[tuple[str, dict[str, str], str]]:
    """The bundled rulesets, for the select."""
    from ..rules.loader import bundled_names

    return [ruleset_choice(name) for name in bundled_names()]


def content_disposition(filename: str) -> str:
    """An attachment header for a name that may be Chinese (RFC 6266 / 5987).

    >>> print(content_disposition("报告.html"))
    attachment; filename="report.html"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.html
    """
    ascii_name = filename.encode("ascii", "ignore").decode() or "report"
    if ascii_name.startswith("."):
        ascii_name = "report" + ascii_name
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"

