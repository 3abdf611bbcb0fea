"""Which steps a daily run has to do, from the run ledger: the rerun and catch-up rules.

The steps of a day D, each depending on the one before:

    load (only with --from)  →  build of every missed day, in date order  →  build of D
    →  export:<profile> of D (one per --esp)  →  publish of D

A step is **done** when the ledger has a ``done`` row for it that is newer than every
step it depends on (a new load makes the builds stale, a new build the exports, and so
on). A run does the steps that are not done and skips the others, so a rerun after a
success does nothing, and a rerun after a failure or a kill finishes the work. A load
is done when the newest finished load was of the same delivery (the SHA-256 of its
files).

Missed days: when the last day the warehouse was built for (L) is older than D - 1,
the days L + 1 … D - 1 are built first, in order, from the delivery of D. They get
their history (decisions, lifecycle history, transitions) as those days would have had
it; nothing is exported for them and nothing is published for them: their mails were
never sent and are not sent late. ``--no-catch-up`` builds D only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from followup.daily.ledger import StepRow
from followup.errors import Refused

NEVER = dt.datetime.min
NOW = dt.datetime.max  # a step this run does is newer than everything before it


class DayRefused(Refused):
    """The asked day cannot be run on this warehouse (exit code 1)."""


@dataclass(frozen=True)
class PlannedStep:
    """One step of the run, and whether it has to run or is already done."""

    as_of_date: dt.date
    step: str
    needed: bool
    reason: str


@dataclass(frozen=True)
class Plan:
    steps: list[PlannedStep]
    missed_days: list[dt.date]

    @property
    def nothing_to_do(self) -> bool:
        return not any(step.needed for step in self.steps)


def plan_run(
    done: list[StepRow],
    as_of: dt.date,
    *,
    delivery: str | None,
    last_delivery: str | None,
    profiles: tuple[str, ...],
    catch_up: bool = True,
    max_catch_up_days: int = 31,
) -> Plan:
    """The steps of a run for ``as_of`` given the ledger's ``done`` rows."""
    latest: dict[tuple[dt.date, str], dt.datetime] = {}
    for row in done:
        key = (row.as_of_date, row.step)
        finished = row.finished_at or NEVER
        latest[key] = max(latest.get(key, NEVER), finished)
    steps: list[PlannedStep] = []

    loaded_at = max((t for (_, step), t in latest.items() if step == "load"), default=NEVER)
    if delivery is not None:
        if delivery == last_delivery:
            steps.append(PlannedStep(as_of, "load", False, "this delivery is already loaded"))
        else:
            steps.append(PlannedStep(as_of, "load", True, "a new delivery"))
            loaded_at = NOW

    built = {day: t for (day, step), t in latest.items() if step == "build"}
    last_day = max(built, default=None)
    if last_day is not None and last_day > as_of:
        raise DayRefused(
            f"the warehouse was last built for {last_day}; {as_of} is an earlier day and the "
            "daily job only goes forward (to look at an old day, build a copy with "
            "`followup build --as-of`)"
        )
    missed: list[dt.date] = []
    if catch_up and last_day is not None and last_day < as_of - dt.timedelta(days=1):
        missed = [last_day + dt.timedelta(days=n) for n in range(1, (as_of - last_day).days)]
        if len(missed) > max_catch_up_days:
            raise DayRefused(
                f"the last day built is {last_day}: {len(missed)} days are missing before "
                f"{as_of}, more than --max-catch-up-days {max_catch_up_days}; give a larger "
                "--max-catch-up-days, or --no-catch-up to build only the day asked for"
            )

    before = loaded_at
    for day in [*missed, as_of]:
        newer_than = before
        if day == as_of:  # the current tables must be D's: no other day built after it
            others = [t for other, t in built.items() if other != day]
            newer_than = max([newer_than, *others])
        finished = built.get(day)
        if finished is not None and finished > newer_than:
            steps.append(PlannedStep(day, "build", False, "built after the last load"))
            before = finished
        else:
            reason = "a missed day" if day != as_of else "the day asked for"
            steps.append(PlannedStep(day, "build", True, reason))
            before = NOW

    built_at = before
    published_after = built_at
    for profile in profiles:
        step = f"export:{profile}"
        finished = latest.get((as_of, step))
        if finished is not None and finished > built_at:
            steps.append(PlannedStep(as_of, step, False, "exported after the last build"))
            published_after = max(published_after, finished)
        else:
            steps.append(PlannedStep(as_of, step, True, "not exported since the last build"))
            published_after = NOW
    finished = latest.get((as_of, "publish"))
    if finished is not None and finished > published_after:
        steps.append(PlannedStep(as_of, "publish", False, "published after the last change"))
    else:
        steps.append(PlannedStep(as_of, "publish", True, "not published since the last change"))
    return Plan(steps, missed)
