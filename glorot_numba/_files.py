"""Tensor files: writing spec'd tensors (safetensors, npz, npy), reading them back.

Files are written under a temporary name and renamed when complete, so an
interrupted run never leaves a truncated file under the requested name.
"""

import contextlib
import json
import math
import os
import zipfile

import numpy as np

from . import _chunked_io, _dtypes
from ._version import __version__

__all__ = ["write_tensors", "write_npy", "read_tensors", "atomic", "npy_dtype", "SPEC_METADATA_KEY"]

SPEC_METADATA_KEY = "glorot_numba.spec"
_SAFETENSORS_DTYPES = {
    "F16": np.dtype(np.float16),
    "BF16": _dtypes.BFLOAT16,
    "F32": np.dtype(np.float32),
    "F64": np.dtype(np.float64),
}


@contextlib.contextmanager
def atomic(path):
    partial = f"{path}.partial"
    try:
        yield partial
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def npy_dtype(dtype):
    # .npy cannot describe bfloat16; float32 holds every bfloat16 value exactly.
    return np.dtype(np.float32) if dtype == _dtypes.BFLOAT16 else dtype


def write_npy(init, shape, dtype, path, max_bytes, on_block=None):
    """Stream one tensor to ``.npy`` in blocks of at most ``max_bytes``."""
    with atomic(path) as partial:
        _chunked_io.write_npy(
            init, shape, dtype, partial, max_bytes, file_dtype=npy_dtype(dtype), on_block=on_block
        )


def write_tensors(entries, path, max_bytes, on_block=None):
    """Write spec entries to ``path`` (``.safetensors`` or ``.npz``)."""
    suffix = os.path.splitext(str(path))[1].lower()
    if suffix == ".safetensors":
        _write_safetensors(entries, path, max_bytes, on_block)
    elif suffix == ".npz":
        _write_npz(entries, path, max_bytes, on_block)
    else:
        raise ValueError(f"output must end in .safetensors or .npz, got {str(path)!r}")


def _whole(entry, max_bytes, on_block):
    """The entry's tensor, drawn block by block (so progress can be shown)."""
    result = np.empty(entry.shape, entry.dtype)
    flat = result.reshape(-1)
    at = 0
    for block in _chunked_io.draw_blocks(entry.init, entry.shape, entry.dtype, max_bytes):
        flat[at : at + block.size] = block.reshape(-1)
        at += block.size
        if on_block is not None:
            on_block(block)
    return result


def _write_safetensors(entries, path, max_bytes, on_block):
    try:
        from safetensors.numpy import save_file
    except ImportError:
        raise ImportError(
            "writing .safetensors needs the safetensors package: pip install 'glorot_numba[cli]'"
        ) from None
    tensors = {e.name: _whole(e, max_bytes, on_block) for e in entries}
    spec = {
        "tensors": {
            e.name: {
                "shape": list(e.shape),
                "dtype": _dtypes.dtype_name(e.dtype),
                "initializer": e.serialized,
            }
            for e in entries
        }
    }
    metadata = {SPEC_METADATA_KEY: json.dumps(spec), "glorot_numba.version": __version__}
    with atomic(path) as partial:
        save_file(tensors, partial, metadata=metadata)


def _write_npz(entries, path, max_bytes, on_block):
    # One zip member per tensor, each streamed block by block, so memory
    # stays at one block whatever the model's size (numpy.savez would hold
    # every array at once).
    with atomic(path) as partial:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
            for e in entries:
                file_dtype = npy_dtype(e.dtype)
                with zf.open(f"{e.name}.npy", "w", force_zip64=True) as fp:
                    _chunked_io.npy_header(fp, e.shape, file_dtype)
                    for block in _chunked_io.draw_blocks(e.init, e.shape, e.dtype, max_bytes):
                        if on_block is not None:
                            on_block(block)
                        fp.write(np.ascontiguousarray(block.astype(file_dtype, copy=False)).data)


def read_tensors(path):
    """``({name: array}, spec or None)`` of a ``.npy``, ``.npz`` or ``.safetensors`` file.

    ``.npy`` and ``.safetensors`` arrays are memory-mapped; ``spec`` is the
    spec recorded in a safetensors file written by this package.
    """
    path = str(path)
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".npy":
        return {os.path.basename(path): np.load(path, mmap_mode="r")}, None
    if suffix == ".npz":
        with np.load(path) as data:
            return {name: data[name] for name in data.files}, None
    if suffix == ".safetensors":
        return _read_safetensors(path)
    raise ValueError(f"cannot read {path!r}: expected .npy, .npz or .safetensors")


def _read_safetensors(path):
    # Read the header directly: the safetensors NumPy loader cannot return
    # bfloat16 tensors.
    with open(path, "rb") as fp:
        head = fp.read(8)
        if len(head) != 8:
            raise ValueError(f"{path}: not a safetensors file")
        size = int.from_bytes(head, "little")
        try:
            header = json.loads(fp.read(size))
        except (ValueError, UnicodeDecodeError):
            raise ValueError(f"{path}: not a safetensors file") from None
    metadata = header.pop("__metadata__", None) or {}
    arrays = {}
    for name, info in header.items():
        if info["dtype"] not in _SAFETENSORS_DTYPES:
            raise ValueError(f"{path}: tensor {name!r} has dtype {info['dtype']}, not a float")
        dtype = _SAFETENSORS_DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        shape = tuple(info["shape"])
        if end - begin != math.prod(shape) * dtype.itemsize:
            raise ValueError(f"{path}: tensor {name!r} has an inconsistent size")
        if math.prod(shape) == 0:
            arrays[name] = np.empty(shape, dtype)
        else:
            arrays[name] = np.memmap(
                path, dtype=dtype, mode="r", offset=8 + size + begin, shape=shape
            )
    spec = metadata.get(SPEC_METADATA_KEY)
    return arrays, (json.loads(spec) if spec else None)
