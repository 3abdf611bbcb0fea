"""pandas: RFM and the abandoned-cart flow, as an analyst would write them.

The rule parameters come from the project: the dbt vars of dbt_project.yml, the
accepted values of the raw contract and the flow registry (see followup.bench.settings).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from followup import PROJECT_DIR
from followup.bench.settings import flow_setting, project_var, raw_accepted_values

# The accepted values of staging's code columns, from the raw contract.
ORDER_STATUSES = raw_accepted_values("orders", "status")
ORDER_CHANNELS = raw_accepted_values("orders", "channel")
WEB_EVENT_TYPES = raw_accepted_values("web_events", "event_type")
WEB_PAGE_TYPES = raw_accepted_values("web_events", "page_type")
# The columns of web_events that the recognition levels and the cart need.
WEB_COLUMNS = (
    "event_id",
    "visitor_id",
    "contact_id",
    "is_logged_in",
    "event_type",
    "page_type",
    "product_id",
    "occurred_at",
)
# The rule parameters: the dbt vars of dbt_project.yml and the flow registry.
RFM_LOOKBACK_DAYS = int(project_var("rfm_lookback_days"))
CART_OFFSET_DAYS = int(project_var("abandoned_cart_offset_days"))
CART_WINDOW_DAYS = int(project_var("abandoned_cart_window_days"))
MAX_PRODUCTS = int(flow_setting("abandoned_cart", "products"))  # products per mail
WHITESPACE = " \t\r\n"


def _clean_text(series):  # type: ignore[no-untyped-def]
    """Trim ASCII whitespace; empty becomes missing (like staging's clean_text)."""
    import pandas as pd

    cleaned = series.astype("string").str.strip(WHITESPACE)
    return cleaned.mask(cleaned == "", pd.NA)


def _days_ago(timestamps, as_of: dt.date):  # type: ignore[no-untyped-def]
    """D minus the date of each timestamp, in whole days."""
    import pandas as pd

    return (pd.Timestamp(as_of) - timestamps.dt.normalize()).dt.days


def _drop_duplicate_keys(frame, key: str):  # type: ignore[no-untyped-def]
    """Rows with a missing key go; identical copies collapse; a key on differing rows goes.

    Only the few rows whose key repeats are compared in full.
    """
    frame = frame[frame[key].notna()]
    repeated = frame[key].duplicated(keep=False)
    if not repeated.any():
        return frame
    copies = frame[repeated].drop_duplicates()
    conflicting = copies[key][copies[key].duplicated(keep=False)]
    copies = copies[~copies[key].isin(conflicting)]
    import pandas as pd

    return pd.concat([frame[~repeated], copies])


def staged_contact_ids(contacts, erasures):  # type: ignore[no-untyped-def]
    """(known contact ids, erased contact ids) from the raw contacts and erasure requests.

    A contact is known when its id is set, it is not erased (by id, or by any of its raw
    emails), its winning row (latest updated_at) does not carry an erased email, and the
    rows at its latest updated_at are not different from one another (ambiguous).
    """
    import pandas as pd

    contacts = contacts.assign(
        _id=_clean_text(contacts["contact_id"]),
        _email=_clean_text(contacts["email"]).str.lower(),
    )
    request_ids = set(_clean_text(erasures["contact_id"]).dropna())
    request_emails = set(_clean_text(erasures["email"]).str.lower().dropna())
    by_email = set(contacts.loc[contacts["_email"].isin(request_emails), "_id"].dropna())
    erased_ids = request_ids | by_email
    erased_emails = request_emails | set(
        contacts.loc[contacts["_id"].isin(erased_ids), "_email"].dropna()
    )

    contacts = contacts[contacts["_id"].notna()]
    latest = contacts.groupby("_id")["updated_at"].transform("max")
    is_latest = (contacts["updated_at"] == latest) | (contacts["updated_at"].isna() & latest.isna())
    winners = contacts[is_latest].drop_duplicates()
    ambiguous = set(winners.loc[winners["_id"].duplicated(), "_id"])
    winners = winners.drop_duplicates("_id")
    known = winners[
        ~winners["_id"].isin(erased_ids)
        & ~winners["_email"].isin(erased_emails)
        & ~winners["_id"].isin(ambiguous)
    ]["_id"]
    return pd.Index(known.unique()), pd.Index(sorted(erased_ids))


def staged_orders(orders, known_ids, erased_ids):  # type: ignore[no-untyped-def]
    """The usable orders: the filters of staging, without its quarantine bookkeeping."""
    orders = orders.assign(
        order_id=_clean_text(orders["order_id"]),
        contact_id=_clean_text(orders["contact_id"]),
        status=_clean_text(orders["status"]).str.lower(),
        channel=_clean_text(orders["channel"]).str.lower(),
        currency=_clean_text(orders["currency"]).str.upper(),
    )
    orders = orders[~orders["contact_id"].isin(erased_ids)]
    orders = _drop_duplicate_keys(orders, "order_id")
    orders = orders[
        orders["ordered_at"].notna()
        & orders["total_amount"].notna()
        & orders["status"].isin(ORDER_STATUSES)
        & orders["channel"].isin(ORDER_CHANNELS)
        & (orders["total_amount"] >= 0)
        & (orders["contact_id"].isna() | orders["contact_id"].isin(known_ids))
    ]
    return orders


def valid_orders(orders, as_of: dt.date):  # type: ignore[no-untyped-def]
    """Orders that count: not cancelled or returned, placed on D or before."""
    orders = orders[~orders["status"].isin(["cancelled", "returned"])]
    days_ago = _days_ago(orders["ordered_at"], as_of)
    return orders[days_ago >= 0].assign(days_ago=days_ago[days_ago >= 0])


def pandas_rfm(valid, segments, lookback_days: int = RFM_LOOKBACK_DAYS):  # type: ignore[no-untyped-def]
    """RFM scores and segment of every customer, from valid orders.

    `valid` has contact_id, days_ago and total_amount; `segments` is seeds/rfm_segments.csv.
    Scores are ceil(5 * c / n) with ties alike; money is summed in whole cents.
    """
    import numpy as np
    import pandas as pd

    window = valid[valid["contact_id"].notna() & (valid["days_ago"] <= lookback_days - 1)]
    cents = (window["total_amount"].astype("float64") * 100).round().astype("int64")
    customers = (
        window.assign(cents=cents)
        .groupby("contact_id")
        .agg(
            recency_days=("days_ago", "min"),
            frequency=("days_ago", "size"),
            monetary_cents=("cents", "sum"),
        )
    )
    n = len(customers)
    if n == 0:
        return customers.assign(r_score=[], f_score=[], m_score=[], rfm_segment=[])

    def score(ranks: pd.Series) -> pd.Series:
        counts = ranks.astype("int64")
        return ((5 * counts + n - 1) // n).astype("int64")

    customers["r_score"] = score(customers["recency_days"].rank(method="max", ascending=False))
    customers["f_score"] = score(customers["frequency"].rank(method="max"))
    customers["m_score"] = score(customers["monetary_cents"].rank(method="max"))

    rules = segments.sort_values("rule_order")
    conditions = [
        customers["r_score"].between(rule.r_min, rule.r_max)
        & customers["f_score"].between(rule.f_min, rule.f_max)
        & customers["m_score"].between(rule.m_min, rule.m_max)
        for rule in rules.itertuples()
    ]
    labels = rules["segment"].to_numpy()
    customers["rfm_segment"] = np.select(conditions, labels, default=None)
    return customers


def staged_web_events(web, known_ids, erased_ids):  # type: ignore[no-untyped-def]
    """The usable web events: the filters of staging, without the quarantine."""
    web = web.assign(
        event_id=_clean_text(web["event_id"]),
        visitor_id=_clean_text(web["visitor_id"]),
        contact_id=_clean_text(web["contact_id"]),
        event_type=_clean_text(web["event_type"]).str.lower(),
        page_type=_clean_text(web["page_type"]).str.lower(),
        product_id=_clean_text(web["product_id"]),
    )
    web = web[~web["contact_id"].isin(erased_ids)]
    web = _drop_duplicate_keys(web, "event_id")
    return web[
        web["visitor_id"].notna()
        & web["occurred_at"].notna()
        & web["event_type"].isin(WEB_EVENT_TYPES)
        & (web["page_type"].isna() | web["page_type"].isin(WEB_PAGE_TYPES))
        & (web["contact_id"].isna() | web["contact_id"].isin(known_ids))
    ]


def recognise_web_events(web):  # type: ignore[no-untyped-def]
    """Recognition level (1-4) and attributed contact of every web event.

    4 logged in (is_logged_in and a contact_id); 3 a logged-in event of the same visitor
    strictly earlier (its contact: the latest such event, ties the smallest event_id);
    1 the visitor's first event; 2 otherwise.
    """
    import numpy as np
    import pandas as pd

    identified = web["is_logged_in"].fillna(False).astype(bool) & web["contact_id"].notna()
    logins = (
        web.loc[identified, ["visitor_id", "occurred_at", "event_id", "contact_id"]]
        .sort_values(["visitor_id", "occurred_at", "event_id"])
        .drop_duplicates(["visitor_id", "occurred_at"])
        .rename(columns={"occurred_at": "login_at", "contact_id": "login_contact_id"})
        .drop(columns="event_id")
        .sort_values("login_at")
    )
    events = web.assign(_identified=identified).sort_values("occurred_at")
    events = pd.merge_asof(
        events,
        logins,
        left_on="occurred_at",
        right_on="login_at",
        by="visitor_id",
        allow_exact_matches=False,
        direction="backward",
    )
    first_seen = events.groupby("visitor_id")["occurred_at"].transform("min")
    identified = events["_identified"].to_numpy()
    after_login = events["login_at"].notna().to_numpy()
    events["recognition_level"] = np.select(
        [identified, after_login, (events["occurred_at"] == first_seen).to_numpy()],
        [4, 3, 1],
        default=2,
    )
    events["contact_id"] = events["contact_id"].where(
        identified, events["login_contact_id"].where(after_login)
    )
    return events.drop(columns=["_identified", "login_at", "login_contact_id"])


def pandas_abandoned_cart(recognised, valid, products, as_of: dt.date):  # type: ignore[no-untyped-def]
    """The abandoned-cart triggers of D, one row per contact (flow_trigger__abandoned_cart)."""
    cart = recognised[
        (recognised["recognition_level"] >= 3)
        & recognised["event_type"].isin(["add_to_cart", "remove_from_cart"])
    ]
    last_orders = valid.groupby("contact_id")["ordered_at"].max().rename("last_order_at")
    adds = cart[cart["event_type"] == "add_to_cart"]
    latest_adds = adds.groupby("contact_id")["occurred_at"].max().rename("latest_add_at")
    contacts = latest_adds.to_frame().join(last_orders, how="left")
    contacts = contacts[
        (_days_ago(contacts["latest_add_at"], as_of) == CART_OFFSET_DAYS)
        & (
            contacts["last_order_at"].isna()
            | (contacts["last_order_at"] < contacts["latest_add_at"])
        )
    ]

    moves = cart[cart["product_id"].notna() & cart["contact_id"].isin(contacts.index)]
    moves = moves.assign(
        add_at=moves["occurred_at"].where(moves["event_type"] == "add_to_cart"),
        remove_at=moves["occurred_at"].where(moves["event_type"] == "remove_from_cart"),
    )
    moves = moves.groupby(["contact_id", "product_id"], as_index=False).agg(
        add_at=("add_at", "max"), remove_at=("remove_at", "max")
    )
    moves = moves.merge(contacts[["last_order_at"]], left_on="contact_id", right_index=True)
    moves = moves.merge(products[["product_id", "price_cents"]], on="product_id")
    add_days = _days_ago(moves["add_at"], as_of)
    moves = moves[
        add_days.between(CART_OFFSET_DAYS, CART_WINDOW_DAYS)
        & (moves["last_order_at"].isna() | (moves["add_at"] > moves["last_order_at"]))
        & (moves["remove_at"].isna() | (moves["remove_at"] <= moves["add_at"]))
    ]
    moves = moves.sort_values(["contact_id", "add_at", "product_id"], ascending=[True, False, True])
    moves["rank"] = moves.groupby("contact_id").cumcount() + 1
    carts = moves.groupby("contact_id").agg(
        cart_item_count=("product_id", "size"), cart_value_cents=("price_cents", "sum")
    )
    top = moves[moves["rank"] <= MAX_PRODUCTS].pivot(
        index="contact_id", columns="rank", values="product_id"
    )
    top = top.reindex(columns=range(1, MAX_PRODUCTS + 1))
    top.columns = [f"product_{rank}_id" for rank in top.columns]
    result = contacts[["latest_add_at"]].join(carts, how="inner").join(top, how="inner")
    result = result.rename(columns={"latest_add_at": "trigger_at"})
    return result.reset_index()


def staged_products(products):  # type: ignore[no-untyped-def]
    """Products with a usable key and their price in cents."""
    products = products.assign(product_id=_clean_text(products["product_id"]))
    products = _drop_duplicate_keys(products, "product_id")
    price = products["price"].astype("float64")
    return products.assign(price_cents=(price * 100).round().astype("Int64"))


def pandas_worker(data_dir: Path, as_of: dt.date, out_dir: Path, result_file: Path) -> None:
    """Run the pandas step in this process: read the raw Parquet files, RFM and the cart."""
    import pandas as pd

    timings: dict[str, float] = {}
    started = time.perf_counter()
    contacts = pd.read_parquet(data_dir / "contacts.parquet")
    erasures = pd.read_parquet(data_dir / "erasure_requests.parquet")
    orders = pd.read_parquet(data_dir / "orders.parquet")
    # the columns the recognition levels and the cart need (not url, session_id)
    web = pd.read_parquet(data_dir / "web_events.parquet", columns=list(WEB_COLUMNS))
    products = pd.read_parquet(data_dir / "products.parquet")
    segments = pd.read_csv(PROJECT_DIR / "seeds" / "rfm_segments.csv")
    timings["read"] = time.perf_counter() - started

    mark = time.perf_counter()
    known_ids, erased_ids = staged_contact_ids(contacts, erasures)
    valid = valid_orders(staged_orders(orders, known_ids, erased_ids), as_of)
    rfm = pandas_rfm(valid, segments)
    timings["rfm"] = time.perf_counter() - mark

    mark = time.perf_counter()
    # each step replaces `web`, so that pandas can free the frame before it
    web = staged_web_events(web, known_ids, erased_ids)
    web = recognise_web_events(web)
    web = web[_days_ago(web["occurred_at"], as_of) >= 0]
    cart = pandas_abandoned_cart(web, valid, staged_products(products), as_of)
    timings["abandoned_cart"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started

    out_dir.mkdir(parents=True, exist_ok=True)
    rfm.reset_index().to_parquet(out_dir / "rfm.parquet", index=False)
    cart.to_parquet(out_dir / "abandoned_cart.parquet", index=False)
    result_file.write_text(
        json.dumps(
            {
                "seconds": timings["total"],
                "timings": timings,
                "customers": len(rfm),
                "abandoned_carts": len(cart),
                "web_events_up_to_d": len(web),
                "orders": len(orders),
            },
            indent=1,
        ),
        encoding="utf-8",
    )


# What compare_with_dbt asks DuckDB: RFM customers and scores of dbt (d) and pandas (p).
RFM_COMPARISON_SQL = """
            select
                count(*) filter (where d.contact_id is not null) as dbt_customers,
                count(*) filter (where p.contact_id is not null) as pandas_customers,
                count(*) filter (where d.contact_id is not null and p.contact_id is not null)
                    as both_,
                count(*) filter (
                    where d.r_score = p.r_score and d.f_score = p.f_score
                    and d.m_score = p.m_score
                ) as same_scores,
                count(*) filter (where d.rfm_segment is not distinct from p.rfm_segment
                    and d.contact_id is not null and p.contact_id is not null) as same_segment,
                count(*) filter (where d.recency_days = p.recency_days
                    and d.frequency = p.frequency
                    and cast(d.monetary * 100 as bigint) = p.monetary_cents) as same_values
            from analytics.contact_rfm as d
            full outer join p_rfm as p on d.contact_id = p.contact_id
            """
# ... and the abandoned-cart rows of both.
CART_COMPARISON_SQL = """
            with d as (
                select contact_id, trigger_at, product_1_id, product_2_id, product_3_id,
                    cart_item_count, cast(cart_value * 100 as bigint) as cart_value_cents
                from analytics.flow_trigger__abandoned_cart
            ),
            p as (
                select contact_id, trigger_at, product_1_id, product_2_id, product_3_id,
                    cast(cart_item_count as integer) as cart_item_count,
                    cast(cart_value_cents as bigint) as cart_value_cents
                from p_cart
            )
            select
                (select count(*) from d), (select count(*) from p),
                (select count(*) from (select * from d intersect all select * from p))
            """


def compare_with_dbt(database: Path, pandas_dir: Path) -> dict[str, Any]:
    """Compare the pandas results with the dbt build's contact_rfm and abandoned cart."""
    import duckdb

    con = duckdb.connect(str(database), read_only=True)
    try:
        con.execute(
            f"create temp view p_rfm as select * from read_parquet('{pandas_dir / 'rfm.parquet'}')"
        )
        con.execute(
            "create temp view p_cart as select * from "
            f"read_parquet('{pandas_dir / 'abandoned_cart.parquet'}')"
        )
        rfm = con.execute(RFM_COMPARISON_SQL).fetchone()
        cart = con.execute(CART_COMPARISON_SQL).fetchone()
    finally:
        con.close()
    return _comparison(rfm, cart)


def _comparison(rfm: tuple[Any, ...], cart: tuple[Any, ...]) -> dict[str, Any]:
    """The document of compare_with_dbt from the counts of its two queries."""
    dbt_customers, pandas_customers, both, same_scores, same_segment, same_values = rfm
    union = dbt_customers + pandas_customers - both
    return {
        "rfm": {
            "dbt_customers": dbt_customers,
            "pandas_customers": pandas_customers,
            "customers_in_both": both,
            "identical_scores": same_scores,
            "identical_segment": same_segment,
            "identical_recency_frequency_monetary": same_values,
            "identical_scores_share": same_scores / union if union else 1.0,
        },
        "abandoned_cart": {
            "dbt_rows": cart[0],
            "pandas_rows": cart[1],
            "identical_rows": cart[2],
            "identical_share": cart[2] / max(cart[0], cart[1]) if max(cart[0], cart[1]) else 1.0,
        },
    }
