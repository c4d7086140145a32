"""Settings dataclasses from plain mappings (the workflow's JSON options), naming any unknown key."""

from __future__ import annotations

from dataclasses import fields


def from_dict(cls, values: dict, what: str):
    """Build a config dataclass from a mapping, naming any unknown key."""
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"{what}: unknown key {', '.join(map(repr, unknown))}; expected only {', '.join(sorted(known))}")
    return cls(**values)
