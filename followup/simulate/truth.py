"""The planted truth: the uplift a correct measurement should find per flow.

The measured uplift of flow f is the conversion rate of its 'send' contacts minus that
of its 'holdout' contacts. Each contact counts once per flow, at their entry: their
first decision (a row of ``analytics.audience_decisions`` with decision 'send' or
'holdout'). An entry converts when the contact has a valid order
(``analytics.int_valid_orders``) dated in [entry day, entry day + W - 1]. Counted are
the entries whose window is complete by ``as_of`` (entry day + W - 1 <= as_of) among the
last ``period_days`` such days.

Each sent decision gets its own planted order with probability u_f
(:mod:`followup.simulate.model`); every other order (the generated background, the
orders planted for other decisions) converts sent and held-out decisions alike. With
c_f the share of f's counted decisions (both groups) converted by an order that is not
the one planted for that decision, the expected measured uplift is u_f x (1 - c_f).
The planted order of a decision is recognised by its id
(:func:`followup.simulate.model.planted_order_id`), so the warehouse alone suffices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb

from followup.simulate.model import ATTRIBUTION_WINDOW_DAYS, conversion_of

OUTCOMES_SQL = """
with

decisions as (
    select as_of_date as decision_day, flow_id, flow_step, contact_id, decision
    from {schema}.audience_decisions
    where
        decision in ('send', 'holdout')
        and contact_id is not null
),

entries as (
    select flow_id, contact_id, min(decision_day) as decision_day
    from decisions
    group by flow_id, contact_id
),

measured as (
    select decisions.*
    from decisions
    inner join entries using (flow_id, contact_id, decision_day)
    where decisions.decision_day between $first_day and $last_day
    qualify row_number() over (
        partition by decisions.flow_id, decisions.contact_id order by decisions.flow_step
    ) = 1
),

orders as (
    select order_id, contact_id, order_date from {schema}.int_valid_orders
),

outcomes as (
    select
        measured.flow_id,
        measured.decision,
        count(orders.order_id) > 0 as converted,
        count(orders.order_id) filter (
            where orders.order_id <> 'sim-O-' || strftime(measured.decision_day, '%Y%m%d')
                || '-' || measured.flow_id || '-' || cast(measured.flow_step as varchar)
                || '-' || measured.contact_id
        ) > 0 as converted_other
    from measured
    left join orders
        on
            measured.contact_id = orders.contact_id
            and orders.order_date between measured.decision_day
            and measured.decision_day + cast($last_offset as integer)
    group by
        measured.decision_day,
        measured.flow_id,
        measured.flow_step,
        measured.contact_id,
        measured.decision
)

select
    flow_id,
    count(*) filter (where decision = 'send') as sent,
    count(*) filter (where decision = 'holdout') as held_out,
    count(*) filter (where decision = 'send' and converted) as sent_converted,
    count(*) filter (where decision = 'holdout' and converted) as held_out_converted,
    count(*) filter (where converted_other) as converted_other,
    count(*) filter (where decision = 'send' and converted_other) as sent_converted_other
from outcomes
group by flow_id
order by flow_id
"""


def counted_days(as_of: dt.date, period_days: int, window_days: int) -> tuple[dt.date, dt.date]:
    """The first and last decision day counted (windows complete by ``as_of``)."""
    last = as_of - dt.timedelta(days=window_days - 1)
    return last - dt.timedelta(days=period_days - 1), last


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def planted_uplift(
    warehouse_path: Path | str,
    as_of: dt.date,
    period_days: int,
    window_days: int = ATTRIBUTION_WINDOW_DAYS,
    conversion: Mapping[str, float] | None = None,
    schema: str = "analytics",
) -> dict[str, dict[str, Any]]:
    """Per flow with counted decisions: u (u_f), c (c_f), planted_uplift (u_f x (1 -
    c_f)), decisions, and for comparison the measured rates and uplift (None without a
    holdout). ``conversion`` overrides the model's u_f (e.g. truth.json's). The warehouse
    is opened read-only (the file itself: the published copy has no int_* tables)."""
    if period_days < 1 or window_days < 1:
        raise ValueError("period_days and window_days must be at least 1")
    first_day, last_day = counted_days(as_of, period_days, window_days)
    parameters = {"first_day": first_day, "last_day": last_day, "last_offset": window_days - 1}
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        rows = con.execute(OUTCOMES_SQL.format(schema=schema), parameters).fetchall()
    result: dict[str, dict[str, Any]] = {}
    for flow_id, sent, held, sent_conv, held_conv, other, sent_other in rows:
        u = conversion[flow_id] if conversion is not None else conversion_of(flow_id)
        decisions = sent + held
        c = other / decisions
        sent_rate, held_rate = _rate(sent_conv, sent), _rate(held_conv, held)
        result[flow_id] = {
            "u": u,
            "c": c,
            "planted_uplift": u * (1 - c),
            "decisions": decisions,
            "sent": sent,
            "held_out": held,
            "c_sent": _rate(sent_other, sent),
            "c_held_out": _rate(other - sent_other, held),
            "sent_rate": sent_rate,
            "held_out_rate": held_rate,
            "measured_uplift": (
                sent_rate - held_rate if sent_rate is not None and held_rate is not None else None
            ),
        }
    return result
