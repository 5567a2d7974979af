"""Comparisons tested in C: rules batched together, and lists filtered at once.

A kind may list the comparisons its pass rests on (:class:`~ict2rules.kinds.base.Comparison`:
``hours.online >= 50``, ``completed_on <= 2023-12-31``, ``evidence.valid == true``). Here they
become plain ``attrgetter``/``map``/``compress`` calls, so a compliant record passes a run of
thresholds without one Python call per rule. Whenever a comparison is not true, a value is
absent or of another type, the answer falls back to the rules' own verdicts: the results are
always exactly theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import compress, groupby, repeat
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any

from .base import DATA_ERRORS, Check, Comparison, Read, Status, Subject, Verdict

if TYPE_CHECKING:
    from ..rules.compiler import CompiledRule

Together = Callable[[Subject], bool]
# Rules tried together: one test that is True only when they all pass (None for a rule alone).
Batch = tuple[Together | None, tuple["CompiledRule", ...]]


def batched(rules: tuple[CompiledRule, ...]) -> tuple[Batch, ...]:
    """Group neighbouring rules whose comparisons are tested alike (several thresholds on the
    record's numbers, a level's deadlines) into one batch tested at once; a rule of several
    kinds of comparison is a batch of its own; every other rule stands alone.

    Order is kept, so findings come out in ruleset order whichever way a batch is decided; and
    a batch that does not pass asks only its own rules again, so batches are kept small.
    """
    out: list[Batch] = []
    for _, run in groupby(rules, key=_batch_key):
        group = tuple(run)
        compares = [c for cr in group for c in cr.compares or ()]
        if len(compares) > 1:
            out.append((fuse(compares), group))
        else:  # one rule of one comparison is asked its verdict: a batch would only add a call
            out.extend((None, (cr,)) for cr in group)
    return tuple(out)


def _batch_key(cr: CompiledRule) -> Any:
    """Neighbours with the same key are batched: the test key of a rule whose comparisons
    share one; the rule itself (a key no other rule has) otherwise."""
    keys = {_test_key(c) for c in cr.compares or ()}
    return keys.pop() if len(keys) == 1 else id(cr)


def _test_key(c: Comparison) -> tuple[Any, str | None, bool]:
    """Comparisons with one key are tested together: one operator, one source (the subject's
    attributes, or one mapping's keys), constant bounds or bounds read from fields."""
    return c.op, c.read.chain if c.read.key is not None else None, isinstance(c.bound, Read)


def fuse(comparisons: list[Comparison]) -> Together:
    """One test of many comparisons: True only when every one of them is true.

    Comparisons with one key (``_test_key``) are read by one ``attrgetter`` and compared by
    one ``map``, both in C. An absent value (None), a missing parent or a value of the wrong
    type raises inside them, and then the answer is False: the rules are asked one by one.

    >>> from operator import ge
    >>> from types import SimpleNamespace as R
    >>> hours = fuse([Comparison(Read("record.online"), ge, 50), Comparison(Read("record.offline"), ge, 25)])
    >>> hours(R(record=R(online=50, offline=25))), hours(R(record=R(online=50, offline=None)))
    (True, False)
    """
    by_key: dict[tuple[Any, str | None, bool], list[Comparison]] = {}
    for c in comparisons:
        by_key.setdefault(_test_key(c), []).append(c)
    tests = [
        (
            _reader([c.read for c in cs]),
            op,
            _reader([c.bound for c in cs]) if dynamic else tuple(c.bound for c in cs),
            dynamic,
        )
        for (op, _, dynamic), cs in by_key.items()
    ]
    if len(tests) == 1 and not tests[0][3]:  # the usual batch: one test, constant bounds
        read, op, bounds, _ = tests[0]

        def one_test(s: Subject) -> bool:
            try:
                return all(read(s)) if op is None else all(map(op, read(s), bounds))
            except DATA_ERRORS:
                return False

        return one_test

    def together(s: Subject) -> bool:
        try:
            for read, op, bounds, dynamic in tests:
                if op is None:
                    if not all(read(s)):
                        return False
                elif not all(map(op, read(s), bounds(s) if dynamic else bounds)):
                    return False
        except DATA_ERRORS:
            return False
        return True

    return together


def passing_items(cond: Check, meets: Verdict) -> Callable[[list[Subject]], list[Subject]]:
    """The items a condition passes. A condition that is one comparison (evidence is valid)
    is decided for every item in C (``compress``, ``map``): a single comparison is true exactly
    when its check passes, or it raises, and then each item is asked its verdict."""

    def each(items: list[Subject]) -> list[Subject]:
        return [i for i in items if meets(i) is Status.PASS]

    compares = getattr(cond, "compares", None)
    if compares is None or len(compares) != 1:
        return each
    ((read, op, bound),) = compares
    if read.key is not None or isinstance(bound, Read):
        return each
    value = attrgetter(read.chain)

    def at_once(items: list[Subject]) -> list[Subject]:
        try:
            if op is None:
                return list(compress(items, map(value, items)))
            return list(compress(items, map(op, map(value, items), repeat(bound))))
        except DATA_ERRORS:  # e.g. no evidence at all
            return each(items)

    return at_once


def item_test(cond: Check) -> Callable[[list[Any]], Iterator[Any]] | None:
    """For a condition that is one comparison of an item's own field with a constant
    (``evidence.valid == true``, ``evidence`` present), its results over the items as the
    record holds them, not made subjects (:meth:`~ict2rules.rules.compiler.Context.values`):
    the results ``passing_items`` tests, in C. None for any other condition. Reading raises
    where ``passing_items`` would ask each item: a caller then asks the kind's judge.

    >>> from operator import eq
    >>> from types import SimpleNamespace as R
    >>> cond = lambda s: None
    >>> cond.compares = (Comparison(Read("record.valid"), eq, True),)
    >>> list(item_test(cond)([R(valid=True), R(valid=None)]))
    [True, False]
    """
    compares = getattr(cond, "compares", None)
    if compares is None or len(compares) != 1:
        return None
    ((read, op, bound),) = compares
    if read.key is not None or isinstance(bound, Read) or not read.chain.startswith("record."):
        return None  # a key of a mapping, a bound read from a field, the parent's field
    value = attrgetter(read.chain.removeprefix("record."))
    if op is None:
        return lambda values: map(value, values)
    return lambda values: map(op, map(value, values), repeat(bound))


def _reader(reads: list[Read]) -> Callable[[Subject], tuple[Any, ...]]:
    """The values at ``reads`` (attribute chains, or keys of one mapping) as a tuple."""
    if len(reads) == 1:  # given one name, attrgetter returns the bare value: ask for it twice
        reads = reads * 2  # (map and zip stop at the shorter side: one comparison still)
    if reads[0].key is None:
        return attrgetter(*(r.chain for r in reads))
    mapping, keys = attrgetter(reads[0].chain), itemgetter(*(r.key for r in reads))
    return lambda s: keys(mapping(s))
