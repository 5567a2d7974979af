"""Streaming and parallel roster checks: same findings as the in-memory report, in bounded memory."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

import ict2rules.evaluation.stream as stream
from ict2rules import evaluate, load_ruleset
from ict2rules.cli import main
from ict2rules.errors import InputError
from ict2rules.evaluation.stream import Lines, check_stream, streamable_inputs
from ict2rules.input.files import Records, join_schools, read_records
from ict2rules.kinds.base import Status
from ict2rules.render import write
from ict2rules.report.jsonlines import dump, dump_text
from ict2rules.rules.ruleset import CheckSpec

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2023-10-08"  # between the practice phase's end and the year's end: every status occurs


sys.path.insert(0, str(ROOT / "benchmarks"))  # the benchmarks' seeded population
import population  # noqa: E402


@pytest.fixture(scope="module")
def rs():
    return load_ruleset("zeku_2023")


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    roster, schools = population.write_files(tmp_path, 90, 3, seed=7)
    # a school with no row in the roster: an input error, so these tests --keep-going; its teacher
    # rules lack data, as a school without teachers
    with schools.open("a", encoding="utf-8") as f:
        f.write('  - {"id": "S09999", "point_scope": ["A1", "A2", "A5", "A11", "B2", "B4"]}\n')
    return roster, schools


def in_memory(rs, paths, keep=None) -> list[str]:
    """The non-streamed ``--format jsonl`` lines of the same inputs."""
    records = Records()
    for p in paths:
        records.extend(read_records(p))
    join_schools(records, keep_going=True)  # as `check --keep-going`: what did not join is reported
    buf = io.StringIO()
    write("jsonl", evaluate(rs, records, as_of=AS_OF, keep=keep), buf)
    return buf.getvalue().splitlines()


def streamed(rs, paths, **options) -> list[str]:
    options.setdefault("keep_going", len(paths) > 1)  # the fixture's school without rows
    buf = io.StringIO()
    check_stream(rs, paths, buf, as_of=AS_OF, **options)
    return buf.getvalue().splitlines()


def changed(rs, **update):
    """A copy of ``rs`` with ``update``, compiled again (a copy would keep the original plan)."""
    copy = rs.model_copy(update=update)
    copy._plan = None
    assert copy.plan is not rs.plan
    return copy


def findings_of(lines: list[str]) -> list[str]:
    return [x for x in lines if not x.startswith('{"type":')]


@pytest.mark.parametrize("keep", [None, frozenset({Status.FAIL, Status.MISSING_DATA})])
def test_streamed_lines_are_the_in_memory_lines(rs, files, keep):
    mem, got = in_memory(rs, files, keep), streamed(rs, files, keep=keep)
    assert sorted(findings_of(got)) == sorted(findings_of(mem))  # same findings, school ones last
    problems = [x for x in got if x.startswith('{"type":"input_problem"')]
    assert problems and problems == [x for x in mem if x.startswith('{"type":"input_problem"')]
    assert got[-1] == mem[-1]  # the same summary line, byte for byte
    statuses = {json.loads(x)["status"] for x in findings_of(got)}
    if keep is None:
        assert statuses == {s.value for s in Status}
    else:
        assert statuses == {"fail", "missing_data"}


def test_school_rules_come_from_running_counts(rs, files):
    lines = [json.loads(x) for x in streamed(rs, files)]
    school = {(x["rule"], x["subject"]["id"]): x for x in lines if x.get("subject", {}).get("level") == "school"}
    rate = school[("ZK-S-PASS-RATE", "S00001")]
    assert rate["detail"]["total"] == sum(
        1 for x in lines if x.get("rule") == "ZK-T-HOURS-TOTAL" and x["subject"]["school"] == "S00001"
    )
    empty = school[("ZK-S-PASS-RATE", "S09999")]  # no teacher rows: data missing (or not yet due)
    assert "missing_data" in (empty["status"], (empty["detail"] or {}).get("would_be"))
    rollups = {x["school"]: x["teachers"] for x in lines if x.get("type") == "school_rollup"}
    assert sum(r["checked"] for r in rollups.values()) == 90 and "S09999" not in rollups


def test_lines_are_finding_dicts(rs, files):
    """Lines encodes each rule's fixed parts once; every line still equals the plain encoding."""
    from ict2rules.report.report import finding_dict

    report = evaluate(rs, str(files[0]), as_of=AS_OF)
    lines = Lines(rs)
    for f in report.findings:
        assert lines.line(f) == stream.dump(finding_dict(f, rs))


def test_jobs_2_output_is_byte_identical_to_jobs_1(files, tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "CHUNK", 7)  # many chunks, so order across processes matters
    outs = []
    for jobs in ("1", "2"):
        target = tmp_path / f"out{jobs}.jsonl"
        code = main(["check", *map(str, files), "-r", "zeku_2023", "--as-of", AS_OF,
                     "-f", "jsonl", "--jobs", jobs, "-o", str(target), "--keep-going"])
        assert code == 1  # some teachers fail
        outs.append(target.read_bytes())
    assert outs[0] == outs[1] and outs[0].count(b"\n") > 90


