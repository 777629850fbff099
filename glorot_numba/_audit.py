"""The conformance audit: the testing kit run over many producers.

Every row is one producer and one dtype, drawn once with a fixed seed of
its own at the same fans, and tested by
:func:`glorot_numba.testing.check_variance_scaling` against the law the
producer claims.  Multiple comparisons: the overall level ``alpha`` is
shared equally by the rows of the table (Bonferroni), and a row's share by
its tests, so a table of correct producers shows any misfit with
probability at most ``alpha``.

Frameworks run in this process where they can; Keras reads its backend
once per process, so a Keras backend other than the one already loaded
runs in a process of its own (:func:`_worker`), as every framework but this
library does with ``isolate=True``.
"""

from __future__ import annotations

import datetime
import importlib
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from . import _producers
from ._kit import as_samples, cell_table, check_variance_scaling, n_of, pit
from ._producers import DTYPES, FRAMEWORKS, Producer, SkipRow

_MARK = "@@glorot_numba.audit "
_WORKER = (
    "import json, sys; from glorot_numba._audit import _worker; "
    "sys.exit(_worker(json.loads(sys.argv[1])))"
)
_ALIASES = {"keras": tuple(f"keras-{b}" for b in _producers.KERAS_BACKENDS)}
_JITTER_SEED = 20101


def _choose(values, choices, what, aliases=None):
    """Validated names (comma-separated strings accepted), in the order of
    ``choices``; None means all of them."""
    if values is None:
        return tuple(choices)
    if isinstance(values, str):
        values = [values]
    wanted = []
    for value in values:
        for name in str(value).split(","):
            name = name.strip()
            if not name:
                continue
            expanded = (aliases or {}).get(name, (name,))
            bad = [e for e in expanded if e not in choices]
            if bad:
                listed = ", ".join(list(choices) + sorted(aliases or {}))
                raise ValueError(f"unknown {what} {name!r}; choose from {listed}")
            wanted.extend(expanded)
    if not wanted:
        raise ValueError(f"no {what} given; choose from {', '.join(choices)}")
    return tuple(c for c in choices if c in wanted)


def audit_fans(n):
    """``(fan_in, fan_out)`` of the weight every row draws: about ``n``
    elements, fan_out / fan_in = 25 / 16 (so a producer that swaps the fans
    of fan_in or fan_out modes is seen)."""
    fan_in = max(1, round(0.8 * math.sqrt(n)))
    return fan_in, max(1, round(n / fan_in))


def _row_seed(seed, producer, dtype):
    key = f"{producer.framework}|{producer.name}|{dtype}".encode()
    return (zlib.crc32(key) + int(seed)) % (2**31 - 1)


def _slug(text):
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")


