"""The public API as a downstream project's type checker sees it.

mypy (pinned by the lint extra) checks, in strict mode, two small programs
against this checkout's package, as it checks a project that installed it
(``py.typed``: the package's own modules are followed silently):

- ``uses.py`` uses the API as documented: no error, and ``reveal_type``
  shows the types written here (NumPy arrays from the initializers, Dask
  arrays from ``glorot_numba.dask``, reports from the testing kit, ...);
- ``misuses.py`` holds one mistake per line marked ``# refused: <code>``,
  and mypy must report exactly those lines, with those codes.

Every Dask function is named in ``uses.py`` by the registry of initializer
classes, so a class without a function that the checker can see fails here.

One mypy run, with its cache in a temporary directory: about 5 s on two
busy cores.  Numba, PyTorch, JAX, Dask's ``distributed`` and matplotlib are
not followed (``follow_imports = skip``): the API used here exposes none of
their types, and they are most of what mypy would otherwise read (PyTorch
alone is well over a thousand modules); the adapters' annotations are
checked by ``mypy`` itself in ``.ci/lint``.
"""

import re
import textwrap
from pathlib import Path

import pytest
from mypy import api

from glorot_numba import _registry

ROOT = Path(__file__).resolve().parents[1]

DASK_FUNCTIONS = sorted(_registry.snake_case(name) for name in _registry.initializer_classes())

# (expression, pattern its revealed type must match in full, "builtins."
# left out: mypy writes builtin types with or without it).  NumPy's stubs
# spell an array of unknown shape and the bit widths differently across the
# versions pyproject.toml admits: ``ndarray[Any, ...]`` and
# ``numpy._typing._32Bit`` up to 2.1, ``ndarray[tuple[int, ...], ...]`` in
# 2.2, ``ndarray[tuple[Any, ...], ...]`` and ``numpy._typing._nbit_base._32Bit``
# later; .ci/numba-matrix runs this test on the oldest.
SHAPE = r"(Any|tuple\[(Any|int), \.\.\.\])"
NDARRAY_ANY = rf"numpy\.ndarray\[{SHAPE}, numpy\.dtype\[Any\]\]"
BITS32 = r"numpy\._typing\.(\w+\.)?_32Bit"
FLOAT32 = rf"numpy\.(float32|floating\[{BITS32}\])"
UINT32 = rf"numpy\.(uint32|unsignedinteger\[{BITS32}\])"
REVEALED = [
    ("gn.GlorotNormal(seed=1)((3, 4))", NDARRAY_ANY),
    ("gn.GlorotNormal()([784, 256], 'bfloat16')", NDARRAY_ANY),
    ("gn.glorot_normal(seed=1)(np.array([3, 4]))", NDARRAY_ANY),
    ("gn.HeUniform(seed=0, **gn.TORCH_LAYOUT)((64, 32, 3, 3), np.float64)", NDARRAY_ANY),
    (
        "gn.VarianceScaling(2.0, 'fan_in', 'uniform', seed=3, compat='tf.keras')((5, 5))",
        NDARRAY_ANY,
    ),
    ("gn.TruncatedNormal(0.0, 1.0, lower=0.5, upper=3.0)((10,))", NDARRAY_ANY),
    (
        "gn.GlorotNormal(seed=1)((3, 4), out=np.empty((3, 4), np.float32))",
        rf"numpy\.ndarray\[.*, numpy\.dtype\[{FLOAT32}\]\]",
    ),
    (
        "gn.VarianceScaling.from_config({'scale': 2.0})",
        r"glorot_numba\.initializers\.VarianceScaling",
    ),
    ("gn.GlorotNormal(seed=1).get_config()", r"dict\[str, Any\]"),
    ("gn.compute_fans((3, 3, 16, 32))", r"tuple\[int, int\]"),
    ("gn.PartitionInfo((6, 5), (2, 0)).full_shape", r"tuple\[int, \.\.\.\]"),
    (
        "gn.philox4x32_10(np.zeros((1, 4), np.uint32), np.zeros(2, np.uint32))",
        rf"numpy\.ndarray\[.*, numpy\.dtype\[{UINT32}\]\]",
    ),
    ("gn.warmup()", r"bool"),
    ("gnd.from_initializer(gn.HeNormal(seed=0), (8, 8), chunks=4)", r"dask\.array\.core\.Array"),
    (
        "gnd.to_zarr(gnd.glorot_normal((8, 8), 4, seed=1), '/tmp/w.zarr')",
        r"zarr\.core\.array\.Array.*",
    ),
    (
        "check_variance_scaling(np.zeros(100), gn.GlorotNormal())",
        r"glorot_numba\._kit\.VarianceScalingReport",
    ),
    ("check_distribution(np.zeros(100), gn.RandomUniform()).passed", r"bool"),
    (
        "shapes(max_rank=2)",
        r"hypothesis\.strategies\._internal\.strategies\.SearchStrategy"
        r"\[tuple\[int, \.\.\.\]\]",
    ),
    (
        "initializers()",
        r"hypothesis\.strategies\._internal\.strategies\.SearchStrategy"
        r"\[glorot_numba\.initializers\.Initializer\]",
    ),
] + [(f"gnd.{name}((8, 8), 4, seed=1)", r"dask\.array\.core\.Array") for name in DASK_FUNCTIONS]

