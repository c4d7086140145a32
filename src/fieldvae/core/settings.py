"""Settings dataclasses from plain mappings (the workflow's JSON options, a model file's record),
naming any unknown key and any value of the wrong type: `{"epochs": "x"}`, `batch_size: 1.5` or
`fixed_beta: NaN` are refused here, not deep inside training."""

from __future__ import annotations

import math
import types
from dataclasses import fields
from typing import Union, get_args, get_origin, get_type_hints


def from_dict(cls, values: dict, what: str):
    """Build a config dataclass from a mapping; any unknown key, wrongly typed or non-finite value,
    or value the class itself refuses is an error that starts with `what` and names the key."""
    if not isinstance(values, dict):
        raise ValueError(f"{what}: expected a mapping of settings, got {values!r}")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - known, key=str)
    if unknown:
        raise ValueError(f"{what}: unknown key {', '.join(map(repr, unknown))}; expected only {', '.join(sorted(known))}")
    hints = get_type_hints(cls)
    for key, value in values.items():
        if not _conforms(value, hints[key]):
            raise ValueError(f"{what}: key {key!r}: expected {_describe(hints[key])}, got {value!r}")
    try:
        return cls(**values)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{what}: {err}") from err


def _conforms(value, hint) -> bool:
    origin, args = get_origin(hint), get_args(hint)
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if hint is str:
        return isinstance(value, str)
    if hint is type(None):
        return value is None
    if origin in (Union, types.UnionType):
        return any(_conforms(value, a) for a in args)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_conforms(v, args[0]) for v in value)
        return len(value) == len(args) and all(_conforms(v, a) for v, a in zip(value, args))
    raise TypeError(f"no type check for settings of type {hint}")  # a new kind of field: add it above


def _describe(hint) -> str:
    origin, args = get_origin(hint), get_args(hint)
    words = {bool: "true or false", int: "an integer", float: "a finite number", str: "text", type(None): "null"}
    if hint in words:
        return words[hint]
    if origin in (Union, types.UnionType):
        return " or ".join(_describe(a) for a in args)
    if len(args) == 2 and args[1] is Ellipsis:
        return f"a list, each item {_describe(args[0])}"
    return f"a list [{', '.join(_describe(a) for a in args)}]"
