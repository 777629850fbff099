"""``compat=``: TensorFlow's values bit for bit, against recorded golden data.

The golden file holds outputs of real TensorFlow / Keras calls (see
``tests/data/make_tf_golden.py`` for how and with which versions); these
tests need no TensorFlow.  Bit parity of float32 and float64 Box-Muller needs
the C library TensorFlow's Linux wheels use (glibc); elsewhere the
normal-distribution cases are skipped.
"""

import json
import platform
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

import glorot_numba as gn
from glorot_numba import _tf_compat, _tf_kernels

DATA = Path(__file__).parent / "data" / "tf_golden.npz"

with np.load(DATA) as _npz:
    META = json.loads(str(_npz["meta"]))
    GOLDEN = {name: _npz[name] for name in _npz.files if name != "meta"}
CASES = META["cases"]
SINGLE = [(f"c{i:03d}", c) for i, c in enumerate(CASES) if c["source"] != "eager-sequence"]
SEQUENCES = defaultdict(list)
for _i, _c in enumerate(CASES):
    if _c["source"] == "eager-sequence":
        SEQUENCES[_c["sequence"]].append((f"c{_i:03d}", _c))

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
_WIDTH = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def _needs_libm(case):
    """Normal samples go through logf/sinf/cosf (log/sin/cos): glibc only."""
    return case["cls"] == "GlorotNormal" or case["distribution"] != "uniform"


def _init(case):
    if case["cls"] == "GlorotNormal":
        return gn.GlorotNormal(seed=case["seed"], compat=case["compat"])
    return gn.VarianceScaling(scale=case["scale"], mode=case["mode"],
                              distribution=case["distribution"], seed=case["seed"],
                              compat=case["compat"])


def _call(init, case):
    pinfo = None
    if case.get("full_shape") is not None:
        pinfo = gn.PartitionInfo(full_shape=case["full_shape"], var_offset=case["var_offset"])
    return init(tuple(case["shape"]), dtype=case["dtype"], partition_info=pinfo)


def _bits(a):
    return np.ascontiguousarray(a).view(_WIDTH[a.dtype.itemsize])


def _case_id(item):
    name, c = item
    what = c["cls"] if c["cls"] == "GlorotNormal" else c["distribution"]
    extra = ""
    if c.get("global_seed") is not None:
        extra += f"-g{c['global_seed']}"
    if c.get("full_shape") is not None:
        extra += "-part"
    return f"{name}-{c['compat']}-{what}-{c['dtype']}-r{len(c['shape'])}-s{c['seed']}{extra}"


def test_golden_coverage():
    """The recorded cases span the dimensions the parity claim covers."""
    assert len(CASES) >= 60
    assert {c["compat"] for c in CASES} == set(_tf_compat.MODES)
    assert {c["dtype"] for c in CASES} == {"float16", "bfloat16", "float32", "float64"}
    assert {len(c["shape"]) for c in CASES} == {0, 1, 2, 3, 4, 5}
    dists = {c.get("distribution", "truncated_normal") for c in CASES}
    assert dists == {"truncated_normal", "untruncated_normal", "uniform", "normal"}
    assert any(c.get("global_seed") is not None for c in SINGLE for c in [c[1]])
    assert any(c.get("full_shape") is not None for c in CASES)
    assert any(int(np.prod(c["shape"])) % 4 for c in CASES)
    assert SEQUENCES


@pytest.mark.parametrize("item", SINGLE, ids=_case_id)
def test_golden_bits(item):
    name, case = item
    if _needs_libm(case) and not GLIBC:
        pytest.skip("Box-Muller parity is specified for glibc's logf/sinf/cosf")
    gn.set_random_seed(case.get("global_seed"))
    try:
        got = _call(_init(case), case)
    finally:
        gn.set_random_seed(None)
    want = GOLDEN[name]
    assert got.shape == tuple(case["shape"])
    assert got.dtype.name == case["dtype"]
    mismatch = np.flatnonzero(_bits(got).reshape(-1) != want.reshape(-1))
    assert mismatch.size == 0, f"{mismatch.size} of {got.size} elements differ, first {mismatch[:5]}"


@pytest.mark.parametrize("g", sorted(SEQUENCES))
def test_golden_unseeded_sequence(g):
    """Unseeded calls after a global seed: the k-th call gets TF eager's k-th op seed."""
    if not GLIBC:
        pytest.skip("Box-Muller parity is specified for glibc's logf/sinf/cosf")
    items = sorted(SEQUENCES[g], key=lambda item: item[1]["position"])
    gn.set_random_seed(g)
    try:
        got = [_call(_init(case), case) for _, case in items]
    finally:
        gn.set_random_seed(None)
    for (name, _), value in zip(items, got):
        np.testing.assert_array_equal(_bits(value), GOLDEN[name])
