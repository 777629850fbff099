"""Record TensorFlow's initializer outputs as golden data for ``compat=``.

Run with a Python that has TensorFlow (CPU) and Keras 3 installed, on x86-64
Linux with glibc; the test suite itself never needs TensorFlow::

    python tests/data/make_tf_golden.py            # writes tests/data/tf_golden.npz

Recorded with tensorflow-cpu 2.21.0 and keras 3.15.1 (Python 3.11, glibc,
x86-64); the versions used are stored in the file.  Each case is one call:

* ``tf.compat.v1``: ``tf.compat.v1.variance_scaling_initializer`` /
  ``glorot_normal_initializer``, each call built in a graph of its own and
  run once in a session (the values of the first execution of the op; the
  first eager call in a fresh process gives the same values, and a few cases
  check that in fresh subprocesses).  Global-seed cases call
  ``tf.compat.v1.set_random_seed`` in that graph.  The unseeded-sequence
  cases run eagerly in a fresh subprocess: ``tf.random.set_seed(g)``, then
  unseeded initializer calls in order.  Partition cases pass TensorFlow's
  own ``_PartitionInfo``.
* ``tf.keras``: ``keras.initializers`` (Keras 3, TensorFlow backend), eager.
* ``keras2``: ``tensorflow.python.ops.init_ops_v2`` -- the code of
  ``tf.keras.initializers`` in TensorFlow 2.4 -- eager; partition cases pass
  ``partition_shape`` / ``partition_offset``.

Values are stored as their raw bits (unsigned integers of the dtype's width)
so that the file loads without ml_dtypes; the case list is JSON.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

OUT = Path(__file__).with_name("tf_golden.npz")
DTYPES = ("float32", "float64", "float16", "bfloat16")
DISTS = ("truncated_normal", "untruncated_normal", "uniform")
# Shapes of every rank 0-5, most of them with sizes that are not multiples
# of 4 (the last group is cut short), two large enough for several threads.
SHAPES = [(), (1,), (3,), (5,), (7, 9), (2, 3), (13, 1), (3, 5, 7), (2, 3, 4, 5),
          (2, 1, 3, 2, 5), (4, 4), (17,), (1, 1, 1, 1, 3), (6, 7), (3, 3, 2, 3)]
LARGE = [(160, 131), (97, 3, 61)]
SEEDS = [0, 1, 7, 42, 12345, 987654, 2**31 - 2, 2**31 - 1, 2**31, 2**40, -1, -12345]
CONFIGS = [  # (scale, mode)
    (1.0, "fan_avg"), (2.0, "fan_in"), (0.5, "fan_out"), (1.0, "fan_in"), (3.0, "fan_avg"),
]


def bits(a):
    a = np.ascontiguousarray(np.asarray(a))
    return a.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize])


def v1_graph(case):
    import tensorflow as tf
    from tensorflow.python.ops.variable_scope import _PartitionInfo

    graph = tf.Graph()
    with graph.as_default():
        if case.get("global_seed") is not None:
            tf.compat.v1.set_random_seed(case["global_seed"])
        init = make_v1(tf, case)
        pinfo = None
        if case.get("full_shape") is not None:
            pinfo = _PartitionInfo(case["full_shape"], case["var_offset"])
        t = init(case["shape"], dtype=tf.as_dtype(case["dtype"]), partition_info=pinfo)
        with tf.compat.v1.Session(graph=graph) as sess:
            return sess.run(t)


def make_v1(tf, case):
    if case["cls"] == "GlorotNormal":
        return tf.compat.v1.glorot_normal_initializer(seed=case["seed"])
    return tf.compat.v1.variance_scaling_initializer(
        scale=case["scale"], mode=case["mode"], distribution=case["distribution"],
        seed=case["seed"])


def keras3(case):
    import keras

    if case["cls"] == "GlorotNormal":
        init = keras.initializers.GlorotNormal(seed=case["seed"])
    else:
        init = keras.initializers.VarianceScaling(
            scale=case["scale"], mode=case["mode"], distribution=case["distribution"],
            seed=case["seed"])
    return keras.ops.convert_to_numpy(init(case["shape"], dtype=case["dtype"]))


def keras2(case):
    import tensorflow as tf
    from tensorflow.python.ops import init_ops_v2

    if case["cls"] == "GlorotNormal":
        init = init_ops_v2.GlorotNormal(seed=case["seed"])
    else:
        init = init_ops_v2.VarianceScaling(
            scale=case["scale"], mode=case["mode"], distribution=case["distribution"],
            seed=case["seed"])
    kwargs = {}
    shape = case["shape"]
    if case.get("full_shape") is not None:
        kwargs = {"partition_shape": shape, "partition_offset": case["var_offset"]}
        shape = case["full_shape"]
    return init(shape, dtype=tf.as_dtype(case["dtype"]), **kwargs).numpy()


_EAGER_CHILD = r"""
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np, tensorflow as tf
cases = json.loads(sys.argv[1])
if cases[0].get("global_seed") is not None:
    tf.random.set_seed(cases[0]["global_seed"])
