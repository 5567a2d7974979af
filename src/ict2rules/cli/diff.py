"""``ict2rules diff A B``: what differs between two rulesets, side by side.

Exit codes follow the Unix ``diff``: 0 the rulesets define the same parameters and rules,
1 they differ, 2 a ruleset could not be loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..authoring.diff import (
    Equivalent,
    ParamChange,
    RuleChange,
    RulesetDiff,
    diff_rulesets,
    fields_of,
    requirement,
    signature,
)
from ..errors import printable
from ..report.report import show
from ..rules.loader import load_ruleset
from ..rules.ruleset import LoadedParameter, Rule, Ruleset, Source
from .base import EXIT_FAILED, EXIT_OK, command

LABELS = {
    "zh": {
        "title": "规则集比较",
        "identical": "两个规则集的参数与规则完全相同。",
        "params": "取值不同的参数",
        "params_one": "仅一方有的参数",
        "side": "所在",
        "name": "参数",
        "value": "取值",
        "source": "依据",
        "only_a": "仅 A 有的规则",
        "only_b": "仅 B 有的规则",
        "changed": "编号相同、内容不同的规则",
        "equiv": "对应规则(同一层级、同一种类、检查同一字段)",
        "rule": "规则",
        "level": "层级",
        "kind": "种类",
        "fields": "字段",
        "rule_title": "标题",
        "aspects": "不同之处",
        "same": "要求相同",
        "differs": "要求不同",
        "requirement": "要求",
        "none": "—",
        "defined_in": "定义于",
        "overrides": "覆盖了",
        "chain": "继承链",
        "count": "参数差异 {p} · 仅A {a} · 仅B {b} · 改动 {c} · 对应 {e}",
        "absent": "(无)",
    },
    "en": {
        "title": "Ruleset comparison",
        "identical": "Both rulesets define the same parameters and rules.",
        "params": "Parameters with different values",
        "params_one": "Parameters on one side only",
        "side": "in",
        "name": "parameter",
        "value": "value",
        "source": "source",
        "only_a": "Rules only in A",
        "only_b": "Rules only in B",
        "changed": "Same id, different rule",
        "equiv": "Equivalent rules (same level, kind and field)",
        "rule": "rule",
        "level": "level",
        "kind": "kind",
        "fields": "fields",
        "rule_title": "title",
        "aspects": "what differs",
        "same": "same requirement",
        "differs": "different requirement",
        "requirement": "requirement",
        "none": "—",
        "defined_in": "defined in",
        "overrides": "overrides",
        "chain": "chain",
        "count": "parameters {p} · only A {a} · only B {b} · changed {c} · equivalent {e}",
        "absent": "(absent)",
    },
}


@command(
    "diff",
    "比较两个规则集 / compare two rulesets (parameters, rules, equivalent rules across regions)",
    epilog=(
        "例 / examples:\n"
        "  ict2rules diff zeku_2023 kaiyuan_2024\n"
        "  ict2rules diff national_2019 henan_2021 --lang en\n"
        "  ict2rules diff zeku_2023 my_school.yaml --format json\n"
        "退出码 / exit codes: 0 相同 identical · 1 有差异 different · 2 输入错误 input error"
    ),
)
def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("a", metavar="A", help="规则集名称或文件 bundled ruleset name or file")
    p.add_argument("b", metavar="B", help="规则集名称或文件 bundled ruleset name or file")
    p.add_argument(
        "-f", "--format", choices=["text", "json"], default="text", help="输出格式 output format"
    )
    p.add_argument(
        "--lang",
        choices=["zh", "en"],
        default="zh",
        help="语言 language of text output (default: zh)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    d = diff_rulesets(load_ruleset(args.a), load_ruleset(args.b))
    if args.format == "json":
        json.dump(d.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        # Piped output gets a fixed, wide layout unless COLUMNS says otherwise (rich reads it).
        wide = None if sys.stdout.isatty() or "COLUMNS" in os.environ else 160
        console = Console(width=wide, highlight=False)
        render_text(d, console, args.lang)
    return EXIT_OK if d.is_empty else EXIT_FAILED


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------


def render_text(d: RulesetDiff, console: Console, lang: str = "zh") -> None:
    """Print the comparison as rich tables: parameters, rules only on one side, changed rules,
    equivalent rules."""
    t = LABELS[lang]
    console.print(f"[bold]{t['title']}[/bold]")
    console.print(f"  A  {_heading(d.a, lang)}")
    console.print(f"  B  {_heading(d.b, lang)}")
    console.print(
        "  "
        + t["count"].format(
            p=len(d.parameters),
            a=len(d.rules_only_a),
            b=len(d.rules_only_b),
            c=len(d.rules_changed),
            e=len(d.equivalents),
        )
    )
    if d.is_empty:
        console.print(f"\n{t['identical']}")
        return
    for table in (
        _params_table(d.parameters, d, t),
        _changed_table(d.rules_changed, d, t, lang),
        _equivalents_table(d.equivalents, d, t, lang),
        _one_sided_params_table(d.parameters, d, t),
        _only_table(d.rules_only_a, t["only_a"], d.a, t, lang),
        _only_table(d.rules_only_b, t["only_b"], d.b, t, lang),
    ):
        if table is not None:
            console.print()
            console.print(table)


def _x(text: object) -> str:
    """A ruleset's text inside this module's rich markup: escaped, so "[/bold]" or
    "[link=…]" in a title is shown as written, and made printable (no terminal escape)."""
    return escape(printable(str(text)))


def _heading(rs: Ruleset, lang: str) -> str:
    chain = " → ".join(rs.chain)
    return _x(f"{rs.id} · {getattr(rs.title, lang)}" + (f" ({chain})" if len(rs.chain) > 1 else ""))


def _cite(source: Source) -> str:
    doc = f" [{source.document}]" if source.document else ""
    return _x(f"{source.section}「{source.quote}」{doc}")


def _param_cell(p: LoadedParameter | None, t: dict[str, str]) -> tuple[str, str]:
    if p is None:
        return t["absent"], ""
    unit = f" {p.unit}" if p.unit else ""
    where = f"{t['defined_in']} {p.defined_in}"
    if p.overrides:
        where += f"; {t['overrides']} " + ", ".join(
            f"{o.ruleset}={show(o.value)}" for o in p.overrides
        )
    return f"[bold]{_x(show(p.value) + unit)}[/bold]", f"{_cite(p.source)}\n[dim]{_x(where)}[/dim]"


def _params_table(
    changes: tuple[ParamChange, ...], d: RulesetDiff, t: dict[str, str]
) -> Table | None:
    both = [c for c in changes if c.change == "changed"]
    if not both:
        return None
    table = _table(t["params"])
    table.add_column(t["name"], no_wrap=True)
    table.add_column(f"A {_x(d.a.id)}", ratio=1, overflow="fold")
    table.add_column(f"{t['source']} A", ratio=3, overflow="fold")
    table.add_column(f"B {_x(d.b.id)}", ratio=1, overflow="fold")
    table.add_column(f"{t['source']} B", ratio=3, overflow="fold")
    for c in both:
        table.add_row(_x(c.name), *_param_cell(c.a, t), *_param_cell(c.b, t))
    return table


def _one_sided_params_table(
    changes: tuple[ParamChange, ...], d: RulesetDiff, t: dict[str, str]
) -> Table | None:
    one = [c for c in changes if c.change != "changed"]
    if not one:
        return None
    table = _table(t["params_one"])
    table.add_column(t["name"], no_wrap=True)
    table.add_column(t["side"], no_wrap=True)
    table.add_column(t["value"], ratio=1, overflow="fold")
    table.add_column(t["source"], ratio=3, overflow="fold")
    for c in one:
        side, p = (f"A {d.a.id}", c.a) if c.a is not None else (f"B {d.b.id}", c.b)
        table.add_row(_x(c.name), _x(side), *_param_cell(p, t))
    return table


def _table(title: str, lines: bool = True) -> Table:
    return Table(title=_x(title), show_lines=lines, title_justify="left", title_style="bold")


def _requirement_text(args: dict[str, Any]) -> str:
    req = requirement(args)
    return ", ".join(f"{k} {show(_plain(v))}" for k, v in req.items()) or "—"


def _plain(v: Any) -> Any:
    """Sub-checks and field operands in a compact form for a table cell."""
    if isinstance(v, dict) and "kind" in v:
        inner = ", ".join(f"{k}={show(_plain(x))}" for k, x in v.get("args", {}).items())
        return f"{v['kind']}({inner})"
    if isinstance(v, dict) and set(v) <= {"field", "days"}:
        return f"{v['field']}+{v['days']}d" if "days" in v else f"{{{v['field']}}}"
    return v


def _rule_cell(r: Rule, args: dict[str, Any], lang: str) -> str:
    return (
        f"[bold]{_x(r.id)}[/bold] {_x(getattr(r.title, lang))}\n{_x(_requirement_text(args))}\n"
        f"[dim]{_cite(r.source)}[/dim]"
    )


def _changed_table(
    changes: tuple[RuleChange, ...], d: RulesetDiff, t: dict[str, str], lang: str
) -> Table | None:
    if not changes:
        return None
    table = _table(t["changed"])
    table.add_column(t["rule"], no_wrap=True)
    table.add_column(t["aspects"])
    table.add_column(f"A {_x(d.a.id)}", ratio=1, overflow="fold")
    table.add_column(f"B {_x(d.b.id)}", ratio=1, overflow="fold")
    for c in changes:
        a_cell = _rule_cell(c.a, c.a_args, lang) + f"\n{c.a.severity}"
        b_cell = _rule_cell(c.b, c.b_args, lang) + f"\n{c.b.severity}"
        table.add_row(_x(c.id), _x(", ".join(c.changed)), a_cell, b_cell)
    return table


def _equivalents_table(
    eqs: tuple[Equivalent, ...], d: RulesetDiff, t: dict[str, str], lang: str
) -> Table | None:
    if not eqs:
        return None
    table = _table(t["equiv"])
    table.add_column(f"{t['level']} · {t['kind']} · {t['fields']}", overflow="fold")
    table.add_column(f"A {_x(d.a.id)}", ratio=1, overflow="fold")
    table.add_column(f"B {_x(d.b.id)}", ratio=1, overflow="fold")
    for e in eqs:
        mark = f"[green]= {t['same']}[/green]" if e.same else f"[yellow]≠ {t['differs']}[/yellow]"
        head = f"{e.level} · {e.kind}\n{_x(', '.join(e.fields) or t['none'])}\n{mark}"
        table.add_row(head, _rule_cell(e.a, e.a_args, lang), _rule_cell(e.b, e.b_args, lang))
    return table


def _only_table(
    rules: tuple[Rule, ...], title: str, rs: Ruleset, t: dict[str, str], lang: str
) -> Table | None:
    if not rules:
        return None
    table = _table(f"{title} ({rs.id})", lines=False)
    for col in (t["rule"], t["level"], t["kind"], t["fields"], t["rule_title"]):
        table.add_column(col, overflow="fold")
    for r in rules:
        fields = fields_of(signature(r.check.model_dump()))
        cells = (r.id, r.level, r.check.kind, ", ".join(fields) or t["none"], getattr(r.title, lang))
        table.add_row(*(_x(c) for c in cells))
    return table
