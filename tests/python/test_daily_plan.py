"""The rerun and catch-up rules of `followup daily` (followup/daily/plan.py), exactly."""

from __future__ import annotations

import datetime as dt

import pytest

from followup.daily.ledger import StepRow
from followup.daily.plan import DayRefused, plan_run

D = dt.date(2026, 6, 15)
T0 = dt.datetime(2026, 6, 15, 6, 0)


def done(day: dt.date, step: str, minute: int) -> StepRow:
    at = T0 + dt.timedelta(minutes=minute)
    return StepRow("r", day, step, "done", at, at, None, "")


def todo(plan) -> list[tuple[str, str]]:
    return [(str(s.as_of_date), s.step) for s in plan.steps if s.needed]


def test_a_first_run_does_everything() -> None:
    plan = plan_run([], D, delivery="f", last_delivery=None, profiles=("brevo",))
    assert todo(plan) == [(str(D), "load"), (str(D), "build"), (str(D), "export:brevo"),
                          (str(D), "publish")]  # fmt: skip
    assert plan.missed_days == []


def test_a_rerun_after_success_does_nothing() -> None:
    rows = [done(D, "load", 1), done(D, "build", 2), done(D, "export:brevo", 3),
            done(D, "publish", 4)]  # fmt: skip
    plan = plan_run(rows, D, delivery="f", last_delivery="f", profiles=("brevo",))
    assert plan.nothing_to_do
    assert [s.reason for s in plan.steps] == [
        "this delivery is already loaded", "built after the last load",
        "exported after the last build", "published after the last change",
    ]  # fmt: skip


def test_after_a_failed_export_the_rerun_exports_and_publishes() -> None:
    rows = [done(D, "load", 1), done(D, "build", 2)]
    plan = plan_run(rows, D, delivery="f", last_delivery="f", profiles=("brevo", "klaviyo"))
    assert todo(plan) == [(str(D), "export:brevo"), (str(D), "export:klaviyo"),
                          (str(D), "publish")]  # fmt: skip


def test_one_profile_exported_the_other_not() -> None:
    rows = [done(D, "load", 1), done(D, "build", 2), done(D, "export:brevo", 3)]
    plan = plan_run(rows, D, delivery="f", last_delivery="f", profiles=("brevo", "klaviyo"))
    assert todo(plan) == [(str(D), "export:klaviyo"), (str(D), "publish")]


def test_a_new_delivery_for_the_same_day_makes_everything_stale() -> None:
    rows = [done(D, "load", 1), done(D, "build", 2), done(D, "publish", 4)]
    plan = plan_run(rows, D, delivery="g", last_delivery="f", profiles=())
    assert todo(plan) == [(str(D), "load"), (str(D), "build"), (str(D), "publish")]


def test_a_load_newer_than_the_build_rebuilds() -> None:
    rows = [done(D, "build", 1), done(D, "load", 2)]  # an earlier run died after loading
    plan = plan_run(rows, D, delivery=None, last_delivery="f", profiles=())
    assert todo(plan) == [(str(D), "build"), (str(D), "publish")]


def test_missed_days_are_built_in_order_before_the_day() -> None:
    day = D - dt.timedelta(days=3)
    rows = [done(day, "load", 1), done(day, "build", 2), done(day, "publish", 3)]
    plan = plan_run(rows, D, delivery="g", last_delivery="f", profiles=("brevo",))
    assert plan.missed_days == [D - dt.timedelta(days=2), D - dt.timedelta(days=1)]
    assert todo(plan) == [
        (str(D), "load"), ("2026-06-13", "build"), ("2026-06-14", "build"), (str(D), "build"),
        (str(D), "export:brevo"), (str(D), "publish"),
    ]  # fmt: skip


def test_a_catch_up_killed_half_way_goes_on_where_it_stopped() -> None:
    day = D - dt.timedelta(days=3)
    rows = [done(day, "build", 1), done(D, "load", 2), done(D - dt.timedelta(days=2), "build", 3)]
    plan = plan_run(rows, D, delivery="g", last_delivery="g", profiles=())
    assert todo(plan) == [("2026-06-14", "build"), (str(D), "build"), (str(D), "publish")]


def test_the_day_must_be_the_last_one_built() -> None:
    # D was built, then an older day: D's tables are no longer current, so D builds again
    rows = [done(D, "build", 1), done(D - dt.timedelta(days=1), "build", 2)]
    with pytest.raises(DayRefused, match="last built for 2026-06-15; 2026-06-14 is an earlier"):
        plan_run(rows, D - dt.timedelta(days=1), delivery=None, last_delivery=None, profiles=())
    plan = plan_run(rows, D, delivery=None, last_delivery=None, profiles=())
    assert todo(plan) == [(str(D), "build"), (str(D), "publish")]


def test_no_catch_up_and_the_catch_up_limit() -> None:
    rows = [done(D - dt.timedelta(days=40), "build", 1)]
    with pytest.raises(DayRefused, match="39 days are missing before 2026-06-15, more than"):
        plan_run(rows, D, delivery=None, last_delivery=None, profiles=())
    plan = plan_run(rows, D, delivery=None, last_delivery=None, profiles=(), catch_up=False)
    assert todo(plan) == [(str(D), "build"), (str(D), "publish")]
    plan = plan_run(rows, D, delivery=None, last_delivery=None, profiles=(),
                    max_catch_up_days=39)  # fmt: skip
    assert len(plan.missed_days) == 39