out = []
for case in cases:
    if case["cls"] == "GlorotNormal":
        init = tf.compat.v1.glorot_normal_initializer(seed=case["seed"])
    else:
        init = tf.compat.v1.variance_scaling_initializer(
            scale=case["scale"], mode=case["mode"], distribution=case["distribution"],
            seed=case["seed"])
    a = np.ascontiguousarray(init(case["shape"], dtype=tf.as_dtype(case["dtype"])).numpy())
    out.append(a.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize]).tolist())
print(json.dumps(out))
"""


def v1_fresh_eager(cases):
    """Run ``cases`` in order as eager calls in a new process."""
    done = subprocess.run([sys.executable, "-c", _EAGER_CHILD, json.dumps(cases)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def build_cases():
    cases = []
    shapes = iter(SHAPES * 100)
    seeds = iter(SEEDS * 100)
    configs = iter(CONFIGS * 100)

    def vs(mode, dtype, dist, **extra):
        scale, fan_mode = next(configs)
        case = {"compat": mode, "cls": "VarianceScaling", "scale": scale, "mode": fan_mode,
                "distribution": dist, "seed": next(seeds), "shape": next(shapes),
                "dtype": dtype}
        case.update(extra)
        cases.append(case)

    # Every mode x dtype x distribution, rotating shapes (ranks 0-5), seeds
    # and (scale, mode) settings.
    for mode in ("tf.compat.v1", "tf.keras", "keras2"):
        for dtype in DTYPES:
            for dist in DISTS:
                vs(mode, dtype, dist)
    # GlorotNormal itself, every mode and dtype, plus large tensors.
    for mode in ("tf.compat.v1", "tf.keras", "keras2"):
        for i, dtype in enumerate(DTYPES):
            cases.append({"compat": mode, "cls": "GlorotNormal",
                          "seed": SEEDS[(3 * i + 1) % len(SEEDS)],
                          "shape": SHAPES[(5 * i + 4) % len(SHAPES)], "dtype": dtype})
        for shape, dtype in zip(LARGE, ("float32", "float64"), strict=True):
            cases.append({"compat": mode, "cls": "GlorotNormal", "seed": 5, "shape": shape,
                          "dtype": dtype})
        for dist in DISTS:
            cases.append({"compat": mode, "cls": "VarianceScaling", "scale": 1.0,
                          "mode": "fan_avg", "distribution": dist, "seed": 11,
                          "shape": (130, 67), "dtype": "float32"})
    # TF v1's deprecated "normal" alias.
    cases.append({"compat": "tf.compat.v1", "cls": "VarianceScaling", "scale": 1.0,
                  "mode": "fan_in", "distribution": "normal", "seed": 3, "shape": (5, 7),
                  "dtype": "float32"})
    # Global seeds: (g mod M, s mod M), including (0, 0) -> (0, 2**31 - 1).
    for g, s, dtype in [(1234, 7, "float32"), (0, 0, "float32"), (-5, 9, "float64"),
                        (2**33, 2**31 + 5, "float16"), (99, -3, "bfloat16"),
                        (2**31 - 1, 4, "float32")]:
        cases.append({"compat": "tf.compat.v1", "cls": "GlorotNormal", "seed": s,
                      "shape": (3, 5, 7), "dtype": dtype, "global_seed": g})
    cases.append({"compat": "tf.compat.v1", "cls": "VarianceScaling", "scale": 2.0,
                  "mode": "fan_in", "distribution": "uniform", "seed": 21, "shape": (9, 5),
                  "dtype": "float32", "global_seed": 77})
    # Partitions: fans from full_shape, values of the partition's own shape.
    for mode in ("tf.compat.v1", "keras2"):
        for dtype, (shape, full, off) in zip(("float32", "float64", "bfloat16"), [
                ((5, 20), (10, 20), (5, 0)), ((4, 3, 3), (12, 3, 3), (8, 0, 0)),
                ((2, 7), (2, 21), (0, 7))], strict=True):
            cases.append({"compat": mode, "cls": "GlorotNormal", "seed": 13, "shape": shape,
                          "dtype": dtype, "full_shape": full, "var_offset": off})
    # Seed 898931 (no global seed) makes word 0 of the first Philox call have
    # 23 zero mantissa bits: a zero radius uniform, which TensorFlow clamps
    # to 1e-7 (the largest normal sample, 5.68), and a uniform of exactly 0.
    for dist, dtype in [("untruncated_normal", "float32"), ("untruncated_normal", "float16"),
                        ("uniform", "float32")]:
        cases.append({"compat": "tf.compat.v1", "cls": "VarianceScaling", "scale": 1.0,
                      "mode": "fan_in", "distribution": dist, "seed": 898931, "shape": (3,),
                      "dtype": dtype})
    return cases


def main():
    import keras
    import tensorflow as tf

    cases = build_cases()
    arrays = {}
    for i, case in enumerate(cases):
        if case["compat"] == "tf.compat.v1":
            value = v1_graph(case)
        elif case["compat"] == "tf.keras":
            value = keras3(case)
        else:
            value = keras2(case)
        value = np.asarray(value)
        assert value.shape == tuple(case["shape"]) and value.dtype.name == case["dtype"], case
        arrays[f"c{i:03d}"] = bits(value)
        case["source"] = "graph" if case["compat"] == "tf.compat.v1" else "eager"
    # Fresh-process eager runs: the first call equals the graph op's values.
    for i in [0, 1, 2, 4, 8]:
        case = cases[i]
        (value,) = v1_fresh_eager([case])
        assert np.array_equal(np.asarray(value, arrays[f"c{i:03d}"].dtype).reshape(-1),
                              arrays[f"c{i:03d}"].reshape(-1)), f"eager != graph for {case}"
    # Unseeded calls after a global seed, in order, in fresh processes.
    for g, dtypes in [(1234, ("float32", "float32", "float64")), (7, ("bfloat16", "float32")),
                      (2**31 + 5, ("float32", "float16")), (-7, ("float64", "float32"))]:
        seq = [{"compat": "tf.compat.v1", "cls": "GlorotNormal", "seed": None,
                "shape": (4, 6), "dtype": dt, "global_seed": g} for dt in dtypes]
        values = v1_fresh_eager(seq)
        for k, (case, value) in enumerate(zip(seq, values, strict=True)):
            # The test replays one sequence in position order after
            # set_random_seed(global_seed).
            case.update(source="eager-sequence", sequence=g, position=k)
            width = {"float16": np.uint16, "bfloat16": np.uint16, "float32": np.uint32,
                     "float64": np.uint64}[case["dtype"]]
            arrays[f"c{len(cases):03d}"] = np.asarray(value, width).reshape(case["shape"])
            cases.append(case)
    meta = {"tensorflow": tf.__version__, "keras": keras.__version__,
            "python": sys.version.split()[0], "cases": cases}
    np.savez_compressed(OUT, meta=np.array(json.dumps(meta)), **arrays)
    print(f"{len(cases)} cases -> {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
