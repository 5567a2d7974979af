"""``--format sarif``: SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, VS Code viewers).

Each rule of the ruleset is a ``reportingDescriptor`` whose ``help`` is its quoted clause; each
finding not met (fail, data missing) is a ``result`` whose location is the input file and, for
YAML/JSON record files, the line of the school, teacher or project it is about (see
:func:`locate`). ``logicalLocations`` name the subject (``ZK-MYZX/ZK001``) in every case.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import lru_cache
from json.encoder import encode_basestring  # the C encoder of one string (as json.dumps uses)
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from .. import __version__
from ..errors import InputError, printable, printable_data
from ..kinds.base import Status
from ..report.findings import Finding, SubjectRef
from ..report.report import InputProblem, Report, message, show
from .problems import plain_line
from .registry import writer
from .text import LABELS, cite_line, said_values, title_of

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/ict2rules/"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_RECORD_SUFFIXES = (".yaml", ".yml", ".json")

Where = tuple[str | None, int | None]  # (file, line); either may be unknown


def _index_file(path: str, marks: dict[tuple[str, str, str | None], Where]) -> None:
    """Record the line of every school, teacher and project written out in one record file."""
    from ..input.yamlsafe import load_file

    try:
        data, where = load_file(path)
    except (InputError, OSError):
        return  # it was readable when checked; if it changed since, point at the file alone
    if not isinstance(data, dict):
        return

    def line(loc: tuple[str | int, ...]) -> int | None:
        found = where.find(loc)
        return found[0] if found else None

    def items(key: str) -> list[tuple[tuple[str | int, ...], Any]]:
        single = key.rstrip("s")
        out: list[tuple[tuple[str | int, ...], Any]] = []
        if isinstance(data.get(single), dict):
            out.append(((single,), data[single]))
        if isinstance(data.get(key), list):
            out += [((key, i), v) for i, v in enumerate(data[key]) if isinstance(v, dict)]
        return out

    for level, key in (("teacher", "teachers"), ("project", "projects")):
        for loc, rec in items(key):
            marks.setdefault((level, str(rec.get("id")), rec.get("school_id")), (path, line(loc)))
    for loc, school in items("schools"):
        sid = str(school.get("id"))
        marks.setdefault(("school", sid, None), (path, line(loc)))
        teachers = school.get("teachers") if isinstance(school.get("teachers"), list) else []
        for i, t in enumerate(teachers):
            if isinstance(t, dict):
                marks.setdefault(("teacher", str(t.get("id")), sid), (path, line((*loc, "teachers", i))))
        # teachers read from the school's ``roster:`` file point at the school itself
        marks.setdefault(("roster", sid, None), (path, line((*loc, "roster"))))


def locate(report: Report) -> Callable[[SubjectRef], Where]:
    """A function giving the input file and line a subject was read from.

    Subjects of YAML/JSON record files get their line; teachers of a roster (CSV, XLSX, JSONL)
    get their file only; with one input file every subject gets at least that file.

    >>> from ict2rules import evaluate
    >>> where = locate(evaluate("zeku_2023", "examples/zeku_2023/school_ok.yaml", as_of="2023-10-08"))
    >>> from ict2rules.report.findings import SubjectRef
    >>> where(SubjectRef("teacher", "ZK002", school="ZK-MYZX"))
    ('examples/zeku_2023/school_ok.yaml', 80)
    """
    marks: dict[tuple[str, str, str | None], Where] = {}
    for path in dict.fromkeys(report.inputs):
        if Path(path).suffix.lower() in _RECORD_SUFFIXES:
            _index_file(path, marks)
    only = report.inputs[0] if len(set(report.inputs)) == 1 else None

    last: list[Any] = [None, (only, None)]  # a subject's findings come one after another

    def where(ref: SubjectRef) -> Where:
        if ref is last[0]:
            return last[1]
        found = (only, None)
        for key in ((ref.level, ref.id, ref.school), (ref.level, ref.id, None), ("roster", ref.school or "", None)):
            if key in marks:
                found = marks[key]
                break
        last[0], last[1] = ref, found
        return found

    return where


def uri(path: str) -> str:
    """A file path as a SARIF artifact URI: relative paths stay relative (percent-encoded).

    >>> uri("计划/学校.yaml")
    '%E8%AE%A1%E5%88%92/%E5%AD%A6%E6%A0%A1.yaml'
    """
    p = Path(path)
    return p.resolve().as_uri() if p.is_absolute() else quote(p.as_posix())


def _descriptor(rule: Any, report: Report, lang: str) -> dict[str, Any]:
    src = rule.source
    cite = cite_line(rule, report)
    help_md = f"> {src.quote}\n>\n> — {cite}" + (f"\n\n{rule.note}" if rule.note else "")
    title = title_of(rule, lang)
    return {
        "id": rule.id,
        "name": rule.id,
        # what a dashboard shows people, in the report's language (the quote is the document's)
        "shortDescription": {"text": title},
        "fullDescription": {"text": title},
        "help": {"text": f"「{src.quote}」— {cite}" + (f"\n{rule.note}" if rule.note else ""), "markdown": help_md},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "level": rule.level, "severity": rule.severity, "section": src.section,
            "document": src.document or report.ruleset.document.seed, "tags": list(dict.fromkeys(["ict2rules", rule.level, *rule.tags])),
        },
    }


def _result(f: Finding, index: int, where: Callable[[SubjectRef], Where], lang: str,
            uri_of: Callable[[str], str] = uri) -> dict[str, Any]:
    file, line = where(f.subject)
    o = f.outcome
    t = LABELS[lang]
    expected, actual = said_values(f, lang)
    sep = ";" if lang == "zh" else "; "
    text = (f"{f.subject.label()}: {message(f, lang)}"
            f"{t['lp']}{t['expected']} {expected}{sep}{t['actual']} {actual}{t['rp']}")
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": index,
        "level": LEVEL[f.severity],
        "kind": "fail",
        "message": {"text": text},
        "partialFingerprints": {"ict2rules/v1": f"{f.rule_id}:{f.subject.school or ''}/{f.subject.id}"},
        "properties": {
            "status": f.status.value, "subject": f.subject.to_dict(),
            # for programs, as the JSON report gives them (a path, a set symbol)
            "expected": show(o.expected), "actual": show(o.actual),
        },
    }
    location: dict[str, Any] = {
        "logicalLocations": [{"name": f.subject.id, "fullyQualifiedName": f.subject.label(), "kind": f.subject.level}],
    }
    if file:
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri_of(file)}}
        if line:
            physical["region"] = {"startLine": line}
        location["physicalLocation"] = physical
    result["locations"] = [location]
    return result


def sarif_log(report: Report, lang: str = "zh") -> dict[str, Any]:
    """The SARIF 2.1.0 log of a report as a dict.

    >>> from ict2rules import evaluate
    >>> log = sarif_log(evaluate("zeku_2023", {"teacher": {"id": "T1"}}, as_of="2023-10-01"))
    >>> log["version"], log["runs"][0]["tool"]["driver"]["name"]
    ('2.1.0', 'ict2rules')
    """
    return _log(report, lang, list(_results(report, lang)))


def _results(report: Report, lang: str) -> Iterator[dict[str, Any]]:
    """A ``result`` for each finding not met, made one at a time."""
    index = {r.id: i for i, r in enumerate(report.ruleset.rules)}
    where = locate(report)
    uri_of = lru_cache(maxsize=None)(uri)  # a handful of input files, each resolved once
    for f in report.findings:
        if f.status in (Status.FAIL, Status.MISSING_DATA):
            yield _result(f, index[f.rule_id], where, lang, uri_of)


def _log(report: Report, lang: str, results: list[Any]) -> dict[str, Any]:
    rules = report.ruleset.rules
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "ict2rules", "version": __version__, "informationUri": INFORMATION_URI,
            "rules": [_descriptor(r, report, lang) for r in rules],
        }},
        "automationDetails": {"id": f"ict2rules/{report.ruleset.id}/{report.as_of.isoformat()}"},
        "results": results,
        "properties": {"ruleset": report.ruleset.id, "as_of": report.as_of.isoformat(), "summary": report.summary()},
    }
    if report.input_problems:  # a problem of the tool's input, not a result about a subject

        run["invocations"] = [{"executionSuccessful": True, "toolExecutionNotifications": [
            sarif_notification(p, lang) for p in report.input_problems]}]
    if report.inputs:
        run["artifacts"] = [{"location": {"uri": uri(p)}} for p in dict.fromkeys(report.inputs)]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


_MARK = "ict2rules:results-go-here:7f3c1e"  # where the results go (no result text is this)
_RESULT_INDENT = " " * 8  # runs → run → results → each result


@writer("sarif")
def write_sarif(report: Report, stream: IO[str], *, lang: str = "zh", **_: Any) -> None:
    # no control character, bidi override, U+FFFF or lone surrogate reaches a dashboard;
    # the results are written one at a time (a province's would not fit in memory as one
    # list): the file is what json.dump of the whole log writes
    text = json.dumps(printable_data(_log(report, lang, [_MARK])), ensure_ascii=False, indent=2)
    head, tail = text.split(f"\n{_RESULT_INDENT}{json.dumps(_MARK)}\n")
    first, pad = True, "\n" + _RESULT_INDENT
    for result in _results(report, lang):
        stream.write((head + "\n" if first else ",\n") + _RESULT_INDENT + indented(result, pad))
        first = False
    # no result: an empty list, as json.dump writes it
    stream.write(head + tail.removeprefix(" " * 6) if first else "\n" + tail)
    stream.write("\n")


def indented(value: Any, pad: str = "\n") -> str:
    r"""``json.dumps(printable_data(value), ensure_ascii=False, indent=2)`` with ``pad`` (a line
    break and the indent of where it goes) at each line break, in one walk: json's indenting
    encoder is pure Python (and printable_data a second walk), several times slower for the
    text, numbers, None and dicts and lists of them a result is made of; anything else (a
    float, a key that is not text) is given to json.

    >>> indented({"a": ["b", 1, None], "c": {}}, "\n  ")
    '{\n    "a": [\n      "b",\n      1,\n      null\n    ],\n    "c": {}\n  }'
    """
    kind = type(value)
    if kind is str:
        return encode_basestring(printable(value))
    if kind is dict:
        if not value:
            return "{}"
        inner, keys, items = pad + "  ", _KEYS, []
        for k, v in value.items():
            key = keys.get(k)
            if key is None:
                if type(k) is not str:
                    return _indented_by_json(value, pad)
                key = encode_basestring(printable(k)) + ": "
                if len(keys) < 1_000:  # a log has a few dozen keys
                    keys[k] = key
            items.append(key + (encode_basestring(printable(v)) if type(v) is str else indented(v, inner)))
        return f"{{{inner}{(',' + inner).join(items)}{pad}}}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = pad + "  "
        return f"[{inner}{(',' + inner).join([indented(v, inner) for v in value])}{pad}]"
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    return _indented_by_json(value, pad)


_KEYS: dict[str, str] = {}  # a key as it is written before its value: '"ruleId": '


def _indented_by_json(value: Any, pad: str) -> str:
    return json.dumps(printable_data(value), ensure_ascii=False, indent=2).replace("\n", pad)


def sarif_notification(p: InputProblem, lang: str = "zh") -> dict[str, Any]:
    """A SARIF ``toolExecutionNotification`` (a problem of the tool's input, not a result)."""
    note: dict[str, Any] = {
        "level": "warning",
        "message": {"text": plain_line(p, lang)},
        "descriptor": {"id": f"input/{p.kind}"},
        "properties": p.to_dict(),
    }
    if p.file:
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri(p.file)}}
        at = p.row if p.row is not None else p.line
        if at:
            physical["region"] = {"startLine": at, **({"startColumn": p.column} if p.column else {})}
        note["locations"] = [{"physicalLocation": physical}]
    return note
