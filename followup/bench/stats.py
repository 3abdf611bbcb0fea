"""Bookkeeping: samples, medians, peaks."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from followup.bench.settings import LARGE_SIZE


@dataclass
class Sample:
    """One measurement of one step."""

    seconds: float
    peak_rss_bytes: int | None = None
    wall_seconds: float | None = None  # the whole process, when `seconds` is measured inside it


@dataclass
class StepStats:
    """All samples of one step at one size."""

    samples: list[Sample] = field(default_factory=list)

    def add(self, sample: Sample) -> None:
        self.samples.append(sample)

    @property
    def runs(self) -> int:
        return len(self.samples)

    @property
    def seconds(self) -> list[float]:
        return [sample.seconds for sample in self.samples]

    @property
    def median_seconds(self) -> float | None:
        return median(self.seconds)

    @property
    def peak_rss_bytes(self) -> int | None:
        return peak([sample.peak_rss_bytes for sample in self.samples])

    def to_json(self) -> dict[str, Any]:
        seconds = self.seconds
        document: dict[str, Any] = {
            "runs": self.runs,
            "seconds": [round(value, 3) for value in seconds],
            "median_s": _round(self.median_seconds),
            "min_s": _round(min(seconds)) if seconds else None,
            "max_s": _round(max(seconds)) if seconds else None,
            "peak_rss_bytes": [sample.peak_rss_bytes for sample in self.samples],
            "peak_rss_max_bytes": self.peak_rss_bytes,
        }
        walls = [sample.wall_seconds for sample in self.samples if sample.wall_seconds]
        if walls:
            document["process_wall_seconds"] = [round(value, 3) for value in walls]
        return document


def median(values: Iterable[float | None]) -> float | None:
    """The median of the values that are not None (None if there are none)."""
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def peak(values: Iterable[int | None]) -> int | None:
    """The largest value that is not None (None if there are none)."""
    present = [value for value in values if value is not None]
    return max(present) if present else None


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def runs_for_size(size: int, runs: int, runs_large: int | None) -> int:
    """How many runs a size gets: --runs, or --runs-large at 1,000,000 contacts and more."""
    if runs_large is not None and size >= LARGE_SIZE:
        return runs_large
    return runs


@dataclass
class SizeResult:
    """The measurements of one size."""

    size: int
    runs: int
    dataset: dict[str, Any]
    steps: dict[str, StepStats] = field(default_factory=dict)
    setup: dict[str, StepStats] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    def stats(self, step: str, setup: bool = False) -> StepStats:
        table = self.setup if setup else self.steps
        return table.setdefault(step, StepStats())

    def to_json(self) -> dict[str, Any]:
        in_dbt = self.details.get("same_models_in_dbt_samples_s", [])
        in_floor = self.details.get("same_models_in_floor_samples_s", [])
        return {
            "contacts": self.size,
            "same_models_in_dbt_s": _round(median(in_dbt)),
            "same_models_in_floor_s": _round(median(in_floor)),
            "runs": self.runs,
            "dataset": self.dataset,
            "steps": {key: stats.to_json() for key, stats in self.steps.items()},
            "setup_steps": {key: stats.to_json() for key, stats in self.setup.items()},
            **self.details,
        }
