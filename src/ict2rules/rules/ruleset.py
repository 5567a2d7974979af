"""The ruleset format: pydantic models of a ruleset file, and the loaded (merged) ruleset.

A ruleset file encodes one regional document: its metadata, named parameters with their
citations, derived values and rules. Each rule's ``kind`` selects one registered function and
its ``args`` are validated by that kind's own argument model, so the generated JSON Schema
describes every kind precisely (``ict2rules schema ruleset``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    create_model,
)

from ..kinds import DERIVATIONS, KINDS
from ..kinds.base import DateOperand

Level = Literal["teacher", "school", "project", "region"]
Severity = Literal["error", "warning", "info"]
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", max_length=64)]
RulesetId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    """A Chinese and an English text."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Source(_Model):
    """Where a rule or parameter comes from: the section and its verbatim quote."""

    document: str | None = Field(
        default=None, description="Seed file quoted; defaults to the ruleset's own document.seed."
    )
    section: str = Field(
        min_length=1, description="The document's own section number, e.g. 三(一)3⑴."
    )
    quote: str = Field(min_length=2, description="The clause, word for word.")
    title: str | None = Field(
        default=None,
        description="The document's title as reports cite it; defaults to the defining ruleset's document.title.",
    )


class Period(_Model):
    start: dt.date | None = None
    end: dt.date | None = None


class DocumentMeta(_Model):
    """Metadata of the source document."""

    title: str
    issuer: str
    number: str | None = Field(default=None, description="文号, e.g. 开教发[2024]1号")
    date: dt.date | None = None
    level: Literal["national", "province", "city", "county", "school", "project"]
    seed: str | None = Field(
        default=None, description="File name in shared/seeds the text was taken from."
    )
    url: str | None = None
    effective: Period | None = None


def _iso_date(value: Any) -> Any:
    """A date written as ISO text (a JSON ruleset, a JSON dump) is a date, as in YAML."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


ParamValue = Annotated[bool | int | float | dt.date | str | list[str | int | float], BeforeValidator(_iso_date)]


class Parameter(_Model):
    """A named value of the document (75 学时, 60 % cap …) with its citation."""

    value: ParamValue
    unit: str | None = None
    description: Text | None = None
    source: Source
    note: str | None = None
    informative: bool = Field(
        default=False,
        description="A figure the document states that no rule checks: kept for `diff` and readers.",
    )


def _tagged(name: str, suffix: str, summary: str, args: type[BaseModel]) -> type[BaseModel]:
    """``{kind: NAME, args: {...}}`` as a model that lives in this module under its own name,
    so that rulesets pickle (``--jobs`` under spawn, Dask workers)."""
    model = create_model(
        f"{''.join(p.title() for p in name.split('_'))}{suffix}",
        __base__=_Model,
        __doc__=summary,
        __module__=__name__,
        kind=(Literal[name], ...),  # type: ignore[valid-type]
        args=(args, ...),
    )
    globals()[model.__name__] = model
    return model


def _check_models() -> Any:
    """One model per registered kind, as a tagged union."""
    models = [_tagged(name, "Check", k.summary, k.args) for name, k in sorted(KINDS.items())]
    return Annotated[Union[tuple(models)], Field(discriminator="kind")]  # noqa: UP007


CheckSpec = _check_models()


def _derivation_models() -> Any:
    models = [_tagged(name, "Derivation", d.summary, d.args) for name, d in sorted(DERIVATIONS.items())]
    return Annotated[Union[tuple(models)], Field(discriminator="kind")]  # noqa: UP007


DerivationSpec = _derivation_models()


class Derived(_Model):
    """A value computed for every subject of a level (final score, band, incentive points)."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    level: Level
    compute: DerivationSpec
    title: Text
    source: Source
    note: str | None = None


class Rule(_Model):
    """One requirement of the document."""

    id: Id
    level: Level
    severity: Severity = "error"
    title: Text
    message: Text = Field(
        description="Shown when the rule is not met; {expected} {actual} {subject} are filled in."
    )
    check: CheckSpec
    when: CheckSpec | None = Field(
        default=None, description="The rule applies only where this check passes."
    )
    due: DateOperand | None = Field(
        default=None,
        description=(
            "The date by which the rule must be met (a date, a $parameter or {field, days}). "
            "Until then a rule not yet met is `pending`, not `fail` or `missing_data`."
        ),
    )
    source: Source
    note: str | None = Field(default=None, description="How an ambiguous clause is read.")
    order: int | None = Field(default=None, description="Fix-it order in reports (lower first).")
    tags: list[str] = Field(default_factory=list)


#: Why a requirement sentence is not checked. Closed: a reason outside it is a load error.
REASONS: dict[str, tuple[str, str]] = {
    "other_body": (
        "对象为无人提供记录的机构(县/市/省教育部门、专家组等)",
        "addressed to a body whose records nobody supplies (a bureau, an expert team …)",
    ),
    "content": (
        "关于文件或活动的内容与质量,无法从记录判断",
        "about the content or quality of a document or activity, which no record shows",
    ),
    "finance": ("经费与保障", "finance and funding"),
    "purpose": ("目的或原则,并非可检查的要求", "a purpose or principle, not a checkable requirement"),
    "process": (
        "工作方式的描述,没有可检查的结果",
        "describes how work is done, with no outcome a record could show",
    ),
    "not_recorded": (
        "所需事实不在任何平台或学校记录中",
        "the fact it needs is in no platform or school record",
    ),
    "duplicate": ("重复另一条已编码的条款", "repeats another clause that is encoded"),
    "context": (
        "标题、引导语或网页杂项,本身不是要求",
        "a title, a lead-in or web-page debris, not a requirement itself",
    ),
    # not a reason to skip: a known gap, listed so that it is counted and shown, never hidden
    "to_encode": (
        "可从记录检查,规则尚未编写",
        "checkable from records; the rule is still to be written",
    ),
}

