"""Entry point for ``python -m converter``."""
from __future__ import annotations

import os

# One BLAS thread per job: jobs run in forked children, and threads do not survive fork well.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from .cli import main  # noqa: E402

raise SystemExit(main())
