"""Data sets: generated once per (size, seed, as_of), with the day before."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from followup.bench.processes import run_process
from followup.day_before import write_day_before


@dataclass(frozen=True)
class Dataset:
    """The cached raw folders of one size: day D and the day before."""

    root: Path
    day: Path
    day_before: Path
    meta: dict[str, Any]


def dataset_dir(cache: Path, size: int, seed: int, as_of: dt.date) -> Path:
    """Where the data set of these parameters is cached."""
    return cache / "datasets" / f"contacts{size}_seed{seed}_{as_of.isoformat()}"


def ensure_dataset(
    cache: Path,
    size: int,
    seed: int,
    as_of: dt.date,
    *,
    env: Mapping[str, str],
    say: Callable[[str], None] = print,
) -> Dataset:
    """Return the cached data set, generating it (and its day before) only if missing."""
    root = dataset_dir(cache, size, seed, as_of)
    meta_file = root / "dataset.json"
    if meta_file.is_file():
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        say(f"  data set cached: {root}")
        return Dataset(root, root / "D", root / "D-1", meta)

    if root.exists():  # an interrupted earlier attempt
        shutil.rmtree(root)
    root.mkdir(parents=True)
    say(f"  generating {size:,} contacts (seed {seed}, as of {as_of}) into {root} ...")
    ran = run_process(
        [
            sys.executable,
            "-m",
            "followup.generate",
            "--contacts",
            str(size),
            "--seed",
            str(seed),
            "--as-of",
            as_of.isoformat(),
            "--out",
            str(root / "D"),
        ],
        env=env,
        log_file=root / "generate.log",
    )
    say(f"  generated in {ran.seconds:.1f} s; writing the day before ({as_of - dt.timedelta(1)})")
    started = time.perf_counter()
    counts = write_day_before(root / "D", root / "D-1", as_of)
    split_seconds = time.perf_counter() - started
    meta = {
        "contacts": size,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "generate_seconds": round(ran.seconds, 1),
        "generate_peak_rss_bytes": ran.peak_rss_bytes,
        "day_before_seconds": round(split_seconds, 1),
        "rows": {
            name: {"D": rows_in, "D-1": rows_out} for name, (rows_in, rows_out) in counts.items()
        },
        "bytes_D": sum(path.stat().st_size for path in (root / "D").glob("*.parquet")),
    }
    meta_file.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return Dataset(root, root / "D", root / "D-1", meta)
