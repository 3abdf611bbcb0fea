"""The simulated ESP and customers: what happens to each mail of a day's send lists.

The constants below are the whole response model (see the package docstring and the
README section "Simulating days"). :func:`respond` turns one day's send rows into raw
rows of the data contract: the ESP's email events and suppressions, and the planted
orders with their lines. Every draw is vectorised: one numpy Generator per (seed, day,
flow), seeded from the flow id's CRC-32 (never from a dict order), draws one row of
uniforms per send in (contact_id, flow_step) order, so a send's fate depends only on
the seed, its day, its flow and its rank in that flow's list.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from followup.bench.settings import project_var
from followup.generate.arrays import int_array, money_array, pick, ts_array
from followup.generate.schema import DATE, INT, SCHEMAS, TEXT, TIMESTAMP

# The attribution window of the planted orders (the warehouse var attribution_window_days).
ATTRIBUTION_WINDOW_DAYS: int = int(project_var("attribution_window_days"))

# The ESP: every mail gets a 'sent' event, then exactly one of these outcomes.
HARD_BOUNCE_P = 0.01
SOFT_BOUNCE_P = 0.02
DELIVERED_P = 1.0 - HARD_BOUNCE_P - SOFT_BOUNCE_P  # 0.97
# Of the delivered mails: independent draws.
MACHINE_OPEN_P = 0.15  # a privacy proxy opens the mail (is_machine_open = true)
REAL_OPEN_P_DEFAULT = 0.35  # a person opens it
REAL_OPEN_P: dict[str, float] = {}  # per-flow exceptions to the default (none yet)
CLICK_P = 0.25  # of the real openers
UNSUBSCRIBE_P = 0.004
SPAM_COMPLAINT_P = 0.001

# The planted truth: a sent contact of flow f places one extra valid order with
# probability u_f, on day d + U{0 .. ATTRIBUTION_WINDOW_DAYS - 1}.
CONVERSION_DEFAULT = 0.05
PLANTED_CONVERSION: dict[str, float] = {
    "abandoned_cart": 0.30,
    "repeat_purchase": 0.20,
    "reactivation": 0.15,
    "lead_nurture": 0.10,
    "win_back": 0.10,
    "reminder_non_open": 0.05,
    "reminder_no_click": 0.05,
    "birthday": 0.0,  # null checks: the measured uplift must be about 0
    "browse_abandonment": 0.0,
}
ORDER_STATUS, ORDER_CURRENCY, ORDER_CHANNEL = "paid", "EUR", "web"
DEFAULT_SEND_HOUR = 9  # when the send list has no preferred_send_hour

# The columns of a send row the model reads (followup.simulate.sendlists writes them).
SEND_SCHEMA = pa.schema(
    [
        ("flow_id", TEXT),
        ("flow_step", INT),
        ("contact_id", TEXT),
        ("email", TEXT),
        ("email_type", TEXT),
        ("campaign_id", TEXT),
        ("preferred_send_hour", INT),
    ]
)
PLANTED_SCHEMA = pa.schema(
    [
        ("decision_day", DATE),
        ("flow_id", TEXT),
        ("flow_step", INT),
        ("contact_id", TEXT),
        ("order_id", TEXT),
        ("ordered_at", TIMESTAMP),
        ("lag_days", INT),
    ]
)
DAY = 86_400


class U(IntEnum):
    """The columns of the uniform draws: one row per send, always all of them."""

    OUTCOME = 0
    MACHINE_OPEN = 1
    REAL_OPEN = 2
    CLICK = 3
    UNSUBSCRIBE = 4
    SPAM = 5
    CONVERT = 6
    LAG = 7
    SEND_SECOND = 8
    DELIVERY_DELAY = 9
    BOUNCE_DELAY = 10
    MACHINE_DELAY = 11
    OPEN_DELAY = 12
    CLICK_DELAY = 13
    EXIT_DELAY = 14
    ORDER_TIME = 15
    ORDER_PRODUCT = 16
    CLICK_PRODUCT = 17


def conversion_of(flow_id: str) -> float:
    """The planted conversion probability u_f of a flow."""
    return PLANTED_CONVERSION.get(flow_id, CONVERSION_DEFAULT)


def real_open_of(flow_id: str) -> float:
    """The probability that a person opens a delivered mail of the flow."""
    return REAL_OPEN_P.get(flow_id, REAL_OPEN_P_DEFAULT)


def response_model() -> dict[str, object]:
    """The constants, as truth.json records them."""
    return {
        "delivered": DELIVERED_P,
        "hard_bounce": HARD_BOUNCE_P,
        "soft_bounce": SOFT_BOUNCE_P,
        "machine_open_of_delivered": MACHINE_OPEN_P,
        "real_open_of_delivered": {"default": REAL_OPEN_P_DEFAULT, **REAL_OPEN_P},
        "click_of_real_openers": CLICK_P,
        "unsubscribe_of_delivered": UNSUBSCRIBE_P,
        "spam_complaint_of_delivered": SPAM_COMPLAINT_P,
        "conversion_default": CONVERSION_DEFAULT,
        "attribution_window_days": ATTRIBUTION_WINDOW_DAYS,
    }


def rng_for(seed: int, day: dt.date, flow_id: str) -> np.random.Generator:
    """The Generator of one flow's sends on one day."""
    return np.random.default_rng([seed, day.toordinal(), zlib.crc32(flow_id.encode("utf-8"))])