def test_bad_rows_raise_at_the_end_or_are_skipped_with_keep_going(rs, tmp_path):
    roster = tmp_path / "r.jsonl"
    roster.write_text(
        '{"id": "T1", "hours": {"online": 50, "offline": 25}}\n'
        '{"id": "T2", "hours": {"online": -5}}\n'
        '{"id": "T3"}\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        streamed(rs, [roster])
    assert [(p.line, p.field) for p in err.value.problems] == [(2, "hours.online")]
    warned: list[str] = []
    lines = streamed(rs, [roster], keep_going=True, warn=warned.append)
    summary = json.loads(lines[-1])
    assert summary["skipped_rows"] == 1 and summary["teachers"]["checked"] == 2
    assert len(warned) == 1 and "r.jsonl:2" in warned[0]


def test_duplicate_ids_are_named_with_both_rows(rs, tmp_path):
    roster = tmp_path / "r.jsonl"
    roster.write_text('{"id": "T1"}\n{"id": "T2"}\n{"id": "T1"}\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        streamed(rs, [roster])
    (problem,) = err.value.problems
    assert problem.line == 3 and "T1" in problem.message_en and "row 1" in problem.message_en


def test_a_group_rule_nested_in_all_streams_like_in_memory(rs, files):
    """Nothing is "not streamable": a school rule that needs the teachers themselves (a group
    rule inside ``all``) makes each school's group keep them, and gives the in-memory lines."""
    rule = rs.rule("ZK-S-PASS-RATE")
    nested = TypeAdapter(CheckSpec).validate_python({"kind": "all", "args": {"checks": [rule.check.model_dump()]}})
    other = changed(rs, rules=[r if r is not rule else r.model_copy(update={"check": nested}) for r in rs.rules])
    from ict2rules.evaluation.evaluator import Evaluator

    assert Evaluator(other).needs_members and not Evaluator(rs).needs_members
    got, mem = streamed(other, files), in_memory(other, files)
    assert sorted(findings_of(got)) == sorted(findings_of(mem)) and got[-1] == mem[-1]
    rates = [json.loads(x) for x in findings_of(got) if '"ZK-S-PASS-RATE"' in x]
    assert len(rates) == 4 and all(x["detail"] for x in rates)  # every school, each explained


def test_which_inputs_stream():
    assert streamable_inputs(["r.jsonl", "schools.yaml"])
    assert streamable_inputs(["r.csv"])
    assert not streamable_inputs(["school.yaml"])  # no roster: nothing to stream
    assert not streamable_inputs(["r.csv", "notes.txt"])


def test_a_schools_file_with_teachers_inline_is_refused(rs, tmp_path):
    roster = tmp_path / "r.jsonl"
    roster.write_text('{"id": "T1"}\n', encoding="utf-8")
    school = tmp_path / "s.yaml"
    school.write_text("school: {id: S1, teachers: [{id: T2}]}\n", encoding="utf-8")
    with pytest.raises(InputError):
        streamed(rs, [roster, school])


texts = st.recursive(
    st.none() | st.text(st.characters(exclude_categories=())),  # lone surrogates too
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, database=None)
@given(texts)
def test_the_text_encoder_writes_what_json_dumps_writes(value):
    """``jsonlines.dump_text`` (pydantic_core) is json.dumps byte for byte on text: every code
    point, control characters, lone surrogates."""
    assert dump_text(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_numbers_are_written_as_json_writes_them():
    """pydantic_core spells some floats otherwise (0.00001): numbers go to json."""
    for x in (1e-05, 1.5e-07, 1e16, 0.666667, float("nan"), float("inf")):
        assert dump({"actual": x}) == json.dumps({"actual": x}, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("name", ["kaiyuan_2024", "suncedu_2020", "shanxi_2020", "yongzhou_2023"])
def test_every_bundled_school_rule_streams_like_in_memory(name, files):
    """Rate over ``teachers.points`` (kaiyuan's excellence cap) once fell back to memory; every
    group rule over teachers is now an accumulator, and the lines are the in-memory ones."""
    rs = load_ruleset(name)
    got, mem = streamed(rs, files), in_memory(rs, files)
    assert sorted(findings_of(got)) == sorted(findings_of(mem)) and got[-1] == mem[-1]


def test_a_gate_whose_action_reads_a_derived_value_keeps_its_blocking_teachers(rs, files):
    """The action is decided when the first teacher comes only when it reads the school's own
    fields; one that reads a derived value (computed after the teachers) is decided at the end:
    the blocking teachers are kept, in memory and streamed alike."""
    from ict2rules.evaluation.evaluator import Evaluator
    from ict2rules.rules.ruleset import Derived

    gate = rs.rule("ZK-S-REVIEW-GATE")
    value = Derived.model_validate({**rs.derived[0].model_dump(), "id": "applied", "level": "school",
                                    "compute": {"kind": "first", "args": {"values": ["review_applied_on"]}}})
    action = TypeAdapter(CheckSpec).validate_python({"kind": "present", "args": {"fields": ["applied"]}})
    other = changed(rs, derived=[*rs.derived, value], rules=[
        r if r is not gate else r.model_copy(update={"check": gate.check.model_copy(
            update={"args": gate.check.args.model_copy(update={"action": action})})}) for r in rs.rules])
    ev = Evaluator(other, as_of="2024-01-15")
    _, found = ev.school({"id": "S1", "review_applied_on": "2023-12-01", "teachers": [{"id": "T1"}, {"id": "T2"}]})
    (f,) = [f for f in found if f.rule_id == "ZK-S-REVIEW-GATE"]
    assert f.status.value == "fail" and f.outcome.detail["blocking"] == ["T1", "T2"]
    got, mem = streamed(other, files), in_memory(other, files)
    assert sorted(findings_of(got)) == sorted(findings_of(mem)) and got[-1] == mem[-1]
