"""``ict2rules explain``, ``show``, ``schema`` and ``completion``: what a rule means, what a
ruleset holds, the JSON Schemas, and shell completion.

``explain`` is to a ruleset what ``ruff rule`` is to ruff: the rule's check, its parameters
(value, where defined, what it overrides), its clause quoted, how the clause is read, and a
passing and a failing example taken from the ruleset's YAML test cases (``tests/cases``) or,
when there are none, from the rule kind's own documentation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import json
import sys
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import InputError, did_you_mean, printable, printable_data
from ..kinds import KINDS
from ..rules.loader import bundled_names, load_ruleset
from ..rules.ruleset import Rule, Ruleset
from .base import EXIT_OK, command

MAX_EXAMPLE_LINES = 30


def _console() -> Console:
    """stdout; 100 columns and no trailing blanks when piped (like ``check --format text``)."""
    from ..render.text import TrimmedLines

    tty = sys.stdout.isatty()
    out = sys.stdout if tty else TrimmedLines(sys.stdout)
    # markup=False: a title "[/bold]" or "[link=…]" from a ruleset is shown as written
    return Console(file=out, width=None if tty else 100, highlight=False, emoji=False, markup=False)


# ---------------------------------------------------------------------------------------------
# explain
# ---------------------------------------------------------------------------------------------


@command(
    "explain",
    "解释一条规则或一种规则类型 / explain a rule or a rule kind",
    epilog=(
        "例 / examples:\n"
        "  ict2rules explain ZK-T-HOURS-TOTAL              # 在内置规则集中查找 / searched in every bundled ruleset\n"
        "  ict2rules explain ZK-T-HOURS-TOTAL -r zeku_2023 --lang en\n"
        "  ict2rules explain threshold                     # 规则类型 / a rule kind\n"
        "  ict2rules explain ZK-S-PASS-RATE --format json  # 机器可读 / for programs"
    ),
)
def configure_explain(p: argparse.ArgumentParser) -> None:
    p.add_argument("target", metavar="RULE_OR_KIND", help="规则编号或规则类型 rule id (ZK-T-HOURS-TOTAL) or kind (threshold)")
    p.add_argument("-r", "--ruleset", help="规则集名称或路径(默认查找全部内置规则集) ruleset name or path (default: search the bundled ones)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="语言 language (default: zh)")
    p.add_argument("--format", choices=["text", "json"], default="text", help="输出格式 output format (default: text)")
    p.add_argument("--cases", metavar="DIR", help="测试用例目录(默认 tests/cases) folder of YAML test cases for the examples")
    p.set_defaults(run=run_explain)


@dataclass
class Example:
    """A record that passes or fails a rule, and where it comes from."""

    status: str
    title: str
    source: str
    input: Any
    as_of: str | None = None


def find_rule(rule_id: str, ruleset: str | None) -> tuple[Ruleset, Rule]:
    """The rule with ``rule_id`` in ``ruleset`` (or the first bundled ruleset that has it).

    >>> rs, rule = find_rule("ZK-T-HOURS-TOTAL", None)
    >>> rs.id, rule.level
    ('zeku_2023', 'teacher')
    """
    names = [ruleset] if ruleset else bundled_names()
    known: list[str] = []
    for name in names:
        rs = load_ruleset(name)
        for rule in rs.rules:
            if rule.id == rule_id or rule.id.lower() == rule_id.lower():
                return rs, rule
        known += [r.id for r in rs.rules]
    hint = did_you_mean(rule_id, [*known, *KINDS])
    more_zh = f";是否想找 {hint}?" if hint else ""
    more_en = f"; did you mean {hint}?" if hint else ""
    raise InputError.single(
        ruleset or "explain",
        f"{'' if ruleset else '内置规则集中'}没有规则或规则类型 {rule_id}{more_zh}",
        f"no rule or kind {rule_id!r}{'' if ruleset else ' in the bundled rulesets'}{more_en}",
    )


def cases_dirs(explicit: str | None) -> list[Path]:
    """Where YAML test cases may be: ``--cases``, ``./tests/cases``, the source tree's."""
    if explicit:
        return [Path(explicit)]
    here = Path(__file__).resolve().parents[3] / "tests" / "cases"
    return list(dict.fromkeys(p for p in (Path("tests/cases"), here) if p.is_dir()))


