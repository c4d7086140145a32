"""Code fingerprints: which of the package's code a workflow step runs, as one short hash.

Snakemake reruns a rule when its `code` parameter changes, so that parameter should change exactly
when an edit touches code the rule runs: the modules it names and, transitively, every module of the
package they import (at the top or inside a function), with the parent packages whose `__init__`
Python executes on the way. The closure errs on the side of more: every import statement counts,
also one in a function the step may never call.

The hash is of the syntax tree without docstrings, so comments, docstrings and layout do not count:
rewording an explanation does not rerun a week of training, while changing a number, a name or an
operator does.

Imports done by string (`importlib.import_module("fieldvae.x")`) are deliberately not followed: a
registry that loads plugins by name then keeps each plugin out of the closure of the others, so an
edit to one plugin reruns only the steps that name it.

Nothing fingerprinted is imported (Snakemake parses the workflow often, and importing PyTorch costs
seconds): files are read and parsed, and each distinct source is parsed once per process.
"""

from __future__ import annotations

import ast
import functools
import hashlib
from pathlib import Path

PACKAGE = "fieldvae"
ROOT = Path(__file__).resolve().parents[2]  # the folder holding the package folder (src/)


def module_file(name: str, root: Path | None = None) -> Path:
    """The source file of module `name` (`a.b.c`: `root/a/b/c.py` or `root/a/b/c/__init__.py`)."""
    base = Path(root or ROOT).joinpath(*name.split("."))
    for path in (base.parent / f"{base.name}.py", base / "__init__.py"):
        if path.is_file():
            return path
    raise ValueError(f"no module {name!r}: neither {base}.py nor {base / '__init__.py'} exists")


def module_string(name: str, constant: str, root: Path | None = None) -> str:
    """The string assigned to `constant` at the top of module `name`, read from its source (a figure's
    caption, which the workflow needs without importing the figure's plotting code)."""
    path = module_file(name, root)
    for node in ast.parse(path.read_bytes(), str(path)).body:
        if (isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [constant]
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            return node.value.value
    raise ValueError(f"{path}: no string constant {constant} at the top of module {name}")


def source_hash(path: Path) -> str:
    """The sha256 of a file's syntax tree, without docstrings, line numbers or columns."""
    return _analyse(Path(path).read_bytes(), str(path))[0]


def imports(name: str, root: Path | None = None, package: str = PACKAGE) -> set[str]:
    """The modules of `package` that module `name` imports anywhere, with their parent packages."""
    path = module_file(name, root)
    return _resolved(_analyse(path.read_bytes(), str(path))[1], name, path, root, package)


def _resolved(statements, name: str, path: Path, root: Path | None, package: str) -> set[str]:
    """The modules of `package` that import statements written in module `name` import."""
    found = set()
    for module, names, level in statements:
        base = _absolute(module, level, name, is_package=path.name == "__init__.py")
        if base.split(".")[0] != package:
            continue
        found |= _with_parents(base)
        found |= {f"{base}.{item}" for item in names if _is_module(f"{base}.{item}", root)}
    return found - {name}


def import_closure(*names: str, root: Path | None = None, package: str = PACKAGE) -> list[str]:
    """The modules `names` run, sorted: themselves, what they import transitively, and parents."""
    todo = set().union(*map(_with_parents, names))
    seen = set()
    while todo:
        name = todo.pop()
        seen.add(name)
        todo |= imports(name, root, package) - seen
    return sorted(seen)


def code_fingerprint(*names: str, root: Path | None = None, package: str = PACKAGE) -> str:
    """16 hex digits that change exactly when the code of a module in the closure of `names` does."""
    digest = hashlib.sha256()
    for name in import_closure(*names, root=root, package=package):
        digest.update(f"{name}\0{source_hash(module_file(name, root))}\n".encode())
    return digest.hexdigest()[:16]


def command_fingerprint(module: str, function: str, root: Path | None = None, package: str = PACKAGE) -> str:
    """16 hex digits for a command-line function: its own code and that of the module's functions it
    calls, and the closure of what they import (in their bodies, and at the top of the module). A
    command module imports each library module inside the function that uses it, so one command's
    fingerprint does not cover the others."""
    path = module_file(module, root)
    tree = ast.parse(path.read_bytes(), str(path))
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    if function not in functions:
        raise ValueError(f"no function {function!r} at the top of module {module!r} ({path})")
    used, todo = set(), [function]
    while todo:  # the function and the module's functions it refers to, transitively
        name = todo.pop()
        used.add(name)
        todo += [n.id for n in ast.walk(functions[name]) if isinstance(n, ast.Name) and n.id in functions]
        todo = [n for n in todo if n not in used]
    top = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    statements = _import_statements([*top, *(functions[name] for name in used)])
    closure = _resolved(statements, module, path, root, package) - {module}
    digest = hashlib.sha256(code_fingerprint(*closure, root=root, package=package).encode())
    for name in sorted(used):
        digest.update(ast.dump(_without_docstrings(functions[name])).encode())
    return digest.hexdigest()[:16]


def _import_statements(nodes) -> tuple[tuple[str | None, tuple[str, ...], int], ...]:
    """The import statements within the given syntax trees, as (module, imported names, relative level)."""
    statements = []
    for node in (n for tree in nodes for n in ast.walk(tree)):
        if isinstance(node, ast.Import):
            statements += [(alias.name, (), 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            statements.append((node.module, tuple(alias.name for alias in node.names), node.level))
    return tuple(statements)


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and _has_docstring(node):
            node.body = node.body[1:] or [ast.Pass()]
    return tree


@functools.lru_cache(maxsize=None)
def _analyse(source: bytes, filename: str) -> tuple[str, tuple[tuple[str | None, tuple[str, ...], int], ...]]:
    """A source's tree hash, and its import statements as (module, imported names, relative level)."""
    tree = ast.parse(source, filename)
    statements = _import_statements([tree])
    return hashlib.sha256(ast.dump(_without_docstrings(tree)).encode()).hexdigest(), statements


def _has_docstring(node: ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    first = node.body[0] if node.body else None
    return isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)


def _absolute(module: str | None, level: int, importer: str, is_package: bool) -> str:
    """The absolute name of `from <level dots><module> import ...` written in module `importer`."""
    if not level:
        return module
    anchor = importer.split(".") if is_package else importer.split(".")[:-1]
    if level > len(anchor):
        raise ValueError(f"{importer}: relative import of level {level} goes beyond the top package")
    anchor = anchor[:len(anchor) - level + 1]
    return ".".join(anchor + [module] if module else anchor)


def _with_parents(name: str) -> set[str]:
    """`a.b.c` and the packages above it: {a, a.b, a.b.c}."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)}


def _is_module(name: str, root: Path | None) -> bool:
    try:
        module_file(name, root)
    except ValueError:
        return False
    return True
