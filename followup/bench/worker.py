"""Worker entry point: python -m followup.bench.worker floor|pandas ...

The floor and the pandas steps run in a process of their own, so that their memory
is measured apart from the benchmark's.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from followup.bench.floor import floor_worker
from followup.bench.pandas_baseline import pandas_worker


def _worker_main(argv: Sequence[str]) -> int:
    if not argv:
        print("usage: python -m followup.bench.worker floor|pandas ...", file=sys.stderr)
        return 2
    kind, *args = argv
    if kind == "floor" and len(args) == 3:
        floor_worker(Path(args[0]), Path(args[1]), Path(args[2]))
        return 0
    if kind == "pandas" and len(args) == 4:
        pandas_worker(Path(args[0]), dt.date.fromisoformat(args[1]), Path(args[2]), Path(args[3]))
        return 0
    print(f"unknown worker call: {' '.join(argv)}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))