def examples_from_cases(rs: Ruleset, rule: Rule, folders: list[Path]) -> dict[str, Example]:
    """The first passing and the first failing case of ``rule`` in the case files of ``rs``."""
    from ..authoring.cases import load_cases

    found: dict[str, Example] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*.yaml")):
            try:
                cf = load_cases(path)
            except InputError:
                continue
            if cf.ruleset not in (rs.id, rs.path):
                continue
            for case in cf.cases:
                for key, want in case.expect.items():
                    if key.partition("@")[0] == rule.id and want in ("pass", "fail") and want not in found:
                        as_of = case.as_of or cf.as_of
                        found[want] = Example(want, case.name, f"{path}", case.input, as_of.isoformat() if as_of else None)
            if len(found) == 2:
                return found
    return found


def example_from_kind(kind: str) -> str | None:
    """The ``Example::`` block of a kind's docstring."""
    doc = KINDS[kind].doc
    _, sep, rest = doc.partition("Example::")
    if not sep:
        return None
    lines = [ln for ln in rest.strip("\n").splitlines()]
    return "\n".join(ln[8:] if ln.startswith("        ") else ln.strip() for ln in lines).strip()


def _yaml(value: Any) -> str:
    text = yaml.safe_dump(value, allow_unicode=True, sort_keys=False, default_flow_style=None, width=90)
    lines = text.rstrip("\n").splitlines()
    if len(lines) > MAX_EXAMPLE_LINES:
        lines = [*lines[:MAX_EXAMPLE_LINES], f"# … (+{len(lines) - MAX_EXAMPLE_LINES} lines)"]
    return "\n".join(lines)


def rule_info(rs: Ruleset, rule: Rule, folders: list[Path]) -> dict[str, Any]:
    """Everything ``explain`` shows about a rule, as plain data (``--format json``)."""
    compiled = next(c for c in rs.plan.rules[rule.level] if c.rule.id == rule.id)
    params = {}
    for name in compiled.parameters:
        p = rs.parameters[name]
        params[name] = {
            "value": p.value if not hasattr(p.value, "isoformat") else p.value.isoformat(),
            "unit": p.unit,
            "defined_in": p.defined_in,
            "section": p.source.section,
            "overrides": [{"ruleset": o.ruleset, "value": str(o.value)} for o in p.overrides],
            "note": p.note,
        }
    examples = examples_from_cases(rs, rule, folders)
    return {
        "id": rule.id,
        "ruleset": rs.id,
        "defined_in": rs.rule_origin.get(rule.id, rs.id),
        "level": rule.level,
        "severity": rule.severity,
        "title": rule.title.model_dump(),
        "message": rule.message.model_dump(),
        "kind": rule.check.kind,
        "kind_summary": KINDS[rule.check.kind].summary,
        "check": rule.check.model_dump(mode="json", exclude_defaults=True),
        "when": rule.when.model_dump(mode="json", exclude_defaults=True) if rule.when else None,
        "parameters": params,
        "source": rule.source.model_dump(),
        "note": rule.note,
        "examples": {
            k: {"case": e.title, "file": e.source, "as_of": e.as_of, "input": e.input}
            for k, e in examples.items()
        },
        "kind_example": None if examples else example_from_kind(rule.check.kind),
    }


T = {
    "zh": {
        "level": "对象", "severity": "级别", "kind": "类型", "ruleset": "规则集", "defined": "定义于",
        "message": "未满足时的说明", "check": "检查", "when": "适用条件", "params": "参数",
        "source": "依据", "note": "读法", "pass": "符合的例子", "fail": "不符合的例子",
        "kind_example": "该类型的写法示例(无测试用例)", "overrides": "覆盖", "args": "参数",
        "what": "说明", "none": "无", "case": "用例", "as_of": "检查日期",
    },
    "en": {
        "level": "level", "severity": "severity", "kind": "kind", "ruleset": "ruleset", "defined": "defined in",
        "message": "message when not met", "check": "check", "when": "applies when", "params": "parameters",
        "source": "source", "note": "reading", "pass": "passing example", "fail": "failing example",
        "kind_example": "how the kind is written (no test cases found)", "overrides": "overrides", "args": "arguments",
        "what": "what it does", "none": "none", "case": "case", "as_of": "as of",
    },
}


