"""Statistical testing kit: does an array follow the VarianceScaling definition?

:func:`assert_variance_scaling` checks samples from any source (this
library, TensorFlow, Keras, PyTorch, JAX, NumPy, ...) against the exact
distribution that a VarianceScaling configuration defines, and
:func:`check_variance_scaling` returns the same verdict as a report.
:func:`shapes`, :func:`dtypes`, :func:`initializer_configs` and
:func:`initializers` are `Hypothesis <https://hypothesis.readthedocs.io>`_
strategies for property-based tests.

The reference distributions are derived here from first principles (the
truncation constant ``0.8796...`` included), independently of the
library's own sampling code.  SciPy (for the p-values) and Hypothesis (for
the strategies) are imported only when used: ``pip install
'glorot_numba[testing]'``.

What is tested, for ``n`` samples
---------------------------------
- **bounds** (exact, not statistical): every value finite and, for the
  truncated normal and the uniform, ``|x|`` at most the bound (``2 *
  stddev / 0.8796...`` or ``limit``) as represented in the samples' dtype,
  plus one unit in the last place for producers that round the product;
- **mean**: ``z = mean / (std / sqrt(n))`` against N(0, 1), two-sided;
- **variance**: ``mean(x**2) / std**2 - 1`` against N(0, (kurtosis - 1) / n)
  (the mean is known to be 0), two-sided;
- **Kolmogorov-Smirnov** and **Cramér-von Mises** tests of the probability
  integral transform ``u = F(x)`` against U(0, 1);
- **edge** (bounded distributions): the largest ``|x|`` must come near the
  bound; ``P(max |x| <= m) = G(m) ** n`` with ``G`` the CDF of ``|x|``.
  It is what detects a slightly wrong truncation constant (0.88 for
  0.8796...) at a million samples, where the moments cannot yet.

- **cells** (float16 and bfloat16): a chi-square test of the count of
  every representable value against the probability of its rounding cell
  (adjacent cells pooled until at least 20 samples are expected).  Only
  the dtype's values can occur, so this is the complete description of
  such samples; it sees defects confined to a few values (a bound value
  that never occurs, a product rounded twice) that the tests of the
  whole distribution cannot resolve.

Complex samples (complex64, complex128) are tested against the complex
laws (see :class:`ComplexReference`): **power** (``E|w|**2`` against
``scale / n``), **modulus** (Kolmogorov-Smirnov test of the law of
``|w|**2``), **phase** (Kolmogorov-Smirnov test against the uniform law),
**circular** (``E w = 0`` and ``E w**2 = 0``: real and imaginary parts
centred, uncorrelated, of equal variance), **independence** (chi-square
of 10 modulus rings by 16 phase sectors), and for the bounded laws the
exact bound on ``|w|`` and **edge**.

Each statistical test runs at level ``alpha / k`` (``k`` tests, Bonferroni),
so a correct producer fails :func:`assert_variance_scaling` with
probability **at most** ``alpha`` for samples drawn with a seed picked at
random.  The tests of this module measure that rate.

Samples of a narrow dtype (float16, bfloat16, float32) are values rounded
to that dtype; each sample is compared with the probability of its whole
rounding cell (a randomised probability integral transform with a fixed
jitter seed, exact for rounded continuous data), so even bfloat16 samples,
with only 256 values per octave, are tested exactly.  For float16 and
bfloat16 the standard deviation is by default also rounded to the dtype
before it scales the samples (``round_scale``), as this library and
TensorFlow compute them; a producer that scales in a wider type (PyTorch,
Keras on NumPy) is tested with ``round_scale=False``.

:func:`audit` runs the kit over the initializers of every installed
framework and reports a conformance table (``docs/auditing.md``).

Examples
--------
>>> import glorot_numba as gn
>>> from glorot_numba.testing import assert_variance_scaling
>>> init = gn.GlorotNormal(seed=0)
>>> assert_variance_scaling(init((300, 200)), init, alpha=1e-3)
>>> w = gn.VarianceScaling(scale=2.0, seed=0)((300, 200))   # He, not Glorot
>>> assert_variance_scaling(w, init)
Traceback (most recent call last):
...
AssertionError: samples do not follow GlorotNormal ...
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from . import _dtypes, _registry
from ._audit import AuditReport, audit, producers
from ._complex_fit import ComplexReference
from ._kit import (
    TRUNCATED_STD,
    Reference,
    VarianceScalingReport,
    assert_variance_scaling,
    check_variance_scaling,
    reference,
)
from ._laws import DistributionReport, Law, assert_distribution, check_distribution
from ._producers import Producer

if TYPE_CHECKING:
    from types import ModuleType

    from hypothesis.strategies import SearchStrategy

    from .initializers import Initializer

__all__ = [
    "TRUNCATED_STD",
    "Reference",
    "ComplexReference",
    "reference",
    "VarianceScalingReport",
    "check_variance_scaling",
    "assert_variance_scaling",
    "Law",
    "DistributionReport",
    "check_distribution",
    "assert_distribution",
    "shapes",
    "dtypes",
    "initializer_configs",
    "initializers",
    "Producer",
    "producers",
    "audit",
    "AuditReport",
]

# --------------------------------------------------------------------------
# Hypothesis strategies
# --------------------------------------------------------------------------


def _st() -> ModuleType:
    try:
        from hypothesis import strategies
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the strategies need Hypothesis: pip install 'glorot_numba[testing]'"
        ) from exc
    return strategies


def shapes(
    *,
    min_rank: int = 0,
    max_rank: int = 4,
    min_side: int = 0,
    max_side: int = 64,
    max_elements: int = 1 << 16,
) -> SearchStrategy[tuple[int, ...]]:
    """Hypothesis strategy for weight shapes (tuples of ints).

    Examples
    --------
    >>> from hypothesis import given
    >>> from glorot_numba.testing import shapes
    >>> @given(shapes(max_rank=3, max_elements=1000))
    ... def test(shape):
    ...     assert len(shape) <= 3 and all(d >= 0 for d in shape)
    >>> test()
    """
    st = _st()
    strategy: SearchStrategy[tuple[int, ...]] = (
        st.lists(st.integers(min_side, max_side), min_size=min_rank, max_size=max_rank)
        .map(tuple)
        .filter(lambda s: math.prod(s) <= max_elements)
    )
    return strategy


def dtypes() -> SearchStrategy[str]:
    """Hypothesis strategy for the real output dtypes' names.

    Examples
    --------
    >>> from hypothesis import given
    >>> from glorot_numba.testing import dtypes
    >>> @given(dtypes())
    ... def test(name):
    ...     assert name in ("float16", "bfloat16", "float32", "float64")
    >>> test()
    """
    _dtypes.BFLOAT16  # noqa: B018 - loads bfloat16 into the supported dtypes
    names = sorted(
        _dtypes.dtype_name(d) for d in _dtypes.SUPPORTED if d.kind == "f" or _dtypes.is_bfloat16(d)
    )
    strategy: SearchStrategy[str] = _st().sampled_from(names)
    return strategy


def _config_strategy(cls: type[Initializer]) -> SearchStrategy[dict[str, Any]]:
    import inspect

    from . import initializers as _init

    st = _st()
    by_name = {
        "scale": st.floats(1e-3, 1e3, allow_nan=False, allow_infinity=False),
        "mode": st.sampled_from(list(_init.MODES)),
        "distribution": st.sampled_from(list(_init.DISTRIBUTIONS)),
        "seed": st.integers(0, 2**63 - 1),
        "dtype": dtypes(),
    }
    params = [
        p
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.name in by_name and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    strategy: SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
        {p.name: by_name[p.name] for p in params}
    ).map(lambda config, name=cls.__name__: {"class_name": name, "config": config})
    return strategy


def initializer_configs(
    classes: Iterable[type[Initializer]] | None = None,
) -> SearchStrategy[dict[str, Any]]:
    """Hypothesis strategy for serialized initializers of this library.

    Draws ``{"class_name": name, "config": {...}}`` dicts (Keras' form) over
    every public initializer class (or the given ones), with seeds, dtypes
    and, where the class takes them, scales, modes and distributions.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from glorot_numba.testing import initializer_configs
    >>> @settings(max_examples=20)
    ... @given(initializer_configs())
    ... def test(spec):
    ...     assert set(spec) == {"class_name", "config"} and "seed" in spec["config"]
    >>> test()
    """
    st = _st()
    if classes is None:
        from .initializers import VarianceScaling

        classes = list(_registry.initializer_classes(VarianceScaling).values())
    strategy: SearchStrategy[dict[str, Any]] = st.one_of([_config_strategy(cls) for cls in classes])
    return strategy


def initializers(classes: Iterable[type[Initializer]] | None = None) -> SearchStrategy[Initializer]:
    """Hypothesis strategy for initializer instances (seeded).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from glorot_numba.testing import initializers
    >>> @settings(max_examples=10, deadline=None)
    ... @given(initializers())
    ... def test(init):
    ...     assert init((4, 3)).shape == (4, 3)
    >>> test()
    """
    return initializer_configs(classes).map(_registry.deserialize)
