"""Laws every registered kind keeps, driven by the example in each kind's own documentation
(not only by the bundled rulesets): the example compiles, and on the boundary pairs the
testing strategies draw for it

* each finding's status is the status of the outcome that explains it, and the cheap verdict
  the evaluator decides with is the judged status;
* a finding's explanation is the one of evaluation time: the record changed afterwards (every
  field emptied) does not change it;
* an absent value never makes a pass: removing any one field of a failing record never gives
  ``pass`` (it gives missing data, or another status that is not a pass).
"""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import textwrap
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from prop_support import examples
from pydantic import BaseModel

from ict2rules import evaluate
from ict2rules.errors import InputError
from ict2rules.evaluation.evaluator import Evaluator
from ict2rules.evaluation.regions import regions_of
from ict2rules.kinds import KINDS
from ict2rules.kinds.base import Status, judge_of, verdict_of
from ict2rules.kinds.numbers import Bounds
from ict2rules.rules.loader import _merge
from ict2rules.rules.ruleset import Ruleset, RulesetFile
from ict2rules.testing import NotDerivable, boundary_pair, near_miss_level

SOURCE = {"section": "一", "quote": "生成的规则 generated rule"}
AS_OF = dt.date(2030, 1, 1)


def documented_example(doc: str) -> dict[str, Any]:
    """The ``{kind, args}`` of a kind's ``Example::`` block.

    >>> documented_example("Example::\\n\\n    kind: present\\n    args: {fields: [x]}\\n\\nmore")
    {'kind': 'present', 'args': {'fields': ['x']}}
    """
    block = inspect.cleandoc(doc).split("Example::", 1)[1].lstrip("\n")
    lines = []
    for line in block.splitlines():
        if line.strip() and not line.startswith(" "):
            break
        lines.append(line)
    return yaml.safe_load(textwrap.dedent("\n".join(lines)))


def _ruleset(check: dict[str, Any], level: str) -> Ruleset:
    data = {
        "id": "generated",
        "title": {"zh": "生成", "en": "generated"},
        "document": {"title": "生成", "issuer": "测试", "level": "county"},
        "parameters": {"online_hours": {"value": 50, "source": SOURCE}},
        "rules": [
            {
                "id": "R0",
                "level": level,
                "title": {"zh": "规则", "en": "rule"},
                "message": {"zh": "{actual} / {expected}", "en": "{actual} / {expected}"},
                "check": check,
                "source": SOURCE,
            }
        ],
    }
    rs = _merge([(RulesetFile.model_validate(data), "<generated>")])
    rs.plan  # noqa: B018  # compiled here: a path of another level is refused now
    return rs


def example_ruleset(name: str) -> Ruleset:
    """The kind's documented example as the one rule of a ruleset, at the first level whose
    records have the fields it reads."""
    check = documented_example(KINDS[name].doc)
    assert check["kind"] == name
    for level in ("teacher", "school", "project", "region"):
        try:
            return _ruleset(check, level)
        except (ValueError, InputError):
            continue
    raise AssertionError(f"the example of {name!r} compiles at no level")


def _findings(rs: Ruleset, level: str, record: dict[str, Any]) -> tuple[Any, list[Any]]:
    ev = Evaluator(rs, as_of=AS_OF)
    if level == "region":  # a region is checked with its schools (ict2rules.evaluation.regions)
        subject, found, _ = regions_of(ev, record)
        return subject, found
    subject, found = getattr(ev, level)(record)
    return subject, found


def _empty_everything(record: Any) -> None:
    """Set every field of a validated record (and of the records inside it) to None."""
    if isinstance(record, list):
        for item in record:
            _empty_everything(item)
        return
    if not isinstance(record, BaseModel):
        return
    for name in type(record).model_fields:
        _empty_everything(getattr(record, name))
        object.__setattr__(record, name, None)


def _without_one_field(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Copies of the record each missing one mapping key, at any depth (not its id)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any, path: list[Any]) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if not (k == "id" or (k == "code" and path)):  # ids and point codes are required
                    copied = copy.deepcopy(record)
                    holder = copied
                    for p in path:
                        holder = holder[p]
                    del holder[k]
                    found.append(copied)
                walk(v, [*path, k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, [*path, i])

    walk(record, [])
    return found


@pytest.mark.parametrize("name", sorted(KINDS))
def test_the_documented_example_compiles(name: str) -> None:
    example_ruleset(name)


@pytest.mark.parametrize("name", sorted(KINDS))
@examples(3)
@given(data=st.data())
def test_status_explanation_and_absence(name: str, data: st.DataObject) -> None:
    rs = example_ruleset(name)
    try:
        level = near_miss_level(rs, "R0")
        pair = data.draw(boundary_pair(rs, "R0"))
    except NotDerivable as exc:
        pytest.skip(f"not derivable: {exc}")
    for record in pair:
        subject, found = _findings(rs, level, copy.deepcopy(record))
        read_now = [(f.rule_id, f.status, f.outcome) for f in found]
        for f in found:  # status and explanation agree
            assert f.status is f.outcome.status, f.rule_id
        check = rs.plan.rules[rs.rule("R0").level][0].check
        if rs.rule("R0").level == level:
            judged, verdict = judge_of(check)(subject)[0], verdict_of(check)(subject)
            assert verdict is judged
        # the explanation is the one of evaluation time
        subject, found = _findings(rs, level, copy.deepcopy(record))
        _empty_everything(subject.record)
        assert [(f.rule_id, f.status, f.outcome) for f in found] == read_now
    # an absent value never makes a pass: a subject that did not pass does not pass with less
    bad = pair[1]
    unmet = {
        f.subject.label()
        for f in evaluate(rs, {level: bad}, as_of=AS_OF).findings
        if f.rule_id == "R0" and f.status is not Status.PASS
    }
    for fewer in _without_one_field(bad):
        try:
            report = evaluate(rs, {level: fewer}, as_of=AS_OF)
        except InputError:
            continue  # a record the models refuse without that field
        passed = [
            f.subject.label()
            for f in report.findings
            if f.rule_id == "R0" and f.status is Status.PASS and f.subject.label() in unmet
        ]
        assert not passed, fewer


BOUNDED = sorted(n for n, k in KINDS.items() if issubclass(k.args, Bounds))


def test_the_bounded_kinds_are_the_ones_with_min_and_max() -> None:
    with_min = sorted(n for n, k in KINDS.items() if "min_exclusive" in k.args.model_fields)
    assert with_min == BOUNDED and {"threshold", "ratio", "count", "rate"} <= set(BOUNDED)


@pytest.mark.parametrize("name", BOUNDED)
@examples(3)
@given(data=st.data())
def test_a_bound_read_from_an_absent_field_never_passes(name: str, data: st.DataObject) -> None:
    """The example's compliant record, against the example with its bounds read from a field
    the record does not have: missing data (before: count, rate and ratio passed)."""
    rs = example_ruleset(name)
    try:
        level = near_miss_level(rs, "R0")
        good = data.draw(boundary_pair(rs, "R0"))[0]
    except NotDerivable as exc:
        pytest.skip(f"not derivable: {exc}")
    check = copy.deepcopy(documented_example(KINDS[name].doc))
    for bound in ("min", "max"):
        if bound in check["args"]:
            check["args"][bound] = {"field": "attributes.bound"}
    variant = _ruleset(check, rs.rule("R0").level)
    found = [f for f in evaluate(variant, {level: good}, as_of=AS_OF).findings if f.rule_id == "R0"]
    assert found
    for f in found:
        assert f.status is Status.MISSING_DATA, (f.status, f.outcome)
        assert "attributes.bound" in f.outcome.detail["missing"]