def print_rule(info: dict[str, Any], lang: str, console: Console) -> None:
    t = T[lang]
    console.print(Text(f"{info['id']} · {info['title'][lang]}", style="bold"))
    other = info["title"]["en" if lang == "zh" else "zh"]
    console.print(Text(other, style="dim"))
    console.print()
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    grid.add_row(t["ruleset"], Text(f"{info['ruleset']}" + (f"({t['defined']} {info['defined_in']})" if info["defined_in"] != info["ruleset"] else "")))
    grid.add_row(t["level"], info["level"])
    grid.add_row(t["severity"], info["severity"])
    grid.add_row(t["kind"], Text(f"{info['kind']} — {info['kind_summary']}"))
    grid.add_row(t["message"], Text(info["message"][lang]))
    console.print(grid)
    console.print(Text(f"\n{t['check']}", style="bold"))
    console.print(Text(_indent(_yaml(info["check"]))), soft_wrap=True)
    if info["when"]:
        console.print(Text(t["when"], style="bold"))
        console.print(Text(_indent(_yaml(info["when"]))), soft_wrap=True)
    if info["parameters"]:
        console.print(Text(t["params"], style="bold"))
        for name, p in info["parameters"].items():
            line = Text(f"  ${name} = {p['value']}{' ' + p['unit'] if p['unit'] else ''}")
            line.append(f"  ({t['defined']} {p['defined_in']}, {p['section']})", style="dim")
            console.print(line)
            for o in p["overrides"]:
                console.print(Text(f"      {t['overrides']} {o['ruleset']}: {o['value']}", style="dim"))
    src = info["source"]
    console.print(Text(f"\n{t['source']} {src.get('document') or ''} {src['section']}".replace("  ", " "), style="bold"))
    console.print(Text(f"  「{src['quote']}」", style="italic"))
    if info["note"]:
        console.print(Text(f"{t['note']}", style="bold"))
        console.print(Text(f"  {info['note']}"))
    for status in ("pass", "fail"):
        ex = info["examples"].get(status)
        if ex:
            head = Text(f"\n{t[status]}", style="bold green" if status == "pass" else "bold red")
            head.append(f"  {t['case']}: {ex['case']}", style="dim")
            if ex["as_of"]:
                head.append(f" · {t['as_of']} {ex['as_of']}", style="dim")
            console.print(head)
            console.print(Text(_indent(_yaml(ex["input"]))), soft_wrap=True)
    if info["kind_example"]:
        console.print(Text(f"\n{t['kind_example']}", style="bold"))
        console.print(Text(_indent(info["kind_example"])), soft_wrap=True)


def _indent(text: str, n: int = 2) -> str:
    return "\n".join(" " * n + ln for ln in text.splitlines())


def kind_info(name: str) -> dict[str, Any]:
    """A rule kind's documentation and arguments.

    >>> kind_info("threshold")["args"]["min"]["type"]
    'number | $parameter | {field: path}'
    """
    kind = KINDS[name]
    args = {
        arg: {
            "required": f.is_required(),
            "type": type_text(f.annotation),
            "default": None if f.is_required() else f.default,
        }
        for arg, f in kind.args.model_fields.items()
    }
    return {"kind": name, "summary": kind.summary, "doc": inspect.cleandoc(kind.doc), "args": args, "monotone": kind.monotone}


_NAMES = {str: "text", int: "integer", float: "number", bool: "true/false", dt.date: "date"}


def type_text(tp: Any) -> str:
    """An argument's type as a ruleset author writes it: 'number | $parameter | {field: path}'."""
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        parts = [type_text(a) for a in typing.get_args(tp) if a is not type(None)]
        return " | ".join(dict.fromkeys(parts))
    if origin is typing.Annotated:
        patterns = [str(getattr(m, "pattern", "") or "") for m in getattr(tp, "__metadata__", ())]
        return "$parameter" if any(p.startswith("^\\$") for p in patterns) else type_text(typing.get_args(tp)[0])
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in typing.get_args(tp))
    if origin in (list, tuple, set):
        inner = typing.get_args(tp)
        return f"list of {type_text(inner[0])}" if inner else "list"
    if origin is dict:
        return "mapping"
    if tp in _NAMES:
        return _NAMES[tp]
    name = getattr(tp, "__name__", str(tp))
    if name == "FieldRef":
        return "{field: path}"
    if name == "DaysAfter":
        return "{field: path, days: N}"
    if name.endswith("Check"):
        return "check"
    return name


def print_kind(info: dict[str, Any], lang: str, console: Console) -> None:
    t = T[lang]
    console.print(Text(f"{info['kind']} — {info['summary']}", style="bold"))
    console.print()
    console.print(Text(info["doc"]), soft_wrap=True)
    table = Table(title=t["args"], box=box.SIMPLE_HEAD, title_justify="left")
    for col in (("参数", "类型", "必填", "默认") if lang == "zh" else ("name", "type", "required", "default")):
        table.add_column(col)
    for arg, a in info["args"].items():
        table.add_row(arg, Text(a["type"]), "✔" if a["required"] else "", Text("" if a["default"] is None else str(a["default"])))
    console.print(table)


