"""``--format junit``: JUnit XML, which every CI server (Jenkins, GitLab, Azure …) displays.

One ``<testsuite>`` per school (its own rules and its teachers'), one for teachers checked on
their own, one per project. One ``<testcase>`` per finding that applies (``not_applicable``
findings are left out): ``classname`` is the rule id, ``name`` the subject. A rule not met is a
``<failure>`` whose ``type`` is the status (``fail`` or ``missing_data``) and whose text holds
expected, actual and the quoted clause; work not yet due is ``<skipped>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import IO, Any

from ..errors import printable
from ..kinds.base import Status
from ..report.findings import Finding
from ..report.report import Report, message
from .registry import writer
from .sarif import locate
from .text import LABELS, cite_line, due_of, said_values

_FAILED = (Status.FAIL, Status.MISSING_DATA)


def _suite_key(f: Finding) -> tuple[str, str]:
    """(kind, id) of the suite a finding belongs to."""
    s = f.subject
    if s.level == "teacher":
        return ("school", s.school) if s.school else ("teachers", "")
    return (s.level, s.id)


def _suite_name(key: tuple[str, str], names: dict[tuple[str, str], str | None], t: dict[str, str]) -> str:
    kind, ident = key
    if kind == "teachers":
        return t["no_school"]
    name = names.get(key)
    return f"{ident} {name}" if name else ident


def _testcase(parent: ET.Element, f: Finding, report: Report, where: Any, t: dict[str, str], lang: str) -> None:
    rule = f.compiled.rule
    case = ET.SubElement(parent, "testcase", classname=rule.id, name=f.subject.label(), time="0")
    file, line = where(f.subject)
    if file:
        case.set("file", file)
        if line:
            case.set("line", str(line))
    if f.status in _FAILED:
        failure = ET.SubElement(case, "failure", message=message(f, lang), type=f.status.value)
        expected, actual = said_values(f, lang)
        failure.text = (
            f"[{t[rule.severity]}] {rule.id} {getattr(rule.title, lang)}\n"
            f"{t['expected']}: {expected}\n{t['actual']}: {actual}\n"
            f"{t['source']}: {cite_line(rule, report)}「{rule.source.quote}」"
            + (f"\n{t['note']}: {rule.note}" if rule.note else "")
        )
    elif f.status is Status.PENDING:
        ET.SubElement(case, "skipped", message=f"{t['pending']}: {t['due']} {due_of(f, lang)}")


def _suites(report: Report) -> dict[tuple[str, str], list[Finding]]:
    """The findings that apply, by the suite they belong to (in report order)."""
    suites: dict[tuple[str, str], list[Finding]] = {}
    for f in report.findings:
        if f.status is not Status.NOT_APPLICABLE:
            suites.setdefault(_suite_key(f), []).append(f)
    return suites


def _counts(findings: list[Finding]) -> dict[str, int]:
    return {
        "tests": len(findings),
        "failures": sum(f.status in _FAILED for f in findings),
        "skipped": sum(f.status is Status.PENDING for f in findings),
    }


def _root(report: Report, suites: dict[tuple[str, str], list[Finding]]) -> ET.Element:
    """The ``<testsuites>`` element with its totals, without its suites."""
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for findings in suites.values():
        for k, v in _counts(findings).items():
            totals[k] += v
    totals["tests"] += len(report.input_problems)
    totals["skipped"] += len(report.input_problems)
    root = ET.Element("testsuites", name=f"ict2rules {report.ruleset.id}")
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("errors", "0")
    root.set("time", "0")
    return root


def _each_suite(report: Report, suites: dict[tuple[str, str], list[Finding]], lang: str) -> Iterator[ET.Element]:
    """Each ``<testsuite>`` in turn, made when it is wanted (a province's would not fit in memory
    as one tree), then the inputs' problems as one more."""
    t = LABELS[lang]
    where = locate(report)
    names = {(f.subject.level, f.subject.id): f.subject.name for f in report.findings if f.subject.level != "teacher"}
    for key, findings in suites.items():
        counts = _counts(findings)
        suite = ET.Element(
            "testsuite", name=_suite_name(key, names, t), errors="0", time="0",
            timestamp=f"{report.as_of.isoformat()}T00:00:00", **{k: str(v) for k, v in counts.items()},
        )
        props = ET.SubElement(suite, "properties")
        for name, value in (("ruleset", report.ruleset.id), ("as_of", report.as_of.isoformat()), ("level", key[0])):
            ET.SubElement(props, "property", name=name, value=value)
        for f in findings:
            _testcase(suite, f, report, where, t, lang)
        yield suite
    if report.input_problems:
        yield input_suite(report, lang)