def planted_order_id(day: dt.date, flow_id: str, flow_step: int, contact_id: str) -> str:
    """The id of the order planted for a decision (followup.simulate.truth matches on it)."""
    return f"sim-O-{day:%Y%m%d}-{flow_id}-{flow_step}-{contact_id}"


@dataclass(frozen=True)
class Catalogue:
    """The active products a simulated customer buys or clicks, in product_id order."""

    ids: pa.Array
    urls: pa.Array
    cents: np.ndarray

    @classmethod
    def read(cls, products: Path) -> Catalogue:
        table = pq.read_table(products, columns=["product_id", "price", "url", "is_active"])
        keep = pc.and_(
            pc.fill_null(table["is_active"], False),
            pc.and_(pc.is_valid(table["price"]), pc.is_valid(table["url"])),
        )
        table = table.filter(keep).sort_by("product_id")
        table = table.filter(pc.greater(table["price"], pa.scalar(0, table["price"].type)))
        if table.num_rows == 0:
            raise ValueError(f"{products}: no active product with a price to order")
        cents = pc.round(pc.multiply(table["price"].cast(pa.float64()), 100.0)).cast(pa.int64())
        return cls(
            ids=table["product_id"].combine_chunks(),
            urls=table["url"].combine_chunks(),
            cents=cents.to_numpy(),
        )


@dataclass
class Responses:
    """The raw rows the ESP and the customers write for one day."""

    email_events: pa.Table
    esp_suppressions: pa.Table
    orders: pa.Table
    order_lines: pa.Table
    planted: pa.Table

    def tables(self) -> dict[str, pa.Table]:
        return {
            "email_events": self.email_events,
            "esp_suppressions": self.esp_suppressions,
            "orders": self.orders,
            "order_lines": self.order_lines,
            "planted": self.planted,
        }


def sort_sends(sends: pa.Table) -> pa.Table:
    """The send rows in the model's order: flow, contact, step (no dict order anywhere)."""
    sends = sends.select(SEND_SCHEMA.names).cast(SEND_SCHEMA)
    return sends.sort_by([("flow_id", "ascending"), ("contact_id", "ascending"),
                          ("flow_step", "ascending")])  # fmt: skip


def draws(sends: pa.Table, day: dt.date, seed: int) -> np.ndarray:
    """Uniforms (sends x len(U)); ``sends`` must be in :func:`sort_sends` order."""
    flows = sends["flow_id"].to_numpy(zero_copy_only=False)
    out = np.empty((sends.num_rows, len(U)))
    if not flows.size:
        return out
    starts = np.flatnonzero(np.r_[True, flows[1:] != flows[:-1]])
    for lo, hi in zip(starts, np.r_[starts[1:], flows.size], strict=True):
        out[lo:hi] = rng_for(seed, day, str(flows[lo])).random((hi - lo, len(U)))
    return out


def _per_flow(sends: pa.Table, rate: Callable[[str], float]) -> np.ndarray:
    """A flow's rate for every send row."""
    flows = sends["flow_id"].to_numpy(zero_copy_only=False)
    unique, inverse = np.unique(flows, return_inverse=True)
    return np.array([rate(str(f)) for f in unique], dtype=np.float64)[inverse]