def run_explain(args: argparse.Namespace) -> int:
    console = _console()
    if args.target in KINDS and not args.ruleset:
        info = kind_info(args.target)
        if args.format == "json":
            print(json.dumps(info, ensure_ascii=False, indent=2))
        else:
            print_kind(info, args.lang, console)
        return EXIT_OK
    rs, rule = find_rule(args.target, args.ruleset)
    info = rule_info(rs, rule, cases_dirs(args.cases))
    if args.format == "json":
        print(json.dumps(info, ensure_ascii=False, indent=2, default=str))
    else:
        print_rule(printable_data(info), args.lang, console)
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# show
# ---------------------------------------------------------------------------------------------


@command(
    "show",
    "列出规则集的全部规则 / list a ruleset's rules",
    epilog=(
        "例 / examples:\n"
        "  ict2rules show zeku_2023\n"
        "  ict2rules show my_school.yaml --lang en      # 含继承的规则 / with inherited rules\n"
        "  ict2rules show kaiyuan_2024 --format json"
    ),
)
def configure_show(p: argparse.ArgumentParser) -> None:
    p.add_argument("ruleset", metavar="RULESET", help="规则集名称或路径 ruleset name or path")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="语言 language (default: zh)")
    p.add_argument("--format", choices=["text", "json"], default="text", help="输出格式 output format (default: text)")
    p.set_defaults(run=run_show)


def rule_rows(rs: Ruleset) -> list[dict[str, Any]]:
    """One row per rule: id, level, severity, titles, section, defining ruleset.

    >>> rule_rows(load_ruleset("zeku_2023"))[0]["id"]  # inherited rules come first
    'NAT-S-SCOPE-CHOSEN'
    """
    return [
        {
            "id": r.id, "level": r.level, "severity": r.severity, "kind": r.check.kind,
            "title": r.title.model_dump(), "section": r.source.section,
            "defined_in": rs.rule_origin.get(r.id, rs.id),
        }
        for r in rs.rules
    ]


def run_show(args: argparse.Namespace) -> int:
    rs = load_ruleset(args.ruleset)
    rows = rule_rows(rs)
    if args.format == "json":
        print(json.dumps({"ruleset": rs.id, "chain": rs.chain, "rules": rows}, ensure_ascii=False, indent=2))
        return EXIT_OK
    rows = printable_data(rows)  # no terminal escape or bidi override from the file
    zh = args.lang == "zh"
    d = rs.document
    title = printable(f"{rs.id} · {getattr(rs.title, args.lang)}({d.issuer}{' ' + d.number if d.number else ''})")
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("编号 id" if zh else "id", no_wrap=True)
    table.add_column("对象" if zh else "level")
    table.add_column("级别" if zh else "severity")
    table.add_column("要求" if zh else "title")
    table.add_column("条款" if zh else "section", no_wrap=True)
    inherited = len(rs.chain) > 1
    for r in rows:
        rid = Text(r["id"]) if r["defined_in"] == rs.id or not inherited else Text(f"{r['id']}", style="dim")
        sev = Text(r["severity"], style={"error": "red", "warning": "yellow"}.get(r["severity"], "cyan"))
        table.add_row(rid, r["level"], sev, Text(r["title"][args.lang]), Text(r["section"]))
    console = _console()
    console.print(table)
    counts = {lv: sum(1 for r in rows if r["level"] == lv) for lv in ("teacher", "school", "project", "region")}
    summary = " · ".join(f"{lv} {n}" for lv, n in counts.items() if n)
    line = f"{len(rows)} {'条规则' if zh else 'rules'} ({summary})"
    if inherited:  # a ruleset of its own inherits nothing: no chain of one to show
        line += f"; {'继承' if zh else 'chain'}: {printable(' → '.join(rs.chain))}"
    console.print(Text(line, style="dim"))
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# schema
# ---------------------------------------------------------------------------------------------


