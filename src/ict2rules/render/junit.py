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
from itertools import islice
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


class _Cases:
    """Each finding's ``<testcase>`` as the text the file holds (at its place, two indents
    in), with what repeats made once: a rule's failure text around its expected and actual
    values, a subject's name and place (its findings come one after another), each attribute's
    escaped text. What ElementTree writes for the same elements, indented, made printable —
    a province has a million test cases, and building and serializing an element for each
    was most of its time."""

    def __init__(self, report: Report, lang: str) -> None:
        self.report, self.lang, self.t = report, lang, LABELS[lang]
        self.where = locate(report)
        self.attribute = _Attributes()
        self._rules: dict[str, tuple[str, str, str]] = {}
        self._ref: Any = None
        self._place = ""

    def _rule(self, rule: Any) -> tuple[str, str, str]:
        """The case's start, and its failure's text before the expected value and after the
        actual one (printable and escaped)."""
        parts = self._rules.get(rule.id)
        if parts is None:
            t = self.t
            parts = self._rules[rule.id] = (
                f'<testcase classname="{self.attribute[rule.id]}"',
                _text(f"[{t[rule.severity]}] {rule.id} {getattr(rule.title, self.lang)}\n{t['expected']}: "),
                _text(f"\n{t['source']}: {cite_line(rule, self.report)}「{rule.source.quote}」"
                      + (f"\n{t['note']}: {rule.note}" if rule.note else "")),
            )
        return parts

    def text(self, f: Finding) -> str:
        ref, a = f.subject, self.attribute
        if ref is not self._ref:  # the subject's attributes, after the rule's
            self._ref = ref
            file, line = self.where(ref)
            self._place = (f' name="{a[ref.label()]}" time="0"' + (f' file="{a[file]}"' if file else "")
                           + (f' line="{line}"' if file and line else ""))
        start, head, tail = self._rule(f.compiled.rule)
        status = f.status
        if status in _FAILED:
            expected, actual = said_values(f, self.lang)
            said = _text(f"{expected}\n{self.t['actual']}: {actual}")
            return (f'{start}{self._place}>\n      <failure message="{a[message(f, self.lang)]}" '
                    f'type="{status.value}">{head}{said}{tail}</failure>\n    </testcase>')
        if status is Status.PENDING:
            t = self.t
            due = a[f"{t['pending']}: {t['due']} {due_of(f, self.lang)}"]
            return f'{start}{self._place}>\n      <skipped message="{due}" />\n    </testcase>'
        return f"{start}{self._place} />"


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


def _each_suite(report: Report, suites: dict[tuple[str, str], list[Finding]],
                lang: str) -> Iterator[tuple[ET.Element, Iterator[str]]]:
    """Each ``<testsuite>`` in turn, made when it is wanted (a province's would not fit in memory
    as one tree) — the element without its test cases, and their texts (:class:`_Cases`) —
    then the inputs' problems as one more, whole."""
    t = LABELS[lang]
    cases = _Cases(report, lang)
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
        yield suite, map(cases.text, findings)
    if report.input_problems:
        yield input_suite(report, lang), iter(())


def junit_tree(report: Report, lang: str = "zh") -> ET.Element:
    """The ``<testsuites>`` element of a report (its test cases read back from their text).

    >>> from ict2rules import evaluate
    >>> root = junit_tree(evaluate("zeku_2023", {"teacher": {"id": "T1"}}, as_of="2023-10-01"))
    >>> root.tag, root.get("failures") != "0"
    ('testsuites', True)
    """
    suites = _suites(report)
    root = _root(report, suites)
    for suite, cases in _each_suite(report, suites, lang):
        suite.extend(ET.fromstring(case) for case in cases)
        root.append(suite)
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


def indented_xml(el: ET.Element, pad: str = "\n") -> str:
    r"""What ``_printable(el); ET.indent(el, level=n); ET.tostring(el, encoding="unicode")``
    writes (``pad``: a line break and ``n`` indents), in one walk that leaves ``el`` as it is:
    ElementTree's serializer and ``indent`` are pure Python and walk every element apiece.
    For the plain elements a JUnit file is made of (no namespace, comment or QName).

    >>> el = ET.fromstring('<a x="1&amp;2"><b>t&lt;</b><c/></a>')
    >>> indented_xml(el)
    '<a x="1&amp;2">\n  <b>t&lt;</b>\n  <c />\n</a>'
    """
    out: list[str] = []
    _xml(el, pad, out.append, _Attributes())
    if el.tail:
        out.append(_escape_cdata(el.tail))
    return "".join(out)


class _Attributes(dict[str, str]):
    """An attribute's value → its text in the file (printable, escaped), each made once: a
    subject's name, its file and a rule's id recur on many test cases."""

    def __missing__(self, value: str) -> str:
        if len(self) > 100_000:
            self.clear()
        text = self[value] = _escape_attrib(printable(value))
        return text


def _xml(el: ET.Element, pad: str, write: Any, attribute: _Attributes) -> None:
    tag = el.tag
    attrs = "".join([f' {k}="{attribute[v]}"' for k, v in el.items()])
    text = printable(el.text) if el.text else el.text
    if len(el):
        inner = pad + "  "
        write(f"<{tag}{attrs}>{_escape_cdata(text if text and text.strip() else inner)}")
        last = len(el) - 1
        for i, child in enumerate(el):
            _xml(child, inner, write, attribute)
            tail = child.tail  # as ET.indent sets it: the next line's indent, unless it has text
            write(_escape_cdata(tail) if tail and tail.strip() else inner if i < last else pad)
        write(f"</{tag}>")
    elif text:
        write(f"<{tag}{attrs}>{_escape_cdata(text)}</{tag}>")
    else:
        write(f"<{tag}{attrs} />")


def _escape_attrib(text: str) -> str:
    """An attribute's value as ElementTree escapes it (line breaks and tabs as references)."""
    text = _escape_cdata(text)
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


def _text(text: str) -> str:
    """An element's text as the file holds it: printable, escaped."""
    return _escape_cdata(printable(text))


def _escape_cdata(text: str) -> str:
    """Text as ElementTree escapes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


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
    empty, end = True, "\n  </testsuite>"
    for suite, cases in _each_suite(report, suites, lang):
        text = indented_xml(suite, "\n  ")
        stream.write((head if empty else "") + "\n  ")
        empty = False
        case = next(cases, None)
        if case is None:  # (the inputs' problems: the whole suite)
            stream.write(text)
            continue
        stream.write(text.removesuffix(end))  # its properties, then its cases in their place
        stream.write(f"\n    {case}")
        while batch := list(islice(cases, 1_000)):  # (a write per case costs as much as making it)
            stream.write("\n    " + "\n    ".join(batch))
        stream.write(end)
    if empty:
        root.text = None
        stream.write(ET.tostring(root, encoding="unicode"))
    else:
        stream.write("\n" + tail)
    stream.write("\n")