def run_row(producer, dtype, fans, seed, alpha_row, plot_dir=None, jitter_seed=_JITTER_SEED):
    """Draw one row and test it; a JSON-ready dict."""
    shape = producer.shape_for(fans)
    row_seed = _row_seed(seed, producer, dtype)
    row = {
        "framework": producer.framework,
        "producer": producer.name,
        "dtype": dtype,
        "claim": producer.claim,
        "scale": producer.scale,
        "mode": producer.mode,
        "distribution": producer.distribution,
        "round_scale": producer.round_scale,
        "note": producer.note,
        "shape": list(shape),
        "fans": list(fans),
        "seed": row_seed,
    }
    start = time.perf_counter()
    try:
        samples = producer.draw(shape, dtype, row_seed)
    except SkipRow as exc:
        return dict(row, status="skipped", reason=str(exc))
    except Exception as exc:  # a framework's failure is a finding, not a crash
        return dict(row, status="error", reason=f"{type(exc).__name__}: {exc}")
    drawn = time.perf_counter() - start
    try:
        report = check_variance_scaling(
            samples,
            producer.config,
            fans=fans,
            alpha=alpha_row,
            dtype=dtype,
            round_scale=producer.round_scale,
            jitter_seed=jitter_seed,
        )
    except ValueError as exc:
        return dict(row, status="error", reason=f"ValueError: {exc}")
    ref = report.reference
    ideal = math.sqrt(producer.scale / n_of(producer.mode, fans))
    complex_law = np.iscomplexobj(report.mean)
    row.update(
        status="fits" if report.passed else "does not fit",
        n=report.n,
        failures=report.failures,
        pvalues=report.pvalues,
        statistics=report.statistics,
        mean=[report.mean.real, report.mean.imag] if complex_law else report.mean,
        std=report.std,
        target_std=ideal,
        reference_std=ref.std,
        std_ratio=report.std / ideal,
        mean_se=abs(report.mean) / (ref.std / math.sqrt(report.n)),
        min=report.min,
        max=report.max,
        bound=ref.bound,
        allowed_bound=report.allowed_bound,
        alpha_row=alpha_row,
        alpha_per_test=report.alpha_per_test,
        seconds={"draw": drawn, "total": time.perf_counter() - start},
        plot=None,
    )
    if not report.passed and plot_dir is not None:
        path = Path(plot_dir) / f"{_slug(producer.framework)}__{_slug(producer.name)}__{dtype}.png"
        try:
            plot_row(
                samples,
                report,
                path,
                dtype,
                f"{producer.name} ({producer.framework}), {dtype}",
                jitter_seed,
            )
            row["plot"] = str(path)
        except ImportError as exc:
            row["plot_error"] = str(exc)
    return row


# --------------------------------------------------------------------------
# Plots of misfits
# --------------------------------------------------------------------------