@command(
    "schema",
    "输出 JSON Schema / print a JSON Schema",
    epilog=(
        "例 / examples:\n"
        "  ict2rules schema ruleset > ruleset.schema.json   # 编辑器补全 / for editor completion\n"
        "  ict2rules schema records\n"
        "  ict2rules schema report                          # --format json 的结构 / shape of --format json"
    ),
)
def configure_schema(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", choices=["records", "ruleset", "report"], help="哪个 schema which schema")
    p.set_defaults(run=run_schema)


def run_schema(args: argparse.Namespace) -> int:
    from ..authoring.schemas import SCHEMAS, dumps

    sys.stdout.write(dumps(SCHEMAS[args.name]()))
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# completion
# ---------------------------------------------------------------------------------------------


@command(
    "completion",
    "输出 shell 补全脚本 / print a shell completion script",
    epilog=(
        "例 / examples:\n"
        "  ict2rules completion bash > ~/.local/share/bash-completion/completions/ict2rules\n"
        "  ict2rules completion zsh > ~/.zfunc/_ict2rules     # 或 / or: eval \"$(ict2rules completion zsh)\"\n"
        "  source <(ict2rules completion bash)                # 仅当前 shell / this shell only"
    ),
)
def configure_completion(p: argparse.ArgumentParser) -> None:
    p.add_argument("shell", choices=["bash", "zsh"], help="shell")
    p.set_defaults(run=run_completion)


def _words(values: Any) -> str:
    return " ".join(sorted(str(v) for v in values))


def completion_spec(parser: argparse.ArgumentParser) -> dict[str, dict[str, Any]]:
    """Per sub-command: its options, the choices of each option, and of its positionals."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    spec: dict[str, dict[str, Any]] = {}
    for name, p in sub.choices.items():
        options: list[str] = []
        values: dict[str, list[str]] = {}
        positional: list[str] = []
        for action in p._actions:
            if action.option_strings:
                options += action.option_strings
                if action.choices:
                    for opt in action.option_strings:
                        values[opt] = [str(c) for c in action.choices]
            elif action.choices:
                positional += [str(c) for c in action.choices]
        spec[name] = {"options": options, "values": values, "positional": positional}
    return spec


def bash_script(parser: argparse.ArgumentParser) -> str:
    """A static bash completion function for ``ict2rules``, generated from the parser.

    >>> from ict2rules.cli import build_parser
    >>> "complete -o default -F _ict2rules ict2rules" in bash_script(build_parser())
    True
    """
    spec = completion_spec(parser)
    rulesets = bundled_names()
    rule_ids = sorted({r.id for name in rulesets for r in load_ruleset(name).rules})
    # names the parser cannot know: rulesets for -r/show, rule ids and kinds for explain
    extra_positional = {"show": rulesets, "validate": rulesets, "diff": rulesets, "explain": [*rule_ids, *sorted(KINDS)]}
    cases_value, cases_cmd = [], []
    for name, s in spec.items():
        for opt, choices in s["values"].items():
            cases_value.append(f'        "{name} {opt}") COMPREPLY=( $(compgen -W "{_words(choices)}" -- "$cur") ); return ;;')
        if "--ruleset" in s["options"]:
            for opt in ("-r", "--ruleset"):
                cases_value.append(f'        "{name} {opt}") COMPREPLY=( $(compgen -W "{_words(rulesets)}" -f -- "$cur") ); return ;;')
        positional = s["positional"] + extra_positional.get(name, [])
        cases_cmd.append(f'        {name}) opts="{_words(s["options"])}"; words="{_words(positional)}" ;;')
    commands = _words([*spec, "--help", "--version"])
    return "\n".join([
        "# ict2rules bash completion — generated by `ict2rules completion bash`; regenerate after upgrading.",
        "_ict2rules() {",
        '    local cur prev cmd opts words',
        '    cur="${COMP_WORDS[COMP_CWORD]}"',
        '    prev="${COMP_WORDS[COMP_CWORD-1]}"',
        '    if [[ $COMP_CWORD -eq 1 ]]; then',
        f'        COMPREPLY=( $(compgen -W "{commands}" -- "$cur") ); return',
        "    fi",
        '    cmd="${COMP_WORDS[1]}"',
        '    case "$cmd $prev" in',
        *cases_value,
        "    esac",
        '    case "$cmd" in',
        *cases_cmd,
        '        *) opts=""; words="" ;;',
        "    esac",
        '    if [[ "$cur" == -* ]]; then',
        '        COMPREPLY=( $(compgen -W "$opts --help" -- "$cur") )',
        "    else",
        '        COMPREPLY=( $(compgen -W "$words" -- "$cur") $(compgen -f -- "$cur") )',
        "    fi",
        "}",
        "complete -o default -F _ict2rules ict2rules",
        "",
    ])


def zsh_script(parser: argparse.ArgumentParser) -> str:
    """zsh completion: the bash function run through zsh's own ``bashcompinit``."""
    return "\n".join([
        "#compdef ict2rules",
        "# ict2rules zsh completion — generated by `ict2rules completion zsh`.",
        "autoload -U +X compinit && compinit",
        "autoload -U +X bashcompinit && bashcompinit",
        bash_script(parser),
    ])


def run_completion(args: argparse.Namespace) -> int:
    parser = args.parser
    sys.stdout.write(bash_script(parser) if args.shell == "bash" else zsh_script(parser))
    return EXIT_OK
