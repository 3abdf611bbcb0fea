"""Processes: run one, check it, and sample the memory of its whole tree."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from followup import PROJECT_DIR
from followup.bench.settings import OUTPUT_TAIL_LINES, BenchmarkError


class TreeMemorySampler:
    """Samples the summed RSS of a process and all its descendants in a thread."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_bytes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> TreeMemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def sample(self) -> int:
        """The RSS of the tree now, in bytes (0 once the process is gone)."""
        import psutil

        try:
            root = psutil.Process(self.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for process in processes:
            try:
                total += process.memory_info().rss
            except psutil.Error:
                continue  # ended between listing and reading
        return total

    def _loop(self) -> None:
        while True:
            current = self.sample()
            self.samples += 1
            self.peak_bytes = max(self.peak_bytes, current)
            if self._stop.wait(self.interval):
                return


def tail(text: str, lines: int = OUTPUT_TAIL_LINES) -> str:
    """The last lines of a command's output."""
    return "\n".join(text.rstrip().splitlines()[-lines:])


@dataclass
class Ran:
    """A finished process: wall time, peak tree RSS, exit code, output."""

    seconds: float
    peak_rss_bytes: int
    returncode: int
    output: str


def run_process(
    command: Sequence[str],
    *,
    env: Mapping[str, str],
    log_file: Path,
    cwd: Path = PROJECT_DIR,
    check: bool = True,
) -> Ran:
    """Run `command`, time it, sample its tree's memory; its output goes to `log_file`.

    With `check`, a non-zero exit raises BenchmarkError with the command and the tail of
    its output.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("w", encoding="utf-8", errors="replace") as log:
        log.write("$ " + " ".join(command) + "\n")
        log.flush()
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command), cwd=cwd, env=dict(env), stdout=log, stderr=subprocess.STDOUT
        )
        with TreeMemorySampler(process.pid) as sampler:
            returncode = process.wait()
        seconds = time.perf_counter() - started
    output = log_file.read_text(encoding="utf-8", errors="replace")
    ran = Ran(seconds, sampler.peak_bytes, returncode, output)
    if check and returncode != 0:
        raise BenchmarkError(
            f"command failed with exit code {returncode}:\n  {' '.join(command)}\n"
            f"(full output: {log_file})\n--- last lines of its output ---\n{tail(output)}"
        )
    return ran
