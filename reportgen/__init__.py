"""reportgen: release validation reports computed from raw test artifacts, rendered as an MkDocs site."""

from __future__ import annotations

import os
import sys

__version__ = "0.1.0"

if "numpy" not in sys.modules:
    # numpy's OpenBLAS starts a thread per core as numpy loads (measured on 2 cores: numpy's import 0.13 s wall,
    # 0.07 s with one thread), and every process reportgen starts loads numpy (stream reductions, comparisons,
    # charts); reportgen calls no BLAS routine (its numpy work is selection, sums and sorting). A setting the
    # environment already has is kept; the variable is this process's and its children's only.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
