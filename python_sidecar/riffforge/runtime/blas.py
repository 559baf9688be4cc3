"""Pin NumPy's BLAS to one thread for the runtime.

The runtime's matrix products are tiny (one riff: a [1..8, 256] x [256, 1024] product per step). A
multi-threaded OpenBLAS wakes its threads for every product with more than one row; on a busy machine (a
game runs beside the sidecar) those threads contend and one riff takes hundreds of milliseconds instead of
a few. Single-threaded BLAS is also what a game wants from a sidecar. Environment variables only work
before NumPy is first imported, so :func:`limit_blas_threads` calls OpenBLAS' own setter through ctypes
on the library NumPy loaded (``numpy.libs`` / ``numpy/.dylibs``); it is a silent no-op where none is found
(e.g. Accelerate on macOS, which does not spin up worker threads per call).
"""
from __future__ import annotations

import ctypes
import glob
import os
from typing import Optional

_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads64_",
            "openblas_set_num_threads")
_done: Optional[bool] = None


def _candidates():
    import numpy

    base = os.path.dirname(numpy.__file__)
    for pattern in (base + ".libs/*openblas*", os.path.join(base, ".dylibs", "*openblas*"),
                    os.path.join(base, "..", "numpy.libs", "*openblas*")):
        yield from sorted(glob.glob(pattern))


def limit_blas_threads(threads: int = 1) -> bool:
    """Set OpenBLAS' thread count; True when a setter was found and called. Idempotent."""
    global _done
    if _done is not None:
        return _done
    _done = False
    if os.environ.get("RIFFFORGE_BLAS_THREADS"):
        threads = int(os.environ["RIFFFORGE_BLAS_THREADS"])
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _SETTERS:
            fn = getattr(lib, name, None)
            if fn is not None:
                fn(int(threads))
                _done = True
                return True
    return False
