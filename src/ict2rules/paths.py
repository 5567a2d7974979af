"""Field paths ("hours.online", "school.point_scope") compiled once into fast getters.

A path is checked against the record models when a ruleset is compiled, so a typo in a
ruleset is an error at load time with a "did you mean", not a silent ``missing_data`` on
every teacher. A getter returns ``None`` for anything absent along the way.

>>> from ict2rules.records import Teacher
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

from .errors import did_you_mean

Getter = Callable[[Any], Any]


class PathError(ValueError):
    """A path names a field that the record model does not have."""


def unwrap_optional(tp: Any) -> Any:
    """Strip ``Annotated`` and ``X | None``; a union of several types is returned as it is."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _unwrap(tp: Any) -> Any:
    """Like :func:`unwrap_optional`, but a path cannot walk into a union of several types."""
    tp = unwrap_optional(tp)
    return Any if typing.get_origin(tp) in (typing.Union, types.UnionType) else tp


def field_type(model: type[BaseModel], name: str) -> Any:
    """The (unwrapped) type of a model's field or computed field; raise PathError if unknown."""
    if name in model.model_fields:
        return _unwrap(model.model_fields[name].annotation)
    if name in model.model_computed_fields:
        return _unwrap(model.model_computed_fields[name].return_type)
    names = [*model.model_fields, *model.model_computed_fields]
    hint = did_you_mean(name, names)
    raise PathError(
        f"{model.__name__} has no field {name!r}" + (f"; did you mean {hint!r}?" if hint else "")
    )


def element_type(tp: Any) -> Any:
    """The item type of ``list[X]`` (``Any`` when unknown)."""
    tp = _unwrap(tp)
    if typing.get_origin(tp) is list:
        return _unwrap(typing.get_args(tp)[0])
    return Any


def resolve(model: Any, segments: list[str]) -> tuple[list[tuple[str, str]], Any]:
    """Walk ``segments`` through ``model``: the access steps and the type reached."""
    steps: list[tuple[str, str]] = []
    tp: Any = model
    for seg in segments:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            tp = field_type(tp, seg)
            steps.append(("attr", seg))
        elif typing.get_origin(tp) is dict or tp is Any or tp is dict:
            steps.append(("key", seg))
            args = typing.get_args(tp)
            tp = _unwrap(args[1]) if len(args) == 2 else Any
        else:
            raise PathError(f"cannot take {seg!r} of a value of type {getattr(tp, '__name__', tp)}")
    return steps, tp


def make_getter(steps: list[tuple[str, str]]) -> Getter:
    """A getter for resolved steps; plain attribute chains use C-speed ``attrgetter``."""
    if not steps:
        return lambda obj: obj
    if all(kind == "attr" for kind, _ in steps):
        fast = attrgetter(".".join(name for _, name in steps))

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
                getattr(obj, name, None)
                if kind == "attr"
                else (obj.get(name) if isinstance(obj, dict) else None)
            )
        return obj

    return get


def compile_path(path: str, model: Any) -> Getter:
    """Compile a dotted path against a model type ("." is the value itself)."""
    segments = [] if path in (".", "") else path.split(".")
    steps, _ = resolve(model, segments)
    return make_getter(steps)


def is_date(tp: Any) -> bool:
    return tp is dt.date
