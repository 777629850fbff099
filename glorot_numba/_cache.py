"""On-disk caching of the compiled kernels, enabled so that it never breaks a call.

Compiling the kernels takes seconds; Numba's cache makes later processes load
them in a fraction of a second.  Three hazards are handled here:

* no writable cache location (read-only install, no home directory): Numba
  raises when caching is switched on, so it is switched on here, after
  import, and left off if that fails -- the kernels then compile in memory;
* stale code: Numba checks only the source file of the cached function, but
  the kernels inline code from several modules, so a digest of all of them is
  kept beside the cache and a mismatch empties the cache first;
* many processes compiling at once on a fresh install can race on the cache
  files (numba/numba#4807): set ``GLOROT_NUMBA_CACHE=0`` to turn caching off,
  or run :func:`glorot_numba.warmup` once before starting them.
"""

import hashlib
import os
from pathlib import Path

from numba.core.caching import NullCache

__all__ = ["enable_caching", "caching_requested"]

_OFF = {"0", "false", "no", "off"}


def caching_requested():
    """False when the environment variable ``GLOROT_NUMBA_CACHE`` says off."""
    return os.environ.get("GLOROT_NUMBA_CACHE", "1").strip().lower() not in _OFF


def _digest(sources):
    h = hashlib.sha256()
    for path in sources:
        h.update(Path(path).read_bytes())
    return h.hexdigest()


def enable_caching(dispatchers, sources):
    """Turn on Numba's disk cache for ``dispatchers``; return whether it is on.

    ``sources`` are the files whose code the dispatchers compile in.
    """
    if not caching_requested() or not all(hasattr(d, "enable_caching") for d in dispatchers):
        return False  # turned off, or NUMBA_DISABLE_JIT (plain functions)
    try:
        digest = _digest(sources)
        for d in dispatchers:
            d.enable_caching()
            marker = Path(d._cache.cache_path) / f"{d.__qualname__}.sources"
            try:
                current = marker.read_text() == digest
            except OSError:
                current = False
            if not current:
                d._cache.flush()
                marker.write_text(digest)
    except Exception:  # noqa: BLE001 - any failure means: compile in memory
        for d in dispatchers:
            d._cache = NullCache()
        return False
    return True
