"""``ict2rules.authoring.diff`` and ``ict2rules diff``: parameters, rules, equivalent rules across regions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ict2rules import bundled_names, load_ruleset
from ict2rules.authoring.diff import diff_rulesets, requirement, signature
from ict2rules.cli import main

HEAD = """\
id: {id}
{extends}title: {{zh: 测试, en: test}}
document: {{title: 测试文件, issuer: 测试, level: county}}
"""
RULE = """\
  - id: {id}
    level: teacher
    severity: {severity}
    title: {{zh: 线上学时, en: online hours}}
    message: {{zh: "线上 {{actual}}", en: "online {{actual}}"}}
    check: {{kind: threshold, args: {{value: {field}, min: {min}}}}}
    source: {{document: x.txt, section: "{section}", quote: 线上研修学时不少于规定}}
"""


def write(tmp: Path, name: str, *, extends: str = "", params: str = "", rules: str = "") -> Path:
    """A small ruleset file in ``tmp``: optional ``extends``, parameters and rules blocks."""
    text = HEAD.format(id=name, extends=f"extends: {extends}\n" if extends else "")
    if params:
        text += "parameters:\n" + params
    if rules:
        text += "rules:\n" + rules
    path = tmp / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def param(name: str, value: object, section: str = "一") -> str:
    return f"  {name}:\n    value: {value}\n    source: {{document: x.txt, section: '{section}', quote: 规定的数值}}\n"


def rule(
    rid: str,
    *,
    field: str = "hours.online",
    min: object = "$online",
    severity: str = "error",
    section: str = "一",
) -> str:
    return RULE.format(id=rid, field=field, min=min, severity=severity, section=section)


# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", bundled_names())
def test_a_ruleset_against_itself_is_empty(name: str) -> None:
    rs = load_ruleset(name)
    d = diff_rulesets(rs, rs)
    assert d.is_empty
    assert (d.parameters, d.rules_only_a, d.rules_only_b, d.rules_changed, d.equivalents) == (
        (),
        (),
        (),
        (),
        (),
    )
    assert main(["diff", name, name, "--format", "json"]) == 0


@pytest.mark.skipif("kaiyuan_2024" not in bundled_names(), reason="kaiyuan_2024 not bundled yet")
def test_zeku_against_kaiyuan_shows_online_hours_50_vs_25_with_both_citations() -> None:
    d = diff_rulesets(load_ruleset("zeku_2023"), load_ruleset("kaiyuan_2024"))
    pair = [e for e in d.equivalents if e.kind == "threshold" and e.fields == ("hours.online",)]
    assert len(pair) == 1
    e = pair[0]
    assert (e.a.id, e.b.id) == ("ZK-T-HOURS-ONLINE", "KY-T-HOURS-ONLINE")
    assert requirement(e.a_args)["min"] == 50
    assert requirement(e.b_args)["min"] == 25
    assert not e.same
    assert e.a.source.document == "000_41d8c6dd8fc10703.txt" and "50学时" in e.a.source.quote
    assert e.b.source.document == "002_ea1251a2ee46fc62.txt" and "25学时" in e.b.source.quote
    # The parameter of the same name differs too, each side with its own citation.
    online = next(p for p in d.parameters if p.name == "online_hours")
    assert online.change == "changed"
    assert (online.a.value, online.b.value) == (50, 25)
    assert (online.a.defined_in, online.b.defined_in) == ("zeku_2023", "kaiyuan_2024")
    assert online.a.source.quote != online.b.source.quote


def test_extends_override_shows_up_as_parameter_and_rule_values(tmp_path: Path) -> None:
    child = write(
        tmp_path, "zeku_school", extends="zeku_2023", params=param("online_hours", 40, "二")
    )
    base, derived = load_ruleset("zeku_2023"), load_ruleset(child)
    d = diff_rulesets(base, derived)
    (p,) = d.parameters
    assert (p.name, p.a.value, p.b.value) == ("online_hours", 50, 40)
    assert (p.a.defined_in, p.b.defined_in) == ("zeku_2023", "zeku_school")
    assert [(o.ruleset, o.value) for o in p.b.overrides] == [("zeku_2023", 50)]
    # The rule is written the same in both, but asks for something else: "values" changed.
    (c,) = d.rules_changed
    assert c.id == "ZK-T-HOURS-ONLINE" and c.changed == ("values",)
    assert (c.a_args["args"]["min"], c.b_args["args"]["min"]) == (50, 40)
    assert not d.rules_only_a and not d.rules_only_b
    out = d.to_dict()
    assert out["parameters"][0]["b"]["overrides"] == [{"ruleset": "zeku_2023", "value": 50}]
    assert out["b"]["chain"] == ["national_2019", "zeku_2023", "zeku_school"]


def test_rules_only_on_one_side_and_changed_by_id(tmp_path: Path) -> None:
    a = write(
        tmp_path,
        "rs_a",
        params=param("online", 50),
        rules=rule("R-SAME")
        + rule("R-SEVERITY")
        + rule("R-SOURCE")
        + rule("R-CHECK")
        + rule("R-ONLY-A", field="hours.offline", min=25),
    )
    b = write(
        tmp_path,
        "rs_b",
        params=param("online", 50) + param("extra", 1),
        rules=rule("R-SAME")
        + rule("R-SEVERITY", severity="warning")
        + rule("R-SOURCE", section="二")
        + rule("R-CHECK", field="hours.total")
        + rule("R-ONLY-B", field="hours.offline", min=20),
    )
    d = diff_rulesets(load_ruleset(a), load_ruleset(b))
    assert [r.id for r in d.rules_only_a] == ["R-ONLY-A"]
    assert [r.id for r in d.rules_only_b] == ["R-ONLY-B"]
    changed = {c.id: c.changed for c in d.rules_changed}
    assert changed == {"R-CHECK": ("check",), "R-SEVERITY": ("severity",), "R-SOURCE": ("source",)}
    assert [(p.name, p.change) for p in d.parameters] == [("extra", "only_b")]
    # The two one-sided rules check the same field with the same kind: an equivalent pair.
    (e,) = d.equivalents
    assert (e.a.id, e.b.id, e.fields) == ("R-ONLY-A", "R-ONLY-B", ("hours.offline",))
    assert requirement(e.a_args) == {"min": 25} and requirement(e.b_args) == {"min": 20}
    assert not e.same


def test_equal_values_of_different_types_are_not_a_difference(tmp_path: Path) -> None:
    a = write(tmp_path, "rs_int", params=param("online", 25))
    b = write(tmp_path, "rs_float", params=param("online", 25.0))
    assert diff_rulesets(load_ruleset(a), load_ruleset(b)).parameters == ()


def test_signature_ignores_qualifiers_but_not_what_is_measured() -> None:
    within = {
        "kind": "count",
        "args": {
            "over": "bulletins",
            "where": {"kind": "compare", "args": {"value": ".", "op": ">=", "to": 1}},
        },
    }
    plain = {"kind": "count", "args": {"over": "bulletins"}}
    assert signature(within) == signature(plain)
    of_code = {"kind": "membership", "args": {"items": "points", "of": "code"}}
    of_env = {"kind": "membership", "args": {"items": "points", "of": "environment"}}
    assert signature(of_code) != signature(of_env)


def test_henan_extends_the_national_baseline() -> None:
    national, henan = load_ruleset("national_2019"), load_ruleset("henan_2021")
    assert henan.chain == ["national_2019", "henan_2021"]
    d = diff_rulesets(national, henan)
    # the notice never invokes the national 考核规范, so it removes the two national rules
    assert {r.id for r in d.rules_only_a} == {"NAT-S-SCOPE-CHOSEN", "NAT-T-EVIDENCE"}
    assert not d.rules_changed
    assert {r.id for r in d.rules_only_b} >= {"HN-P-FINISH-ON-TIME", "HN-P-CASE-SHARE"}
    assert {p.change for p in d.parameters} == {"only_b"}


def test_cli_text_json_lang_and_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)  # piped: the fixed wide layout (xdist sets 80)
    child = write(
        tmp_path, "zeku_school", extends="zeku_2023", params=param("online_hours", 40, "二")
    )
    assert main(["diff", "zeku_2023", str(child)]) == 1
    text = capsys.readouterr().out
    assert "取值不同的参数" in text and "online_hours" in text and "定义于 zeku_school" in text
    assert main(["diff", "zeku_2023", str(child), "--lang", "en"]) == 1
    text = capsys.readouterr().out
    assert "Parameters with different values" in text and "overrides zeku_2023=50" in text
    assert main(["diff", "zeku_2023", str(child), "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["identical"] is False
    assert out["rules"]["changed"][0]["changed"] == ["values"]
    assert main(["diff", "zeku_2023", "no_such_ruleset"]) == 2
    assert "no_such_ruleset" in capsys.readouterr().err
