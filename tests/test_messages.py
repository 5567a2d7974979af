"""Every message of every bundled rule reads as plain language (docs/messages.md).

Each bundled ruleset's rules are driven through the statuses they can take — missing data and
not yet due (an empty record, checked late and early), met (a compliant record drawn by
:mod:`ict2rules.testing`), not met (each rule's near miss), and the bundled examples — and
every text a person reads is rendered in Chinese and English: the message, and the 要求/实际
(expected/actual) lines. Chinese text shows no field path, Python name or set symbol; English
text shows none either, and no Chinese character. JSON keeps the ids and paths.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ict2rules import evaluate
from ict2rules.input.paths import computed_fields, is_model
from ict2rules.input.records import Project, School, Teacher
from ict2rules.labels import FIELDS, Phrase, field
from ict2rules.render.text import LABELS, expected_actual
from ict2rules.report.findings import Finding
from ict2rules.report.report import Report, message, show
from ict2rules.rules.loader import bundled_dir, load_ruleset
from ict2rules.testing import (
    NotDerivable,
    boundary_pair,
    evaluation_date,
    near_miss_level,
    records,
    rules_of,
)

ROOT = Path(__file__).resolve().parent.parent
NAMES = [p.stem for p in sorted(bundled_dir().glob("*.yaml"))]
# one drawn record per rule, never shrunk: the failure lists every wrong text already
ONE = settings(
    max_examples=1, database=None, deadline=None, phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)

# What a person must never read: a field path or snake_case id (school.point_scope,
# completed_on), a Python value (None, True), a set or comparison symbol (⊆ ∅ ==), "?" for
# "unknown".
PATH = re.compile(r"(?<![\w/.])[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z][A-Za-z0-9]*)+(?![\w(])")
PYTHON = re.compile(r"\b(?:None|True|False|nan|inf)\b")
SYMBOLS = re.compile(r"[⊆⊇∅]|==|!=|\?")
CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+")
# English text quotes a title or a value written in Chinese in the record or the document,
# as written: the one place Chinese may appear in it (docs/messages.md)
QUOTED = re.compile(r"“(?:[^“”]|“[^“”]*”)*”")
# English in a Chinese message: three or more latin letters in a row (codes A1, ids T1 are short)
LATIN = re.compile(r"[A-Za-z]{3,}")


def problems(text: str, lang: str) -> list[str]:
    """What is wrong with one text a person reads (empty when nothing is).

    >>> problems("data missing: school.point_scope", "en")
    ['field path school.point_scope']
    >>> problems("所选能力点未填写", "zh"), problems("required ≥ 75 hours", "en")
    ([], [])
    """
    found = [f"field path {m.group()}" for m in PATH.finditer(text)]
    found += [f"Python name {m.group()}" for m in PYTHON.finditer(text)]
    found += [f"symbol {m.group()}" for m in SYMBOLS.finditer(text)]
    if lang == "zh":
        found += [f"English word {m.group()}" for m in LATIN.finditer(text)]
    else:
        found += [f"Chinese text {m.group()}" for m in CJK.finditer(QUOTED.sub("", text))]
    return found


def texts(f: Finding, lang: str) -> Iterator[str]:
    """Every text of one finding a person reads in ``lang``."""
    yield message(f, lang)
    yield from expected_actual(f, LABELS[lang])


def wrong(findings: Iterable[Finding]) -> list[str]:
    bad = []
    for f in findings:
        for lang in ("zh", "en"):
            for text in texts(f, lang):
                found = problems(text, lang)
                if found:
                    bad.append(f"{f.rule_id} {f.status.value} {lang}: {'; '.join(found)} in {text!r}")
    return sorted(set(bad))


# -- the formats read by people on dashboards and CI servers: SARIF, JUnit, GitHub ---------------


def _decoded(body: str) -> str:
    return body.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def format_texts(report: Report, lang: str) -> Iterator[tuple[str, str]]:
    """(format, text) of every text about a finding that SARIF, JUnit XML and GitHub annotations
    show a person in ``lang``. Left out: the quoted clause and the cited document (the
    document's own words, in Chinese in both languages), the rule's ``note`` (the ruleset's),
    and ids (a rule's, a subject's), which are cut out of each text."""
    import io
    import json
    import xml.etree.ElementTree as ET

    from ict2rules.render import write

    def out(fmt: str) -> str:
        buf = io.StringIO()
        write(fmt, report, buf, lang=lang)
        return buf.getvalue()

    ids = sorted({f.rule_id for f in report.findings} | {f.subject.label() for f in report.findings}
                 | {f.subject.id for f in report.findings}, key=len, reverse=True)

    def bare(text: str) -> str:
        for i in ids:
            text = text.replace(i, "")
        return text

    log = json.loads(out("sarif"))
    for run in log["runs"]:
        for rule in run["tool"]["driver"]["rules"]:
            yield "sarif", rule["shortDescription"]["text"]
            yield "sarif", rule["fullDescription"]["text"]
        for result in run["results"]:
            yield "sarif", bare(result["message"]["text"])
    root = ET.fromstring(out("junit"))
    for case in root.iter("testcase"):
        for failure in case.iter("failure"):
            yield "junit", bare(failure.get("message", ""))
            first, *lines = (failure.text or "").splitlines()
            yield "junit", bare(first.split("] ", 1)[1])
            yield from (("junit", line) for line in lines[:2])  # expected, actual
        for skipped in case.iter("skipped"):
            yield "junit", bare(skipped.get("message", ""))
    for line in out("github").splitlines():
        if line.startswith("::"):
            props, body = line.split("::", 2)[1:]
            yield "github", bare(_decoded(props.split("title=", 1)[1]))
            yield from (("github", bare(text)) for text in _decoded(body).splitlines()[:2])


def wrong_in_formats(report: Report) -> list[str]:
    bad = []
    for lang in ("zh", "en"):
        for fmt, text in format_texts(report, lang):
            found = problems(text, lang)
            if found:
                bad.append(f"{fmt} {lang}: {'; '.join(found)} in {text!r}")
    return sorted(set(bad))


def _load(name: str) -> Any:
    return load_ruleset(name)


EMPTY = {
    "teacher": {"id": "T1"},
    "school": {"id": "S1", "teachers": [{"id": "T1"}]},
    "project": {"id": "P1"},
    "region": {"id": "R1"},
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("level", ["teacher", "school", "project", "region"])
def test_an_empty_record_reads_plainly_late_and_early(name: str, level: str) -> None:
    # late: every obligation is due, so what is absent is missing data or not met;
    # early: what is absent is not yet due
    rs = _load(name)
    if not rules_of(rs, level) and not (level == "school" and rules_of(rs, "teacher")):
        pytest.skip(f"{name} has no {level} rules")
    for as_of in (evaluation_date(rs), dt.date(2000, 1, 1)):
        report = evaluate(rs, {level: EMPTY[level]}, as_of=as_of)
        assert report.findings
        assert not wrong(report.findings), "\n".join(wrong(report.findings))
        assert not wrong_in_formats(report), "\n".join(wrong_in_formats(report))


def _examples() -> Iterator[Any]:
    for folder in sorted((ROOT / "examples").iterdir()):
        for path in sorted(folder.glob("*.yaml")):
            yield pytest.param(folder.name, path, id=f"{folder.name}/{path.stem}")


@pytest.mark.parametrize(("name", "path"), list(_examples()))
def test_the_examples_read_plainly(name: str, path: Path) -> None:
    from test_examples import header_as_of

    rs = _load(name)
    for as_of in {header_as_of(path) or evaluation_date(rs), evaluation_date(rs)}:
        report = evaluate(rs, path, as_of=as_of)
        assert not wrong(report.findings), "\n".join(wrong(report.findings))
        assert not wrong_in_formats(report), "\n".join(wrong_in_formats(report))


def _runs(name: str) -> Iterator[tuple[Any, dt.date]]:
    """The records the tests above check for one ruleset, with their dates."""
    rs = _load(name)
    for level, record in EMPTY.items():
        for as_of in (evaluation_date(rs), dt.date(2000, 1, 1)):
            yield {level: record}, as_of
    folder = ROOT / "examples" / name
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        yield path, evaluation_date(rs)


def _seen() -> set[tuple[str, str, str]]:
    """(ruleset, rule, status) the empty records and the examples already render."""
    return {
        (name, f.rule_id, f.status.value)
        for name in NAMES
        for data, as_of in _runs(name)
        for f in evaluate(_load(name), data, as_of=as_of).findings
    }


def _rules() -> Iterator[Any]:
    """Rules not yet seen both met and not met: those are drawn (a compliant record and its
    near miss), so that every rule's message is rendered as met and as not met."""
    seen = _seen()
    for name in NAMES:
        for rule in load_ruleset(name).rules:
            if not {(name, rule.id, "pass"), (name, rule.id, "fail")} <= seen:
                yield pytest.param(name, rule.id, id=f"{name}:{rule.id}")


@pytest.mark.parametrize(("name", "rule_id"), list(_rules()))
@ONE
@given(data=st.data())
def test_each_rule_met_and_not_met_reads_plainly(name: str, rule_id: str, data: st.DataObject) -> None:
    rs = _load(name)
    level = near_miss_level(rs, rule_id)
    try:
        good, bad = data.draw(boundary_pair(rs, rule_id))
    except NotDerivable:  # no near miss: the rule is met by a compliant record at least
        good, bad = data.draw(records(rs, level)), None
    as_of = evaluation_date(rs)
    reports: list[Report] = [evaluate(rs, {level: good}, as_of=as_of)]
    if bad is not None:
        reports.append(evaluate(rs, {level: bad}, as_of=as_of))
    findings = [f for r in reports for f in r.findings]
    assert any(f.rule_id == rule_id for f in findings)
    assert not wrong(findings), "\n".join(wrong(findings))
    for report in reports:
        assert not wrong_in_formats(report), "\n".join(wrong_in_formats(report))


def test_every_rule_is_seen_met_and_not_met_or_drawn() -> None:
    drawn = {p.values[1] for p in _rules()}
    seen = _seen()
    for name in NAMES:
        for rule in load_ruleset(name).rules:
            statuses = {st for n, r, st in seen if (n, r) == (name, rule.id)}
            assert rule.id in drawn or {"pass", "fail"} <= statuses, rule.id
            assert statuses, f"{rule.id}: no message rendered"


# -- the label table ----------------------------------------------------------------------------


def _model_of(annotation: Any) -> Any:
    """The record model a field holds (itself, in a list, or optional), if any."""
    if is_model(annotation):  # (on Python 3.10 list[X] is a type too: paths.is_model knows)
        return annotation
    for arg in typing.get_args(annotation):
        inner = _model_of(arg)
        if inner is not None:
            return inner
    return None


def _paths(model: Any, prefix: str = "") -> Iterator[str]:
    fields = {**model.model_fields, **computed_fields(model)}  # (a property before pydantic 2.10)
    for name, info in fields.items():
        path = prefix + name
        yield path
        annotation = getattr(info, "annotation", None) or getattr(info, "return_type", None)
        inner = _model_of(annotation)
        if inner is not None and name != "teachers":  # a school's teachers are teacher records
            yield from _paths(inner, path + ".")


@pytest.mark.parametrize("model", [Teacher, School, Project], ids=lambda m: m.__name__)
def test_every_record_field_has_a_label(model: Any) -> None:
    unlabelled = [p for p in _paths(model) if p not in FIELDS]
    assert not unlabelled, f"add to ict2rules.labels.FIELDS: {unlabelled}"
    for path in _paths(model):
        zh, en = FIELDS[path]
        assert not problems(zh, "zh") and not problems(en, "en"), (path, zh, en)


def test_a_label_says_whose_field_it_is_and_never_the_path() -> None:
    assert field("school.point_scope").zh == "学校所选能力点"
    assert field("school.staff.total").zh == "学校的专任教师总数"
    assert field("points.3.certified_on").en == "point certification date"
    assert field("attributes.片区").zh == "「片区」"  # a column of the user's own, as written
    assert field("$total_hours").zh == "规则集未给出的数值"
    assert field("points.evidence.unheard_of").zh == "能力点证据的相关信息"
    final = field("final_score", _Ctx(load_ruleset("zeku_2023")))
    assert (final, final.zh) == ("final_score", "最终成绩")


class _Ctx:
    def __init__(self, ruleset: Any) -> None:
        self.ruleset = ruleset


# -- every message catalogue entry, as written -----------------------------------------------------


def _templates() -> Iterator[Any]:
    for name in NAMES:
        for rule in load_ruleset(name).rules:
            yield pytest.param(rule, id=f"{name}:{rule.id}")


@pytest.mark.parametrize("rule", list(_templates()))
def test_each_rule_message_and_title_is_written_plainly(rule: Any) -> None:
    # the template without its placeholders: what the ruleset itself says to people
    for lang in ("zh", "en"):
        for text in (getattr(rule.message, lang), getattr(rule.title, lang)):
            said = re.sub(r"\{[A-Za-z_]+\}", "", text)
            assert not problems(said, lang), f"{rule.id} {lang}: {problems(said, lang)} in {text!r}"


# -- JSON keeps the ids and the paths ---------------------------------------------------------------


def test_json_keeps_paths_and_machine_text_while_messages_use_labels() -> None:
    import json

    report = evaluate("zeku_2023", {"school": EMPTY["school"]}, as_of="2024-01-15")
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    by_rule = {(f["rule"], f["subject"]["id"]): f for f in data["findings"]}
    hours = by_rule[("ZK-T-HOURS-TOTAL", "T1")]
    assert hours["detail"]["missing"] == ["hours.total"]
    assert hours["expected"] == "≥ 75 学时"
    # a computed total names what to fill in: its parts
    assert hours["message"] == {"zh": "未填写:线上学时、线下学时", "en": "not given: online hours, offline hours"}
    scope = by_rule[("ZK-T-POINTS-IN-SCOPE", "T1")]
    assert scope["detail"]["missing"] == ["points", "school.point_scope"]
    assert scope["expected"] == "⊆ ?"


def test_a_phrase_survives_pickling_as_parallel_workers_send_it() -> None:
    import pickle

    p = field("school.point_scope")
    again = pickle.loads(pickle.dumps(p))
    assert (again, again.zh, again.en) == (p, p.zh, p.en)
    assert isinstance(again, Phrase)


def test_show_without_a_language_is_the_machine_text() -> None:
    p = Phrase("⊆ {A1}", "在学校所选能力点(A1)之内", "within the school's chosen points (A1)")
    assert (show(p), show(p, "zh"), show(p, "en")) == (
        "⊆ {A1}", "在学校所选能力点(A1)之内", "within the school's chosen points (A1)",
    )
    assert (show(None), show(None, "zh"), show(None, "en")) == ("—", "未填写", "not given")
    assert (show(True, "zh"), show([], "zh"), show([], "en")) == ("是", "无", "none")


def test_the_messages_doc_examples_run() -> None:
    import doctest

    result = doctest.testfile(str(ROOT / "docs/messages.md"), module_relative=False)
    assert result.failed == 0 and result.attempted >= 4


def test_every_record_field_a_plan_fills_has_a_chinese_description_of_its_unit() -> None:
    """The schema and the plan template describe each field in Chinese first, with its unit:
    a score is 0–100 分 (never 学时数), hours are 学时, a date shows its form."""
    import re

    from ict2rules.authoring.template import kind_words
    from ict2rules.input import records as R

    cjk = re.compile(r"[\u4e00-\u9fff]")
    for model in (R.Teacher, R.HoursRecord, R.PointRecord, R.Member, R.School, R.Document, R.Step, R.Staff):
        for name, info in model.model_fields.items():
            d = info.description or ""
            assert cjk.match(d), f"{model.__name__}.{name}: {d!r}"
            shown = repr(info.annotation)
            if "le=100)" in shown and "float" in shown:  # a score
                assert "0–100 分" in d and "学时" not in d, f"{model.__name__}.{name}"
    assert kind_words(_template_field("peer_score", R.Teacher))[0] == "分数 0–100"  # was 学时数
    assert kind_words(_template_field("training_days", R.Member))[0] == "天数"


def _template_field(name: str, model: Any) -> Any:
    """The template's view of a record field (what its comment is made from)."""
    from ict2rules.authoring.template import Field

    info = model.model_fields[name]
    return Field(path=name, name=name, annotation=info.annotation, owner=model, required=False)