def plot_row(samples, report, path, dtype, title, jitter_seed=_JITTER_SEED):
    """Two panels against the exact reference.  Real samples: the density
    (per value of a float16 / bfloat16 sample: its count over ``n`` times its
    rounding cell's width, free of binning artefacts; else a histogram), and
    the histogram of the probability integral transform.  Complex samples:
    the density of ``|w|**2``, and the transforms of ``|w|**2`` and of the
    phase."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError("plots need matplotlib: pip install 'glorot_numba[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, values = as_samples(samples, dtype)
    values = values[np.isfinite(values)]
    n = values.size
    ref = report.reference
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    if values.dtype.kind == "c":
        w = values.astype(np.complex128)
        power = w.real**2 + w.imag**2
        reach = ref.bound**2 if math.isfinite(ref.bound) else 6.0 * ref.std**2
        reach = max(reach, float(power.max())) * 1.02
        left.hist(
            power,
            bins=200,
            range=(0, reach),
            density=True,
            color="tab:blue",
            alpha=0.6,
            label=f"|w|^2 (n = {n:,})",
        )
        grid = np.linspace(0, reach, 2001)
        left.plot(grid, ref.power_pdf(grid), color="black", lw=1.2, label="exact density")
        if math.isfinite(ref.bound):
            left.axvline(ref.bound**2, color="tab:red", lw=0.8, ls="--")
        left.set_xlabel("|w|^2")
        transforms = {
            "|w|^2: u = G(|w|^2)": ref.power_cdf(power),
            "phase / 2 pi + 1/2": (np.angle(w) + math.pi) / (2 * math.pi),
        }
        del power
    else:
        x = values.astype(np.float64)
        reach = ref.bound if math.isfinite(ref.bound) else 4.5 * ref.std
        reach = max(reach, float(np.abs(x).max())) * 1.03
        if values.dtype.itemsize == 2:
            # Adjacent rounding cells pooled until about n / 3000 samples
            # are expected: exact cells, no binning artefacts.
            codes, lo, hi = cell_table(values.dtype)
            inside = (hi > -reach) & (lo < reach)
            codes, lo, hi = codes[inside], lo[inside], hi[inside]
            counts = np.bincount(values.view(np.uint16), minlength=1 << 16)[codes]
            expected = (ref.cdf(hi) - ref.cdf(lo)) * n
            group = np.floor(np.cumsum(expected) / max(50.0, n / 3000)).astype(np.int64)
            _, first = np.unique(group, return_index=True)
            edges = np.append(lo[first], hi[-1])
            pooled = np.add.reduceat(counts, first)
            left.stairs(
                pooled / (n * np.diff(edges)),
                edges,
                color="tab:blue",
                label=f"count / (n x width), pooled rounding cells (n = {n:,})",
            )
        else:
            left.hist(
                x,
                bins=200,
                range=(-reach, reach),
                density=True,
                color="tab:blue",
                alpha=0.6,
                label=f"values (n = {n:,})",
            )
        grid = np.linspace(-reach, reach, 2001)
        left.plot(grid, ref.pdf(grid), color="black", lw=1.2, label="exact density")
        if math.isfinite(ref.bound):
            for edge in (-ref.bound, ref.bound):
                left.axvline(edge, color="tab:red", lw=0.8, ls="--")
        left.set_xlabel("value")
        transforms = {
            "u = F(x)": pit(values if values.dtype != np.float64 else x, ref, jitter_seed)
        }
    left.set_ylabel("density")
    left.legend(fontsize=8)
    bins = 100
    expect = n / bins
    band = 3.0 * math.sqrt(expect * (1 - 1 / bins))
    for label, u in transforms.items():
        counts, edges = np.histogram(u, bins=bins, range=(0.0, 1.0))
        right.stairs(counts / expect, edges, label=label)
    right.axhspan(
        1 - band / expect,
        1 + band / expect,
        color="grey",
        alpha=0.25,
        label="+-3 standard deviations",
    )
    right.axhline(1.0, color="black", lw=1)
    right.set_xlabel("probability integral transform (100 bins)")
    right.set_ylabel("observed / expected")
    right.legend(fontsize=8)
    failing = "; ".join(report.failures)
    fig.suptitle(f"{title}: does not fit\n{failing}", fontsize=8)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)


# --------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------

_TEST_WORDS = {
    "mean": "mean",
    "variance": "variance",
    "kstest": "KS",
    "cramervonmises": "CvM",
    "edge": "edge",
    "cells": "cells",
    "power": "E|w|^2",
    "modulus": "modulus law",
    "phase": "phase",
    "circular": "circular symmetry",
    "independence": "independence",
}


def _effects(row):
    """What the report shows for a misfit, in a few words."""
    if row["status"] in ("skipped", "error"):
        return row.get("reason", "")
    if row["status"] == "fits":
        return ""
    failing = {f.split(" p = ")[0] for f in row["failures"]}
    parts = []
    stats_ = row.get("statistics", {})
    for failure in row["failures"]:
        if "beyond the bound" in failure or "non-finite" in failure:
            parts.append(failure)
    if "mean" in failing:
        parts.append(f"mean {row['mean']:.2g} ({stats_.get('mean_z', 0):+.0f} SE)")
    if "variance" in failing or "power" in failing:
        parts.append(f"std ratio {row['std_ratio']:.4f}")
    if "cells" in failing:
        chi2, df = stats_.get("cells_chi2", 0.0), stats_.get("cells_df", 1)
        parts.append(f"cells chi2/df {chi2 / max(df, 1):.3g}")
    if "edge" in failing:
        parts.append(f"range [{row['min']:.3g}, {row['max']:.3g}] vs bound {row['bound']:.3g}")
    tests = [t for t in _TEST_WORDS if t in failing]
    worst = ", ".join(f"{_TEST_WORDS[t]} p = {row['pvalues'][t]:.1g}" for t in tests)
    return "; ".join(parts + ([worst] if worst else []))


@dataclass
class AuditReport:
    """The result of :func:`glorot_numba.testing.audit`.

    ``rows`` holds one dict per producer and dtype (``status`` is ``"fits"``,
    ``"does not fit"``, ``"skipped"`` with a ``reason``, or ``"error"``
    when the producer raised); ``skipped`` maps each framework that could
    not run to the reason.  ``passed`` is True when no row misfits or
    errs.  :meth:`to_markdown` and :meth:`to_json` render it;
    :meth:`save` writes either by the file's extension.

    Examples
    --------
    >>> from glorot_numba.testing import audit
    >>> report = audit(["glorot_numba"], ["float32"], n=10_000, progress=False)
    >>> report.passed, len(report.rows)
    (True, 9)
    >>> print(report.to_markdown().splitlines()[0])
    # Initializer conformance audit
    """

    rows: list[dict[str, Any]]
    skipped: dict[str, str]
    n: int
    fans: tuple[int, int]
    alpha: float
    alpha_row: float
    seed: int
    versions: dict[str, str] = field(default_factory=dict)
    date: str = ""
    machine: str = ""

    @property
    def misfits(self) -> list[dict[str, Any]]:
        """The rows that do not fit, or whose producer raised."""
        return [r for r in self.rows if r["status"] in ("does not fit", "error")]

    @property
    def passed(self) -> bool:
        """Whether no row misfits or errs."""
        return not self.misfits

    def counts(self) -> dict[str, int]:
        """How many rows have each status."""
        out: dict[str, int] = {}
        for row in self.rows:
            out[row["status"]] = out.get(row["status"], 0) + 1
        return out

    def to_json(self) -> str:
        """The report as JSON: the run's parameters, and every row."""
        body = {
            "date": self.date,
            "machine": self.machine,
            "versions": self.versions,
            "n": self.n,
            "fans": list(self.fans),
            "alpha": self.alpha,
            "alpha_row": self.alpha_row,
            "seed": self.seed,
            "policy": self.policy(),
            "skipped_frameworks": self.skipped,
            "counts": self.counts(),
            "rows": self.rows,
        }
        return json.dumps(body, indent=1, default=_json_default)

    def policy(self) -> str:
        """How the overall level is shared by the rows and their tests, in words."""
        return (
            f"overall alpha {self.alpha:g} over the {len(self.rows)} rows: each row at "
            f"{self.alpha_row:.3g}, each of its k tests at {self.alpha_row:.3g} / k "
            "(Bonferroni); a table of correct producers shows a misfit with "
            f"probability at most {self.alpha:g}"
        )

    def to_markdown(self) -> str:
        """The report as a Markdown page: the run's parameters, and a table."""
        counts = self.counts()
        summary = ", ".join(f"{v} {k}" for k, v in counts.items())
        lines = [
            "# Initializer conformance audit",
            "",
            f"- date: {self.date}",
            f"- machine: {self.machine}",
            f"- samples per row: {self.n:,} (fan_in {self.fans[0]}, fan_out "
            f"{self.fans[1]}), base seed {self.seed}",
            f"- multiple comparisons: {self.policy()}",
            "- versions: " + "; ".join(f"{k}: {v}" for k, v in self.versions.items()),
            f"- rows: {summary}",
        ]
        for framework, reason in self.skipped.items():
            lines.append(f"- skipped: {framework} ({reason})")
        lines += [
            "",
            "| framework | initializer | claims | dtype | verdict | std / target "
            "| what the report shows |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in self.rows:
            ratio = f"{row['std_ratio']:.4f}" if "std_ratio" in row else ""
            verdict = row["status"]
            if row.get("plot"):
                verdict = f"[{verdict}]({_relative(row['plot'])})"
            lines.append(
                f"| {row['framework']} | `{row['producer']}` | {row['claim']} | "
                f"{row['dtype']} | {verdict} | {ratio} | "
                f"{_cell(_effects(row))} |"
            )
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.to_markdown()

    def save(self, path: str | PathLike[str]) -> None:
        """Write the report as Markdown (``.md``) or JSON (``.json``)."""
        suffix = Path(path).suffix.lower()
        if suffix not in (".md", ".json"):
            raise ValueError(f"the report is written as .md or .json, got {str(path)!r}")
        text = self.to_markdown() if suffix == ".md" else self.to_json()
        Path(path).write_text(text, encoding="utf-8")


def _cell(text):
    """``text`` for a Markdown table cell."""
    return text.replace("|", "\\|")


def _relative(path):
    return Path(path).as_posix() if not Path(path).is_absolute() else Path(path).name


def _json_default(value):
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, complex):
        return [value.real, value.imag]
    raise TypeError(type(value).__name__)


