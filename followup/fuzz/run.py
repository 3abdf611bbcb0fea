"""One fuzz run: draw the worlds, build them, check every invariant."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from followup.fuzz.checks import Violation, check_all, truth
from followup.fuzz.runner import Progress, build_worlds, generate, regression_worlds
from followup.fuzz.world import World

# The fixed day of every world (a Monday; the test data set's day).
AS_OF = dt.date(2026, 6, 15)


@dataclass
class Report:
    """What a fuzz run checked and found."""

    seed: int
    worlds: int
    regressions: int
    raw_rows: int
    seconds: float
    violations: list[Violation] = field(default_factory=list)
    decisions: Counter[str] = field(default_factory=Counter)

    @property
    def passed(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        rules = Counter(v.rule for v in self.violations)
        head = (
            f"{self.worlds:,} worlds (seed {self.seed}) and {self.regressions} saved "
            f"regression worlds, {self.raw_rows:,} raw rows, checked in {self.seconds:.0f} s"
        )
        mix = ", ".join(f"{k} {v:,}" for k, v in sorted(self.decisions.items()))
        if self.passed:
            return f"{head}: every invariant holds ({mix})."
        lines = [
            f"{head}: {len(self.violations)} violation(s) in "
            f"{len({v.world for v in self.violations})} world(s):"
        ]
        lines += [f"  {rule}: {count}" for rule, count in rules.most_common()]
        lines += [f"  e.g. {v}" for v in self.violations[:10]]
        return "\n".join(lines)


def index_worlds(generated: list[World], saved: list[tuple[str, World]]) -> dict[int, World]:
    """World indexes: the generated worlds from 0, the saved regressions after them."""
    worlds = dict(enumerate(generated))
    for offset, (_, world) in enumerate(saved):
        worlds[len(generated) + offset] = world
    return worlds


def fuzz(
    count: int,
    seed: int,
    work: Path,
    progress: Progress,
    as_of: dt.date = AS_OF,
    incremental: bool = True,
    replay: bool = True,
) -> Report:
    """Draw `count` worlds from `seed`, build them with the saved ones and check them."""
    started = time.monotonic()
    generated = generate(count, seed, as_of)
    saved = regression_worlds() if replay else []
    progress(f"drew {len(generated):,} worlds from seed {seed} (+{len(saved)} saved)")
    worlds = index_worlds(generated, saved)
    built = build_worlds(worlds, as_of, work, progress, incremental=incremental)
    violations = check_all(built, truth(worlds), as_of)
    decisions = Counter(
        d
        for (d,) in built.full.query(
            f"select decision from analytics.audience_decisions where as_of_date = '{as_of}'"
        )
    )
    return Report(
        seed,
        len(generated),
        len(saved),
        sum(built.raw_rows.values()),
        time.monotonic() - started,
        violations,
        decisions,
    )