Reason = Literal[tuple(REASONS)]  # type: ignore[valid-type]  # the closed set, defined once


class NotChecked(_Model):
    """A requirement sentence of the document that no rule checks, and why (``ict2rules coverage``)."""

    section: str | None = Field(default=None, description="The document's own section number.")
    quote: str = Field(min_length=2, description="The sentence, or the part meant, word for word.")
    reason: Reason = Field(description="Why it is not checked: one of docs/coverage.md's reasons.")
    note: str | None = Field(default=None, description="A short explanation, for a reviewer.")


class RulesetFile(_Model):
    """A ruleset file exactly as written."""

    id: RulesetId
    title: Text
    document: DocumentMeta
    extends: str | None = Field(
        default=None, description="A bundled ruleset name or a path under this file's folder."
    )
    parameters: dict[
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")], Parameter
    ] = Field(default_factory=dict)
    derived: list[Derived] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    remove_rules: list[str] = Field(
        default_factory=list, description="Ids of inherited rules that do not apply."
    )
    not_checked: list[NotChecked] = Field(
        default_factory=list,
        description="Requirement sentences of this document that no rule checks, each with a reason.",
    )


# Sub-checks inside composition kinds refer to CheckSpec; resolve those references now.
for _kind in KINDS.values():
    _kind.args.model_rebuild(_types_namespace={"CheckSpec": CheckSpec})
for _d in DERIVATIONS.values():
    _d.args.model_rebuild(_types_namespace={"CheckSpec": CheckSpec})
RulesetFile.model_rebuild()


class Override(_Model):
    """An earlier value of a parameter that a ruleset further down the ``extends`` chain replaced."""

    ruleset: str
    value: ParamValue
    source: Source


class LoadedParameter(_Model):
    """A parameter after ``extends`` is resolved: where it is defined and what it overrides."""

    name: str
    value: ParamValue
    unit: str | None = None
    description: Text | None = None
    source: Source
    note: str | None = None
    informative: bool = False
    defined_in: str
    overrides: list[Override] = Field(default_factory=list)


class Ruleset(_Model):
    """A ruleset ready to compile: its own metadata, the ``extends`` chain resolved.

    Parameters carry where they were defined and which inherited values they override; rules
    and parameters carry a ``source.document`` naming the seed file they quote.
    """

    id: str
    title: Text
    document: DocumentMeta
    chain: list[str] = Field(description="Ruleset ids from the furthest base to this one.")
    path: str | None = None
    parameters: dict[str, LoadedParameter]
    derived: list[Derived]
    rules: list[Rule]
    rule_origin: dict[str, str] = Field(description="Rule id → id of the ruleset that defines it.")
    not_checked: list[NotChecked] = Field(
        default_factory=list, description="This document's sentences no rule checks (not inherited)."
    )
    _plan: Any = PrivateAttr(default=None)

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    @property
    def plan(self) -> Any:
        """The compiled plan (compiled on first use, then kept; never pickled)."""
        if self._plan is None:
            from .compiler import compile_ruleset

            self._plan = compile_ruleset(self)
        return self._plan

    def restricted(self, select: list[str] | None = None, ignore: list[str] | None = None) -> Ruleset:
        """The ruleset with only the rules whose id is (or starts with) one of ``select`` — all
        when none is given — minus those matching ``ignore``. A pattern that matches no rule is
        an error: a typo must not silently check nothing.

        >>> from ict2rules import load_ruleset
        >>> [r.id for r in load_ruleset("zeku_2023").restricted(["ZK-T-HOURS"], ["ZK-T-HOURS-TOTAL"]).rules]
        ['ZK-T-HOURS-ONLINE', 'ZK-T-HOURS-OFFLINE']
        """
        from ..errors import InputError, did_you_mean

        select, ignore = select or [], ignore or []
        if not select and not ignore:
            return self
        ids = [r.id for r in self.rules]
        for pattern in (*select, *ignore):
            if not any(i == pattern or i.startswith(pattern) for i in ids):
                hint = did_you_mean(pattern, ids)
                raise InputError.single(
                    self.id, f"没有编号为(或以之开头的)规则 {pattern}",
                    f"no rule id is or starts with {pattern!r}" + (f"; did you mean {hint!r}?" if hint else ""),
                )

        def hit(rule_id: str, patterns: list[str]) -> bool:
            return any(rule_id == p or rule_id.startswith(p) for p in patterns)

        rules = [r for r in self.rules if (not select or hit(r.id, select)) and not hit(r.id, ignore)]
        copy = self.model_copy(update={"rules": rules})
        copy._plan = None  # compiled again for the rules kept
        return copy

    def __getstate__(self) -> dict[Any, Any]:
        # Compiled checks are closures: send the data and let the receiver compile it again.
        state = super().__getstate__()
        state["__pydantic_private__"] = {"_plan": None}
        return state
