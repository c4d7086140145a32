"""The configuration reference, docs/configuration.md, generated from the schema the workflow checks
config.yaml against, so that the manual and the check never disagree: a row per key with its type,
its bounds, whether it is required, and the schema's description of it."""

from __future__ import annotations

HEADER = """# Configuration reference

Every key of `config.yaml`, generated from `workflow/schemas/config.schema.yaml` by
`fieldvae config-reference` (a test fails when this page and the schema differ). `<name>` stands for a
name you choose (letters, digits, `_`); `[]` for an item of a list. The workflow checks a configuration
against the schema, and the cross-key checks of `fieldvae.config_checks`, before any job starts:
`fieldvae check-config config.yaml` runs the same check alone.
"""


def reference(schema: dict) -> str:
    """The reference page of `schema` (a JSON schema as loaded from YAML), as Markdown."""
    rows = ["| key | required | type | description |", "|---|---|---|---|"]
    rows += [f"| `{key}` | {'yes' if required else ''} | {_cell(kind)} | {_cell(text)} |"
             for key, required, kind, text in _rows(schema, schema, "", False)]
    return "\n".join([HEADER, *rows, ""])


def _rows(node: dict, root: dict, path: str, required: bool):
    """(key, required, type, description) of `node` at `path` and of every key below it."""
    node = _resolved(node, root)
    if path:
        yield path, required, _kind(node, root), _one_line(node.get("description", ""))
    for key, child in node.get("properties", {}).items():
        yield from _rows(child, root, f"{path}.{key}" if path else key, key in node.get("required", ()))
    for branch, what in (("then", "with `file`: a dataset read from a file"), ("else", "a generated Darcy dataset")):
        if branch in node:
            for key, req, kind, text in _rows(node[branch], root, path, False):
                if key != path:
                    yield key, req, kind, f"({what}) {text}".strip()
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        yield from _rows(extra, root, f"{path}.<name>", False)
    items = _resolved(node.get("items", {}), root)
    if "properties" in items:
        yield from _rows(items, root, f"{path}[]", False)


def _resolved(node: dict, root: dict) -> dict:
    """`node` with its $ref's definition merged in (the node's own keys win)."""
    if "$ref" not in node:
        return node
    target = root
    for part in node["$ref"].removeprefix("#/").split("/"):
        target = target[part]
    return {**_resolved(target, root), **{k: v for k, v in node.items() if k != "$ref"}}


def _kind(node: dict, root: dict) -> str:
    """A short type: 'integer, 1 to 1000', 'one of a, b', 'list of number > 0', 'map of <name> to ...'."""
    node = _resolved(node, root)
    if "title" in node:
        return node["title"]
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    kind = node.get("type", "")
    if kind == "array":
        if "prefixItems" in node:
            return "list of [" + ", ".join(_kind(p, root) for p in node["prefixItems"]) + "]"
        sizes = _bounds(node.get("minItems"), node.get("maxItems"), " items")
        return f"list of {_kind(node.get('items', {}), root) or 'values'}{f' ({sizes})' if sizes else ''}"
    if kind == "object":
        return "map of `<name>`" if isinstance(node.get("additionalProperties"), dict) else "mapping"
    bounds = _bounds(node.get("minimum"), node.get("maximum"))
    if "exclusiveMinimum" in node:
        bounds = f"> {node['exclusiveMinimum']}" + (f", < {node['exclusiveMaximum']}" if "exclusiveMaximum" in node else "")
    if "pattern" in node:
        bounds = f"matching `{node['pattern']}`"
    return f"{kind}, {bounds}" if bounds else kind


def _bounds(low, high, unit: str = "") -> str:
    if low is not None and high is not None:
        return f"{low} to {high}{unit}"
    if low is not None:
        return f">= {low}{unit}"
    return f"<= {high}{unit}" if high is not None else ""


def _one_line(text: str) -> str:
    """A description on one line, `<` escaped (Markdown reads results/<scale>/ as an HTML tag)."""
    return " ".join(text.split()).replace("<", "&lt;")


def _cell(text: str) -> str:
    """Text that stays in its Markdown table cell."""
    return text.replace("|", "\\|")
