"""What the fake Messages API accepts: a request body checked against the pinned SDK's ``*Param``
types, as strictly as the real API checks it.

:func:`request_problems` walks a ``POST /v1/messages`` body against
``MessageCreateParamsNonStreaming`` and names every problem by its path (``messages.1.content.1.
caller: expected an object, got null``). It is hand-written over the SDK's own TypedDicts because
pydantic's ``TypeAdapter`` is kinder than the API in three ways that matter here: it validates the
SDK's ``Iterable[...]`` fields lazily (a bad block deep in ``messages`` passes), it ignores keys a
TypedDict does not declare, and the SDK's unions let a *response* model (``ToolUseBlock``, which
allows ``"caller": null``) stand in for the wire type — so ``model_dump()`` of a reply would pass.
Here only the ``*Param`` TypedDicts count, every list is checked, and unknown keys are refused.
"""

from __future__ import annotations

import collections.abc
import functools
import types
import typing
from typing import Any, Union

import typing_extensions as te
from anthropic.types.message_create_params import MessageCreateParamsNonStreaming
from pydantic import BaseModel

_LISTS = {list, collections.abc.Iterable, collections.abc.Sequence}


@functools.cache
def _fields(typed_dict: type) -> dict[str, Any]:
    return te.get_type_hints(typed_dict, include_extras=True)


def _members(tp: Any) -> list[Any]:
    """The wire members of a union, flattened; response models are not wire shapes."""
    out: list[Any] = []
    for arg in te.get_args(tp):
        if te.get_origin(arg) in (Union, types.UnionType):
            out.extend(_members(arg))
        elif not (isinstance(arg, type) and issubclass(arg, BaseModel)):
            out.append(arg)
    return out


def _type_literal(tp: Any) -> tuple[Any, ...]:
    """The ``type`` values a TypedDict declares (``()`` when it has no ``type`` literal)."""
    if not te.is_typeddict(tp) or "type" not in _fields(tp):
        return ()
    kind = _fields(tp)["type"]
    while te.get_origin(kind) in (te.Required, te.NotRequired, typing.Required, typing.NotRequired):
        kind = te.get_args(kind)[0]
    return te.get_args(kind) if te.get_origin(kind) in (te.Literal, typing.Literal) else ()


def _name(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def _depth(problems: list[str]) -> tuple[int, int]:
    return (len(problems[0].split(":")[0]), -len(problems))


def _check(value: Any, tp: Any, path: str) -> list[str]:
    origin = te.get_origin(tp)
    where = path or "body"
    if tp is Any or tp is object:
        return []
    if origin in (te.Required, te.NotRequired, typing.Required, typing.NotRequired, te.Annotated):
        return _check(value, te.get_args(tp)[0], path)
    if origin in (Union, types.UnionType):
        members = _members(tp)
        if isinstance(value, dict) and isinstance(value.get("type"), str):
            # A block's "type" picks its TypedDict; members without one (a plain dict) stay.
            typed = [m for m in members if value["type"] in _type_literal(m)]
            untyped = [m for m in members if not _type_literal(m)]
            if not typed and not untyped:
                return [f"{where}.type: unexpected value {value['type']!r}"]
            members = typed + untyped
        best: list[str] | None = None
        for member in members:
            problems = _check(value, member, path)
            if not problems:
                return []
            # The member that got furthest into the value explains it best.
            if best is None or _depth(problems) > _depth(best):
                best = problems
        return best or [f"{where}: no wire type accepts {_name(value)}"]
    if origin in (te.Literal, typing.Literal):
        allowed = te.get_args(tp)
        return [] if value in allowed else [f"{where}: expected one of {list(allowed)}"]
    if te.is_typeddict(tp):
        if not isinstance(value, dict):
            return [f"{where}: expected an object, got {_name(value)}"]
        fields = _fields(tp)
        prefix = f"{path}." if path else ""
        problems = [
            f"{prefix}{k}: Extra inputs are not permitted" for k in value if k not in fields
        ]
        problems += [f"{prefix}{k}: Field required" for k in tp.__required_keys__ - value.keys()]
        for key, item in value.items():
            if key in fields:
                problems += _check(item, fields[key], f"{prefix}{key}")
        return problems
    if origin in _LISTS or getattr(origin, "__name__", "") == "SequenceNotStr":
        if not isinstance(value, list):
            return [f"{where}: expected an array, got {_name(value)}"]
        (item_type,) = te.get_args(tp) or (Any,)
        return [p for i, item in enumerate(value) for p in _check(item, item_type, f"{path}.{i}")]
    if origin in (dict, collections.abc.Mapping):
        return [] if isinstance(value, dict) else [f"{where}: expected an object"]
    if tp is type(None):
        return [] if value is None else [f"{where}: expected null, got {_name(value)}"]
    if tp is bool:
        return [] if isinstance(value, bool) else [f"{where}: expected a boolean"]
    if tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{where}: expected an integer, got {_name(value)}"]
    if tp is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"{where}: expected a number, got {_name(value)}"]
    if tp is str:
        return [] if isinstance(value, str) else [f"{where}: expected a string, got {_name(value)}"]
    return [f"{where}: the fake cannot check {tp!r}"]


def request_problems(body: Any) -> list[str]:
    """Every way ``body`` is not a valid ``MessageCreateParamsNonStreaming`` (``[]``: valid)."""
    return _check(body, MessageCreateParamsNonStreaming, "")


__all__ = ["request_problems"]
