"""The workflow configuration: loading, and validation with messages that name the key.

The JSON schema (workflow/schemas/config.schema.yaml) checks structure and types; `validate_config`
adds the checks a schema cannot express (grid sizes, cross-references, sizes that depend on the
scale) and reports every problem at once, each as "config key 'a.b.c': what was expected".
"""

from __future__ import annotations

import math
from pathlib import Path

import jsonschema
import yaml

from fieldvae.config_checks import cross_check


class ConfigError(ValueError):
    """The configuration is invalid; the message lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader (plain data only: no tag constructs a Python object), refusing a key
    given twice in one mapping, which the plain loader resolves silently in favour of the last, and
    aliases (*name), which let a few hundred bytes expand to billions of values."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, f"alias *{event.anchor} found; expected plain values "
                                              "(anchors and aliases are not accepted)", event.start_mark)
        return super().compose_node(parent, index)


def _unique_keys(loader: _StrictLoader, node: yaml.MappingNode) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        try:
            duplicate = key in seen
        except TypeError:  # a list or mapping as a key: construct_mapping names it
            break
        if duplicate:
            raise yaml.constructor.ConstructorError(None, None, f"key {key!r} given twice", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_keys)


def load_yaml(path: str | Path) -> dict:
    """A YAML file of plain data with keys at the top level; any problem is a ConfigError naming the
    file, and the line where YAML found it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no configuration file at {path}")
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_StrictLoader)
    except yaml.YAMLError as err:
        raise ConfigError([f"{path}: not valid YAML of plain data: {' '.join(str(err).split())}"]) from err
    except UnicodeDecodeError as err:
        raise ConfigError([f"{path}: not UTF-8 text (byte {err.start}: {err.reason}); expected a YAML file"]) from err
    if not isinstance(data, dict):
        raise ConfigError([f"{path}: expected a mapping of keys at the top level, got {type(data).__name__}"])
    if "__use_yte__" in data:
        raise ConfigError([f"{path}: key '__use_yte__': YTE templates evaluate Python; expected plain YAML"])
    return data


def load_schema(path: str | Path) -> dict:
    """The workflow's own schema: trusted, so its YAML aliases (shared field lists) are read."""
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def validate_config(config: dict, schema_path: str | Path, files=()) -> dict:
    """Return `config` unchanged if valid, else raise ConfigError listing every problem. `files`: the
    configuration files it was read from (by Snakemake), read again here to refuse duplicate keys."""
    for path in files:
        load_yaml(path)
    validator = _Validator(load_schema(schema_path))
    problems = [_describe(e) for e in sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))]
    problems += _non_finite(config, [])
    if not problems:  # the cross-checks assume a structurally valid config
        problems = cross_check(config)
    if problems:
        raise ConfigError(problems)
    return config


# JSON Schema counts 33.0 as an integer; the checks below and the commands need an int.
_Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, type_checker=(
    jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda checker, value: isinstance(value, int) and not isinstance(value, bool))))


def _non_finite(value, path: list) -> list[str]:
    """A problem for every NaN or infinite number (YAML's .nan and .inf): the schema's bounds let them pass."""
    if isinstance(value, float) and not math.isfinite(value):
        return [f"{_key(path)}: expected a finite number, got {value}"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _non_finite(v, [*path, k])]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _non_finite(v, [*path, i])]
    return []


def _key(path) -> str:
    key = ""
    for part in path:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return f"config key '{key}'" if key else "config"


def _describe(error: jsonschema.ValidationError) -> str:
    where, v, value = _key(error.absolute_path), error.validator, error.instance
    if v == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(value) - set(allowed))
        return f"{where}: unknown key {', '.join(map(repr, extra))}; expected only {', '.join(allowed)}"
    if v == "required":
        missing = [k for k in error.validator_value if k not in value]
        return f"{where}: missing key {', '.join(map(repr, missing))}"
    if v == "type":
        return f"{where}: expected {_article(error.validator_value)}, got {value!r}"
    if v == "enum":
        return f"{where}: expected one of {', '.join(map(str, error.validator_value))}, got {value!r}"
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        op = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}[v]
        why = f" ({error.schema['description'].strip()})" if v == "maximum" and "description" in error.schema else ""
        return f"{where}: expected a value {op} {error.validator_value}, got {value!r}{why}"
    if v == "pattern" and "npz" in error.validator_value:
        return f"{where}: expected a file name ending in .npz, .h5 or .hdf5, got {value!r}"
    if v == "pattern":
        return f"{where}: expected a name of letters, digits and underscores starting with a letter, got {value!r}"
    if v in ("minProperties", "minItems") and error.validator_value == 1:
        return f"{where}: must not be empty"
    if v == "minItems":
        return f"{where}: expected at least {error.validator_value} items, got {value!r}"
    return f"{where}: {error.message}"


def _article(type_name) -> str:
    names = [type_name] if isinstance(type_name, str) else list(type_name)
    words = {"integer": "an integer", "number": "a number", "string": "a string", "object": "a mapping",
             "array": "a list", "boolean": "true or false"}
    return " or ".join(words.get(n, n) for n in names)
