"""Compile errors are codes with values; both languages come from one table.

Each code of ``errors.COMPILE_MESSAGES`` is provoked by a small ruleset, and the load error
is located at the value the rule wrote, in Chinese and in English from that table.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ict2rules import load_ruleset
from ict2rules.errors import COMPILE_MESSAGES, CompileError, InputError

HEAD = """\
id: mini
title: {zh: 最小规则集, en: Minimal ruleset}
document: {title: 测试文件, issuer: 测试局, level: county}
parameters:
  online_hours: {value: 50, unit: 学时, source: {section: 一, quote: 线上50学时}}
  words: {value: 五十, source: {section: 一, quote: 线上50学时}}
"""
DERIVED_HEAD = HEAD + "derived:\n"
RULE = """\
rules:
  - id: T-ONE
    level: {level}
    title: {{zh: 一, en: one}}
    message: {{zh: "{{actual}}", en: "{{actual}}"}}
    check: {check}
    source: {{section: 一, quote: 线上50学时}}
"""

CASES = {
    "unknown_parameter": (
        RULE.format(level="teacher", check="{kind: threshold, args: {value: hours.online, min: $onlin_hours}}"),
        ["未知参数 $onlin_hours;是否应为 $online_hours?", "did you mean $online_hours?"],
    ),
    "no_field": (
        RULE.format(level="teacher", check="{kind: threshold, args: {value: hours.onlin, min: 1}}"),
        ["HoursRecord 没有字段 'onlin';是否应为 'online'?", "HoursRecord has no field 'onlin'"],
    ),
    "cannot_take": (
        RULE.format(level="teacher", check="{kind: threshold, args: {value: hours.online.x, min: 1}}"),
        ["的值没有 'x'", "cannot take 'x' of a value of type"],
    ),
    "parameter_type": (
        RULE.format(level="teacher", check="{kind: threshold, args: {value: hours.online, min: $words}}"),
        ["参数值的类型不适用于 'min'", "does not fit 'min': $words = '五十'"],
    ),
    "field_not_allowed": (
        "derived:\n  - id: total\n    level: teacher\n    title: {zh: 总, en: total}\n"
        "    compute: {kind: sum, args: {values: [hours.online], weights: [{field: hours.offline}]}}\n"
        "    source: {section: 一, quote: 线上50学时}\n",
        ["此处不能引用字段", "a field cannot be used here"],
    ),
    "own_passed": (
        RULE.format(level="teacher", check="{kind: present, args: {fields: [passed]}}"),
        ["不能读取其自身对象的 passed", "cannot read its own subject's `passed`"],
    ),
    "computed_after": (
        "derived:\n  - id: staff_total\n    level: school\n    title: {zh: 总, en: total}\n"
        "    compute: {kind: sum, args: {values: [staff.total]}}\n"
        "    source: {section: 一, quote: 线上50学时}\n"
        + RULE.format(level="teacher", check="{kind: threshold, args: {value: school.staff_total, min: 1}}"),
        ["它在教师之后才计算", "it is computed after the teachers"],
    ),
    "region_only": (
        RULE.format(level="teacher", check="{kind: quota, args: {by: 2021-08-15, min: 0.25}}"),
        ["quota"],
    ),
    "weights_count": (
        "derived:\n  - id: total\n    level: teacher\n    title: {zh: 总, en: total}\n"
        "    compute: {kind: sum, args: {values: [hours.online, hours.offline], weights: [1]}}\n"
        "    source: {section: 一, quote: 线上50学时}\n",
        ["权重须与取值一一对应", "weights must have one number per value"],
    ),
}


def load_error(tmp_path: Path, body: str) -> InputError:
    path = tmp_path / "r.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_ruleset(path)
    return info.value


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_code_is_located_and_worded_from_the_table(tmp_path: Path, code: str) -> None:
    body, expected = CASES[code]
    error = load_error(tmp_path, body)
    (problem,) = error.problems
    assert problem.code == "compile" and problem.line is not None
    for text in expected:
        assert text in problem.message_zh or text in problem.message_en
    assert not re.search(r"[\u4e00-\u9fff]", problem.message_en.split(":", 1)[1].replace("五十", ""))


def test_every_code_has_both_languages_and_a_case() -> None:
    raised = set(re.findall(r'CompileError\("(\w+)"', _sources()))
    raised |= set(re.findall(r'PathError\("(\w+)"', _sources()))
    assert raised <= set(COMPILE_MESSAGES), "a code raised with no message"
    assert set(CASES) == set(COMPILE_MESSAGES), "every code has a case above"
    for code, (zh, en) in COMPILE_MESSAGES.items():
        assert re.search(r"[\u4e00-\u9fff]", zh) and not re.search(r"[\u4e00-\u9fff]", en), code
        assert code in raised, f"{code} is never raised"


def test_an_unknown_code_is_a_bug_not_a_message() -> None:
    with pytest.raises(KeyError):
        CompileError("no_such_code", "x")


def _sources() -> str:
    root = Path(__file__).parents[1] / "src" / "ict2rules"
    return "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*.py"))
