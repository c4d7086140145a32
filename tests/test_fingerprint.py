"""Code fingerprints: the import closure of a module, and a hash that ignores comments and docstrings."""

import re

import pytest

from fieldvae.core.fingerprint import (ROOT, code_fingerprint,
                                       command_fingerprint, import_closure,
                                       imports, module_file, source_hash)

SOURCES = {
    "pkg/__init__.py": '"""A synthetic package."""\n',
    "pkg/a.py": '"""Module a."""\nimport os\nimport numpy\n\nfrom pkg.b import f\n\n\ndef run():\n    return f() + 1\n',
    "pkg/b.py": "def f():\n    from . import c\n\n    return c.h()\n",
    "pkg/c.py": "SCALE = 2\n\n\ndef h():\n    return SCALE * 3  # the answer\n",
    "pkg/sub/__init__.py": "from .d import g\n",
    "pkg/sub/d.py": "from ..c import h\n\n\ndef g():\n    return h()\n",
    "pkg/e.py": "E = 5\n",
    "pkg/cli.py": ('"""Commands."""\nfrom pkg.c import SCALE\n\n\ndef _one():\n    from pkg.b import f\n\n    return f()\n\n\n'
                   'def _two():\n    """Two."""\n    from pkg.e import E\n\n    return _helper() + E\n\n\n'
                   'def _helper():\n    from pkg.sub import g\n\n    return g() * SCALE\n'),
    "pkg/reg.py": 'import importlib\n\n\ndef load():\n    return importlib.import_module("pkg.e")\n',
}
MODULES = ["pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.e", "pkg.reg", "pkg.sub", "pkg.sub.d"]  # pkg.cli: see the command tests


@pytest.fixture
def root(tmp_path):
    """A folder holding the synthetic package `pkg`."""
    for name, text in SOURCES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def closure(*names, root):
    return set(import_closure(*names, root=root, package="pkg"))


def fingerprint(name, root):
    return code_fingerprint(name, root=root, package="pkg")


def edit(root, name, old, new):
    path = root / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_closure_follows_absolute_relative_and_function_level_imports(root):
    assert closure("pkg.a", root=root) == {"pkg", "pkg.a", "pkg.b", "pkg.c"}
    assert closure("pkg.sub.d", root=root) == {"pkg", "pkg.sub", "pkg.sub.d", "pkg.c"}
    assert closure("pkg.sub", root=root) == {"pkg", "pkg.sub", "pkg.sub.d", "pkg.c"}


def test_string_imports_are_not_followed(root):
    assert closure("pkg.reg", root=root) == {"pkg", "pkg.reg"}
    assert closure("pkg.e", root=root) == {"pkg", "pkg.e"}
    for name in set(MODULES) - {"pkg.e"}:
        assert "pkg.e" not in closure(name, root=root), name


def test_from_import_resolves_to_the_submodule_or_the_module_defining_the_name(root):
    assert imports("pkg.b", root=root, package="pkg") == {"pkg", "pkg.c"}  # from . import c
    assert imports("pkg.a", root=root, package="pkg") == {"pkg", "pkg.b"}  # from pkg.b import f; os, numpy ignored
    assert imports("pkg.sub", root=root, package="pkg") == {"pkg", "pkg.sub.d"}  # in an __init__, . is the package


def test_import_closure_of_several_modules_is_their_union(root):
    assert closure("pkg.a", "pkg.e", root=root) == {"pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.e"}


def test_comments_docstrings_and_layout_do_not_change_the_fingerprint(root):
    before = fingerprint("pkg.a", root)
    edit(root, "pkg/a.py", '"""Module a."""', '"""Module a, reworded at length."""')
    edit(root, "pkg/a.py", "return f() + 1", "return f() + 1  # a new comment")
    edit(root, "pkg/c.py", "\n\n\ndef h", "\n\n\n\n\n# A comment block.\ndef h")
    edit(root, "pkg/c.py", "return SCALE * 3", "return (\n        SCALE\n        * 3\n    )")
    edit(root, "pkg/b.py", "def f():\n", 'def f():\n    """A docstring added to a function."""\n')
    assert fingerprint("pkg.a", root) == before


