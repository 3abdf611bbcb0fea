"""Testing hook: die (SIGKILL) at a named moment, to prove that a rerun finishes the work.

A process whose environment variable FOLLOWUP_FAULT names a fault point kills itself
there, the way a power cut or an out-of-memory kill would: no cleanup, no ``finally``.
The fault-injection tests (tests/python/test_daily_faults.py, test_export_crash.py) run
the real commands with it set; nothing else sets it. The points are listed where they
are, by name: ``grep -rn fault_point followup``.
"""

from __future__ import annotations

import os
import signal

VARIABLE = "FOLLOWUP_FAULT"


def fault_point(name: str) -> None:
    """Kill this process at once if FOLLOWUP_FAULT is ``name``."""
    if os.environ.get(VARIABLE) == name:
        os.kill(os.getpid(), signal.SIGKILL)
