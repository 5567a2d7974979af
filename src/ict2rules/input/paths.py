"""Field paths ("hours.online", "school.point_scope") compiled once into fast getters.

A path is checked against the record models when a ruleset is compiled, so a typo in a
ruleset is an error at load time with a "did you mean", not a silent ``missing_data`` on
every teacher. A getter returns ``None`` for anything absent along the way.

>>> from ict2rules.input.records import Teacher
>>> get = compile_path("hours.online", Teacher)
>>> get(Teacher(id="T1", hours={"online": 50}))
50.0
>>> get(Teacher(id="T2")) is None
True
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from pydantic import BaseModel

from ..errors import did_you_mean, unwrap_optional

Getter = Callable[[Any], Any]


class PathError(ValueError):
    """A path names a field that the record model does not have: a compile-message code
    (``no_field`` / ``cannot_take``, see ``errors.COMPILE_MESSAGES``) and its values."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(f"{code}: {params}")
        self.code, self.params = code, params


def _unwrap(tp: Any) -> Any:
    """Like :func:`unwrap_optional`, but a path cannot walk into a union of several types."""
    tp = unwrap_optional(tp)
    return Any if typing.get_origin(tp) in (typing.Union, types.UnionType) else tp


def field_type(model: type[BaseModel], name: str) -> Any:
    """The (unwrapped) type of a model's field or computed field; raise PathError if unknown."""
    return _unwrap(_declared(model, name))


def is_model(tp: Any) -> bool:
    """Whether ``tp`` is a pydantic model class.

    On Python 3.10 ``list[X]`` passes ``isinstance(tp, type)`` and then breaks ``issubclass``.

    >>> is_model(BaseModel), is_model(list[int]), is_model(int)
    (True, False, False)
    """
    return isinstance(tp, type) and typing.get_origin(tp) is None and issubclass(tp, BaseModel)


def computed_fields(model: type[BaseModel]) -> dict[str, Any]:
    """A model class's computed fields by name, each with its ``return_type``.

    Read from the class's decorators: ``model_computed_fields`` is an instance property before
    pydantic 2.10, so reading it from the class would give a property object there.

    >>> from pydantic import computed_field
    >>> class M(BaseModel):
    ...     @computed_field
    ...     @property
    ...     def twice(self) -> int:
    ...         return 2
    >>> computed_fields(M)["twice"].return_type
    <class 'int'>
    """
    return {n: d.info for n, d in model.__pydantic_decorators__.computed_fields.items()}


def field_types(model: type[BaseModel], prefix: str = "") -> dict[str, Any]:
    """Every declared field of ``model`` by dotted path, with its (unwrapped) type; a field that
    is a model is listed and followed into. What readers derive their cells from, so a field
    added to a record model needs no second declaration.

    >>> from ict2rules.input.records import Teacher
    >>> types = field_types(Teacher)
    >>> types["hours.online"], types["enrolled"], types["points"]
    (<class 'float'>, <class 'bool'>, list[ict2rules.input.records.PointRecord])
    """
    out: dict[str, Any] = {}
    for name in model.model_fields:
        tp = field_type(model, name)
        out[prefix + name] = tp
        if is_model(tp):
            out.update(field_types(tp, f"{prefix}{name}."))
    return out


def _declared(model: type[BaseModel], name: str) -> Any:
    if name in model.model_fields:
        return model.model_fields[name].annotation
    computed = computed_fields(model)
    if name in computed:
        return computed[name].return_type
    names = [*model.model_fields, *computed]
    hint = did_you_mean(name, names)
    raise PathError("no_field", model=model.__name__, name=name, hint=hint)


def _nullable(tp: Any) -> bool:
    """Whether a declared type admits None (``X | None``, ``Optional[X]``, ``Any``)."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if tp is Any or tp is type(None):
        return True
    return typing.get_origin(tp) in (typing.Union, types.UnionType) and type(
        None
    ) in typing.get_args(tp)


def element_type(tp: Any) -> Any:
    """The item type of ``list[X]`` (``Any`` when unknown)."""
    tp = _unwrap(tp)
    if typing.get_origin(tp) is list:
        return _unwrap(typing.get_args(tp)[0])
    return Any


def resolve(model: Any, segments: list[str]) -> tuple[list[tuple[str, str]], Any]:
    """Walk ``segments`` through ``model``: the access steps and the type reached.

    A step is ``("attr", name)``, ``("attr?", name)`` when the attribute may be None (so the
    next step may find nothing), or ``("key", name)`` for a mapping.
    """
    steps: list[tuple[str, str]] = []
    tp: Any = model
    for seg in segments:
        if is_model(tp):
            declared = _declared(tp, seg)
            tp = _unwrap(declared)
            steps.append(("attr?" if _nullable(declared) else "attr", seg))
        elif typing.get_origin(tp) is dict or tp is Any or tp is dict:
            steps.append(("key", seg))
            args = typing.get_args(tp)
            tp = _unwrap(args[1]) if len(args) == 2 else Any
        else:
            raise PathError("cannot_take", name=seg, type=getattr(tp, "__name__", str(tp)))
    return steps, tp


def attr_path(steps: list[tuple[str, str]]) -> str | None:
    """The dotted attribute chain of steps that read only attributes (None if a key is read).

    >>> attr_path([("attr?", "hours"), ("attr", "online")]), attr_path([("key", "lesson")])
    ('hours.online', None)
    """
    if not steps or any(kind == "key" for kind, _ in steps):
        return None
    return ".".join(name for _, name in steps)


def make_getter(steps: list[tuple[str, str]]) -> Getter:
    """A getter for resolved steps; plain attribute chains use C-speed ``attrgetter``, bare
    when nothing along the chain can be None (most reads: one field of the record)."""
    if not steps:
        return lambda obj: obj
    chain = attr_path(steps)
    if chain is not None:
        fast = attrgetter(chain)
        if all(kind == "attr" for kind, _ in steps[:-1]):
            return fast

        def get_attrs(obj: Any) -> Any:
            try:
                return fast(obj)
            except AttributeError:  # a None somewhere along the path
                return None

        return get_attrs

    def get(obj: Any) -> Any:
        for kind, name in steps:
            if obj is None:
                return None
            obj = (
                (obj.get(name) if isinstance(obj, dict) else None)
                if kind == "key"
                else getattr(obj, name, None)
            )
        return obj

    return get


def compile_path(path: str, model: Any) -> Getter:
    """Compile a dotted path against a model type ("." is the value itself)."""
    segments = [] if path in (".", "") else path.split(".")
    steps, _ = resolve(model, segments)
    return make_getter(steps)


def is_collection(tp: Any) -> bool:
    """A list or a mapping (whose length, not its value, a threshold measures).

    >>> is_collection(list[str]), is_collection(dict[str, float]), is_collection(str)
    (True, True, False)
    """
    return tp in (list, dict) or typing.get_origin(tp) in (list, dict)


def true_when_present(tp: Any) -> bool:
    """Whether a value of this type is true exactly when it is present (not None, not empty):
    a date, a text, a record, a list, a mapping — not a number, which is present at 0.

    >>> true_when_present(dt.date), true_when_present(str), true_when_present(float)
    (True, True, False)
    """
    return is_collection(tp) or is_model(tp) or (isinstance(tp, type) and typing.get_origin(tp) is None and issubclass(tp, (dt.date, str)))


def is_date(tp: Any) -> bool:
    return tp is dt.date