def test_a_body_that_is_only_a_docstring_counts_as_pass(root):
    (root / "pkg/c.py").write_text('def h():\n    """Only a docstring."""\n')
    before = fingerprint("pkg.c", root)
    (root / "pkg/c.py").write_text("def h():\n    pass\n")
    assert fingerprint("pkg.c", root) == before


@pytest.mark.parametrize("old, new", [("SCALE = 2", "SCALE = 4"), ("SCALE * 3", "SCALE + 3"), ("return SCALE", "return E")])
def test_code_changes_reach_the_importers_and_only_them(root, old, new):
    before = {name: fingerprint(name, root) for name in MODULES}
    edit(root, "pkg/c.py", old, new)
    after = {name: fingerprint(name, root) for name in MODULES}
    changed = {name for name in MODULES if after[name] != before[name]}
    assert changed == {"pkg.a", "pkg.b", "pkg.c", "pkg.sub", "pkg.sub.d"}


def test_source_hash_ignores_docstrings_and_sees_numbers(tmp_path):
    one, two = tmp_path / "one.py", tmp_path / "two.py"
    one.write_text('"""Doc."""\nclass A:\n    """Doc."""\n    x = 1\n')
    two.write_text("class A:\n    x = 1\n")
    assert source_hash(one) == source_hash(two)
    two.write_text("class A:\n    x = 2\n")
    assert source_hash(one) != source_hash(two)


def test_a_missing_module_is_named(root):
    with pytest.raises(ValueError, match="pkg.missing"):
        module_file("pkg.missing", root=root)
    (root / "pkg/a.py").write_text("from pkg import missing\n")  # may be a name defined in pkg
    assert closure("pkg.a", root=root) == {"pkg", "pkg.a"}
    (root / "pkg/a.py").write_text("import pkg.missing\n")
    with pytest.raises(ValueError, match="pkg.missing"):
        fingerprint("pkg.a", root)


def test_module_file_finds_modules_and_packages(root):
    assert module_file("pkg.c", root=root) == root / "pkg/c.py"
    assert module_file("pkg.sub", root=root) == root / "pkg/sub/__init__.py"


def test_the_real_package():
    assert set(import_closure("fieldvae.core.streams")) == {"fieldvae", "fieldvae.core", "fieldvae.core.streams"}
    everything = [
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in (ROOT / "fieldvae").rglob("*.py")
    ]
    assert re.fullmatch("[0-9a-f]{16}", code_fingerprint(*everything))
    assert re.fullmatch("[0-9a-f]{16}", code_fingerprint("fieldvae"))


def command(name, root):
    return command_fingerprint("pkg.cli", name, root=root, package="pkg")


def test_a_command_covers_its_function_its_helpers_and_what_they_import_only(root):
    one, two = command("_one", root), command("_two", root)
    assert re.fullmatch("[0-9a-f]{16}", one) and one != two
    edit(root, "pkg/e.py", "E = 5", "E = 6")  # imported by _two only
    assert command("_one", root) == one and command("_two", root) != two
    two = command("_two", root)
    edit(root, "pkg/cli.py", "return g() * SCALE", "return g() + SCALE")  # a helper _two calls
    assert command("_one", root) == one and command("_two", root) != two
    two = command("_two", root)
    edit(root, "pkg/cli.py", '"""Two."""', '"""Two, reworded."""')  # a docstring
    edit(root, "pkg/cli.py", '"""Commands."""', '"""Commands, reworded."""')
    assert (command("_one", root), command("_two", root)) == (one, two)
    edit(root, "pkg/c.py", "SCALE = 2", "SCALE = 3")  # imported at the top of the module: both
    assert command("_one", root) != one and command("_two", root) != two


def test_a_missing_command_is_named(root):
    with pytest.raises(ValueError, match="no function '_three' at the top of module 'pkg.cli'"):
        command("_three", root)
