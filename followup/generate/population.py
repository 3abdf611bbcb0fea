"""The bulk population, one chunk of contacts at a time: contacts, consent, orders, web."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from followup.generate.arrays import (
    Counters,
    draw,
    id_array,
    int_array,
    money_array,
    pick,
    ragged,
    ts_array,
)
from followup.generate.calendar import DAY, Clock
from followup.generate.catalogue import Catalogue
from followup.generate.reference import (
    BULK_EMAIL_DOMAINS,
    CATEGORIES,
    CATEGORY_PROFILE,
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    CONSENT_SOURCE_BY_SIGNUP,
    COUNTRIES,
    COUNTRY_P,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    JOB_TITLES,
    LANGUAGE_P,
    LANGUAGES,
    LAST_NAMES,
    SHOP,
    SIGNUP_P_B2B,
    SIGNUP_P_B2C,
    SIGNUP_SOURCES,
    slug,
)
from followup.generate.schema import DATE, SCHEMAS, TEXT

# --------------------------------------------------------------------------------------
# Bulk population, one chunk of contacts at a time.
# --------------------------------------------------------------------------------------


@dataclass
class People:
    """The bulk contacts of one chunk, as arrays the other tables are generated from."""

    ids: pa.Array
    created: np.ndarray  # seconds since the epoch
    email: pa.Array  # as written in the contacts table (may be messy or null)
    email_clean: pa.Array  # trimmed and lower-cased
    mailable: np.ndarray  # the ESP can send to the address
    b2b: np.ndarray
    country: np.ndarray  # index into COUNTRIES
    signup: np.ndarray  # index into SIGNUP_SOURCES
    favourite: np.ndarray  # favourite category code
    opt_in: np.ndarray  # seconds; -1 = never opted in
    opt_out: np.ndarray  # seconds; -1 = never opted out
    customer: np.ndarray  # placed at least one order

    @property
    def size(self) -> int:
        """Number of contacts in the chunk."""
        return len(self.ids)


def _names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gender codes (f, m, x, unknown) and indexes into the first and last name pools."""
    gender = draw(rng, (0.46, 0.44, 0.02, 0.08), n)  # f, m, x, unknown
    n_f, n_m = len(FIRST_NAMES_F), len(FIRST_NAMES_M)
    first_idx = np.where(
        gender == 0,
        rng.integers(0, n_f, n),
        np.where(gender == 1, n_f + rng.integers(0, n_m, n), rng.integers(0, n_f + n_m, n)),
    )
    last_idx = rng.integers(0, len(LAST_NAMES), n)
    return gender, first_idx, last_idx


def _emails(
    rng: np.random.Generator, numbers: np.ndarray, first_idx: np.ndarray, last_idx: np.ndarray
) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """first.last<number>@domain, some in odd case, padded, invalid or missing."""
    n = numbers.size
    firsts = FIRST_NAMES_F + FIRST_NAMES_M
    email = pc.binary_join_element_wise(
        pick([slug(f) for f in firsts], first_idx),
        pa.scalar("."),
        pick([slug(last) for last in LAST_NAMES], last_idx),
        pa.array(numbers).cast(TEXT),
        pa.scalar("@"),
        pick(BULK_EMAIL_DOMAINS, rng.integers(0, len(BULK_EMAIL_DOMAINS), n)),
        pa.scalar(""),
    )
    u = rng.random(n)
    invalid = (u >= 0.04) & (u < 0.043)
    missing = (u >= 0.043) & (u < 0.048)
    email = pc.if_else(u < 0.01, pc.utf8_upper(email), email)
    email = pc.if_else((u >= 0.01) & (u < 0.03), pc.utf8_title(email), email)
    email = pc.if_else(
        (u >= 0.03) & (u < 0.04),
        pc.binary_join_element_wise(pa.scalar("  "), email, pa.scalar(" "), pa.scalar("")),
        email,
    )
    email = pc.if_else(invalid & (u < 0.0415), pc.replace_substring(email, "@", "@@"), email)
    email = pc.if_else(invalid & (u >= 0.0415), pc.replace_substring(email, "@", " at "), email)
    email = pc.if_else(missing, pa.scalar(None, TEXT), email)
    return email, invalid, missing


