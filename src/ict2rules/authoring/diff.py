"""Compare two loaded rulesets: their parameters, their rules, and equivalent rules across regions.

Pure: takes two :class:`~ict2rules.rules.ruleset.Ruleset` objects and returns a :class:`RulesetDiff`;
nothing is read or printed here (``ict2rules diff`` renders it).

Rules of two regions never share ids (``ZK-T-HOURS-ONLINE``, ``KY-T-HOURS-ONLINE``), so besides
"only in A / only in B / same id, changed", rules left over on each side are paired by what they
check: the same level, the same kind and the same field paths (a threshold on ``hours.online``
in both). Such a pair is an :class:`Equivalent`, shown with both rules' arguments (parameters
substituted) and both citations — the first thing to look at when a new regional document arrives.

>>> from ict2rules import load_ruleset
>>> zeku = load_ruleset("zeku_2023")
>>> diff_rulesets(zeku, zeku).is_empty
True
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ..kinds.base import PATH_ARGS
from ..report.report import jsonable
from ..rules.ruleset import LoadedParameter, Rule, Ruleset, Source

# Arguments that sharpen what is measured without being a path (membership of code vs of environment).
_SHAPE_ARGS = ("of", "fn", "item_field")
# Arguments holding sub-checks that are themselves what is checked (composition kinds).
# Qualifiers such as ``where``, ``among`` and ``count_only`` only choose which items count and are
# deliberately left out, so "3 bulletins within the training" still pairs with "3 bulletins".
_SUB_ARGS = ("checks", "check", "action", "requires", "each")
# What may differ between two rules with the same id, in the order it is reported.
_RULE_ASPECTS = ("level", "severity", "check", "when", "source", "title", "note")

Signature = tuple[Any, ...]


@dataclass(frozen=True)
class ParamChange:
    """A parameter only on one side, or on both with different values."""

    name: str
    a: LoadedParameter | None
    b: LoadedParameter | None

    @property
    def change(self) -> str:
        """``only_a``, ``only_b`` or ``changed``."""
        if self.a is None:
            return "only_b"
        return "only_a" if self.b is None else "changed"


@dataclass(frozen=True)
class RuleChange:
    """A rule id on both sides whose definition differs.

    ``changed`` names the aspects that differ; ``values`` means the check is written the same
    but the parameters it uses have different values (an ``extends`` override does this).
    """

    id: str
    a: Rule
    b: Rule
    changed: tuple[str, ...]
    a_args: dict[str, Any]
    b_args: dict[str, Any]


@dataclass(frozen=True)
class Equivalent:
    """Two rules with different ids that check the same thing (level, kind, fields)."""

    level: str
    kind: str
    fields: tuple[str, ...]
    a: Rule
    b: Rule
    a_args: dict[str, Any]
    b_args: dict[str, Any]
    a_parameters: dict[str, LoadedParameter]
    b_parameters: dict[str, LoadedParameter]

    @property
    def same(self) -> bool:
        """Whether both rules ask for the same thing once parameters are substituted."""
        return _strip_paths(self.a_args) == _strip_paths(self.b_args)


@dataclass(frozen=True)
class RulesetDiff:
    """Everything that differs between ruleset ``a`` and ruleset ``b``."""

    a: Ruleset
    b: Ruleset
    parameters: tuple[ParamChange, ...]
    rules_only_a: tuple[Rule, ...]
    rules_only_b: tuple[Rule, ...]
    rules_changed: tuple[RuleChange, ...]
    equivalents: tuple[Equivalent, ...]

    @property
    def is_empty(self) -> bool:
        """True when the two rulesets define the same parameters and rules."""
        return not (self.parameters or self.rules_only_a or self.rules_only_b or self.rules_changed)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``ict2rules diff --format json``).

        >>> from ict2rules import load_ruleset
        >>> z = load_ruleset("zeku_2023")
        >>> sorted(diff_rulesets(z, z).to_dict())
        ['a', 'b', 'equivalents', 'identical', 'parameters', 'rules']
        """
        return {
            "a": _ruleset_dict(self.a),
            "b": _ruleset_dict(self.b),
            "identical": self.is_empty,
            "parameters": [_param_change_dict(p) for p in self.parameters],
            "rules": {
                "only_a": [_rule_dict(r, self.a) for r in self.rules_only_a],
                "only_b": [_rule_dict(r, self.b) for r in self.rules_only_b],
                "changed": [
                    {
                        "id": c.id,
                        "changed": list(c.changed),
                        "a": {**_rule_dict(c.a, self.a), "args": jsonable(c.a_args)},
                        "b": {**_rule_dict(c.b, self.b), "args": jsonable(c.b_args)},
                    }
                    for c in self.rules_changed
                ],
            },
            "equivalents": [_equivalent_dict(e, self.a, self.b) for e in self.equivalents],
        }


