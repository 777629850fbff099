r"""Every use of Numba's and llvmlite's private surface, in one place.

The engine needs a few things that Numba and llvmlite do not offer
publicly.  Each is reached through a function here, so that a maintainer
upgrading Numba has one file to read, and ``tests/test_numba_internals.py``
calls every one of them and fails loudly -- not as a silent slowdown or an
uncached compile -- when a release changes what it relies on.

Checked against Numba 0.60 to 0.68 and llvmlite 0.43 to 0.50.

==========================  ===========================================  ==============
function                    private name it uses                         if it breaks
==========================  ===========================================  ==============
``threads_started``         ``numba.np.ufunc.parallel._is_initialized``  correctness*
``running_layer``           ``numba.np.ufunc.parallel._threading_layer`` correctness*
``thread_count_unlocked``   ``numba.np.ufunc.parallel._get_num_threads`` speed
``disable_cache``           ``numba.core.caching.NullCache``, a          caching
                            dispatcher's ``_cache``
``dispatcher_cache``        a dispatcher's ``_cache``                    caching
``add_function_attribute``  llvmlite ``Function.attributes`` (a set      speed
                            that checks attribute names)
``array_view``              ``numba.np.arrayobj.make_array`` and         speed
                            ``populate_array``
==========================  ===========================================  ==============

\* The fork guards (GNU OpenMP in a forked child; workqueue) and the TBB
preloading ask whether Numba's threads have started and on which layer.
The bit-exactness intrinsics of :mod:`.ieee` are written against
llvmlite's public IR builder and Numba's public ``@intrinsic``.
"""

from numba.core.caching import NullCache
from numba.np import arrayobj as _arrayobj
from numba.np.ufunc import parallel as _parallel

__all__ = [
    "threads_started",
    "running_layer",
    "thread_count_unlocked",
    "disable_cache",
    "dispatcher_cache",
    "set_dispatcher_cache",
    "add_function_attribute",
    "source_array",
    "array_view",
]


def threads_started():
    """Whether Numba has started its threading layer in this process."""
    return bool(_parallel._is_initialized)


def running_layer():
    """The name of the threading layer Numba started (``threads_started()``)."""
    return _parallel._threading_layer


def thread_count_unlocked():
    """The calling thread's Numba thread count, read without the two locks
    ``numba.get_num_threads()`` takes on every call; 0 if it cannot be read
    this way (threads not started)."""
    read = getattr(_parallel, "_get_num_threads", None)
    if read is None or not threads_started():
        return 0
    return read()


def dispatcher_cache(dispatcher):
    """The disk cache object of an ``@njit`` dispatcher (after ``enable_caching``)."""
    return dispatcher._cache


def set_dispatcher_cache(dispatcher, cache):
    """Make ``cache`` (an object with Numba's cache interface) the dispatcher's."""
    dispatcher._cache = cache


def disable_cache(dispatcher):
    """Give the dispatcher Numba's no-op cache: it compiles in memory."""
    dispatcher._cache = NullCache()


def add_function_attribute(function, attribute):
    """Attach an LLVM function attribute that llvmlite does not list.

    ``llvmlite.ir.Function.attributes`` is a set whose ``add`` rejects the
    names it does not know (such as ``"prefer-vector-width"="512"``); the
    set's own ``add`` does not check.
    """
    set.add(function.attributes, attribute)


def array_view(context, builder, view_type, data, shape, strides, itemsize):
    """Build, in generated code, an array of ``view_type`` over ``data``
    with no reference to any memory (``meminfo`` None)."""
    view = _arrayobj.make_array(view_type)(context, builder)
    _arrayobj.populate_array(
        view, data=data, shape=shape, strides=strides, itemsize=itemsize, meminfo=None
    )
    return view


def source_array(context, builder, array_type, value):
    """The array structure of an array argument in generated code."""
    return _arrayobj.make_array(array_type)(context, builder, value)