# --------------------------------------------------------------------------
# Running the table
# --------------------------------------------------------------------------


class _Bar:
    def __init__(self, total, wanted):
        self.bar = None
        if wanted is False or total == 0:
            return
        try:
            from tqdm import tqdm
        except ImportError:
            return
        self.bar = tqdm(
            total=total,
            unit="row",
            desc="audit",
            file=sys.stderr,
            disable=None if wanted is None else False,
            mininterval=0.2,
        )

    def step(self, row):
        if self.bar is not None:
            self.bar.set_postfix_str(f"{row['framework']} {row['dtype']}", refresh=False)
            self.bar.update(1)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _versions(framework):
    if framework == "glorot_numba":
        import numba
        import scipy

        from ._version import __version__

        return (
            f"glorot_numba {__version__}, numpy {np.__version__}, numba "
            f"{numba.__version__}, scipy {scipy.__version__}"
        )
    if framework == "torch":
        import torch

        return f"torch {torch.__version__}"
    if framework == "jax":
        import jax
        import jaxlib

        return f"jax {jax.__version__}, jaxlib {jaxlib.__version__}"  # type: ignore[attr-defined]
    if framework == "tensorflow":
        import tensorflow as tf

        return f"tensorflow {tf.__version__}"
    import keras

    backend = framework.split("-", 1)[1]
    version = getattr(importlib.import_module(backend), "__version__", "")
    return f"keras {keras.__version__} on {backend} {version}".strip()