# ---------------------------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------------------------


def diff_rulesets(a: Ruleset, b: Ruleset) -> RulesetDiff:
    """Compare ruleset ``a`` with ruleset ``b``.

    >>> from ict2rules import load_ruleset
    >>> d = diff_rulesets(load_ruleset("national_2019"), load_ruleset("henan_2021"))
    >>> [p.name for p in d.parameters if p.change == "only_b"][:2]
    ['case_share', 'finish_by']
    """
    a_rules = {r.id: r for r in a.rules}
    b_rules = {r.id: r for r in b.rules}
    only_a = [a_rules[i] for i in sorted(a_rules.keys() - b_rules.keys())]
    only_b = [b_rules[i] for i in sorted(b_rules.keys() - a_rules.keys())]
    changed = [
        c
        for i in sorted(a_rules.keys() & b_rules.keys())
        if (c := _rule_change(a_rules[i], b_rules[i], a, b))
    ]
    return RulesetDiff(
        a=a,
        b=b,
        parameters=tuple(_param_changes(a, b)),
        rules_only_a=tuple(only_a),
        rules_only_b=tuple(only_b),
        rules_changed=tuple(changed),
        equivalents=tuple(_equivalents(only_a, only_b, a, b)),
    )


def _param_changes(a: Ruleset, b: Ruleset) -> list[ParamChange]:
    out = []
    for name in sorted(a.parameters.keys() | b.parameters.keys()):
        pa, pb = a.parameters.get(name), b.parameters.get(name)
        if pa is None or pb is None or not _same_value(pa.value, pb.value):
            out.append(ParamChange(name, pa, pb))
    return out


def _same_value(x: Any, y: Any) -> bool:
    # 25 and 25.0 are the same number; True is not the number 1.
    if isinstance(x, bool) or isinstance(y, bool):
        return x is y
    return bool(x == y)


def _rule_change(ra: Rule, rb: Rule, a: Ruleset, b: Ruleset) -> RuleChange | None:
    a_args, b_args = resolved_check(ra, a), resolved_check(rb, b)
    changed = [aspect for aspect in _RULE_ASPECTS if _aspect(ra, aspect) != _aspect(rb, aspect)]
    if "check" not in changed and a_args != b_args:
        changed.append("values")
    if not changed:
        return None
    return RuleChange(ra.id, ra, rb, tuple(changed), a_args, b_args)


def _aspect(rule: Rule, aspect: str) -> Any:
    value = getattr(rule, aspect)
    return value.model_dump(exclude_defaults=True) if hasattr(value, "model_dump") else value


def _equivalents(
    only_a: list[Rule], only_b: list[Rule], a: Ruleset, b: Ruleset
) -> list[Equivalent]:
    by_sig: dict[tuple[str, Signature], list[Rule]] = defaultdict(list)
    for rb in only_b:
        by_sig[(rb.level, signature(_spec(rb, full=True)))].append(rb)
    out = []
    for ra in only_a:
        sig = signature(_spec(ra, full=True))
        for rb in by_sig.get((ra.level, sig), ()):
            out.append(
                Equivalent(
                    level=ra.level,
                    kind=sig[0],
                    fields=fields_of(sig),
                    a=ra,
                    b=rb,
                    a_args=resolved_check(ra, a),
                    b_args=resolved_check(rb, b),
                    a_parameters=_used_parameters(ra, a),
                    b_parameters=_used_parameters(rb, b),
                )
            )
    return sorted(out, key=lambda e: (e.level, e.kind, e.fields, e.a.id, e.b.id))


def _spec(rule: Rule, *, full: bool = False) -> dict[str, Any]:
    # Shown and compared without defaults; signed with them, so that a default path
    # (``documents: documents``, ``over: teachers``) still names the field checked.
    return rule.check.model_dump() if full else rule.check.model_dump(exclude_defaults=True)


def signature(spec: dict[str, Any]) -> Signature:
    """What a check looks at: its kind, the field paths it reads, and its composed sub-checks.

    >>> signature({"kind": "threshold", "args": {"value": "hours.online", "min": 50}})
    ('threshold', ('hours.online',), (), ())
    """
    args = spec.get("args", {})
    paths: list[str] = []
    for key in PATH_ARGS:
        v = args.get(key)
        if isinstance(v, str):
            paths.append(v)
        elif isinstance(v, list) and all(isinstance(x, str) for x in v):
            paths.extend(v)
    shape = tuple((k, args[k]) for k in _SHAPE_ARGS if isinstance(args.get(k), str))
    subs: list[Signature] = []
    for key in _SUB_ARGS:
        v = args.get(key)
        for item in v if isinstance(v, list) else [v]:
            if isinstance(item, dict) and "kind" in item:
                subs.append(signature(item))
    return (spec["kind"], tuple(paths), shape, tuple(sorted(subs, key=repr)))


