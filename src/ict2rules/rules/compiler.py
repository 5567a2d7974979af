"""Compile a loaded ruleset once into a plan of plain callables.

Paths are resolved against the record models, parameters are substituted and every kind's
function is called once per rule here, so evaluating the 50,000th teacher costs only the
callables themselves. A path or parameter that does not exist is a :class:`CompileError`
naming the rule.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import TypeAdapter, ValidationError

from ..errors import CompileError, did_you_mean
from ..input.paths import PathError, attr_path, element_type, is_collection, make_getter, resolve
from ..input.records import MODELS, PointRecord, Teacher
from ..kinds import DERIVATIONS, KINDS
from ..kinds.base import (
    Check,
    Comparison,
    DaysAfter,
    Explain,
    FieldRef,
    Judge,
    Outcome,
    Read,
    Status,
    Subject,
    Verdict,
    compares_of,
    explain_of,
    is_fast,
    judge_of,
    passes_of,
    verdict_of,
)
from ..kinds.comparisons import Batch, batched, passing_items
from ..kinds.derive import Compute

if TYPE_CHECKING:
    from .ruleset import Derived, Rule, Ruleset

LEVELS = ("teacher", "school", "project", "region")
Getter = Callable[[Subject], Any]


class Operand:
    """An argument value: constant (literal or parameter) or read from the subject.

    ``operand.read(s)`` is its value for a subject: for a field, the field's getter itself.
    """

    __slots__ = ("constant", "read", "value")

    def __init__(self, value: Any = None, get: Getter | None = None) -> None:
        self.value = value
        self.constant = get is None
        self.read: Getter = get if get is not None else (lambda s: value)


@dataclass
class Context:
    """What a kind needs at compile time: how to read fields and parameters of its subject."""

    ruleset: Ruleset
    model: Any
    name: str  # "teacher", "school", "project", "point" or "item": also the alias children use
    derived: frozenset[str] = frozenset()
    parent: Context | None = None
    used: set[str] = field(default_factory=set)
    root: bool = False  # a level's own subject (a rule's), not an item of a list

    # -- reading the subject ---------------------------------------------------------------
    def getter(self, path: str) -> Getter:
        """A function of a subject returning the value at ``path`` (None when absent)."""
        segs = [] if path in (".", "") else path.split(".")
        if not segs:
            return _record
        head, rest = segs[0], ".".join(segs[1:]) or "."
        if head in self.derived and len(segs) == 1:
            return lambda s: s.derived.get(head)
        if head == "passed" and len(segs) == 1 and self.name in LEVELS:
            if self.root:  # it is decided by the very rules that would read it
                raise CompileError("own_passed", path)
            return _passed
        if head == "as_of" and len(segs) == 1:
            return _as_of
        if self.parent is not None and head in ("parent", self.parent.name):
            first = rest.split(".")[0]
            if self.name == "teacher" and (first in self.parent.derived or first == "passed"):
                # a school's derived values and verdict are computed after its teachers
                raise CompileError("computed_after", path)
            up = self.parent.getter(rest)
            return lambda s: None if s.parent is None else up(s.parent)
        try:
            steps, _ = resolve(self.model, segs)
        except PathError as exc:
            raise CompileError(exc.code, path, **exc.params) from None
        # Read through the subject in one getter ("record.hours.online"): one call per read.
        return make_getter([("attr", "record"), *steps])

    def items(self, path: str) -> tuple[Callable[[Subject], list[Subject] | None], Context]:
        """The items of a list as subjects (their parent is this subject), and their context."""
        if self.name == "school" and path in ("teachers", "teachers.points"):
            teacher_ctx = self.child(Teacher, "teacher", self.ruleset_derived("teacher"))
            if path == "teachers":
                return _children, teacher_ctx
            point_ctx = teacher_ctx.child(PointRecord, "point")
            return _children_points, point_ctx
        try:
            steps, tp = resolve(self.model, [] if path == "." else path.split("."))
        except PathError as exc:
            raise CompileError(exc.code, path, **exc.params) from None
        get = make_getter(steps)
        item_model = element_type(tp)
        item_ctx = self.child(item_model, "point" if item_model is PointRecord else "item")

        def items(s: Subject) -> list[Subject] | None:
            # Built once per subject and list, then shared by every rule that walks it; the
            # record does not change while it is checked and kinds only read the items.
            memo = s.memo
            if memo is None:
                memo = s.memo = {}
            elif path in memo:
                return memo[path]
            values = get(s.record)
            found = memo[path] = (
                None if values is None else list(map(Subject, values, repeat(s.env), repeat(s)))
            )
            return found

        return items, item_ctx

    def values(self, path: str) -> Callable[[Subject], list[Any] | None] | None:
        """The list at ``path`` as the record holds it, its items not made subjects (None when
        absent): for a fast verdict whose conditions read only the items' own fields
        (:func:`~ict2rules.kinds.comparisons.item_test`). None for a school's teachers, whose
        items are subjects already.

        >>> from ict2rules import load_ruleset
        >>> ctx = Context(load_ruleset("zeku_2023"), Teacher, "teacher", root=True)
        >>> ctx.values("points")(Subject(Teacher(id="T1", points=[{"code": "A1"}]), None)) == [PointRecord(code="A1")]
        True
        """
        if self.name == "school" and path in ("teachers", "teachers.points"):
            return None
        try:
            steps, _ = resolve(self.model, [] if path == "." else path.split("."))
        except PathError as exc:
            raise CompileError(exc.code, path, **exc.params) from None
        return make_getter([("attr", "record"), *steps])

    def kept(
        self, path: str, spec: Any
    ) -> tuple[Callable[[Subject], list[Subject] | None], Check, Context]:
        """The items of a list that pass a condition (None when the list is absent), the
        condition's compiled check and the items' context.

        Rules that filter one list by one condition (points with valid evidence) share the
        filtered list: it is built once per subject, like the items themselves.
        """
        get, item_ctx = self.items(path)
        cond = item_ctx.check(spec)
        meets = verdict_of(cond)
        passes = passing_items(cond, meets)
        key = f"{path}\0{spec.model_dump_json()}"  # one string: its hash is computed once

        def kept(s: Subject) -> list[Subject] | None:
            memo = s.memo
            if memo is None:
                memo = s.memo = {}
            elif key in memo:
                return memo[key]
            items = get(s)
            found = memo[key] = None if items is None else passes(items)
            return found

        return kept, cond, item_ctx

    def read(self, path: str) -> Read | None:
        """Where ``path`` is found through the subject's attributes (``record.hours.online``,
        or ``record.hours.practice`` and key ``lesson``) when it ends at one value, not a list
        or a mapping; None otherwise. Comparisons on such reads are tested together (``fuse``)."""
        segs = [] if path in (".", "") else path.split(".")
        if not segs or (
            len(segs) == 1 and (segs[0] in self.derived or segs[0] in ("passed", "as_of"))
        ):
            return None
        if self.parent is not None and segs[0] in ("parent", self.parent.name):
            up = self.parent.read(".".join(segs[1:]))
            return None if up is None else Read(f"parent.{up.chain}", up.key)
        try:
            steps, tp = resolve(self.model, segs)
        except PathError:
            return None
        key = steps.pop()[1] if steps[-1][0] == "key" else None
        chain = attr_path(steps)
        if chain is None or tp is Any or is_collection(tp):
            return None
        certain = key is None and all(kind == "attr" for kind, _ in steps[:-1])
        return Read(f"record.{chain}", key, certain)

    def type_of(self, path: str) -> Any:
        """The declared type of the value at ``path`` on this level's records; ``Any`` when it
        is not known here (derived values, the parent's fields, free attributes)."""
        try:
            return resolve(self.model, [] if path in (".", "") else path.split("."))[1]
        except PathError:
            return Any

    def child(self, model: Any, name: str, derived: frozenset[str] = frozenset()) -> Context:
        return Context(self.ruleset, model, name, derived, self, self.used)

    def ruleset_derived(self, level: str) -> frozenset[str]:
        return frozenset(d.id for d in self.ruleset.derived if d.level == level)

    # -- reading arguments -----------------------------------------------------------------
    def constant(self, value: Any) -> Any:
        """A literal, or the value of a ``$parameter`` (recorded as used by the rule)."""
        if isinstance(value, str) and value.startswith("$"):
            name = value[1:]
            if name not in self.ruleset.parameters:
                hint = did_you_mean(name, self.ruleset.parameters)
                raise CompileError("unknown_parameter", value, name=name, hint=hint)
            self.used.add(name)
            return self.ruleset.parameters[name].value
        if isinstance(value, (FieldRef, DaysAfter)):
            raise CompileError("field_not_allowed", value.field)
        return value

    def operand(self, value: Any) -> Operand:
        if isinstance(value, DaysAfter):
            get, delta = self.getter(value.field), dt.timedelta(days=value.days)
            return Operand(get=lambda s: None if (d := get(s)) is None else d + delta)
        if isinstance(value, FieldRef):
            return Operand(get=self.getter(value.field))
        return Operand(self.constant(value))

    def check(self, spec: Any) -> Check:
        """Compile a sub-check (``{kind, args}``) in this context."""
        check_parameter_types(spec.args, self.ruleset)
        return KINDS[spec.kind].compile(spec.args, self)


def check_parameter_types(args: Any, ruleset: Ruleset) -> None:
    """Refuse a ``$parameter`` whose value does not fit the argument it is used for.

    A kind's argument model accepts ``$name`` as text; the parameter's value (a number, a
    date, a list …) is only known once the ruleset is merged. Each argument is validated again,
    strictly, with its parameters substituted, so ``min: $hours`` with ``hours: 五十`` is a
    load error naming the parameter, not a ``TypeError`` halfway through a roster.
    """
    for name, info in type(args).model_fields.items():
        value = getattr(args, name, None)
        refs = _param_refs(value)
        if not refs or any(r[1:] not in ruleset.parameters for r in refs):
            continue  # no parameters here, or an unknown one (reported by Context.constant)
        if _takes_any_text(info.annotation):
            continue  # e.g. compare's ``to``: the kind itself compares values of any type
        try:
            _adapter(info.annotation).validate_python(_substitute(value, ruleset), strict=True)
        except ValidationError:
            shown = ", ".join(f"{r} = {_show(ruleset.parameters[r[1:]].value)}" for r in refs)
            raise CompileError("parameter_type", refs[0], argument=name, shown=shown) from None


def _show(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else repr(value)


def _param_refs(value: Any) -> list[str]:
    if isinstance(value, str) and value.startswith("$"):
        return [value]
    if isinstance(value, list):
        return [r for v in value for r in _param_refs(v)]
    return []


def _substitute(value: Any, ruleset: Ruleset) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        found = ruleset.parameters[value[1:]].value
        # a parameter's value is never itself a reference: "$x" as a value fits nothing
        return object() if isinstance(found, str) and found.startswith("$") else found
    if isinstance(value, list):
        return [_substitute(v, ruleset) for v in value]
    return value


@functools.lru_cache(maxsize=256)
def _takes_any_text(annotation: Any) -> bool:
    try:
        _adapter(annotation).validate_python("any text, not a $parameter")
    except ValidationError:
        return False
    return True


@functools.lru_cache(maxsize=256)
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def _record(s: Subject) -> Any:
    return s.record


def _passed(s: Subject) -> Any:
    return s.passed


def _as_of(s: Subject) -> Any:
    return s.env.as_of


def _children(s: Subject) -> list[Subject] | None:
    return s.children


def _children_points(s: Subject) -> list[Subject] | None:
    if s.children is None:
        return None
    return [Subject(p, s.env, t) for t in s.children for p in (t.record.points or ())]


_NOT_YET = (Status.FAIL, Status.MISSING_DATA)


@dataclass(frozen=True)
class CompiledRule:
    """A rule with its compiled check, its applicability condition, its due date and the
    parameters it uses."""

    rule: Rule
    check: Check
    when: Check | None
    due: Operand | None
    parameters: tuple[str, ...]
    is_error: bool

    @functools.cached_property  # read per rule per subject: computed once, then a plain attribute
    def direct(self) -> bool:
        """No condition and no due date: the check's outcome is the rule's (the fast path)."""
        return self.when is None and self.due is None

    @functools.cached_property
    def verdict(self) -> Verdict:
        """The check's verdict: the rule's status, before its condition and due date."""
        return verdict_of(self.check)

    @functools.cached_property
    def applies(self) -> Callable[[Subject], Any] | None:
        """True exactly when the rule's condition holds (None when it has none)."""
        return passes_of(self.when) if self.when is not None else None

    def not_yet_due(self, s: Subject) -> bool:
        """Whether work not yet met is still within its due date (so it is ``pending``)."""
        due = self.due.read(s) if self.due is not None else None
        return due is not None and s.env.as_of <= due

    @functools.cached_property
    def compares(self) -> list[Comparison] | None:
        """Comparisons that, all true, mean the rule passes; None when it has none."""
        return compares_of(self.check) if self.when is None else compares_of(self.when, self.check)

    @functools.cached_property
    def judge(self) -> Judge:
        """The check's judge: its status and the evidence that explains it."""
        return judge_of(self.check)

    @functools.cached_property
    def fast(self) -> bool:
        """The kind gives a status faster than its judge (the evaluator asks that first)."""
        return is_fast(self.check)

    def evidence(self, s: Subject, status: Status, judged: Any = None) -> Any:
        """What explains ``status`` (the rule's, as the evaluator decided it) for this subject,
        read now — from ``judged``, the check's ``(status, evidence)`` when the evaluator has
        it already: :meth:`explain` gives the outcome from it without the subject."""
        if judged is NOT_APPLIES or (
            judged is None
            and status is Status.NOT_APPLICABLE
            and self.applies is not None
            and not self.applies(s)
        ):
            return _CONDITION_NOT_MET
        would_be, ev = judged if judged is not None else self.judge(s)
        if status is Status.PENDING and would_be is not Status.PENDING:  # the rule's due date
            return _Pending(would_be, ev, self.due.read(s))  # type: ignore[union-attr]
        return ev

    def explain(self, status: Status, evidence: Any) -> Outcome:
        """The outcome of the rule, a pure function of its evidence (see :meth:`evidence`)."""
        if isinstance(evidence, _ConditionNotMet):
            return Outcome(Status.NOT_APPLICABLE, None, None, {"reason": evidence.reason})
        if isinstance(evidence, _Pending):
            out = self._explain(evidence.would_be, evidence.evidence)
            detail = {
                **(out.detail or {}),
                "due": evidence.due.isoformat(),
                "would_be": evidence.would_be.value,
            }
            return Outcome(Status.PENDING, out.expected, out.actual, detail)
        return self._explain(status, evidence)

    @functools.cached_property
    def said(self) -> dict[Any, str]:
        """The rule's messages not met, by evidence and language (``messages.message``)."""
        return {}

    @functools.cached_property
    def _explain(self) -> Explain:
        return explain_of(self.check)

    def run(self, s: Subject) -> Outcome:
        if self.applies is not None and not self.applies(s):
            return Outcome(Status.NOT_APPLICABLE, None, None, {"reason": "condition not met"})
        out = self.check(s)
        if out.status in _NOT_YET and self.not_yet_due(s):
            due = self.due.read(s)  # type: ignore[union-attr]
            detail = {**(out.detail or {}), "due": due.isoformat(), "would_be": out.status.value}
            return Outcome(Status.PENDING, out.expected, out.actual, detail)
        return out


class _ConditionNotMet(NamedTuple):
    """The evidence of a rule whose ``when:`` does not hold (a value, so it pickles)."""

    reason: str = "condition not met"


_CONDITION_NOT_MET = _ConditionNotMet()
NOT_APPLIES = (Status.NOT_APPLICABLE, _CONDITION_NOT_MET)  # a rule judged by its condition


class _Pending(NamedTuple):
    """The evidence of work not met and not yet due: what the check found, and the due date."""

    would_be: Status
    evidence: Any
    due: dt.date


@dataclass(frozen=True)
class CompiledDerived:
    derived: Derived
    compute: Compute
    parameters: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """Per level, the derived values to compute and the rules to run, in ruleset order."""

    ruleset: Ruleset
    derived: dict[str, tuple[CompiledDerived, ...]]
    rules: dict[str, tuple[CompiledRule, ...]]

    @functools.cached_property
    def batches(self) -> dict[str, tuple[Batch, ...]]:
        """Per level, the rules in order, neighbours made of comparisons grouped in batches."""
        return {level: batched(rules) for level, rules in self.rules.items()}  # type: ignore[arg-type]


def _root(ruleset: Ruleset, level: str) -> Context:
    """The context of a level; a teacher's parent is its school."""
    derived = frozenset(d.id for d in ruleset.derived if d.level == level)
    if level == "teacher":
        school = Context(
            ruleset,
            MODELS["school"],
            "school",
            frozenset(d.id for d in ruleset.derived if d.level == "school"),
        )
        teacher = school.child(Teacher, "teacher", derived)
        teacher.root = True
        return teacher
    return Context(ruleset, MODELS[level], level, derived, root=True)


def compile_ruleset(ruleset: Ruleset) -> Plan:
    """Compile every derived value and rule; raise CompileError naming the first bad one."""
    derived: dict[str, list[CompiledDerived]] = {lv: [] for lv in LEVELS}
    rules: dict[str, list[CompiledRule]] = {lv: [] for lv in LEVELS}
    for d in ruleset.derived:
        ctx = _root(ruleset, d.level)
        try:
            check_parameter_types(d.compute.args, ruleset)
            fn = DERIVATIONS[d.compute.kind].compile(d.compute.args, ctx)
        except CompileError as exc:
            raise exc.at(f"derived {d.id}") from None
        derived[d.level].append(CompiledDerived(d, fn, tuple(sorted(ctx.used))))
    for r in ruleset.rules:
        ctx = _root(ruleset, r.level)
        try:
            check = ctx.check(r.check)
            when = ctx.check(r.when) if r.when is not None else None
            due = ctx.operand(r.due) if r.due is not None else None
            if due is not None and due.constant and not isinstance(due.value, dt.date):
                # a `$parameter` given as a due date must hold a date, as kinds' arguments must
                shown = f"{r.due} = {_show(due.value)}"
                raise CompileError("parameter_type", str(r.due), argument="due", shown=shown)
        except CompileError as exc:
            raise exc.at(f"rule {r.id}") from None
        rules[r.level].append(
            CompiledRule(r, check, when, due, tuple(sorted(ctx.used)), r.severity == "error")
        )
    return Plan(
        ruleset,
        {k: tuple(v) for k, v in derived.items()},
        {k: tuple(v) for k, v in rules.items()},
    )