def junit_tree(report: Report, lang: str = "zh") -> ET.Element:
    """The ``<testsuites>`` element of a report.

    >>> from ict2rules import evaluate
    >>> root = junit_tree(evaluate("zeku_2023", {"teacher": {"id": "T1"}}, as_of="2023-10-01"))
    >>> root.tag, root.get("failures") != "0"
    ('testsuites', True)
    """
    suites = _suites(report)
    root = _root(report, suites)
    root.extend(_each_suite(report, suites, lang))
    return root


def input_suite(report: Report, lang: str) -> ET.Element:
    """The inputs' problems as one suite of skipped cases (``classname`` ``input.KIND``, ``name``
    the place): a CI server lists them beside the findings, and they fail nothing."""
    from .problems import TITLE, plain_line

    n = str(len(report.input_problems))
    suite = ET.Element("testsuite", name=TITLE.get(lang, TITLE["zh"]), tests=n, failures="0",
                       errors="0", skipped=n, time="0", timestamp=f"{report.as_of.isoformat()}T00:00:00")
    for p in report.input_problems:
        case = ET.SubElement(suite, "testcase", classname=f"input.{p.kind}", name=p.place(), time="0")
        if p.file:
            case.set("file", p.file)
        ET.SubElement(case, "skipped", message=plain_line(p, lang))
    return suite


_XML_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gbk": "GBK", "gb18030": "GB18030", "ascii": "US-ASCII",
              "iso8859-1": "ISO-8859-1", "latin-1": "ISO-8859-1", "cp1252": "windows-1252"}


def xml_encoding(stream: Any) -> str:
    """The encoding the XML declaration names: the stream's own (a Chinese Windows console or
    a file redirected from it is GBK), UTF-8 for a file ``-o`` writes or a stream of text.

    >>> import io
    >>> xml_encoding(io.StringIO()), xml_encoding(io.TextIOWrapper(io.BytesIO(), encoding="cp936"))
    ('UTF-8', 'GBK')
    """
    import codecs

    name = getattr(stream, "encoding", None)
    if not isinstance(name, str):
        return "UTF-8"
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return "UTF-8"
    return _XML_NAMES.get(name, name.upper())


def _printable(root: ET.Element) -> None:
    for el in root.iter():  # XML 1.0 cannot carry control characters, wherever they came from
        el.attrib = {k: printable(v) for k, v in el.attrib.items()}
        if el.text:
            el.text = printable(el.text)


@writer("junit")
def write_junit(report: Report, stream: IO[str], *, lang: str = "zh", **_: Any) -> None:
    # one suite at a time: the file is what one indented tree of them all would be
    suites = _suites(report)
    root = _root(report, suites)
    _printable(root)
    stream.write(f'<?xml version="1.0" encoding="{xml_encoding(stream)}"?>\n')
    mark = "\x1e"  # where the suites go (printable() never leaves one in the text)
    root.text = mark
    head, tail = ET.tostring(root, encoding="unicode").split(mark)
    empty = True
    for suite in _each_suite(report, suites, lang):
        _printable(suite)
        ET.indent(suite, level=1)
        stream.write((head if empty else "") + "\n  " + ET.tostring(suite, encoding="unicode"))
        empty = False
    if empty:
        root.text = None
        stream.write(ET.tostring(root, encoding="unicode"))
    else:
        stream.write("\n" + tail)
    stream.write("\n")