def _messy_names(
    rng: np.random.Generator, first_idx: np.ndarray, last_idx: np.ndarray
) -> tuple[pa.Array, pa.Array]:
    """First and last names, a few in upper or lower case, a few padded with spaces."""
    first_name = pick(FIRST_NAMES_F + FIRST_NAMES_M, first_idx)
    last_name = pick(LAST_NAMES, last_idx)
    v = rng.random(first_idx.size)
    first_name = pc.if_else(v < 0.01, pc.utf8_upper(first_name), first_name)
    last_name = pc.if_else(v < 0.01, pc.utf8_upper(last_name), last_name)
    first_name = pc.if_else((v >= 0.01) & (v < 0.02), pc.utf8_lower(first_name), first_name)
    last_name = pc.if_else((v >= 0.01) & (v < 0.02), pc.utf8_lower(last_name), last_name)
    padded = pc.binary_join_element_wise(pa.scalar(" "), first_name, pa.scalar("  "), pa.scalar(""))
    first_name = pc.if_else((v >= 0.02) & (v < 0.025), padded, first_name)
    return first_name, last_name


def _gender_text(rng: np.random.Generator, gender: np.ndarray) -> pa.Array:
    """'f', 'm', 'x' or null, a few unknown ('?') or shouted ('F ')."""
    gender_text = pick(("f", "m", "x"), np.where(gender == 3, -1, gender))
    w = rng.random(gender.size)
    gender_text = pc.if_else(w < 0.003, pa.scalar("?"), gender_text)
    shouted = pc.binary_join_element_wise(pc.utf8_upper(gender_text), pa.scalar(" "), pa.scalar(""))
    return pc.if_else((w >= 0.003) & (w < 0.006), shouted, gender_text)


def _with_older_versions(
    rng: np.random.Generator,
    table: pa.Table,
    created: np.ndarray,
    older: np.ndarray,
    copies: np.ndarray,
) -> pa.Table:
    """The contact rows plus an older version of updated contacts and exact duplicates."""
    n = table.num_rows
    old_rows = np.flatnonzero(older)
    old = table.take(pa.array(old_rows))
    old = old.set_column(
        old.schema.get_field_index("updated_at"), "updated_at", ts_array(created[old_rows])
    )
    old = old.set_column(
        old.schema.get_field_index("last_name"),
        "last_name",
        pick(LAST_NAMES, rng.integers(0, len(LAST_NAMES), old_rows.size)),
    )
    copy_rows = np.flatnonzero(copies)
    all_rows = pa.concat_tables([table, old, table.take(pa.array(copy_rows))])
    row_contact = np.concatenate([np.arange(n), old_rows, copy_rows])
    row_version = np.concatenate([np.ones(n), np.zeros(old_rows.size), np.full(copy_rows.size, 2)])
    return all_rows.take(pa.array(np.lexsort((row_version, row_contact))))


def bulk_contacts(
    rng: np.random.Generator, numbers: np.ndarray, clock: Clock
) -> tuple[pa.Table, People]:
    """Contacts with realistic names, emails, B2B fields and some messy values and duplicates."""
    n = numbers.size
    ids = id_array("C", numbers)
    gender, first_idx, last_idx = _names(rng, n)
    email, invalid, missing = _emails(rng, numbers, first_idx, last_idx)
    first_name, last_name = _messy_names(rng, first_idx, last_idx)
    gender_text = _gender_text(rng, gender)
    birth = clock.day_number - rng.integers(18 * 365, 80 * 365, n)
    country = draw(rng, COUNTRY_P, n)
    language_cdf = np.cumsum(np.array(LANGUAGE_P), axis=1)[country]
    language = (rng.random(n)[:, None] >= language_cdf).sum(axis=1)
    b2b = rng.random(n) < 0.15
    company_name = pc.binary_join_element_wise(
        pick(COMPANY_WORDS, np.where(b2b, rng.integers(0, len(COMPANY_WORDS), n), -1)),
        pick(COMPANY_SUFFIXES, rng.integers(0, len(COMPANY_SUFFIXES), n)),
        pa.scalar(" "),
    )
    company_size = np.clip(np.round(rng.lognormal(3.3, 1.4, n)), 1, 20_000)
    signup = np.where(b2b, draw(rng, SIGNUP_P_B2B, n), draw(rng, SIGNUP_P_B2C, n))
    created = clock.day_end - rng.integers(0, 4 * 365 * DAY, n)
    updated = created + (rng.random(n) ** 3 * (clock.day_end - created)).astype(np.int64)

    # Some contacts were updated: an older version of the row is delivered too.
    older = (rng.random(n) < 0.03) & (created < clock.day_end - 2 * DAY)
    updated = np.where(older, np.maximum(updated, created + DAY), updated)
    copies = rng.random(n) < 0.003  # exact duplicate rows
    table = pa.table(
        {
            "contact_id": ids,
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "gender": gender_text,
            "birth_date": pa.array(birth.astype(np.int32), DATE, mask=rng.random(n) >= 0.85),
            "language": pick(LANGUAGES, np.where(language < len(LANGUAGES), language, -1)),
            "country": pick(COUNTRIES, country),
            "company_name": company_name,
            "job_title": pick(JOB_TITLES, np.where(b2b, rng.integers(0, len(JOB_TITLES), n), -1)),
            "company_size": int_array(company_size, valid=b2b & (rng.random(n) < 0.9)),
            "signup_source": pick(SIGNUP_SOURCES, signup),
            "created_at": ts_array(created),
            "updated_at": ts_array(updated),
        },
        schema=SCHEMAS["contacts"],
    )
    all_rows = _with_older_versions(rng, table, created, older, copies)
    people = People(
        ids=ids,
        created=created,
        email=email,
        email_clean=pc.utf8_lower(pc.utf8_trim_whitespace(email)),
        mailable=~(invalid | missing),
        b2b=b2b,
        country=country,
        signup=signup,
        favourite=draw(rng, [CATEGORY_PROFILE[c][0] for c in CATEGORIES], n),
        opt_in=np.full(n, -1, np.int64),
        opt_out=np.full(n, -1, np.int64),
        customer=np.zeros(n, bool),
    )
    return all_rows, people