def respond(sends: pa.Table, day: dt.date, seed: int, catalogue: Catalogue) -> Responses:
    """The ESP's events and suppressions and the planted orders for ``day``'s sends."""
    sends = sort_sends(sends)
    u = draws(sends, day, seed)
    n = sends.num_rows
    day0 = (day - dt.date(1970, 1, 1)).days * DAY
    end = day0 + DAY - 1
    hour = np.clip(pc.fill_null(sends["preferred_send_hour"], DEFAULT_SEND_HOUR).to_numpy(), 0, 23)
    sent = day0 + hour.astype(np.int64) * 3600 + (u[:, U.SEND_SECOND] * 3600).astype(np.int64)
    hard = u[:, U.OUTCOME] < HARD_BOUNCE_P
    soft = ~hard & (u[:, U.OUTCOME] < HARD_BOUNCE_P + SOFT_BOUNCE_P)
    delivered = ~hard & ~soft
    t_delivered = np.minimum(sent + 2 + (u[:, U.DELIVERY_DELAY] * 88).astype(np.int64), end)
    t_open = np.minimum(
        t_delivered + 60 + (-np.log1p(-u[:, U.OPEN_DELAY]) * 7200).astype(np.int64), end
    )
    real_open = delivered & (u[:, U.REAL_OPEN] < _per_flow(sends, real_open_of))
    key = pc.binary_join_element_wise(
        pa.array([f"{day:%Y%m%d}"] * n, TEXT), sends["flow_id"],
        sends["flow_step"].cast(TEXT), sends["contact_id"], pa.scalar("-"),
    )  # fmt: skip
    parts = [
        ("sent", np.ones(n, bool), sent, -1),
        ("delivered", delivered, t_delivered, -1),
        ("hard_bounce", hard, sent + 5 + (u[:, U.BOUNCE_DELAY] * 595).astype(np.int64), -1),
        ("soft_bounce", soft, sent + 5 + (u[:, U.BOUNCE_DELAY] * 595).astype(np.int64), -1),
        ("open", delivered & (u[:, U.MACHINE_OPEN] < MACHINE_OPEN_P),
         t_delivered + 1 + (u[:, U.MACHINE_DELAY] * 599).astype(np.int64), 1),
        ("open", real_open, t_open, 0),
        ("click", real_open & (u[:, U.CLICK] < CLICK_P),
         t_open + 5 + (u[:, U.CLICK_DELAY] * 595).astype(np.int64), -1),
        ("unsubscribe", delivered & (u[:, U.UNSUBSCRIBE] < UNSUBSCRIBE_P),
         t_open + 30 + (u[:, U.EXIT_DELAY] * 600).astype(np.int64), -1),
        ("spam_complaint", delivered & (u[:, U.SPAM] < SPAM_COMPLAINT_P),
         t_open + 30 + (u[:, U.EXIT_DELAY] * 600).astype(np.int64), -1),
    ]  # fmt: skip
    events = _email_events(sends, key, parts, end, u, catalogue)
    orders, lines, planted = _orders(sends, day, sent, end, u, catalogue)
    return Responses(events, _suppressions(sends, events), orders, lines, planted)


def _email_events(
    sends: pa.Table,
    key: pa.Array,
    parts: list[tuple[str, np.ndarray, np.ndarray, int]],
    end: int,
    u: np.ndarray,
    catalogue: Catalogue,
) -> pa.Table:
    """One row per event; ``parts``: (event type, which sends, when, machine flag)."""
    index = np.concatenate([np.flatnonzero(which) for _, which, _, _ in parts])
    code = np.concatenate(
        [np.full(int(which.sum()), k) for k, (_, which, _, _) in enumerate(parts)]
    )
    when = np.minimum(np.concatenate([t[which] for _, which, t, _ in parts]), end)
    order = np.lexsort((code, when, index))
    index, code, when = index[order], code[order], when[order]
    types = [p[0] for p in parts]
    suffixes = [t if p[3] != 1 else "open-machine" for t, p in zip(types, parts, strict=True)]
    machine = np.array([p[3] for p in parts])[code]
    click = code == types.index("click")
    product = np.where(click, (u[index, U.CLICK_PRODUCT] * len(catalogue.ids)).astype(int), -1)
    take = pa.array(index)
    return pa.table(
        {
            "event_id": pc.binary_join_element_wise(
                pa.scalar("sim-E"), key.take(take), pick(suffixes, code), pa.scalar("-")
            ),
            "message_id": pc.binary_join_element_wise(
                pa.scalar("sim-M"), key.take(take), pa.scalar("-")
            ),
            "contact_id": sends["contact_id"].take(take),
            "email_type": sends["email_type"].take(take),
            "campaign_id": sends["campaign_id"].take(take),
            "flow_id": sends["flow_id"].take(take),
            "flow_step": sends["flow_step"].take(take),
            "event_type": pick(types, code),
            "occurred_at": ts_array(when),
            "url": pick(catalogue.urls, product),
            "product_id": pick(catalogue.ids, product),
            "is_machine_open": pa.array(machine == 1, mask=machine < 0),
        },
        schema=SCHEMAS["email_events"],
    )


