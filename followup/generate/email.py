"""Bulk email behaviour, alerts, service interactions, erasures, and one chunk of it all."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from followup.generate.arrays import Counters, draw, id_array, int_array, pick, ragged, ts_array
from followup.generate.calendar import DAY, Campaigns, Clock
from followup.generate.catalogue import Catalogue
from followup.generate.population import People, bulk_consent, bulk_contacts, bulk_orders, bulk_web
from followup.generate.reference import SHOP
from followup.generate.registry import FLOWS
from followup.generate.schema import SCHEMAS, TEXT

# Regular campaigns each contact receives (share of the campaigns in its consent window)
# and follow-up flow mails per contact: tuned for about 50 email events per contact.
CAMPAIGN_SHARE = 0.12
FLOW_MAILS_PER_CONTACT = 3.0
FLOW_IDS: tuple[str, ...] = tuple(FLOWS)
FLOW_WEIGHTS: tuple[float, ...] = (12, 8, 8, 10, 5, 4, 3, 5, 4, 3, 2, 6, 8, 2, 10, 1, 3)
EMAIL_EVENT_TYPES: tuple[str, ...] = (
    "sent",
    "delivered",
    "open",
    "click",
    "soft_bounce",
    "hard_bounce",
    "unsubscribe",
    "spam_complaint",
)
LANDING_URLS: tuple[str, ...] = (
    f"{SHOP}/sale",
    f"{SHOP}/new",
    f"{SHOP}/inspiration",
    f"{SHOP}/blog/gift-ideas",
)
# A contact's last campaign mail may end its mailing life: (none, unsubscribe, hard bounce, spam)
EXIT_P: tuple[float, ...] = (0.955, 0.03, 0.01, 0.005)


@dataclass
class Messages:
    """One email to one recipient per element."""

    contact: np.ndarray
    sent: np.ndarray
    campaign: np.ndarray  # index into the campaigns, -1 = none
    flow: np.ndarray  # index into FLOW_IDS, -1 = regular campaign
    step: np.ndarray  # flow step, 0 = none
    fate: np.ndarray  # 0 normal, 1 unsubscribe, 2 hard bounce, 3 spam complaint


def campaign_messages(
    rng: np.random.Generator, people: People, campaigns: Campaigns, clock: Clock
) -> Messages:
    """Regular campaigns to consenting contacts, a share of those sent during their consent."""
    consenting = people.mailable & (people.opt_in >= 0)
    window_end = np.where(people.opt_out >= 0, people.opt_out, clock.day_end + 1)
    lo = np.searchsorted(campaigns.sent_at, people.opt_in, side="left")
    hi = np.searchsorted(campaigns.sent_at, window_end - 1800, side="left")
    available = np.where(consenting, np.maximum(hi - lo, 0), 0)
    chosen = rng.binomial(available, CAMPAIGN_SHARE)
    contact, rank = ragged(chosen)
    # Stratified choice: distinct campaigns, in time order per contact.
    stride = available[contact] / np.maximum(chosen[contact], 1)
    campaign = lo[contact] + ((rank + rng.random(contact.size)) * stride).astype(np.int64)
    sent = campaigns.sent_at[campaign] + rng.integers(0, 1800, contact.size)
    fate = np.zeros(contact.size, np.int64)
    has = chosen > 0
    last = (np.cumsum(chosen) - 1)[has]
    fate[last] = draw(rng, EXIT_P, int(has.sum()))
    return Messages(
        contact=contact,
        sent=sent,
        campaign=campaign,
        flow=np.full(contact.size, -1),
        step=np.zeros(contact.size, np.int64),
        fate=fate,
    )


def flow_messages(
    rng: np.random.Generator,
    people: People,
    campaigns: Campaigns,
    clock: Clock,
    exit_at: np.ndarray,
    exit_fate: np.ndarray,
) -> Messages:
    """Follow-up flow mails in the past (marketing flows only while consenting)."""
    n = people.size
    per_contact = np.where(people.mailable, rng.poisson(FLOW_MAILS_PER_CONTACT, n), 0)
    contact, _ = ragged(per_contact)
    size = contact.size
    flow = draw(rng, FLOW_WEIGHTS, size)
    marketing = np.array([FLOWS[f][0] == "marketing" for f in FLOW_IDS])[flow]
    window_end = np.where(people.opt_out >= 0, people.opt_out, clock.day_end)
    begin = np.where(marketing, people.opt_in[contact], people.created[contact])
    end = np.where(marketing, window_end[contact], clock.day_end)
    sent = begin + (rng.random(size) * (end - begin)).astype(np.int64)
    fate = exit_fate[contact]
    after_exit = sent > exit_at[contact]
    keep = (~marketing | (people.opt_in[contact] >= 0)) & (end > begin)
    keep &= ~(after_exit & ((fate >= 2) | ((fate == 1) & marketing)))
    contact, flow, sent = contact[keep], flow[keep], sent[keep]
    multi_step = np.isin(flow, [FLOW_IDS.index("welcome"), FLOW_IDS.index("customer_onboarding")])
    step = np.where(multi_step, rng.integers(1, 4, contact.size), 1)
    reminder = np.isin(
        flow, [FLOW_IDS.index("reminder_no_click"), FLOW_IDS.index("reminder_non_open")]
    )
    followed = np.searchsorted(campaigns.sent_at, sent - 3 * DAY, side="right") - 1
    return Messages(
        contact=contact,
        sent=sent,
        campaign=np.where(reminder, followed, -1),
        flow=flow,
        step=step,
        fate=np.zeros(contact.size, np.int64),
    )


def _all_messages(
    rng: np.random.Generator, people: People, campaigns: Campaigns, clock: Clock
) -> Messages:
    """Campaign and flow mails of the chunk, sorted per contact by send time."""
    regular = campaign_messages(rng, people, campaigns, clock)
    exit_at = np.full(people.size, np.iinfo(np.int64).max)
    exit_fate = np.zeros(people.size, np.int64)
    exits = np.flatnonzero(regular.fate > 0)
    exit_at[regular.contact[exits]] = regular.sent[exits]
    exit_fate[regular.contact[exits]] = regular.fate[exits]
    flows = flow_messages(rng, people, campaigns, clock, exit_at, exit_fate)
    msg = Messages(
        *(
            np.concatenate([getattr(regular, f), getattr(flows, f)])
            for f in ("contact", "sent", "campaign", "flow", "step", "fate")
        )
    )
    order = np.lexsort((msg.sent, msg.contact))
    return Messages(
        *(x[order] for x in (msg.contact, msg.sent, msg.campaign, msg.flow, msg.step, msg.fate))
    )


def _suppressions(
    rng: np.random.Generator,
    people: People,
    clock: Clock,
    who_events: np.ndarray,
    ev_type: np.ndarray,
    ev_time: np.ndarray,
) -> pa.Table:
    """The ESP suppresses addresses that unsubscribed, bounced hard or complained, and a
    few by hand (who_events: the contact of each event)."""
    reasons = {6: "unsubscribe", 5: "hard_bounce", 7: "spam_complaint"}
    exit_events = np.flatnonzero(np.isin(ev_type, list(reasons)))
    manual = np.flatnonzero(people.mailable & (rng.random(people.size) < 0.0003))
    manual_at = people.created[manual] + (
        rng.random(manual.size) * (clock.day_end - people.created[manual])
    ).astype(np.int64)
    who = np.concatenate([who_events[exit_events], manual])
    reason_code = np.concatenate(
        [np.searchsorted([5, 6, 7], ev_type[exit_events]), np.full(manual.size, 3)]
    )
    return pa.table(
        {
            "email": people.email_clean.take(pa.array(who)),
            "reason": pick(("hard_bounce", "unsubscribe", "spam_complaint", "manual"), reason_code),
            "suppressed_at": ts_array(np.concatenate([ev_time[exit_events], manual_at])),
        },
        schema=SCHEMAS["esp_suppressions"],
    )


def bulk_email(
    rng: np.random.Generator,
    people: People,
    catalogue: Catalogue,
    campaigns: Campaigns,
    clock: Clock,
    counters: Counters,
) -> tuple[pa.Table, pa.Table]:
    """Email events of campaigns and flow mails, and the ESP suppressions they cause."""
    msg = _all_messages(rng, people, campaigns, clock)
    events = message_events(rng, msg, catalogue, clock)
    message_ids = id_array("M", counters.block("M", msg.contact.size))

    ev_msg, ev_type, ev_time, ev_url, ev_product, ev_machine = events
    size = ev_msg.size
    service = np.array([FLOWS[f][0] == "service" for f in FLOW_IDS])
    ev_flow = msg.flow[ev_msg]
    email_type = np.where(ev_flow >= 0, service[np.maximum(ev_flow, 0)], False).astype(np.int64)
    url_pool = pa.concat_arrays([catalogue.urls, pa.array(LANDING_URLS, TEXT)])
    table = pa.table(
        {
            "event_id": id_array("E", counters.block("E", size)),
            "message_id": message_ids.take(pa.array(ev_msg)),
            "contact_id": people.ids.take(pa.array(msg.contact[ev_msg])),
            "email_type": pick(("marketing", "service"), email_type),
            "campaign_id": pick(campaigns.ids, msg.campaign[ev_msg]),
            "flow_id": pick(FLOW_IDS, ev_flow),
            "flow_step": int_array(msg.step[ev_msg], valid=msg.step[ev_msg] > 0),
            "event_type": pick(EMAIL_EVENT_TYPES, ev_type),
            "occurred_at": ts_array(ev_time),
            "url": pick(url_pool, ev_url),
            "product_id": pick(catalogue.ids, ev_product),
            "is_machine_open": pa.array(ev_machine == 1, mask=ev_machine < 0),
        },
        schema=SCHEMAS["email_events"],
    )
    return table, _suppressions(rng, people, clock, msg.contact[ev_msg], ev_type, ev_time)


def message_events(
    rng: np.random.Generator, msg: Messages, catalogue: Catalogue, clock: Clock
) -> tuple[np.ndarray, ...]:
    """Expand messages into events: (message, type, time, url, product, machine flag).

    Types index EMAIL_EVENT_TYPES; url indexes the product URLs followed by LANDING_URLS
    (-1 = null); product -1 = null; machine flag 1 true, 0 false, -1 null. Events later
    than D 23:59:59 have not happened yet and are dropped.
    """
    m = msg.contact.size
    hard = msg.fate == 2
    soft = (msg.fate == 0) & (rng.random(m) < 0.01)
    delivered = ~hard & ~soft
    t_delivered = msg.sent + rng.integers(2, 90, m)
    machine = delivered & (rng.random(m) < 0.15)
    opened = delivered & ((rng.random(m) < 0.32) | (msg.fate == 1) | (msg.fate == 3))
    first_open = (
        t_delivered + 1 + np.minimum(rng.exponential(5 * 3600, m), 14 * DAY).astype(np.int64)
    )
    n_open = np.where(opened, rng.geometric(0.6, m), 0)
    n_click = np.where(opened & (msg.fate == 0) & (rng.random(m) < 0.28), rng.geometric(0.65, m), 0)

    parts: list[tuple[np.ndarray, int, np.ndarray, np.ndarray, np.ndarray, int]] = []

    def simple(
        which: np.ndarray, event_type: int, when: np.ndarray, machine_flag: int = -1
    ) -> None:
        index = np.flatnonzero(which)
        none = np.full(index.size, -1)
        parts.append((index, event_type, when[index], none, none, machine_flag))

    simple(np.ones(m, bool), 0, msg.sent)
    simple(delivered, 1, t_delivered)
    simple(soft, 4, msg.sent + rng.integers(5, 600, m))
    simple(hard, 5, msg.sent + rng.integers(5, 120, m))
    simple(machine, 2, t_delivered + rng.integers(1, 600, m), machine_flag=1)
    simple(msg.fate == 1, 6, first_open + rng.integers(30, 600, m))
    simple(msg.fate == 3, 7, first_open + rng.integers(30, 7200, m))

    open_msg, open_rank = ragged(n_open)
    later = rng.exponential(DAY, open_msg.size).astype(np.int64)
    open_time = first_open[open_msg] + np.where(open_rank == 0, 0, 1 + later)
    none = np.full(open_msg.size, -1)
    parts.append((open_msg, 2, open_time, none, none, 0))

    click_msg, click_rank = ragged(n_click)
    click_time = (
        first_open[click_msg]
        + 5
        + (rng.exponential(180, click_msg.size) * (click_rank + 1)).astype(np.int64)
    )
    to_product = rng.random(click_msg.size) < 0.7
    product = np.where(to_product, catalogue.sample(rng, click_msg.size), -1)
    landing = catalogue.size + rng.integers(0, len(LANDING_URLS), click_msg.size)
    parts.append((click_msg, 3, click_time, np.where(to_product, product, landing), product, -1))

    ev_msg = np.concatenate([p[0] for p in parts])
    ev_type = np.concatenate([np.full(p[0].size, p[1]) for p in parts])
    ev_time = np.concatenate([p[2] for p in parts])
    ev_url = np.concatenate([p[3] for p in parts])
    ev_product = np.concatenate([p[4] for p in parts])
    ev_machine = np.concatenate([np.full(p[0].size, p[5]) for p in parts])
    keep = ev_time <= clock.day_end
    order = np.lexsort((ev_type[keep], ev_time[keep], ev_msg[keep]))
    return tuple(x[keep][order] for x in (ev_msg, ev_type, ev_time, ev_url, ev_product, ev_machine))


def bulk_alerts(
    rng: np.random.Generator,
    people: People,
    catalogue: Catalogue,
    clock: Clock,
    counters: Counters,
) -> pa.Table:
    """Back-in-stock requests of contacts (about half without an email) and of guests."""
    n = people.size
    asking = np.flatnonzero(rng.random(n) < 0.015)
    guests = rng.binomial(n, 0.004)
    size = asking.size + guests
    request_numbers = counters.block("R", size)
    lo = np.concatenate(
        [
            np.maximum(people.created[asking], clock.day_end - 365 * DAY),
            np.full(guests, clock.day_end - 365 * DAY),
        ]
    )
    requested = lo + (rng.random(size) * (clock.day_end - lo)).astype(np.int64)
    own_email = rng.random(asking.size) < 0.5
    guest_email = pc.binary_join_element_wise(
        pa.scalar("guest."),
        pa.array(request_numbers[asking.size :]).cast(TEXT),
        pa.scalar("@example.org"),
        pa.scalar(""),
    )
    contact_email = pick(people.email, np.where(own_email, asking, -1))
    return pa.table(
        {
            "request_id": id_array("R", request_numbers),
            "email": pa.concat_arrays([contact_email, guest_email]),
            "contact_id": pick(people.ids, np.concatenate([asking, np.full(guests, -1)])),
            "product_id": catalogue.ids.take(pa.array(catalogue.sample(rng, size))),
            "requested_at": ts_array(requested),
        },
        schema=SCHEMAS["stock_alert_requests"],
    )


def bulk_interactions(
    rng: np.random.Generator,
    people: People,
    catalogue: Catalogue,
    clock: Clock,
    counters: Counters,
) -> pa.Table:
    """Complaints, questions and returns, mostly of customers; most are closed after a while."""
    n = people.size
    has = rng.random(n) < np.where(people.customer, 0.14, 0.03)
    count = np.where(has, 1 + (rng.random(n) < 0.2), 0)
    contact, _ = ragged(count)
    size = contact.size
    lo = np.maximum(people.created[contact], clock.day_end - 730 * DAY)
    opened = lo + (rng.random(size) * (clock.day_end - lo)).astype(np.int64)
    closed = opened + 300 + rng.exponential(1.5 * DAY, size).astype(np.int64)
    is_closed = (rng.random(size) < 0.95) & (closed <= clock.day_end)
    kind = draw(rng, (0.25, 0.55, 0.2), size)  # complaint, question, return
    about_product = (kind != 1) | (rng.random(size) < 0.4)
    product = np.where(about_product, catalogue.sample(rng, size), -1)
    return pa.table(
        {
            "interaction_id": id_array("I", counters.block("I", size)),
            "contact_id": people.ids.take(pa.array(contact)),
            "interaction_type": pick(("complaint", "question", "return"), kind),
            "channel": pick(
                ("phone", "chat", "email", "store"), draw(rng, (0.35, 0.3, 0.25, 0.1), size)
            ),
            "opened_at": ts_array(opened),
            "closed_at": ts_array(closed, valid=is_closed),
            "product_id": pick(catalogue.ids, product),
        },
        schema=SCHEMAS["service_interactions"],
    )


def bulk_erasures(
    rng: np.random.Generator, people: People, clock: Clock, counters: Counters
) -> pa.Table:
    """A few right-to-be-forgotten requests, by contact id or by (upper-cased) email."""
    who = np.flatnonzero(rng.random(people.size) < 0.0005)
    email = people.email_clean.take(pa.array(who))
    by_email = (rng.random(who.size) < 0.3) & np.asarray(email.is_valid())
    return pa.table(
        {
            "request_id": id_array("ER", counters.block("ER", who.size)),
            "contact_id": pick(people.ids, np.where(by_email, -1, who)),
            "email": pc.if_else(pa.array(by_email), pc.utf8_upper(email), pa.scalar(None, TEXT)),
            "requested_at": ts_array(clock.day_end - rng.integers(0, 180 * DAY, who.size)),
        },
        schema=SCHEMAS["erasure_requests"],
    )


STREAMS: tuple[str, ...] = (
    "catalogue",
    "contacts",
    "consent",
    "orders",
    "web",
    "email",
    "alerts",
    "interactions",
    "erasures",
)


def rng_for(seed: int, chunk: int, stream: str) -> np.random.Generator:
    """An independent random generator per seed, chunk and stream (table)."""
    return np.random.default_rng([seed, chunk, STREAMS.index(stream)])


def bulk_chunk(
    seed: int,
    chunk: int,
    numbers: np.ndarray,
    clock: Clock,
    catalogue: Catalogue,
    campaigns: Campaigns,
    counters: Counters,
) -> dict[str, pa.Table]:
    """All bulk rows of the contacts with the given numbers."""
    contacts, people = bulk_contacts(rng_for(seed, chunk, "contacts"), numbers, clock)
    consent = bulk_consent(rng_for(seed, chunk, "consent"), people, clock)
    orders, lines = bulk_orders(rng_for(seed, chunk, "orders"), people, catalogue, clock, counters)
    web = bulk_web(rng_for(seed, chunk, "web"), people, catalogue, clock, counters)
    email, suppressions = bulk_email(
        rng_for(seed, chunk, "email"), people, catalogue, campaigns, clock, counters
    )
    return {
        "contacts": contacts,
        "consent_events": consent,
        "orders": orders,
        "order_lines": lines,
        "email_events": email,
        "web_events": web,
        "stock_alert_requests": bulk_alerts(
            rng_for(seed, chunk, "alerts"), people, catalogue, clock, counters
        ),
        "service_interactions": bulk_interactions(
            rng_for(seed, chunk, "interactions"), people, catalogue, clock, counters
        ),
        "erasure_requests": bulk_erasures(
            rng_for(seed, chunk, "erasures"), people, clock, counters
        ),
        "esp_suppressions": suppressions,
    }