def bulk_consent(rng: np.random.Generator, people: People, clock: Clock) -> pa.Table:
    """Marketing opt-ins (mostly at signup) and later opt-outs for some; sets people.opt_in/out."""
    n = people.size
    at_signup = rng.random(n) < 0.65
    delay = np.where(
        at_signup, rng.integers(5, 300, n), rng.exponential(40 * DAY, n).astype(np.int64)
    )
    opt_in = people.created + delay
    opted = (rng.random(n) < np.where(people.b2b, 0.80, 0.72)) & (opt_in <= clock.day_end)
    room = clock.day_end - opt_in
    out = opted & (rng.random(n) < 0.10) & (room > 60)
    opt_out = opt_in + 1 + (rng.random(n) * np.maximum(room - 1, 0)).astype(np.int64)
    people.opt_in = np.where(opted, opt_in, -1)
    people.opt_out = np.where(out, opt_out, -1)

    ins, outs = np.flatnonzero(opted), np.flatnonzero(out)
    contact = np.concatenate([ins, outs])
    recorded = np.concatenate([opt_in[ins], opt_out[outs]])
    status = np.concatenate([np.zeros(ins.size, np.int64), np.ones(outs.size, np.int64)])
    source = np.concatenate(
        [
            people.signup[ins],
            len(CONSENT_SOURCE_BY_SIGNUP) + (rng.random(outs.size) < 0.3).astype(np.int64),
        ]
    )
    order = np.lexsort((recorded, contact))
    sources = (*CONSENT_SOURCE_BY_SIGNUP, "preference_centre", "customer_service")
    return pa.table(
        {
            "contact_id": people.ids.take(pa.array(contact[order])),
            "channel": pa.repeat(pa.scalar("email"), contact.size),
            "purpose": pa.repeat(pa.scalar("marketing"), contact.size),
            "status": pick(("opt_in", "opt_out"), status[order]),
            "recorded_at": ts_array(recorded[order]),
            "source": pick(sources, source[order]),
        },
        schema=SCHEMAS["consent_events"],
    )


# Mean yearly order rate of repeat buyers (gamma distributed): about 5 orders per contact.
ORDERS_PER_YEAR = 8.3
ORDER_STATUSES: tuple[str, ...] = (
    "placed",
    "paid",
    "shipped",
    "delivered",
    "cancelled",
    "returned",
)
ORDER_CHANNELS: tuple[str, ...] = ("web", "app", "store")


