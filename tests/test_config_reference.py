"""The configuration reference is generated from the schema: the committed page is the generated one,
every key of config.yaml has its row, and the generator reads references, bounds and branches right."""

import re
from pathlib import Path

from fieldvae.config import load_schema, load_yaml
from fieldvae.config_reference import reference

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "workflow/schemas/config.schema.yaml"


def test_committed_reference_is_the_generated_one():
    assert (ROOT / "docs/configuration.md").read_text(encoding="utf-8") == reference(load_schema(SCHEMA)), (
        "docs/configuration.md is stale: run `fieldvae config-reference` from the repository root")


def test_every_key_of_config_yaml_has_a_row():
    keys = set(re.findall(r"^\| `([^`]+)` \|", reference(load_schema(SCHEMA)), re.M))

    def walk(mapping, prefix):
        for key, value in mapping.items():
            path = next((p for p in (f"{prefix}{key}", f"{prefix}<name>") if p in keys), None)
            assert path, f"config.yaml key {prefix}{key} has no row in the reference"
            if isinstance(value, dict):
                walk(value, f"{path}.")

    walk(load_yaml(ROOT / "config.yaml"), "")


def test_references_bounds_requirement_and_branches():
    schema = {
        "$defs": {"count": {"type": "integer", "minimum": 1, "maximum": 9, "description": "a count"},
                  "name": {"title": "name", "type": "string"}},
        "type": "object",
        "required": ["n"],
        "properties": {
            "n": {"$ref": "#/$defs/count"},
            "kind": {"enum": ["a", "b"], "description": "the kind | of it"},
            "items": {"type": "object", "additionalProperties": {
                "if": {"required": ["file"]},
                "then": {"properties": {"file": {"type": "string", "pattern": "[.](npz|h5)$"}}},
                "else": {"properties": {"rate": {"type": "number", "exclusiveMinimum": 0}}}}},
            "names": {"type": "array", "items": {"$ref": "#/$defs/name"}, "minItems": 2},
        },
    }
    rows = reference(schema).splitlines()
    assert "| `n` | yes | integer, 1 to 9 | a count |" in rows
    assert "| `kind` |  | one of `a`, `b` | the kind \\| of it |" in rows
    assert "| `items` |  | map of `<name>` |  |" in rows
    assert "| `items.<name>.file` |  | string, matching `[.](npz\\|h5)$` | (with `file`: a dataset read from a file) |" in rows
    assert "| `items.<name>.rate` |  | number, > 0 | (a generated Darcy dataset) |" in rows
    assert "| `names` |  | list of name (>= 2 items) |  |" in rows
