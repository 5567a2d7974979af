"""The fast paths of issue #11 (docs/performance.md) give what the slow ones give.

* the streamed check reads a clean roster once (its lines held in a temporary file until every
  row is known good): the same bytes as screening first, and nothing written when a row at the
  very end is bad or a duplicate;
* a JSON Lines row is decided from its text when nothing in it needs the walk: the problems are
  those of the walk, for every row;
* the JSON line encoder writes ``dump(finding_dict(f))`` for every status.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ict2rules
import ict2rules.evaluation.stream as stream
from ict2rules import evaluate, load_ruleset
from ict2rules.errors import InputError
from ict2rules.input.tabular import _json_row_problems, _no_duplicates, _row_json
from ict2rules.kinds.base import Status
from ict2rules.report.jsonlines import Lines, dump
from ict2rules.report.report import finding_dict

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2023-10-08"  # every status occurs


sys.path.insert(0, str(ROOT / "benchmarks"))  # the benchmarks' seeded population
import population  # noqa: E402


@pytest.fixture(scope="module")
def rs():
    return load_ruleset("zeku_2023")


@pytest.fixture
def clean(tmp_path: Path) -> tuple[Path, Path]:
    return population.write_files(tmp_path, 40, 3, seed=11)


def _run(rs, paths, **options) -> str:
    out = io.StringIO()
    check_options = {"as_of": AS_OF, **options}
    stream.check_stream(rs, paths, out, **check_options)
    return out.getvalue()


@pytest.mark.parametrize("keep", [None, frozenset({Status.FAIL, Status.MISSING_DATA})])
def test_one_pass_writes_what_screening_first_writes(rs, clean, keep, monkeypatch):
    once = _run(rs, list(clean), keep=keep)
    monkeypatch.setattr(stream, "_one_pass", lambda *a, **k: None)  # always screen first
    assert _run(rs, list(clean), keep=keep) == once and once.count("\n") > 40


@pytest.mark.parametrize("last", ['{"id": "T0000001"}', '{"id": "X9", "hours": {"online": -1}}', '{"id": "X9", "school_id": "NOPE"}'])
def test_a_problem_in_the_last_row_writes_nothing(rs, clean, last):
    roster, schools = clean
    with roster.open("a", encoding="utf-8") as f:
        f.write(last + "\n")  # a duplicate id, a bad value, a school no schools file gives
    out = io.StringIO()
    with pytest.raises(InputError):
        stream.check_stream(rs, [roster, schools], out, as_of=AS_OF)
    assert out.getvalue() == ""


def test_keep_going_leaves_the_bad_last_row_out_as_before(rs, clean, monkeypatch):
    roster, schools = clean
    with roster.open("a", encoding="utf-8") as f:
        f.write('{"id": "X9", "hours": {"online": -1}}\n')
    got = _run(rs, [roster, schools], keep_going=True)
    assert json.loads(got.splitlines()[-1])["skipped_rows"] == 1


# -- rows decided from their text ---------------------------------------------------------------

_scalars = (
    st.none() | st.booleans() | st.integers(-10**20, 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(exclude_categories=()), max_size=8)  # lone surrogates too
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=15,
)
_literals = st.sampled_from(["1e400", "-1e400", "1e-400", "1" * 400 + ".5", "2e308", "1.7e308", "NaN", '"\\ud800"', '"\\u00e9"'])


@settings(max_examples=300, deadline=None, database=None)
@given(st.dictionaries(st.text(max_size=5), _values, max_size=5), st.lists(_literals, max_size=2))
def test_a_row_decided_from_its_text_has_the_problems_of_the_walk(obj, literals):
    line = json.dumps(obj, ensure_ascii=False)
    for i, literal in enumerate(literals):  # number literals json.dumps never writes
        line = line[:-1] + ("," if line != "{}" else "") + f'"lit{i}": {literal}' + "}"
        line = line.replace("{,", "{")
    try:
        expected = json.loads(line, object_pairs_hook=_no_duplicates)
    except ValueError:
        return  # a duplicate key: refused before either path
    data, overflowed = _row_json(line)
    assert json.dumps(data, sort_keys=True) == json.dumps(expected, sort_keys=True)
    by_text = _json_row_problems(data, "r.jsonl", 1, None if overflowed else line)
    assert by_text == _json_row_problems(data, "r.jsonl", 1, None)


def test_a_number_that_overflows_is_refused_with_its_line(tmp_path):
    roster = tmp_path / "r.jsonl"
    roster.write_text('{"id": "T1", "hours": {"online": 1e400}}\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        ict2rules.read_records(roster)
    assert err.value.problems[0].line == 1


# -- the JSON line encoder ----------------------------------------------------------------------

def test_every_line_is_the_finding_dict(rs):
    _, teachers = population.make_population(60, 3, 7)
    report = evaluate(rs, {"teachers": teachers}, as_of=AS_OF)
    lines = Lines(rs)
    statuses = set()
    for f in report.findings:
        assert lines.line(f) == dump(finding_dict(f, rs))
        statuses.add(f.status)
    assert statuses >= {Status.PASS, Status.FAIL, Status.MISSING_DATA, Status.PENDING}


# -- start-up -----------------------------------------------------------------------------------

def test_import_ict2rules_builds_nothing_until_a_name_is_used():
    code = ("import sys, ict2rules; before = 'pydantic' in sys.modules; "
            "ict2rules.Status; print(before, 'ict2rules.kinds.base' in sys.modules, "
            "sorted(set(ict2rules.__all__) - set(dir(ict2rules))))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split(maxsplit=2) == ["False", "True", "[]\n"]
    for name in ict2rules.__all__:
        assert getattr(ict2rules, name) is not None
    with pytest.raises(AttributeError):
        ict2rules.no_such_name  # noqa: B018


def test_each_command_is_registered_by_the_module_its_run_imports():
    from ict2rules.cli import COMMANDS, MODULE_OF, build_parser

    build_parser()  # every command
    for name, cmd in COMMANDS.items():
        if name != "completion":  # describes every command: all are imported for it
            assert cmd.configure.__module__ == f"ict2rules.cli.{MODULE_OF[name]}", name
    code = "import sys; from ict2rules.cli import build_parser; build_parser(['check', '--help']); print('ict2rules.authoring.kit' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


def test_check_offers_every_format_without_importing_the_writers():
    from ict2rules.render import formats
    from ict2rules.render.registry import EXTENSIONS

    assert sorted(EXTENSIONS) == formats()


def test_evidence_keys_tell_types_apart():
    from ict2rules.report.jsonlines import _evidence_key

    keys = [_evidence_key(v) for v in [(1,), (True,), (1.0,), (0.0,), (-0.0,), ("1",), ([1],), (None,),
                                       [1], (Status.PASS,), ("pass",), ((1, (2,)),), ((1, [2]),),
                                       ((1, frozenset({"A"})),), ((1, ("A",)),), 1, "1", 1.0]]
    assert len(set(keys)) == len(keys)
    assert _evidence_key((1, "a", None)) == _evidence_key((1, "a", None))
    # plain containers are marshal's exact bytes: order and types included (equal bytes, equal
    # explanations); a status inside makes the key a tagged copy, its sets of text sorted
    assert _evidence_key(({"a": 1},)) != _evidence_key(({"a": 1.0},))
    assert _evidence_key(({"a": 1, "b": 2},)) != _evidence_key(({"b": 2, "a": 1},))
    assert _evidence_key(frozenset({1})) != _evidence_key(frozenset({True}))
    assert _evidence_key((Status.FAIL, frozenset({"A1", "B2"}))) == _evidence_key((Status.FAIL, frozenset({"B2", "A1"})))
    assert _evidence_key((Status.FAIL, frozenset({1}))) is None  # a set of numbers beside a status
    assert _evidence_key(((1,), [2.0])) != _evidence_key(((1.0,), [2]))
    from ict2rules.kinds.base import Outcome
    from ict2rules.labels import Phrase

    phrases = [Phrase("≤ 5", "不晚于 5", "by 5"), Phrase("≤ 5", "不晚于 5", "on or before 5"), "≤ 5"]
    outcomes = [_evidence_key(Outcome(Status.FAIL, p, "2023-10-01")) for p in phrases]
    assert len(set(outcomes)) == 3 and None not in outcomes
    assert _evidence_key(Outcome(Status.FAIL, "x", None, {"a": 1})) is None  # (a detail: not keyed)


def _valid_as_documented(e) -> bool | None:
    """``Evidence.valid`` as its docstring reads: every source that says something (the two
    marks together, the reviewer's judgement, the items) must say valid; nothing said: None."""
    said = []
    if e.shows_teacher is False or e.own_work is False:
        said.append(False)
    elif e.shows_teacher and e.own_work:
        said.append(True)
    if e.judged_valid is not None:
        said.append(e.judged_valid)
    marks = [i.valid for i in e.items or ()]
    if False in marks:
        said.append(False)
    elif marks and None not in marks:
        said.append(True)
    return all(said) if said else None


def test_evidence_valid_is_its_documented_reading_for_every_combination():
    from itertools import product

    from ict2rules.input.records import Evidence

    marks = (None, True, False)
    item_lists = [None, [], *([{"name": "a", "valid": v}] for v in marks),
                  *([{"name": "a", "valid": v}, {"name": "b", "valid": w}] for v in marks for w in marks)]
    for shows, own, judged, items in product(marks, marks, marks, item_lists):
        e = Evidence(shows_teacher=shows, own_work=own, judged_valid=judged, items=items)
        assert e.valid is _valid_as_documented(e), (shows, own, judged, items)


# -- point rules decided on the record's own list (no item subjects) -----------------------
_evidence = st.none() | st.builds(
    dict,
    shows_teacher=st.sampled_from([None, True, False]),
    own_work=st.sampled_from([None, True, False]),
    judged_valid=st.sampled_from([None, True, False]),
    items=st.none() | st.lists(st.builds(dict, valid=st.sampled_from([None, True, False])), max_size=2),
)
_points = st.none() | st.lists(
    st.builds(dict, code=st.sampled_from(["A1", "A2", "A5", "A11", "B2", "C3"]), evidence=_evidence),
    max_size=4, unique_by=lambda p: p["code"],
)


def _point_rules() -> dict[str, object]:
    """Every bundled teacher rule whose check is a rate, coverage or membership over points (or
    a composition holding one), by ruleset and id."""
    found = {}
    for name in ("zeku_2023", "kaiyuan_2024", "yongzhou_2023", "shanxi_2020", "national_2019"):
        for cr in load_ruleset(name).plan.rules["teacher"]:
            if "points" in cr.rule.check.model_dump_json():
                found[f"{name}:{cr.rule.id}"] = cr
    return found


_POINT_RULES = _point_rules()


@settings(max_examples=60, deadline=None)
@given(points=_points, scope=st.none() | st.lists(st.sampled_from(["A1", "A2", "A5", "B2", "C3"]), max_size=5, unique=True))
def test_point_rules_on_the_records_list_agree_with_the_item_subjects(points, scope):
    """A rate's tally of a list whose every item meets (``judge.each``: item by item), a
    coverage's codes counted (its condition asked of each item subject), and each rule's fast
    verdict, whatever evidence the points have (none, partial, contradicting)."""
    import datetime as dt

    from ict2rules.input.records import School, Teacher
    from ict2rules.kinds.base import Env, Subject, judge_of, verdict_of

    env = Env(dt.date(2024, 1, 15))
    school = Subject(School(id="S1", point_scope=scope), env)
    teacher = Teacher.model_validate({"id": "T1", "points": points, "assessed_on": "2023-09-01"})
    assert _POINT_RULES
    for name, cr in _POINT_RULES.items():
        s = Subject(teacher, env, school)
        judged = judge_of(cr.check)(s)
        assert verdict_of(cr.check)(Subject(teacher, env, school)) is judged[0], name
        each = getattr(cr.check.judge, "each", None)
        if each is not None:  # a rate: the same tally item by item
            assert each(Subject(teacher, env, school)) == judged, name
        args = cr.rule.check.args
        if cr.rule.check.kind == "coverage":
            from ict2rules.rules.compiler import Context

            ctx = Context(load_ruleset(name.split(":")[0]), Teacher, "teacher", root=True)
            if judged[1] is None:
                assert teacher.points is None, name
                continue
            kept = ctx.kept("points", args.count_only)[0] if args.count_only else None
            subject = Subject(teacher, env, school)
            items = kept(subject) if kept else [Subject(p, env, subject) for p in teacher.points]
            assert judged[1] == (len(teacher.points), len(items), frozenset(i.record.code for i in items)), name

