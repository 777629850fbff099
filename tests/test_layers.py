"""The package's layers, and the direction of imports between them.

==========  ======================================================  ===============
layer       modules                                                 may import
==========  ======================================================  ===============
engine      ``_engine/*`` (Numba kernels and how they run)          engine only
core        the initializers and what they compute with             core, the
                                                                    engine's
                                                                    package
tools       the testing kit, the audit, the command line, files     core, tools,
                                                                    the engine's
                                                                    package
adapters    PyTorch, Keras, JAX, Dask                               core, tools,
                                                                    adapters, the
                                                                    engine's
                                                                    package
==========  ======================================================  ===============

Above the engine, code uses the names of ``glorot_numba._engine`` itself,
never its modules.  Nothing imports the package root (``glorot_numba``'s
``__init__``), and only ``_engine/numba_internals.py`` touches Numba's
private modules.  Checked from the source, without importing anything.

The tests have a rule of their own, checked the same way: a test module
imports the shared modules of ``tests/`` (``naive``, ``conftest``,
``runtime_probe``), never another test module, and defines no ``naive_*``
reference of its own.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "glorot_numba"

CORE = {
    "initializers",
    "_family",
    "_explicit",
    "_params",
    "_shapes",
    "_dtypes",
    "_seeding",
    "_normal_cdf",
    "_variance",
    "_tf_compat",
    "_version",
}
TOOLS = {
    "testing",
    "_kit",
    "_laws",
    "_complex_fit",
    "_producers",
    "_audit",
    "cli",
    "_modelspec",
    "_files",
    "_chunked_io",
    "_registry",
}
ADAPTERS = {
    "torch",
    "_torch_fill",
    "_torch_init",
    "_torch_patch",
    "keras",
    "_keras_patch",
    "_zero_copy",
    "jax",
    "dask",
    "_adapters",
}
ROOT = {"__init__", "__main__"}

MAY_IMPORT = {
    "core": {"core", "engine-package"},
    "tools": {"core", "tools", "engine-package"},
    "adapters": {"core", "tools", "adapters", "engine-package"},
}

# Numba's modules that are not its public API.
NUMBA_PRIVATE = ("numba.core", "numba.np", "numba.parfors", "numba.cpython")


def layer_of(module):
    """The layer of a module name relative to the package ('x', '_engine.y')."""
    if module == "_engine":
        return "engine-package"
    if module.startswith("_engine."):
        return "engine"
    for name, members in (("core", CORE), ("tools", TOOLS), ("adapters", ADAPTERS), ("root", ROOT)):
        if module in members:
            return name
    return None


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        name = ".".join(rel.parts)
        if name.endswith(".__init__"):
            name = name[: -len(".__init__")]
        yield name, path


def _is_module(dotted):
    """Whether ``dotted`` (package-relative) names a module or subpackage."""
    path = PACKAGE.joinpath(*dotted.split(".")) if dotted else PACKAGE
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports(name, path):
    """``(kind, target, line)`` for every import of a module: ``("package",
    package-relative module, line)`` -- ``""`` for the package root -- or
    ``("external", module, line)``."""
    tree = ast.parse(path.read_text(), str(path))
    parts = name.split(".")
    package = parts if path.name == "__init__.py" and name != "__init__" else parts[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
                for alias in node.names:
                    # "from .m import x" imports m, or m.x if that is a module.
                    sub = ".".join(filter(None, [prefix, alias.name]))
                    yield "package", sub if _is_module(sub) else prefix, node.lineno
            elif node.module and node.module.startswith("glorot_numba"):
                yield (
                    "package",
                    node.module[len("glorot_numba.") :] if "." in node.module else "",
                    node.lineno,
                )
            elif node.module:
                yield "external", node.module, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("glorot_numba"):
                    yield (
                        "package",
                        alias.name[len("glorot_numba.") :] if "." in alias.name else "",
                        node.lineno,
                    )
                else:
                    yield "external", alias.name, node.lineno


def test_every_module_has_a_layer():
    unknown = [name for name, _ in modules() if layer_of(name) is None and name != "_engine"]
    assert not unknown, f"modules not assigned to a layer in {__file__}: {unknown}"


@pytest.mark.parametrize("name, path", list(modules()), ids=lambda v: str(v))
def test_imports_go_downward(name, path):
    layer = layer_of(name) if name != "_engine" else "engine"
    bad = []
    for kind, target, line in imports(name, path):
        if kind == "external":
            if target.startswith(NUMBA_PRIVATE) and name != "_engine.numba_internals":
                bad.append(
                    f"line {line}: {target} (Numba's private modules go through "
                    "_engine/numba_internals.py)"
                )
            continue
        if target == "":
            if layer != "root":
                bad.append(f"line {line}: the package root")
            continue
        if layer == "root":
            continue
        target_layer = layer_of(target)
        if layer == "engine":
            if target_layer not in ("engine", "engine-package"):
                bad.append(f"line {line}: {target} ({target_layer}) from the engine")
        elif target_layer == "engine":
            bad.append(f"line {line}: {target}: use the names of glorot_numba._engine")
        elif target_layer not in MAY_IMPORT[layer]:
            bad.append(f"line {line}: {target} ({target_layer}) from {layer}")
    assert not bad, f"{name}: " + "; ".join(bad)


def test_the_checker_sees_a_wrong_import(tmp_path):
    # A module of the engine importing the front end, a core module
    # reaching into the engine, and a root import: each is reported.
    engine = tmp_path / "kernels.py"
    engine.write_text("from .. import initializers\n")
    assert [t for k, t, _ in imports("_engine.kernels", engine) if k == "package"] == [
        "initializers"
    ]
    core = tmp_path / "initializers.py"
    core.write_text("from ._engine import kernels, fill\nfrom . import __version__\n")
    assert [t for _, t, _ in imports("initializers", core)] == ["_engine.kernels", "_engine", ""]
    assert layer_of("_engine.kernels") == "engine"


# --------------------------------------------------------------------------
# The tests' own imports: a test module imports the shared modules of tests/
# (references, helpers, the subprocess probe), never another test module,
# and keeps no slow reference of its own (those are tests/naive.py's).
# --------------------------------------------------------------------------

TESTS = Path(__file__).resolve().parent
SHARED = {"tests.naive", "tests.conftest", "tests.runtime_probe"}


def _is_file_module(dotted, root):
    path = root.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_from_tests(path, root=TESTS.parent):
    """``(module, line)`` for every module under ``root / "tests"`` that the
    file ``path`` imports, as a dotted name (``"tests.naive"``)."""
    package = list(path.relative_to(root).parent.parts)
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            if prefix.split(".")[0] != "tests":
                continue
            # "from . import m" imports m; "from .m import x, y" imports m (once).
            found = (f"{prefix}.{a.name}" for a in node.names)
            found = [sub if _is_file_module(sub, root) else prefix for sub in found]
            for module in dict.fromkeys(found):
                yield module, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "tests":
                    yield alias.name, node.lineno


def defined_references(path):
    """``(name, line)`` of the functions named ``naive_*`` that ``path`` defines."""
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name.startswith("naive_"):
                yield node.name, node.lineno


TEST_FILES = sorted(TESTS.rglob("*.py"))


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: str(p.relative_to(TESTS)))
def test_tests_import_only_the_shared_modules(path):
    bad = [
        f"line {line}: {module}"
        for module, line in imports_from_tests(path)
        if module not in SHARED | {"tests", "tests.peers"}
    ]
    assert not bad, (
        f"{path.name} imports a test module (move what it needs to "
        f"tests/naive.py or tests/conftest.py): " + "; ".join(bad)
    )


@pytest.mark.parametrize(
    "path", [p for p in TEST_FILES if p.name != "naive.py"], ids=lambda p: str(p.relative_to(TESTS))
)
def test_slow_references_live_in_naive(path):
    found = [f"line {line}: {name}" for name, line in defined_references(path)]
    assert not found, (
        f"{path.name} defines references of its own (they belong in "
        f"tests/naive.py): " + "; ".join(found)
    )


def test_the_checker_sees_a_test_importing_a_test(tmp_path):
    tests = tmp_path / "tests"
    (tests / "peers").mkdir(parents=True)
    for name in (
        "__init__",
        "naive",
        "conftest",
        "test_b",
        "test_c",
        "test_d",
        "peers/__init__",
        "peers/test_e",
    ):
        (tests / f"{name}.py").write_text("")
    module = tests / "test_a.py"
    module.write_text(
        "import numpy as np\n"
        "from . import naive\n"
        "from .conftest import bits, same_bits\n"
        "from .test_b import reference\n"
        "import tests.test_c\n"
        "from tests import test_d, naive\n"
        "from .peers.test_e import helper\n"
    )
    assert list(imports_from_tests(module, tmp_path)) == [
        ("tests.naive", 2),
        ("tests.conftest", 3),
        ("tests.test_b", 4),
        ("tests.test_c", 5),
        ("tests.test_d", 6),
        ("tests.naive", 6),
        ("tests.peers.test_e", 7),
    ]
    peer = tests / "peers" / "test_f.py"
    peer.write_text("from ..test_b import reference\nfrom .. import naive\n")
    assert list(imports_from_tests(peer, tmp_path)) == [("tests.test_b", 1), ("tests.naive", 2)]
    module.write_text(
        "def naive_thing():\n    pass\n\n\ndef test_x():\n    def naive_inner():\n        pass\n"
    )
    assert sorted(defined_references(module)) == [("naive_inner", 6), ("naive_thing", 1)]