def fields_of(sig: Signature) -> tuple[str, ...]:
    """Every field path in a signature, nested ones included, in order of first appearance.

    >>> fields_of(("all", (), (), (("threshold", ("hours.online",), (), ()),)))
    ('hours.online',)
    """
    seen: dict[str, None] = dict.fromkeys(sig[1])
    for sub in sig[3]:
        seen.update(dict.fromkeys(fields_of(sub)))
    return tuple(seen)


def resolved_check(rule: Rule, ruleset: Ruleset) -> dict[str, Any]:
    """The rule's check with every ``$parameter`` replaced by its value in ``ruleset``.

    >>> from ict2rules import load_ruleset
    >>> rs = load_ruleset("zeku_2023")
    >>> resolved_check(rs.rule("ZK-T-HOURS-ONLINE"), rs)["args"]["min"]
    50
    """
    return _substitute(_spec(rule), ruleset)


def _substitute(value: Any, ruleset: Ruleset) -> Any:
    if isinstance(value, str) and value.startswith("$") and value[1:] in ruleset.parameters:
        return ruleset.parameters[value[1:]].value
    if isinstance(value, dict):
        return {k: _substitute(v, ruleset) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, ruleset) for v in value]
    return value


def _used_parameters(rule: Rule, ruleset: Ruleset) -> dict[str, LoadedParameter]:
    names: set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, str) and v.startswith("$"):
            names.add(v[1:])
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(_spec(rule))
    if rule.when is not None:
        walk(rule.when.model_dump(exclude_defaults=True))
    return {n: ruleset.parameters[n] for n in sorted(names) if n in ruleset.parameters}


def _strip_paths(spec: dict[str, Any]) -> Any:
    """A resolved check without the field paths it reads (of itself and its composed parts): what it asks."""
    args = {k: v for k, v in spec.get("args", {}).items() if k not in PATH_ARGS}
    for key in _SUB_ARGS:
        v = args.get(key)
        if isinstance(v, list):
            args[key] = [_strip_paths(x) if isinstance(x, dict) else x for x in v]
        elif isinstance(v, dict):
            args[key] = _strip_paths(v)
    return {"kind": spec.get("kind"), "args": args}


def requirement(args: dict[str, Any]) -> dict[str, Any]:
    """The arguments of a resolved check that state the requirement (paths and sub-checks dropped).

    >>> requirement({"kind": "threshold", "args": {"value": "hours.online", "min": 50, "unit": "学时"}})
    {'min': 50, 'unit': '学时'}
    """
    return {k: v for k, v in args.get("args", {}).items() if k not in PATH_ARGS}


# ---------------------------------------------------------------------------------------------
# JSON form
# ---------------------------------------------------------------------------------------------


def _ruleset_dict(rs: Ruleset) -> dict[str, Any]:
    return {"id": rs.id, "title": rs.title.model_dump(), "chain": rs.chain, "path": rs.path}


def _source_dict(source: Source) -> dict[str, Any]:
    return source.model_dump(exclude_none=True)


def _param_dict(p: LoadedParameter) -> dict[str, Any]:
    return {
        "value": jsonable(p.value),
        "unit": p.unit,
        "source": _source_dict(p.source),
        "defined_in": p.defined_in,
        "overrides": [{"ruleset": o.ruleset, "value": jsonable(o.value)} for o in p.overrides],
    }


def _param_change_dict(c: ParamChange) -> dict[str, Any]:
    return {
        "name": c.name,
        "change": c.change,
        "a": _param_dict(c.a) if c.a else None,
        "b": _param_dict(c.b) if c.b else None,
    }


def _rule_dict(r: Rule, rs: Ruleset) -> dict[str, Any]:
    sig = signature(_spec(r, full=True))
    return {
        "id": r.id,
        "level": r.level,
        "severity": r.severity,
        "kind": r.check.kind,
        "fields": list(fields_of(sig)),
        "title": r.title.model_dump(),
        "source": _source_dict(r.source),
        "defined_in": rs.rule_origin.get(r.id, rs.id),
    }


def _equivalent_dict(e: Equivalent, a: Ruleset, b: Ruleset) -> dict[str, Any]:
    return {
        "level": e.level,
        "kind": e.kind,
        "fields": list(e.fields),
        "same": e.same,
        "a": {
            **_rule_dict(e.a, a),
            "requirement": jsonable(requirement(e.a_args)),
            "parameters": {n: _param_dict(p) for n, p in e.a_parameters.items()},
        },
        "b": {
            **_rule_dict(e.b, b),
            "requirement": jsonable(requirement(e.b_args)),
            "parameters": {n: _param_dict(p) for n, p in e.b_parameters.items()},
        },
    }