def _import(framework):
    """Import what ``framework`` needs here; the reason it cannot, or None."""
    for module in _producers.REQUIRES[framework]:
        try:
            importlib.import_module(module)
        except Exception as exc:  # any failure to import means: skipped
            return f"{module} failed to import ({type(exc).__name__}: {exc})"
    if framework.startswith("keras-"):
        import keras

        if keras.backend.backend() != framework.split("-", 1)[1]:
            return f"Keras runs on {keras.backend.backend()} in this process"
    return None


def _here(framework, isolate):
    if framework == "glorot_numba":
        return True
    if framework.startswith("keras-"):
        keras = sys.modules.get("keras")
        return (
            not isolate
            and keras is not None
            and keras.backend.backend() == framework.split("-", 1)[1]
        )
    return not isolate


def _worker_env(framework):
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    if framework.startswith("keras-"):
        env["KERAS_BACKEND"] = framework.split("-", 1)[1]
    if framework in ("jax", "keras-jax"):
        env["JAX_ENABLE_X64"] = "1"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def _in_worker(
    framework, rows, fans, seed, alpha_row, plot_dir, jitter_seed, bar, versions, skipped
):
    spec = {
        "framework": framework,
        "rows": [[p.name, d] for p, d in rows],
        "fans": list(fans),
        "seed": seed,
        "alpha_row": alpha_row,
        "plot_dir": None if plot_dir is None else str(plot_dir),
        "jitter_seed": jitter_seed,
    }
    done = []
    with tempfile.TemporaryFile(mode="w+") as err:
        with subprocess.Popen(
            [sys.executable, "-c", _WORKER, json.dumps(spec)],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=_worker_env(framework),
        ) as proc:
            for line in proc.stdout:  # type: ignore[union-attr]  # a pipe: not None
                if not line.startswith(_MARK):
                    continue
                message = json.loads(line[len(_MARK) :])
                if "versions" in message:
                    versions[framework] = message["versions"]
                elif "skip" in message:
                    skipped[framework] = message["skip"]
                elif "row" in message:
                    done.append(message["row"])
                    bar.step(message["row"])
        status = proc.returncode
        err.seek(0)
        tail = err.read()[-2000:].strip()
    if framework in skipped:
        return []
    if len(done) < len(rows):
        reason = f"the {framework} process ended with status {status} before this row" + (
            f": {tail.splitlines()[-1]}" if tail else ""
        )
        for producer, dtype in rows[len(done) :]:
            row = {
                "framework": framework,
                "producer": producer.name,
                "dtype": dtype,
                "claim": producer.claim,
                "status": "error",
                "reason": reason,
            }
            done.append(row)
            bar.step(row)
    return done


