"""On-disk caching of the compiled kernels, enabled so that it never breaks a call.

Compiling the kernels takes seconds; Numba's cache makes later processes load
them in a fraction of a second.  The hazards handled here:

* no writable cache location (read-only install, no home directory): Numba
  raises when caching is switched on, so it is switched on here, after
  import, and left off if that fails -- the kernels then compile in memory;
* cache files that cannot be read or written later (truncated or garbled by
  a crash or a full disk, a directory made read-only): Numba lets such
  errors escape from the call that compiles, so each kernel's cache is
  wrapped; a failed load empties that kernel's index and compiles, a failed
  save switches its cache off, and the process gets one warning;
* stale code: Numba checks only the source file of the cached function, but
  the kernels inline code from several modules, so a digest of every module
  of the engine (every ``*.py`` file beside this one: a new one is covered
  without being listed) is kept beside the cache, and a mismatch empties the
  cache first;
* many processes compiling at once: Numba writes every cache file under a
  temporary name and renames it into place, and each kernel has a single
  signature, so concurrent writers store identical entries.

``GLOROT_NUMBA_CACHE=0`` turns caching off.
"""

import hashlib
import os
import uuid
import warnings
from pathlib import Path

from . import numba_internals

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


_warned: list[bool] = []


def _cache_failed(dispatcher, action, exc):
    if not _warned:
        _warned.append(True)
        warnings.warn(
            f"glorot_numba: could not {action} the compiled-kernel cache of "
            f"{dispatcher} ({type(exc).__name__}: {exc}); compiling in memory instead",
            RuntimeWarning,
            stacklevel=2,
        )


class GuardedCache:
    """A dispatcher's disk cache whose failures cost a compilation, never a call."""

    def __init__(self, inner, name):
        self._inner = inner
        self._name = name

    def load_overload(self, sig, target_context):
        try:
            return self._inner.load_overload(sig, target_context)
        except Exception as exc:  # noqa: BLE001 - unreadable entry: compile instead
            try:
                self._inner.flush()  # so the fresh compilation replaces the entry
            except Exception:  # noqa: BLE001
                self._inner.disable()
                _cache_failed(self._name, "read", exc)
            return None

    def save_overload(self, sig, data):
        try:
            self._inner.save_overload(sig, data)
        except Exception as exc:  # noqa: BLE001 - the compiled code is still usable
            self._inner.disable()
            _cache_failed(self._name, "write", exc)

    def __getattr__(self, name):
        return getattr(self._inner, name)


def _write_atomically(path, text):
    tmp = path.with_name(f"{path.name}.tmp.{uuid.uuid4().hex[:16]}")
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def engine_sources():
    """Every module of the engine, in a fixed order: what the kernels are
    compiled from."""
    return sorted(Path(__file__).parent.glob("*.py"))


def enable_caching(dispatchers):
    """Turn on Numba's disk cache for ``dispatchers``; return whether it is on."""
    if not caching_requested() or not all(hasattr(d, "enable_caching") for d in dispatchers):
        return False  # turned off, or NUMBA_DISABLE_JIT (plain functions)
    try:
        digest = _digest(engine_sources())
        for d in dispatchers:
            d.enable_caching()
            cache = numba_internals.dispatcher_cache(d)
            marker = Path(cache.cache_path) / f"{d.__qualname__}.sources"
            try:
                current = marker.read_text() == digest
            except OSError:
                current = False
            if not current:
                cache.flush()
                _write_atomically(marker, digest)
            numba_internals.set_dispatcher_cache(d, GuardedCache(cache, d.__qualname__))
    except (OSError, RuntimeError):
        # No writable cache location (Numba raises RuntimeError: no
        # locator), or a marker that cannot be written: compile in memory.
        for d in dispatchers:
            numba_internals.disable_cache(d)
        return False
    return True