USES = """\
import numpy as np

import glorot_numba as gn
from glorot_numba import dask as gnd
from glorot_numba.testing import check_distribution, check_variance_scaling, initializers, shapes

with gn.num_threads(1):
    gn.set_random_seed(None)
""" + "".join(f"reveal_type({expression})\n" for expression, _ in REVEALED)

MISUSES = """\
import numpy as np

import glorot_numba as gn
from glorot_numba import dask as gnd
from glorot_numba.testing import check_variance_scaling

gn.GlorotNormal(seed=1.5)  # refused: arg-type
gn.VarianceScaling(mode="FAN_IN")  # refused: arg-type
gn.VarianceScaling(method="ziggurat")  # refused: arg-type
gn.GlorotNormal(compat="tf2")  # refused: arg-type
gn.GlorotNormal()("3, 4")  # refused: arg-type
gn.GlorotNormal()((3, 4), partition_info=(3, 4))  # refused: call-overload
gn.compute_fans((3, 4), in_axis=0.5)  # refused: arg-type
count: int = gn.GlorotNormal()((3, 4))  # refused: assignment
gn.GlorotNormal()((3, 4)).no_such_attribute  # refused: attr-defined
gnd.glorot_normal((8, 8), 4).no_such_attribute  # refused: attr-defined
gnd.no_such_initializer  # refused: attr-defined
check_variance_scaling(np.zeros(100), gn.GlorotNormal()).passed + "!"  # refused: operator
gn.set_random_seed("1")  # refused: arg-type
"""

# A section "[mypy-x.*]" does not cover the package x itself: both are named.
CONFIG = """\
[mypy]
strict = True
mypy_path = {root}
cache_dir = {cache}
show_error_codes = True

[mypy-glorot_numba,glorot_numba.*]
follow_imports = silent

[mypy-{skipped}]
follow_imports = skip
follow_imports_for_stubs = True

[mypy-keras,keras.*,tensorflow,tensorflow.*,scipy,scipy.*,tqdm,tqdm.*]
ignore_missing_imports = True
"""
SKIPPED = ("numba", "llvmlite", "torch", "jax", "jaxlib", "distributed", "matplotlib")


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """mypy's report on both programs: ``{file name: [(line, message), ...]}``."""
    where = tmp_path_factory.mktemp("typing")
    (where / "uses.py").write_text(USES)
    (where / "misuses.py").write_text(MISUSES)
    config = where / "mypy.ini"
    skipped = ",".join(f"{name},{name}.*" for name in SKIPPED)
    config.write_text(CONFIG.format(root=ROOT, cache=where / "cache", skipped=skipped))
    stdout, stderr, status = api.run(
        ["--config-file", str(config), str(where / "uses.py"), str(where / "misuses.py")]
    )
    assert status in (0, 1) and not stderr, f"mypy did not run:\n{stdout}\n{stderr}"
    report = {"uses.py": [], "misuses.py": []}
    for line in stdout.splitlines():
        m = re.match(r"(.*[/\\])?(uses\.py|misuses\.py):(\d+): (.*)$", line)
        assert m or line.startswith(("Found ", "Success")), f"unexpected mypy output: {line}"
        if m:
            report[m.group(2)].append((int(m.group(3)), m.group(4)))
    return report


def test_the_documented_uses_type_check(checked):
    errors = [f"{n}: {msg}" for n, msg in checked["uses.py"] if not msg.startswith("note:")]
    assert not errors, "\n".join(errors)


def test_the_api_reveals_its_types(checked):
    first = USES.splitlines().index(f"reveal_type({REVEALED[0][0]})") + 1
    revealed = {n: msg for n, msg in checked["uses.py"] if msg.startswith("note: Revealed type")}
    wrong = []
    for i, (expression, pattern) in enumerate(REVEALED):
        message = revealed.get(first + i, "(nothing revealed)")
        m = re.fullmatch(r'note: Revealed type is "(.*)"', message)
        if not (m and re.fullmatch(pattern, m.group(1).replace("builtins.", ""))):
            wrong.append(f"{expression}: {message}, expected {pattern}")
    assert not wrong, "\n".join(wrong)


def test_misuses_are_refused_where_marked(checked):
    marked = {
        i + 1: line.rpartition("# refused: ")[2]
        for i, line in enumerate(MISUSES.splitlines())
        if "# refused: " in line
    }
    reported = {}
    for n, message in checked["misuses.py"]:
        m = re.fullmatch(r"error: .*\[([a-z-]+)\]", message)
        if m:
            reported.setdefault(n, set()).add(m.group(1))
    wrong = [
        f"line {n}: {textwrap.shorten(MISUSES.splitlines()[n - 1], 70)}: expected "
        f"[{code}], got {sorted(reported.get(n, ())) or 'no error'}"
        for n, code in marked.items()
        if reported.get(n) != {code}
    ]
    wrong += [
        f"line {n}: unexpected {sorted(codes)}" for n, codes in reported.items() if n not in marked
    ]
    assert not wrong, "\n".join(wrong)