def run(
    frameworks: Sequence[str] | None = None,
    dtypes: Sequence[str] | None = None,
    *,
    n: object = 1_000_000,
    alpha: float = 1e-3,
    seed: object = 0,
    producers: Iterable[Producer] | None = None,
    plot_dir: str | PathLike[str] | None = None,
    progress: bool | None = None,
    isolate: bool = False,
    jitter_seed: int = _JITTER_SEED,
) -> AuditReport:
    """See :func:`glorot_numba.testing.audit`."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 100:
        raise ValueError(f"n must be an integer >= 100, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    chosen_dtypes = _choose(dtypes, DTYPES, "dtype")
    skipped, plan = {}, []
    if producers is None:
        for framework in _choose(frameworks, FRAMEWORKS, "framework", _ALIASES):
            reason = _producers.missing(framework)
            if reason:
                skipped[framework] = reason
                continue
            plan.append((framework, _producers.builtin(framework)))
    else:
        producers = list(producers)
        names = tuple(dict.fromkeys(p.framework for p in producers))
        for framework in _choose(frameworks, names, "framework"):
            plan.append((framework, [p for p in producers if p.framework == framework]))
    plan = [
        (framework, [(p, d) for p in group for d in p.dtypes if d in chosen_dtypes])
        for framework, group in plan
    ]
    plan = [(framework, rows) for framework, rows in plan if rows]
    total = sum(len(rows) for _, rows in plan)
    alpha_row = alpha / max(total, 1)
    fans = audit_fans(int(n))
    if plot_dir is not None:
        Path(plot_dir).mkdir(parents=True, exist_ok=True)
    versions, out = {}, []
    bar = _Bar(total, progress)
    try:
        for framework, rows in plan:
            if producers is not None or _here(framework, isolate):
                reason = None if producers is not None else _import(framework)
                if reason:
                    skipped[framework] = reason
                    continue
                if producers is None:
                    versions[framework] = _versions(framework)
                for producer, dtype in rows:
                    row = run_row(producer, dtype, fans, seed, alpha_row, plot_dir, jitter_seed)
                    out.append(row)
                    bar.step(row)
            else:
                out += _in_worker(
                    framework,
                    rows,
                    fans,
                    seed,
                    alpha_row,
                    plot_dir,
                    jitter_seed,
                    bar,
                    versions,
                    skipped,
                )
    finally:
        bar.close()
    return AuditReport(
        rows=out,
        skipped=skipped,
        n=fans[0] * fans[1],
        fans=fans,
        alpha=alpha,
        alpha_row=alpha_row,
        seed=int(seed),
        versions=versions,
        date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        machine=f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {platform.system()}",
    )


def _emit(message):
    sys.stdout.write(_MARK + json.dumps(message, default=_json_default) + "\n")
    sys.stdout.flush()


def _worker(spec):
    framework = spec["framework"]
    reason = _import(framework)
    if reason:
        _emit({"skip": reason})
        return 0
    _emit({"versions": _versions(framework)})
    by_name = {p.name: p for p in _producers.builtin(framework)}
    fans = tuple(spec["fans"])
    for name, dtype in spec["rows"]:
        _emit(
            {
                "row": run_row(
                    by_name[name],
                    dtype,
                    fans,
                    spec["seed"],
                    spec["alpha_row"],
                    spec["plot_dir"],
                    spec["jitter_seed"],
                )
            }
        )
    return 0


def producers(frameworks: Sequence[str] | None = None) -> list[Producer]:
    """The built-in :class:`Producer` entries of the audit (nothing is imported).

    Parameters
    ----------
    frameworks : sequence of str, optional
        Among ``"glorot_numba"``, ``"torch"``, ``"jax"``, ``"tensorflow"``,
        ``"keras-jax"``, ``"keras-torch"``, ``"keras-numpy"``,
        ``"keras-tensorflow"`` (``"keras"`` for all four); default all.

    Examples
    --------
    >>> from glorot_numba.testing import producers
    >>> [p.name for p in producers(["torch"])][:2]
    ['torch.nn.init.xavier_normal_', 'torch.nn.init.xavier_uniform_']
    """
    names = _choose(frameworks, _producers.FRAMEWORKS, "framework", _ALIASES)
    return [p for name in names for p in _producers.builtin(name)]


def audit(
    frameworks: Sequence[str] | None = None,
    dtypes: Sequence[str] | None = None,
    *,
    n: int = 1_000_000,
    alpha: float = 1e-3,
    seed: int = 0,
    producers: Iterable[Producer] | None = None,
    plot_dir: str | PathLike[str] | None = None,
    progress: bool | None = None,
    isolate: bool = False,
) -> AuditReport:
    """Run the kit over the initializers of every installed framework.

    Each row of the table is one producer (an initializer of
    ``torch.nn.init``, ``jax.nn.initializers``, ``keras.initializers`` on
    each installed backend, TensorFlow's ``tf.compat.v1`` initializers, or
    this library's) in one dtype, drawn once at fans ``audit_fans(n)`` with
    a fixed seed of its own, and tested with
    :func:`check_variance_scaling` against the law the producer claims.

    Parameters
    ----------
    frameworks : sequence of str, optional
        See :func:`producers`; default all.  Frameworks that are not
        installed, or fail to import, are reported as skipped with the
        reason.
    dtypes : sequence of str, optional
        Among float16, bfloat16, float32, float64, complex64, complex128;
        default all (each producer where it offers them).
    n : int, default 1_000_000
        Samples per row (rounded to the nearest ``fan_in * fan_out``).
    alpha : float, default 1e-3
        Overall level for the whole table: each of the ``R`` rows is tested
        at ``alpha / R`` (Bonferroni), so correct producers show any misfit
        with probability at most ``alpha``.
    seed : int, default 0
        Base seed; each row's seed is derived from it and the row's name.
    producers : sequence of Producer, optional
        Audit these instead of the built-in registry (run in this process).
    plot_dir : path, optional
        Save a plot of each misfit against the exact reference there
        (needs matplotlib).
    progress : bool, optional
        A tqdm progress bar over rows (default: when stderr is a terminal;
        none without tqdm).
    isolate : bool, default False
        Run every framework but this library in a process of its own
        (Keras backends other than the one already imported always are).

    Returns
    -------
    AuditReport

    Raises
    ------
    ValueError
        Unknown framework or dtype names (the message lists the choices),
        ``n`` below 100, ``alpha`` outside (0, 1).

    Examples
    --------
    >>> from glorot_numba.testing import audit
    >>> report = audit(["glorot_numba"], ["bfloat16", "complex64"], n=10_000, progress=False)
    >>> report.passed, report.counts()
    (True, {'fits': 18})
    >>> audit(["caffe"])
    Traceback (most recent call last):
    ...
    ValueError: unknown framework 'caffe'; choose from glorot_numba, torch, jax, ...
    """
    return run(
        frameworks,
        dtypes,
        n=n,
        alpha=alpha,
        seed=seed,
        producers=producers,
        plot_dir=plot_dir,
        progress=progress,
        isolate=isolate,
    )