def _order_times(
    rng: np.random.Generator, people: People, clock: Clock
) -> tuple[np.ndarray, np.ndarray]:
    """Who ordered when: (index of the contact, ordered_at) per order, sorted."""
    n = people.size
    lo = np.maximum(people.created, clock.day_start - 3 * 365 * DAY)
    first = lo + rng.exponential(25 * DAY, n).astype(np.int64)
    customer = (rng.random(n) < 0.6) & (first <= clock.day_end)  # recent sign-ups: not yet
    people.customer = customer
    still_buying = rng.random(n) < 0.45
    last = np.where(
        still_buying,
        clock.day_end,
        first + (rng.random(n) * (clock.day_end - first)).astype(np.int64),
    )
    # One-off buyers, and repeat buyers whose number of orders grows with their active
    # years at a skewed personal rate (a few loyal customers order very often).
    yearly_rate = rng.gamma(1.0, ORDERS_PER_YEAR, n)
    active_years = np.maximum(last - first, 0) / (365 * DAY)
    repeat = 1 + np.minimum(rng.poisson(yearly_rate * active_years), 200)
    count = np.where(customer, np.where(rng.random(n) < 0.3, 1, repeat), 0)
    parent, rank = ragged(count)
    ordered = np.where(
        rank == 0,
        first[parent],
        first[parent] + (rng.random(parent.size) * (last - first)[parent]).astype(np.int64),
    )
    order = np.lexsort((ordered, parent))
    return parent[order], ordered[order]