def _suppressions(sends: pa.Table, events: pa.Table) -> pa.Table:
    """The ESP suppresses the addresses that bounced hard, unsubscribed or complained."""
    reasons = pa.array(["hard_bounce", "unsubscribe", "spam_complaint"], TEXT)
    exits = events.filter(pc.is_in(events["event_type"], reasons))
    emails = sends.select(["contact_id", "email"]).group_by("contact_id").aggregate(
        [("email", "min")]
    )  # fmt: skip
    joined = exits.join(emails, "contact_id", join_type="left outer")
    joined = joined.sort_by([("occurred_at", "ascending"), ("event_id", "ascending")])
    return pa.table(
        {
            "email": joined["email_min"],
            "reason": joined["event_type"],
            "suppressed_at": joined["occurred_at"],
        },
        schema=SCHEMAS["esp_suppressions"],
    )


def _orders(
    sends: pa.Table, day: dt.date, sent: np.ndarray, end: int, u: np.ndarray, catalogue: Catalogue
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """The planted orders (one line each) and the decisions they answer."""
    convert = np.flatnonzero(u[:, U.CONVERT] < _per_flow(sends, conversion_of))
    rows = u[convert]
    lag = (rows[:, U.LAG] * ATTRIBUTION_WINDOW_DAYS).astype(np.int64)
    earliest = np.minimum(sent[convert] + 600, end)
    same_day = earliest + (rows[:, U.ORDER_TIME] * (end - earliest)).astype(np.int64)
    later = end + 1 + (lag - 1) * DAY + (rows[:, U.ORDER_TIME] * DAY).astype(np.int64)
    ordered = np.where(lag == 0, same_day, later)
    product = (rows[:, U.ORDER_PRODUCT] * len(catalogue.ids)).astype(np.int64)
    chosen = sends.take(pa.array(convert))
    order_id = pc.binary_join_element_wise(
        pa.scalar(f"sim-O-{day:%Y%m%d}"), chosen["flow_id"], chosen["flow_step"].cast(TEXT),
        chosen["contact_id"], pa.scalar("-"),
    )  # fmt: skip
    cents = catalogue.cents[product]
    orders = pa.table(
        {
            "order_id": order_id,
            "contact_id": chosen["contact_id"],
            "ordered_at": ts_array(ordered),
            "status": pa.array([ORDER_STATUS] * convert.size, TEXT),
            "delivered_at": pa.nulls(convert.size, TIMESTAMP),
            "total_amount": money_array(cents),
            "currency": pa.array([ORDER_CURRENCY] * convert.size, TEXT),
            "channel": pa.array([ORDER_CHANNEL] * convert.size, TEXT),
        },
        schema=SCHEMAS["orders"],
    )
    lines = pa.table(
        {
            "order_id": order_id,
            "line_number": int_array(np.ones(convert.size)),
            "product_id": catalogue.ids.take(pa.array(product)),
            "quantity": int_array(np.ones(convert.size)),
            "unit_price": money_array(cents),
        },
        schema=SCHEMAS["order_lines"],
    )
    planted = pa.table(
        {
            "decision_day": pa.array([day] * convert.size, DATE),
            "flow_id": chosen["flow_id"],
            "flow_step": chosen["flow_step"],
            "contact_id": chosen["contact_id"],
            "order_id": order_id,
            "ordered_at": ts_array(ordered),
            "lag_days": int_array(lag),
        },
        schema=PLANTED_SCHEMA,
    )
    return orders, lines, planted