def _order_fates(
    rng: np.random.Generator, ordered: np.ndarray, clock: Clock
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(channel, delivered_at, arrived, status) per order."""
    m = ordered.size
    channel = draw(rng, (0.7, 0.2, 0.1), m)
    days_after = draw(rng, (0.35, 0.4, 0.15, 0.1), m) + 1
    delivered = np.where(
        channel == 2,
        ordered + rng.integers(60, 900, m),
        (ordered // DAY + days_after) * DAY + rng.integers(8 * 3600, 20 * 3600, m),
    )
    days_ago = clock.day_number - ordered // DAY
    u = rng.random(m)
    cancelled = (u < 0.04) & (days_ago >= 1)
    arrived = ~cancelled & (delivered <= clock.day_end)
    returned = arrived & (u > 0.95) & (clock.day_number - delivered // DAY >= 3)
    status = np.select(
        [cancelled, returned, arrived, days_ago >= 1, u < 0.5],
        [4, 5, 3, 2, 0],
        default=1,
    )
    return channel, delivered, arrived, status


def _order_lines(
    rng: np.random.Generator, favourite: np.ndarray, catalogue: Catalogue, m: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(lines per order, parent order, rank, product, quantity, unit price) of the lines."""
    lines_per_order = draw(rng, (0.15, 0.35, 0.35, 0.15), m) + 1
    line_parent, line_rank = ragged(lines_per_order)
    product = catalogue.sample(rng, line_parent.size, favourite[line_parent])
    quantity = draw(rng, (0.8, 0.15, 0.04, 0.01), line_parent.size) + 1
    unit = catalogue.price_cents[product]
    discount = rng.random(line_parent.size) < 0.1
    unit = np.where(discount, np.round(unit * rng.uniform(0.7, 0.9, unit.size)), unit)
    return lines_per_order, line_parent, line_rank, product, quantity, unit.astype(np.int64)


def bulk_orders(
    rng: np.random.Generator,
    people: People,
    catalogue: Catalogue,
    clock: Clock,
    counters: Counters,
) -> tuple[pa.Table, pa.Table]:
    """About 60 % customers with a skewed number of orders over the last three years."""
    parent, ordered = _order_times(rng, people, clock)
    m = parent.size
    order_ids = id_array("O", counters.block("O", m))
    channel, delivered, arrived, status = _order_fates(rng, ordered, clock)
    lines_per_order, line_parent, line_rank, product, quantity, unit = _order_lines(
        rng, people.favourite[parent], catalogue, m
    )
    starts = np.cumsum(lines_per_order) - lines_per_order
    total = np.add.reduceat(unit * quantity, starts) if m else np.zeros(0, np.int64)
    total = total + np.where((channel != 2) & (total < 5000), 495, 0)
    currency = np.where(COUNTRIES.index("GB") == people.country[parent], 1, 0)

    orders = pa.table(
        {
            "order_id": order_ids,
            "contact_id": people.ids.take(pa.array(parent)),
            "ordered_at": ts_array(ordered),
            "status": pick(ORDER_STATUSES, status),
            "delivered_at": ts_array(delivered, valid=arrived),
            "total_amount": money_array(total),
            "currency": pick(("EUR", "GBP"), currency),
            "channel": pick(ORDER_CHANNELS, channel),
        },
        schema=SCHEMAS["orders"],
    )
    lines = pa.table(
        {
            "order_id": order_ids.take(pa.array(line_parent)),
            "line_number": int_array(line_rank + 1),
            "product_id": catalogue.ids.take(pa.array(product)),
            "quantity": int_array(quantity),
            "unit_price": money_array(unit),
        },
        schema=SCHEMAS["order_lines"],
    )
    return orders, lines


WEB_URLS: dict[str, tuple[str, ...]] = {
    "home": (f"{SHOP}/",),
    "category": tuple(f"{SHOP}/c/{c}" for c in CATEGORIES),
    "blog": (
        f"{SHOP}/blog/the-perfect-espresso",
        f"{SHOP}/blog/garden-in-spring",
        f"{SHOP}/blog/gift-ideas",
        f"{SHOP}/blog/office-coffee",
    ),
    "pricing": (f"{SHOP}/business/pricing",),
    "account": (f"{SHOP}/account", f"{SHOP}/account/orders", f"{SHOP}/account/preferences"),
    "other": (f"{SHOP}/about", f"{SHOP}/contact", f"{SHOP}/faq"),
    "search": tuple(f"{SHOP}/search?q={q}" for q in ("coffee", "kettle", "gift", "jacket")),
    "checkout": (f"{SHOP}/cart", f"{SHOP}/checkout"),
    "whitepaper": (
        f"{SHOP}/business/whitepapers/coffee-at-work",
        f"{SHOP}/business/whitepapers/hybrid-office",
    ),
    "webinar": (f"{SHOP}/business/webinars/office-coffee",),
}
# (event_type, page_type, WEB_URLS key or None for the product page, weight B2C, weight B2B)
WEB_KINDS: tuple[tuple[str, str, str | None, float, float], ...] = (
    ("page_view", "home", "home", 14, 10),
    ("page_view", "category", "category", 12, 8),
    ("page_view", "blog", "blog", 4, 6),
    ("page_view", "pricing", "pricing", 0.5, 6),
    ("page_view", "account", "account", 5, 5),
    ("page_view", "other", "other", 2, 2),
    ("product_view", "product", None, 32, 25),
    ("search", "other", "search", 7, 5),
    ("add_to_cart", "product", None, 9, 6),
    ("remove_from_cart", "checkout", None, 2, 1),
    ("checkout_start", "checkout", "checkout", 3, 2),
    ("whitepaper_download", "other", "whitepaper", 0.2, 2.5),
    ("webinar_signup", "other", "webinar", 0.1, 1.5),
)


def web_url_pool(catalogue: Catalogue) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """All URLs a web event can have (product pages first), and per kind its URL range."""
    keys = list(WEB_URLS)
    offsets = np.cumsum([0] + [len(WEB_URLS[k]) for k in keys])
    start = np.array(
        [
            -1 if url is None else catalogue.size + offsets[keys.index(url)]
            for _, _, url, _, _ in WEB_KINDS
        ]
    )
    count = np.array([0 if url is None else len(WEB_URLS[url]) for _, _, url, _, _ in WEB_KINDS])
    pool = pa.concat_arrays(
        [catalogue.urls, pa.array([u for k in keys for u in WEB_URLS[k]], TEXT)]
    )
    return pool, start, count


@dataclass
class WebSessions:
    """The sessions of one chunk, sorted per cookie by start."""

    visitor: np.ndarray  # index into visitor_ids
    contact: np.ndarray  # index of the contact, -1 for a never-identified cookie
    start: np.ndarray
    logged_in: np.ndarray
    b2b: np.ndarray
    visitor_ids: pa.Array
    session_ids: pa.Array


def _web_sessions(
    rng: np.random.Generator, people: People, clock: Clock, counters: Counters
) -> WebSessions:
    """Cookies per contact (and anonymous ones), their sessions and who was logged in."""
    n = people.size
    per_contact = np.where(rng.random(n) < 0.85, draw(rng, (0.7, 0.25, 0.05), n) + 1, 0)
    visitor_contact, _ = ragged(per_contact)
    visitor_contact = np.concatenate(
        [visitor_contact, np.full(rng.binomial(n, 0.3), -1)]  # never-identified cookies
    )
    known_visitor = visitor_contact >= 0
    visitor_ids = id_array("V", counters.block("V", visitor_contact.size))
    sessions = np.where(
        known_visitor,
        1 + rng.poisson(3.3, visitor_contact.size),
        1 + rng.poisson(0.6, visitor_contact.size),
    )
    session_visitor, _ = ragged(sessions)
    contact = visitor_contact[session_visitor]
    known = contact >= 0
    safe = np.maximum(contact, 0)
    created = people.created[safe]
    year_ago = clock.day_end - 365 * DAY
    lo = np.where(known, np.maximum(created - 60 * DAY, clock.day_start - 3 * 365 * DAY), year_ago)
    start = lo + (rng.random(contact.size) * (clock.day_end - lo)).astype(np.int64)
    order = np.lexsort((start, session_visitor))
    session_visitor, contact, known, start, created = (
        x[order] for x in (session_visitor, contact, known, start, created)
    )
    logged_in = known & (start >= created) & (rng.random(contact.size) < 0.55)
    b2b = known & people.b2b[np.maximum(contact, 0)]
    session_ids = id_array("S", counters.block("S", contact.size))
    return WebSessions(session_visitor, contact, start, logged_in, b2b, visitor_ids, session_ids)


def _event_times(
    rng: np.random.Generator, start: np.ndarray, clock: Clock
) -> tuple[np.ndarray, np.ndarray]:
    """(session, occurred_at) of each event: a geometric number per session, up to D."""
    per_session = rng.geometric(0.28, start.size)
    session, rank = ragged(per_session)
    gaps = np.where(rank == 0, 0, 5 + rng.exponential(50, session.size).astype(np.int64))
    elapsed = np.cumsum(gaps)
    elapsed -= elapsed[(np.cumsum(per_session) - per_session)][session]
    occurred = start[session] + elapsed
    keep = occurred <= clock.day_end
    return session[keep], occurred[keep]


def _event_kinds(
    rng: np.random.Generator, b2b: np.ndarray, favourite_of: np.ndarray, catalogue: Catalogue
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(kind, product, url index, url pool) of each event (favourite_of: -1 anonymous)."""
    size = b2b.size
    weights_b2c = np.array([k[3] for k in WEB_KINDS])
    weights_b2b = np.array([k[4] for k in WEB_KINDS])
    u = rng.random(size)
    kind = np.where(
        b2b,
        np.searchsorted(np.cumsum(weights_b2b) / weights_b2b.sum(), u, side="right"),
        np.searchsorted(np.cumsum(weights_b2c) / weights_b2c.sum(), u, side="right"),
    )
    kind = np.minimum(kind, len(WEB_KINDS) - 1)
    pool, url_start, url_count = web_url_pool(catalogue)
    has_product = url_start[kind] < 0
    favourite = np.where(favourite_of >= 0, favourite_of, rng.integers(0, len(CATEGORIES), size))
    product = np.where(has_product, catalogue.sample(rng, size, favourite), -1)
    url = np.where(
        has_product,
        product,
        url_start[kind] + (rng.random(size) * url_count[kind]).astype(np.int64),
    )
    return kind, product, url, pool


def bulk_web(
    rng: np.random.Generator,
    people: People,
    catalogue: Catalogue,
    clock: Clock,
    counters: Counters,
) -> pa.Table:
    """Web sessions per cookie: anonymous visits, logged-in visits and visits after logout."""
    web = _web_sessions(rng, people, clock, counters)
    session, occurred = _event_times(rng, web.start, clock)
    size = session.size
    event_contact = web.contact[session]
    favourite_of = np.where(event_contact >= 0, people.favourite[np.maximum(event_contact, 0)], -1)
    kind, product, url, pool = _event_kinds(rng, web.b2b[session], favourite_of, catalogue)
    session_visitor, session_ids, visitor_ids = web.visitor, web.session_ids, web.visitor_ids
    logged_in = web.logged_in
    logged = logged_in[session]
    return pa.table(
        {
            "event_id": id_array("W", counters.block("W", size)),
            "visitor_id": visitor_ids.take(pa.array(session_visitor[session])),
            "session_id": session_ids.take(pa.array(session)),
            "contact_id": pick(people.ids, np.where(logged, event_contact, -1)),
            "is_logged_in": pa.array(logged),
            "event_type": pick([k[0] for k in WEB_KINDS], kind),
            "page_type": pick([k[1] for k in WEB_KINDS], kind),
            "product_id": pick(catalogue.ids, product),
            "occurred_at": ts_array(occurred),
            "url": pick(pool, url),
        },
        schema=SCHEMAS["web_events"],
    )
