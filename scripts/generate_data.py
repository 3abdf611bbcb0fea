"""Generate the followup demo data set: one file per raw table of the data contract.

The data set has two parts:

* **Scenario personas**: the first contact ids (``C000001`` ...) are hand-crafted
  contacts, listed with a one-line purpose in :data:`PERSONAS`. On the ``--as-of``
  day (D) they guarantee that every follow-up flow has recipients, that every
  exclusion reason occurs, and that the edge cases and the messy input of the
  specification are present. They do not depend on ``--contacts`` or ``--seed``.
* **Bulk population**: the remaining contacts, with seeded random (but realistic)
  orders, email and web behaviour. It is generated in chunks of contacts with
  vectorised numpy code and streamed to the output files, so memory stays bounded
  at a million contacts.

Everything is relative to D. No timestamp is later than D 23:59:59, except the
deliberate orders in the future of one scenario persona.

Run ``python scripts/generate_data.py --help`` for the options.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import click
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

# --------------------------------------------------------------------------------------
# The raw data contract (models/staging/_raw__sources.yml): tables, columns, types.
# --------------------------------------------------------------------------------------

TEXT = pa.string()
TIMESTAMP = pa.timestamp("us")
DATE = pa.date32()
MONEY = pa.decimal128(18, 2)
INT = pa.int32()
BOOL = pa.bool_()

SCHEMAS: dict[str, pa.Schema] = {
    "contacts": pa.schema(
        [
            ("contact_id", TEXT),
            ("email", TEXT),
            ("first_name", TEXT),
            ("last_name", TEXT),
            ("gender", TEXT),
            ("birth_date", DATE),
            ("language", TEXT),
            ("country", TEXT),
            ("company_name", TEXT),
            ("job_title", TEXT),
            ("company_size", INT),
            ("signup_source", TEXT),
            ("created_at", TIMESTAMP),
            ("updated_at", TIMESTAMP),
        ]
    ),
    "consent_events": pa.schema(
        [
            ("contact_id", TEXT),
            ("channel", TEXT),
            ("purpose", TEXT),
            ("status", TEXT),
            ("recorded_at", TIMESTAMP),
            ("source", TEXT),
        ]
    ),
    "products": pa.schema(
        [
            ("product_id", TEXT),
            ("name", TEXT),
            ("category", TEXT),
            ("price", MONEY),
            ("url", TEXT),
            ("image_url", TEXT),
            ("manual_url", TEXT),
            ("is_active", BOOL),
        ]
    ),
    "product_relations": pa.schema(
        [("product_id", TEXT), ("related_product_id", TEXT), ("relation_type", TEXT)]
    ),
    "stock_levels": pa.schema(
        [("product_id", TEXT), ("recorded_at", TIMESTAMP), ("quantity_available", INT)]
    ),
    "orders": pa.schema(
        [
            ("order_id", TEXT),
            ("contact_id", TEXT),
            ("ordered_at", TIMESTAMP),
            ("status", TEXT),
            ("delivered_at", TIMESTAMP),
            ("total_amount", MONEY),
            ("currency", TEXT),
            ("channel", TEXT),
        ]
    ),
    "order_lines": pa.schema(
        [
            ("order_id", TEXT),
            ("line_number", INT),
            ("product_id", TEXT),
            ("quantity", INT),
            ("unit_price", MONEY),
        ]
    ),
    "email_events": pa.schema(
        [
            ("event_id", TEXT),
            ("message_id", TEXT),
            ("contact_id", TEXT),
            ("email_type", TEXT),
            ("campaign_id", TEXT),
            ("flow_id", TEXT),
            ("flow_step", INT),
            ("event_type", TEXT),
            ("occurred_at", TIMESTAMP),
            ("url", TEXT),
            ("product_id", TEXT),
            ("is_machine_open", BOOL),
        ]
    ),
    "web_events": pa.schema(
        [
            ("event_id", TEXT),
            ("visitor_id", TEXT),
            ("session_id", TEXT),
            ("contact_id", TEXT),
            ("is_logged_in", BOOL),
            ("event_type", TEXT),
            ("page_type", TEXT),
            ("product_id", TEXT),
            ("occurred_at", TIMESTAMP),
            ("url", TEXT),
        ]
    ),
    "stock_alert_requests": pa.schema(
        [
            ("request_id", TEXT),
            ("email", TEXT),
            ("contact_id", TEXT),
            ("product_id", TEXT),
            ("requested_at", TIMESTAMP),
        ]
    ),
    "service_interactions": pa.schema(
        [
            ("interaction_id", TEXT),
            ("contact_id", TEXT),
            ("interaction_type", TEXT),
            ("channel", TEXT),
            ("opened_at", TIMESTAMP),
            ("closed_at", TIMESTAMP),
            ("product_id", TEXT),
        ]
    ),
    "erasure_requests": pa.schema(
        [
            ("request_id", TEXT),
            ("contact_id", TEXT),
            ("email", TEXT),
            ("requested_at", TIMESTAMP),
        ]
    ),
    "esp_suppressions": pa.schema(
        [("email", TEXT), ("reason", TEXT), ("suppressed_at", TIMESTAMP)]
    ),
}

# Id prefixes and the zero-padded width of their number (the number simply grows
# past the width: C999999 is followed by C1000000).
ID_WIDTHS: dict[str, int] = {
    "C": 6,  # contacts
    "O": 8,  # orders
    "E": 9,  # email events
    "M": 9,  # messages (one email to one recipient)
    "W": 9,  # web events
    "V": 8,  # visitors (cookies)
    "S": 9,  # web sessions
    "P": 4,  # products
    "R": 7,  # stock alert requests
    "I": 7,  # service interactions
    "ER": 6,  # erasure requests
    "CMP": 5,  # campaigns
}


def make_id(prefix: str, number: int) -> str:
    """Return one id, e.g. ``make_id("C", 42) == "C000042"``."""
    return f"{prefix}{number:0{ID_WIDTHS[prefix]}d}"


# --------------------------------------------------------------------------------------
# The flows of issue 4, and the holdout hash.
# --------------------------------------------------------------------------------------

# flow_id -> (category, priority); priority 1 is the highest, service flows have none.
FLOWS: dict[str, tuple[str, int | None]] = {
    "abandoned_cart": ("marketing", 1),
    "welcome": ("marketing", 2),
    "customer_onboarding": ("marketing", 3),
    "browse_abandonment": ("marketing", 4),
    "reminder_no_conversion": ("marketing", 5),
    "cross_sell_accessory": ("marketing", 6),
    "birthday": ("marketing", 7),
    "repeat_purchase": ("marketing", 8),
    "lead_nurture": ("marketing", 9),
    "reactivation": ("marketing", 10),
    "win_back": ("marketing", 11),
    "reminder_no_click": ("marketing", 12),
    "reminder_non_open": ("marketing", 13),
    "back_in_stock": ("service", None),
    "post_purchase_service": ("service", None),
    "complaint_follow_up": ("service", None),
    "service_survey": ("service", None),
}
MARKETING_HOLDOUT_PCT = 10


def holdout_bucket(contact_id: str, flow_id: str) -> int:
    """Bucket 0-99 of the holdout rule: first 8 hex digits of md5(contact_id:flow_id) mod 100."""
    digest = hashlib.md5(f"{contact_id}:{flow_id}".encode()).hexdigest()
    return int(digest[:8], 16) % 100


# --------------------------------------------------------------------------------------
# Time: everything is relative to the as-of day D.
# --------------------------------------------------------------------------------------

DAY = 86_400
EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class Clock:
    """The as-of day D and helpers to express times relative to it (UTC wall time)."""

    as_of: dt.date

    @property
    def day_start(self) -> int:
        """D 00:00:00 in seconds since the epoch."""
        return (self.as_of - EPOCH).days * DAY

    @property
    def day_end(self) -> int:
        """D 23:59:59 in seconds since the epoch: the latest allowed timestamp."""
        return self.day_start + DAY - 1

    @property
    def day_number(self) -> int:
        """D in days since the epoch."""
        return (self.as_of - EPOCH).days

    def at(self, days_ago: int, hhmm: str = "12:00") -> dt.datetime:
        """The time ``hhmm`` (``HH:MM`` or ``HH:MM:SS``) on the day D - days_ago."""
        parts = [int(part) for part in hhmm.split(":")]
        clock_time = dt.time(*parts)
        return dt.datetime.combine(self.as_of - dt.timedelta(days=days_ago), clock_time)

    def birthday_today(self, age: int) -> dt.date:
        """A birth date whose birthday is D, for someone turning ``age`` (leap-day safe)."""
        year = self.as_of.year - age
        while True:
            try:
                return self.as_of.replace(year=year)
            except ValueError:  # D is 29 February: born in the nearest earlier leap year
                year -= 1

    def birthday_elsewhere(self, age: int) -> dt.date:
        """A birth date whose birthday is far from D (about five months away)."""
        other = self.as_of + dt.timedelta(days=150)
        if (other.month, other.day) == (2, 29):
            other -= dt.timedelta(days=1)
        return other.replace(year=self.as_of.year - age)


# --------------------------------------------------------------------------------------
# Campaign calendar: regular newsletters twice a week at 07:00, days_ago = 0, 3, 7, 10, ...
# --------------------------------------------------------------------------------------

CAMPAIGN_HISTORY_DAYS = 3 * 365
CAMPAIGN_HOUR = 7


@dataclass(frozen=True)
class Campaigns:
    """The regular campaigns (flow_id null), oldest first; ids CMP00001, CMP00002, ..."""

    ids: pa.Array
    sent_at: np.ndarray  # seconds since the epoch, ascending
    by_days_ago: dict[int, str]

    @classmethod
    def for_clock(cls, clock: Clock) -> Campaigns:
        """Build the calendar: one campaign each day with days_ago % 7 in (0, 3)."""
        days_ago = [d for d in range(CAMPAIGN_HISTORY_DAYS, -1, -1) if d % 7 in (0, 3)]
        ids = [make_id("CMP", k + 1) for k in range(len(days_ago))]
        sent = np.array(
            [clock.day_start - d * DAY + CAMPAIGN_HOUR * 3600 for d in days_ago], dtype=np.int64
        )
        return cls(pa.array(ids, TEXT), sent, dict(zip(days_ago, ids, strict=True)))


# --------------------------------------------------------------------------------------
# Reference data: catalogue, names, companies, URLs.
# --------------------------------------------------------------------------------------

SHOP = "https://www.example-shop.nl"
CDN = "https://cdn.example-shop.nl"

CATEGORIES: tuple[str, ...] = (
    "coffee_machines",
    "coffee",
    "accessories",
    "kitchen",
    "garden",
    "outdoor",
    "electronics",
    "books",
    "toys",
    "sports",
)
# Per category: share of the bulk catalogue, typical price (EUR), share with a manual,
# and the product nouns used for names.
CATEGORY_PROFILE: dict[str, tuple[float, float, float, tuple[str, ...]]] = {
    "coffee_machines": (0.07, 220.0, 0.9, ("Espresso machine", "Filter coffee maker", "Grinder")),
    "coffee": (0.10, 14.0, 0.0, ("Espresso beans", "Filter coffee", "Coffee capsules")),
    "accessories": (0.18, 18.0, 0.1, ("Milk jug", "Tamper", "Cup set", "Cleaning kit", "Filter")),
    "kitchen": (0.13, 55.0, 0.6, ("Kettle", "Toaster", "Blender", "Knife set", "Pan")),
    "garden": (0.08, 45.0, 0.5, ("Garden hose", "Pruning shears", "Parasol", "Planter")),
    "outdoor": (0.09, 70.0, 0.2, ("Rain jacket", "Backpack", "Tent", "Sleeping bag")),
    "electronics": (0.12, 110.0, 0.95, ("Headphones", "Speaker", "Charger", "Smart plug")),
    "books": (0.09, 22.0, 0.0, ("Cookbook", "Travel guide", "Novel", "Coffee table book")),
    "toys": (0.07, 30.0, 0.3, ("Board game", "Puzzle", "Building set", "Plush toy")),
    "sports": (0.07, 40.0, 0.2, ("Yoga mat", "Dumbbells", "Running belt", "Water bottle")),
}
BRANDS: tuple[str, ...] = (
    "Koffiehuis",
    "Noordlicht",
    "Polderpro",
    "Lage Landen",
    "Zeewind",
    "Tulpenveld",
    "Dijkstra & Co",
    "Schelde",
    "Maasland",
    "Brabo",
)
# Categories whose products get accessories in the bulk catalogue.
MAIN_CATEGORIES: tuple[str, ...] = (
    "coffee_machines",
    "kitchen",
    "garden",
    "outdoor",
    "electronics",
    "sports",
)

FIRST_NAMES_F: tuple[str, ...] = (
    "Emma", "Julia", "Sophie", "Anna", "Tess", "Sara", "Lotte", "Eva", "Lisa", "Noor",
    "Fleur", "Sanne", "Femke", "Iris", "Laura", "Marie", "Louise", "Elise", "Charlotte",
    "Hanna", "Mila", "Nora", "Lina", "Amira", "Yasmin", "Fatima", "Chloe", "Olivia",
)  # fmt: skip
FIRST_NAMES_M: tuple[str, ...] = (
    "Daan", "Sem", "Lucas", "Levi", "Finn", "Milan", "Noah", "Bram", "Thomas", "Jesse",
    "Ruben", "Tim", "Lars", "Max", "Thijs", "Stijn", "Wout", "Arthur", "Louis", "Jules",
    "Mohamed", "Youssef", "Liam", "Jan", "Pieter", "Kees", "Willem", "Koen", "Bart",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen",
    "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters",
    "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits",
    "de Graaf", "van der Meer", "Peeters", "Janssens", "Maes", "Jacobs", "Mertens",
    "Willems", "Claes", "Goossens", "Wouters", "De Smet", "Dubois", "Lambert", "Martin",
    "Smith", "Brown", "El Amrani", "Yilmaz",
)  # fmt: skip
BULK_EMAIL_DOMAINS: tuple[str, ...] = (
    "example.nl",
    "example.be",
    "example.com",
    "example.org",
    "example.net",
    "mail.example.nl",
)
COMPANY_WORDS: tuple[str, ...] = (
    "Delta", "Noord", "Polder", "Schelde", "Maas", "Tulip", "Windmill", "Kanaal",
    "Vlaanderen", "Zuid", "Oost", "Haven", "Duin", "Brug", "Gracht", "Kempen",
)  # fmt: skip
COMPANY_SUFFIXES: tuple[str, ...] = (
    "B.V.",
    "NV",
    "Logistics",
    "Consulting",
    "Retail",
    "Foods",
    "Tech",
    "Hospitality",
)
JOB_TITLES: tuple[str, ...] = (
    "Marketing Manager", "Head of Operations", "Purchasing Director", "Owner",
    "Founder & CEO", "Office Manager", "Chief Financial Officer", "Facility Manager",
    "Buyer", "Procurement Specialist", "Barista", "Developer", "Consultant",
    "Assistant", "Facility Coordinator", "Sales Representative", "Account Executive",
)  # fmt: skip
COUNTRIES: tuple[str, ...] = ("NL", "BE", "DE", "FR", "GB", "US")
COUNTRY_P: tuple[float, ...] = (0.62, 0.26, 0.05, 0.03, 0.02, 0.02)
LANGUAGES: tuple[str, ...] = ("nl", "en", "fr", "de")
# Per country: probability of nl, en, fr, de; the rest is null (default language).
LANGUAGE_P: tuple[tuple[float, ...], ...] = (
    (0.85, 0.12, 0.0, 0.0),
    (0.60, 0.10, 0.25, 0.0),
    (0.0, 0.30, 0.0, 0.60),
    (0.0, 0.30, 0.60, 0.0),
    (0.0, 0.92, 0.0, 0.0),
    (0.0, 0.92, 0.0, 0.0),
)
SIGNUP_SOURCES: tuple[str, ...] = (
    "newsletter",
    "checkout",
    "whitepaper",
    "webinar",
    "import",
    "store",
    "facebook_ad",  # not in the contract: staging turns an unknown signup_source into null
)
SIGNUP_P_B2C: tuple[float, ...] = (0.40, 0.39, 0.0, 0.0, 0.08, 0.12, 0.01)
SIGNUP_P_B2B: tuple[float, ...] = (0.20, 0.10, 0.35, 0.20, 0.15, 0.0, 0.0)
CONSENT_SOURCE_BY_SIGNUP: tuple[str, ...] = (
    "newsletter_form",
    "checkout",
    "whitepaper_form",
    "webinar_form",
    "import",
    "store",
    "newsletter_form",
)


def slug(text: str) -> str:
    """Lower-case ``text`` and drop everything but letters and digits ('van Dijk' -> 'vandijk')."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


# --------------------------------------------------------------------------------------
# Small vectorised helpers.
# --------------------------------------------------------------------------------------


def id_array(prefix: str, numbers: np.ndarray) -> pa.Array:
    """Ids ``prefix`` + zero-padded ``numbers`` as a string array, built without Python loops."""
    width = ID_WIDTHS[prefix]
    numbers = np.asarray(numbers, dtype=np.int64)
    if numbers.size and int(numbers.max()) >= 10**width:
        digits = pc.utf8_lpad(pa.array(numbers).cast(TEXT), width=width, padding="0")
        return pc.binary_join_element_wise(pa.scalar(prefix), digits, pa.scalar(""))
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    row_len = head.size + width
    buf = np.empty((numbers.size, row_len), dtype=np.uint8)
    buf[:, : head.size] = head
    rest = numbers.copy()
    for col in range(row_len - 1, head.size - 1, -1):
        rest, digit = np.divmod(rest, 10)
        buf[:, col] = digit + 48
    offsets = np.arange(numbers.size + 1, dtype=np.int32) * row_len
    return pa.Array.from_buffers(
        TEXT, numbers.size, [None, pa.py_buffer(offsets), pa.py_buffer(buf)]
    )


def ts_array(seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Timestamps (microseconds, no time zone) from epoch seconds; null where not valid."""
    micros = np.asarray(seconds, dtype=np.int64) * 1_000_000
    return pa.array(micros, type=TIMESTAMP, mask=None if valid is None else ~valid)


def money_array(cents: np.ndarray) -> pa.Array:
    """decimal(18,2) values from integer cents, exactly (no floating point)."""
    cents = np.asarray(cents, dtype=np.int64)
    words = np.empty((cents.size, 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63  # sign extension to 128 bits
    return pa.Array.from_buffers(MONEY, cents.size, [None, pa.py_buffer(words.tobytes())])


def int_array(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """int32 values; null where not valid."""
    return pa.array(
        np.asarray(values, dtype=np.int32), type=INT, mask=None if valid is None else ~valid
    )


def pick(pool: Sequence[str | None] | pa.Array, index: np.ndarray) -> pa.Array:
    """Strings ``pool[index]``; a negative index gives null."""
    array = pool if isinstance(pool, pa.Array) else pa.array(list(pool), TEXT)
    index = np.asarray(index, dtype=np.int64)
    negative = index < 0
    return array.take(pa.array(np.where(negative, 0, index), mask=negative))


def ragged(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For children counted per parent: each child's parent index and its rank (0, 1, ...)."""
    counts = np.asarray(counts, dtype=np.int64)
    parent = np.repeat(np.arange(counts.size), counts)
    starts = np.cumsum(counts) - counts
    return parent, np.arange(parent.size) - starts[parent]


def draw(rng: np.random.Generator, probabilities: Sequence[float], size: int) -> np.ndarray:
    """Category codes 0..k-1 with the given probabilities (normalised)."""
    p = np.asarray(probabilities, dtype=np.float64)
    return rng.choice(p.size, size=size, p=p / p.sum())


class Counters:
    """Running id numbers per prefix, shared by the scenario and the bulk chunks."""

    def __init__(self) -> None:
        self.next: dict[str, int] = dict.fromkeys(ID_WIDTHS, 1)

    def one(self, prefix: str) -> str:
        """The next id of ``prefix``."""
        number = self.next[prefix]
        self.next[prefix] += 1
        return make_id(prefix, number)

    def block(self, prefix: str, count: int) -> np.ndarray:
        """The next ``count`` id numbers of ``prefix``."""
        start = self.next[prefix]
        self.next[prefix] += count
        return np.arange(start, start + count, dtype=np.int64)


# --------------------------------------------------------------------------------------
# Scenario products: hand-crafted, ids P0001.., used only by the personas.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductSpec:
    """A hand-crafted product of the scenarios."""

    product_id: str
    name: str
    category: str
    price: str
    manual: bool = False
    is_active: bool | None = True


SCENARIO_PRODUCTS: tuple[ProductSpec, ...] = (
    ProductSpec("P0001", "Barista One espresso machine", "coffee_machines", "499.00", manual=True),
    ProductSpec("P0002", "Milk jug 350 ml", "accessories", "19.95"),
    ProductSpec("P0003", "Tamper 58 mm", "accessories", "34.95"),  # out of stock since D-20
    ProductSpec("P0004", "Descaler, old formula", "accessories", "12.50", is_active=False),
    ProductSpec("P0005", "Knock box", "accessories", "39.95"),
    ProductSpec("P0006", "Mill Pro burr grinder", "coffee_machines", "249.00", manual=True),
    ProductSpec("P0007", "Grinder cleaning brush", "accessories", "9.95"),
    ProductSpec("P0008", "Cleaning tablets, 100 pieces", "accessories", "14.95"),
    ProductSpec("P0009", "Espresso cup set", "accessories", "9.95"),
    ProductSpec("P0010", "Glass kettle 1.7 l", "kitchen", "59.00", manual=True),
    ProductSpec("P0011", "Four-slice toaster", "kitchen", "45.00", manual=True),
    ProductSpec("P0012", "Espresso beans 1 kg", "coffee", "24.95"),
    ProductSpec("P0013", "Decaf beans 500 g", "coffee", "12.95"),
    ProductSpec("P0014", "Garden hose 25 m", "garden", "29.95"),
    ProductSpec("P0015", "Noise-cancelling headphones", "electronics", "129.00", manual=True),
    ProductSpec("P0016", "Rain jacket", "outdoor", "89.95"),
    ProductSpec("P0017", "Hand coffee grinder", "coffee_machines", "79.00", manual=True),
    ProductSpec("P0018", "Cold brew maker", "kitchen", "34.95"),
    ProductSpec("P0019", "Smart speaker", "electronics", "99.00", manual=True),
    ProductSpec("P0020", "Yoga mat", "sports", "35.00"),
    ProductSpec("P0021", "Coffee table book", "books", "24.95"),
    ProductSpec("P0022", "Barista board game", "toys", "39.95"),
    ProductSpec("P0023", "Milk frother", "kitchen", "49.95"),  # out of stock since D-5
    ProductSpec("P0024", "Moka pot, discontinued", "coffee_machines", "29.95", is_active=None),
)
SCENARIO_RELATIONS: tuple[tuple[str, str, str], ...] = (
    # P0001's accessories: P0003 out of stock, P0004 inactive, four qualify.
    ("P0001", "P0002", "accessory"),
    ("P0001", "P0003", "accessory"),
    ("P0001", "P0004", "accessory"),
    ("P0001", "P0005", "accessory"),
    ("P0001", "P0008", "accessory"),
    ("P0001", "P0009", "accessory"),
    # P0006's accessories: out of stock, inactive, and a brush some personas own.
    ("P0006", "P0003", "accessory"),
    ("P0006", "P0004", "accessory"),
    ("P0006", "P0007", "accessory"),
    ("P0017", "P0007", "accessory"),
    ("P0001", "P0012", "cross_sell"),
    ("P0010", "P0011", "cross_sell"),
    ("P0015", "P0019", "cross_sell"),
)
# Stock histories that differ from "50 units since D-400": (days_ago, HH:MM, quantity).
SCENARIO_STOCK: dict[str, tuple[tuple[int, str, int], ...]] = {
    "P0003": ((400, "09:00", 25), (20, "16:00", 0)),
    "P0017": ((400, "09:00", 40), (20, "11:00", 0), (0, "07:00", 25)),  # restock today
    "P0018": (
        (400, "09:00", 30),
        (35, "10:00", 0),
        (30, "08:00", 12),  # restock that answers older requests
        (15, "17:30", 0),
        (0, "06:30", 40),  # restock today
    ),
    "P0023": ((400, "09:00", 10), (5, "12:00", 0)),
    "P0024": (),  # discontinued: no stock record at all
}
SCENARIO_PRICES: dict[str, Decimal] = {p.product_id: Decimal(p.price) for p in SCENARIO_PRODUCTS}

# Ids no contact or order will ever have (bulk ids stay far below them).
UNKNOWN_CONTACT = "C90000001"
ORPHAN_ORDER = "O99000001"


def product_urls(product_id: str) -> tuple[str, str, str]:
    """Product page, image and manual URL of a product id."""
    return (
        f"{SHOP}/p/{product_id}",
        f"{CDN}/img/{product_id}.jpg",
        f"{SHOP}/manuals/{product_id}.pdf",
    )


PAGE_URLS: dict[str, str] = {
    "home": f"{SHOP}/",
    "category": f"{SHOP}/c/kitchen",
    "blog": f"{SHOP}/blog/the-perfect-espresso",
    "pricing": f"{SHOP}/business/pricing",
    "account": f"{SHOP}/account",
    "checkout": f"{SHOP}/checkout",
    "other": f"{SHOP}/search?q=coffee",
    "whitepaper": f"{SHOP}/business/whitepapers/coffee-at-work",
    "webinar": f"{SHOP}/business/webinars/office-coffee",
}


# --------------------------------------------------------------------------------------
# Scenario builder: appends hand-crafted rows per table.
# --------------------------------------------------------------------------------------

Step = tuple[str, str, str | None]  # (event_type, page_type, product_id) of one web event


def view(product_id: str) -> Step:
    """A product page view."""
    return ("product_view", "product", product_id)


def add(product_id: str) -> Step:
    """An add to cart."""
    return ("add_to_cart", "product", product_id)


def remove(product_id: str) -> Step:
    """A remove from cart (on the cart page)."""
    return ("remove_from_cart", "checkout", product_id)


def page(page_type: str) -> Step:
    """A page view of a page type (home, pricing, account, ...)."""
    return ("page_view", page_type, None)


AUTO = "<auto>"  # default email: first.last@example.<country>


class Scenario:
    """The hand-crafted rows of the scenario personas, collected per raw table."""

    def __init__(self, clock: Clock, campaigns: Campaigns, counters: Counters) -> None:
        self.clock = clock
        self.campaigns = campaigns
        self.ids = counters
        self.rows: dict[str, list[dict[str, object]]] = {name: [] for name in SCHEMAS}
        self.contacts: dict[str, dict[str, object]] = {}

    def at(self, days_ago: int, hhmm: str = "12:00") -> dt.datetime:
        """Shorthand for :meth:`Clock.at`."""
        return self.clock.at(days_ago, hhmm)

    # -- contacts and consent ----------------------------------------------------------

    def person(
        self,
        contact_id: str,
        first_name: str | None,
        last_name: str | None,
        *,
        email: str | None = AUTO,
        gender: str | None = "f",
        birth_date: dt.date | None = None,
        age: int = 38,
        language: str | None = "nl",
        country: str | None = "NL",
        company: tuple[str, str, int | None] | None = None,
        signup_source: str | None = "newsletter",
        created: tuple[int, str] = (500, "10:00"),
        consent: bool = True,
    ) -> None:
        """Add a contact row (and by default a marketing opt-in two minutes after creation).

        ``company`` is (company_name, job_title, company_size) for a B2B contact. Without
        ``birth_date`` the contact is ``age`` years old with a birthday far from D.
        """
        if email == AUTO:
            domain = {"NL": "example.nl", "BE": "example.be"}.get(country or "", "example.com")
            email = f"{slug(first_name or '')}.{slug(last_name or '')}@{domain}"
        created_at = self.at(*created)
        company_name, job_title, company_size = company or (None, None, None)
        row: dict[str, object] = {
            "contact_id": contact_id,
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "gender": gender,
            "birth_date": birth_date or self.clock.birthday_elsewhere(age),
            "language": language,
            "country": country,
            "company_name": company_name,
            "job_title": job_title,
            "company_size": company_size,
            "signup_source": signup_source,
            "created_at": created_at,
            "updated_at": created_at + dt.timedelta(minutes=1),
        }
        self.rows["contacts"].append(row)
        self.contacts[contact_id] = row
        if consent:
            self.consent(contact_id, "opt_in", created_at + dt.timedelta(minutes=2))

    def new_version(self, contact_id: str, updated_at: dt.datetime, **changes: object) -> None:
        """Append another row for ``contact_id``: the latest row with ``changes``."""
        row = dict(self.contacts[contact_id])
        row.update(changes, updated_at=updated_at)
        self.rows["contacts"].append(row)
        self.contacts[contact_id] = row

    def consent(
        self, contact_id: str, status: str, at: dt.datetime, source: str = "newsletter_form"
    ) -> None:
        """Add an email/marketing consent event (opt_in or opt_out)."""
        self.rows["consent_events"].append(
            {
                "contact_id": contact_id,
                "channel": "email",
                "purpose": "marketing",
                "status": status,
                "recorded_at": at,
                "source": source,
            }
        )

    # -- orders -------------------------------------------------------------------------

    def order(
        self,
        contact_id: str | None,
        ordered_at: dt.datetime,
        items: Sequence[tuple[str, int]],
        *,
        status: str = "delivered",
        delivered_at: dt.datetime | None = None,
        total: Decimal | None = None,
        channel: str = "web",
        order_id: str | None = None,
    ) -> str:
        """Add an order with one line per (product_id, quantity); returns the order id.

        A delivered or returned order is delivered two days later at 14:00 unless
        ``delivered_at`` is given; the total defaults to the sum of the lines.
        """
        order_id = order_id or self.ids.one("O")
        if delivered_at is None and status in ("delivered", "returned"):
            delivered_at = (ordered_at + dt.timedelta(days=2)).replace(hour=14, minute=0)
        lines_total = Decimal("0.00")
        for line_number, (product_id, quantity) in enumerate(items, start=1):
            price = SCENARIO_PRICES[product_id]
            lines_total += price * quantity
            self.rows["order_lines"].append(
                {
                    "order_id": order_id,
                    "line_number": line_number,
                    "product_id": product_id,
                    "quantity": quantity,
                    "unit_price": price,
                }
            )
        self.rows["orders"].append(
            {
                "order_id": order_id,
                "contact_id": contact_id,
                "ordered_at": ordered_at,
                "status": status,
                "delivered_at": delivered_at,
                "total_amount": lines_total if total is None else total,
                "currency": "EUR",
                "channel": channel,
            }
        )
        return order_id

    # -- web ----------------------------------------------------------------------------

    def new_visitor(self) -> str:
        """A new cookie id."""
        return self.ids.one("V")

    def visit(
        self,
        visitor_id: str,
        start: dt.datetime,
        steps: Sequence[Step],
        contact_id: str | None = None,
        *,
        gap_seconds: int = 60,
    ) -> None:
        """Add one session of web events, ``gap_seconds`` apart.

        With a ``contact_id`` the visitor is logged in during the whole session; without
        one the session is anonymous (or after a logout).
        """
        session_id = self.ids.one("S")
        for k, (event_type, page_type, product_id) in enumerate(steps):
            if product_id is not None:
                url = product_urls(product_id)[0]
            elif event_type in ("whitepaper_download", "webinar_signup"):
                url = PAGE_URLS["whitepaper" if event_type == "whitepaper_download" else "webinar"]
            else:
                url = PAGE_URLS[page_type]
            self.rows["web_events"].append(
                {
                    "event_id": self.ids.one("W"),
                    "visitor_id": visitor_id,
                    "session_id": session_id,
                    "contact_id": contact_id,
                    "is_logged_in": contact_id is not None,
                    "event_type": event_type,
                    "page_type": page_type,
                    "product_id": product_id,
                    "occurred_at": start + dt.timedelta(seconds=k * gap_seconds),
                    "url": url,
                }
            )

    # -- email --------------------------------------------------------------------------

    def campaign(self, days_ago: int) -> str:
        """The id of the regular campaign sent on D - days_ago (there is one if days_ago % 7 in
        (0, 3))."""
        return self.campaigns.by_days_ago[days_ago]

    def mail(
        self,
        contact_id: str,
        sent_at: dt.datetime,
        *,
        campaign_id: str | None = None,
        flow_id: str | None = None,
        flow_step: int | None = None,
        delivered: bool = True,
        opens: Iterable[dt.datetime] = (),
        machine_opens: Iterable[dt.datetime] = (),
        clicks: Iterable[tuple[dt.datetime, str | None]] = (),
        other: Iterable[tuple[str, dt.datetime]] = (),
    ) -> str:
        """Add one message (sent, delivered, opens, clicks, ...); returns the message id.

        email_type is 'service' for service flows and 'marketing' otherwise. A click with
        a product id goes to that product's page. ``other`` holds extra events such as
        ('unsubscribe', time) or ('hard_bounce', time).
        """
        message_id = self.ids.one("M")
        email_type = "service" if flow_id and FLOWS[flow_id][0] == "service" else "marketing"
        events: list[tuple[dt.datetime, str, str | None, str | None, bool | None]] = [
            (sent_at, "sent", None, None, None)
        ]
        if delivered:
            events.append((sent_at + dt.timedelta(seconds=20), "delivered", None, None, None))
        events += [(t, "open", None, None, False) for t in opens]
        events += [(t, "open", None, None, True) for t in machine_opens]
        for clicked_at, product_id in clicks:
            url = product_urls(product_id)[0] if product_id else f"{SHOP}/inspiration"
            events.append((clicked_at, "click", url, product_id, None))
        events += [(t, event_type, None, None, None) for event_type, t in other]
        for occurred_at, event_type, url, product_id, machine in sorted(events, key=lambda e: e[0]):
            self.rows["email_events"].append(
                {
                    "event_id": self.ids.one("E"),
                    "message_id": message_id,
                    "contact_id": contact_id,
                    "email_type": email_type,
                    "campaign_id": campaign_id,
                    "flow_id": flow_id,
                    "flow_step": flow_step if flow_id else None,
                    "event_type": event_type,
                    "occurred_at": occurred_at,
                    "url": url,
                    "product_id": product_id,
                    "is_machine_open": machine,
                }
            )
        return message_id

    def newsletter(
        self,
        contact_id: str,
        days_ago: int,
        *,
        delivered: bool = True,
        opens: Iterable[dt.datetime] = (),
        machine_opens: Iterable[dt.datetime] = (),
        clicks: Iterable[tuple[dt.datetime, str | None]] = (),
        other: Iterable[tuple[str, dt.datetime]] = (),
    ) -> str:
        """Send the regular campaign of D - days_ago at 07:00:30 (events as in :meth:`mail`)."""
        return self.mail(
            contact_id,
            self.at(days_ago, f"{CAMPAIGN_HOUR:02d}:00:30"),
            campaign_id=self.campaign(days_ago),
            delivered=delivered,
            opens=opens,
            machine_opens=machine_opens,
            clicks=clicks,
            other=other,
        )

    # -- catalogue, service, privacy ------------------------------------------------------

    def stock(self, product_id: str, at: dt.datetime, quantity: int) -> None:
        """Add a stock level record."""
        self.rows["stock_levels"].append(
            {"product_id": product_id, "recorded_at": at, "quantity_available": quantity}
        )

    def alert(
        self, email: str | None, contact_id: str | None, product_id: str, at: dt.datetime
    ) -> None:
        """Add a back-in-stock alert request."""
        self.rows["stock_alert_requests"].append(
            {
                "request_id": self.ids.one("R"),
                "email": email,
                "contact_id": contact_id,
                "product_id": product_id,
                "requested_at": at,
            }
        )

    def interaction(
        self,
        contact_id: str,
        interaction_type: str,
        channel: str,
        opened_at: dt.datetime,
        closed_at: dt.datetime | None = None,
        product_id: str | None = None,
    ) -> None:
        """Add a customer service interaction."""
        self.rows["service_interactions"].append(
            {
                "interaction_id": self.ids.one("I"),
                "contact_id": contact_id,
                "interaction_type": interaction_type,
                "channel": channel,
                "opened_at": opened_at,
                "closed_at": closed_at,
                "product_id": product_id,
            }
        )

    def erasure(self, contact_id: str | None, email: str | None, at: dt.datetime) -> None:
        """Add a right-to-be-forgotten request."""
        self.rows["erasure_requests"].append(
            {
                "request_id": self.ids.one("ER"),
                "contact_id": contact_id,
                "email": email,
                "requested_at": at,
            }
        )

    def suppression(self, email: str, reason: str, at: dt.datetime) -> None:
        """Add a row to the ESP's suppression list."""
        self.rows["esp_suppressions"].append(
            {"email": email, "reason": reason, "suppressed_at": at}
        )

    def tables(self) -> dict[str, pa.Table]:
        """The collected rows as pyarrow tables in contract order and types."""
        return {
            name: pa.Table.from_pylist(rows, schema=SCHEMAS[name])
            for name, rows in self.rows.items()
        }


# --------------------------------------------------------------------------------------
# The scenario personas. Each function builds one contact with the given id.
# --------------------------------------------------------------------------------------

# abandoned_cart ----------------------------------------------------------------------


def cart_logged_in(s: Scenario, cid: str) -> None:
    """Logged-in (level 4) cart yesterday; padded upper-case email staging must normalise."""
    s.person(cid, "Jan", "de Vries", email="  Jan.De.Vries@Example.COM ", gender="m")
    v = s.new_visitor()
    s.visit(v, s.at(1, "19:02"), [page("home"), view("P0010"), add("P0010")], cid)
    s.visit(v, s.at(1, "19:30"), [view("P0011"), add("P0011")], cid)


def cart_after_logout(s: Scenario, cid: str) -> None:
    """Cart yesterday at level 3: the cookie logged in the day before, then logged out."""
    s.person(cid, "Sanne", "Bakker")
    v = s.new_visitor()
    s.visit(v, s.at(2, "20:10"), [page("account"), view("P0012")], cid)
    s.visit(v, s.at(1, "08:30"), [view("P0012"), add("P0012"), view("P0013"), add("P0013")])


def cart_of_customer(s: Scenario, cid: str) -> None:
    """Customer whose cart counts only adds after the last order, removes, and the 7-day window."""
    s.person(cid, "Thomas", "Mulder", gender="m", created=(300, "09:00"))
    v = s.new_visitor()
    s.visit(v, s.at(9, "10:00"), [add("P0014")], cid)  # older than 7 days
    s.visit(v, s.at(6, "10:00"), [add("P0021"), ("checkout_start", "checkout", None)], cid)
    s.order(cid, s.at(6, "10:05"), [("P0021", 1)], delivered_at=s.at(4, "11:00"))
    s.visit(v, s.at(4, "20:00"), [add("P0022")], cid)
    s.visit(v, s.at(3, "20:00"), [add("P0013")], cid)
    s.visit(v, s.at(2, "20:00"), [add("P0020"), add("P0015"), remove("P0015")], cid)
    s.visit(v, s.at(1, "18:00"), [add("P0022"), add("P0010")], cid)


def cart_holdout(s: Scenario, cid: str) -> None:
    """Cart yesterday plus birthday today: held-out cart still blocks the birthday mail."""
    s.person(cid, "Lotte", "van den Berg", birth_date=s.clock.birthday_today(34))
    s.visit(s.new_visitor(), s.at(1, "21:00"), [view("P0016"), add("P0016")], cid)


# welcome --------------------------------------------------------------------------------


def welcome_today(s: Scenario, cid: str) -> None:
    """Signed up for the newsletter this morning: welcome step 1."""
    s.person(cid, "Fleur", "Hendriks", created=(0, "08:13"))


def welcome_day_3(s: Scenario, cid: str) -> None:
    """Opted in 3 days ago (step 1 mail sent then): welcome step 2; an older contact row too."""
    s.person(cid, "Iris", "Smit", created=(3, "18:00"), signup_source="webinar")
    s.new_version(cid, s.at(1, "09:00"), last_name="Smit-de Boer", signup_source="newsletter")
    s.mail(cid, s.at(3, "18:10"), flow_id="welcome", flow_step=1, opens=[s.at(3, "19:00")])


def welcome_day_7(s: Scenario, cid: str) -> None:
    """Opted in 7 days ago (steps 1 and 2 sent): welcome step 3."""
    s.person(cid, "Milan", "de Groot", gender="m", created=(7, "12:00"))
    s.mail(cid, s.at(7, "12:10"), flow_id="welcome", flow_step=1, opens=[s.at(7, "13:00")])
    s.mail(cid, s.at(4, "09:00"), flow_id="welcome", flow_step=2)


def welcome_holdout(s: Scenario, cid: str) -> None:
    """Opted in today, but the holdout hash puts welcome in the control group."""
    s.person(cid, "Tess", "van Leeuwen", created=(0, "10:00"))


def welcome_not_first_opt_in(s: Scenario, cid: str) -> None:
    """Opted in again 3 days ago after an old opt-in and opt-out: no welcome (first opt-in)."""
    s.person(cid, "Sara", "Dekker", created=(400, "10:00"))
    s.consent(cid, "opt_out", s.at(100, "10:00"), "preference_centre")
    s.consent(cid, "opt_in", s.at(3, "10:00"), "preference_centre")


# customer_onboarding --------------------------------------------------------------------


def onboarding_day_1(s: Scenario, cid: str) -> None:
    """First order yesterday (account and opt-in at checkout): onboarding step 1, no cart mail."""
    s.person(
        cid,
        "Daan",
        "Visser",
        gender="m",
        created=(1, "14:45"),
        consent=False,
        signup_source="checkout",
    )
    v = s.new_visitor()
    s.visit(v, s.at(1, "14:30"), [page("home"), view("P0019"), add("P0019")])  # anonymous
    s.visit(v, s.at(1, "14:46"), [page("account"), ("checkout_start", "checkout", None)], cid)
    s.consent(cid, "opt_in", s.at(1, "14:50"), "checkout")
    s.order(cid, s.at(1, "14:52"), [("P0019", 1)], status="paid")


def onboarding_day_14(s: Scenario, cid: str) -> None:
    """First order 14 days ago: onboarding step 2; padded first name."""
    s.person(cid, " Femke ", "Brouwer", created=(200, "10:00"))
    s.order(cid, s.at(14, "20:15"), [("P0010", 1), ("P0012", 2)])
    s.mail(cid, s.at(13, "09:00"), flow_id="customer_onboarding", flow_step=1)


def onboarding_day_30(s: Scenario, cid: str) -> None:
    """First valid order 30 days ago after a cancelled one: onboarding step 3."""
    s.person(cid, "Levi", "de Boer", gender="m", created=(90, "10:00"))
    s.order(cid, s.at(60, "10:00"), [("P0015", 1)], status="cancelled")
    s.order(cid, s.at(30, "11:00"), [("P0015", 1)])
    s.mail(cid, s.at(29, "09:00"), flow_id="customer_onboarding", flow_step=1)
    s.mail(cid, s.at(16, "09:00"), flow_id="customer_onboarding", flow_step=2)


# browse_abandonment -----------------------------------------------------------------------


def browse_logged_in(s: Scenario, cid: str) -> None:
    """Viewed P0015 three times and P0016 once yesterday, logged in: browse mail about P0015."""
    s.person(cid, "Stijn", "Meijer", gender="m")
    s.visit(
        s.new_visitor(),
        s.at(1, "12:00"),
        [view("P0015"), view("P0016"), view("P0015"), page("home"), view("P0015")],
        cid,
    )


def browse_third_visit_login(s: Scenario, cid: str) -> None:
    """New cookie: visits 1-2 anonymous (levels 1, 2), logs in on visit 3 (4), visit 4 level 3."""
    s.person(cid, "Noor", "Vos")
    v = s.new_visitor()
    s.visit(v, s.at(20, "10:00"), [page("home")])
    s.visit(v, s.at(10, "10:00"), [view("P0015")])
    s.visit(v, s.at(5, "10:00"), [page("account"), view("P0016")], cid)
    s.visit(v, s.at(1, "21:00"), [view("P0016"), view("P0015"), view("P0016")])


def browse_tie(s: Scenario, cid: str) -> None:
    """Two products viewed twice each yesterday: the later-viewed P0011 wins; gender '?'."""
    s.person(cid, "Jesse", "Goossens", gender="?")
    s.visit(
        s.new_visitor(),
        s.at(1, "10:00"),
        [view("P0010"), view("P0011"), view("P0010"), view("P0011")],
        cid,
        gap_seconds=600,
    )


# reminder_no_conversion -------------------------------------------------------------------


def click_no_order(s: Scenario, cid: str) -> None:
    """Clicked P0016 in last week's newsletter two days ago, no order; unknown signup_source."""
    s.person(cid, "Hanna", "Wouters", signup_source="facebook_ad")
    s.newsletter(cid, 7, opens=[s.at(2, "09:00")], clicks=[(s.at(2, "09:01"), "P0016")])


def two_clicks_no_order(s: Scenario, cid: str) -> None:
    """Clicked P0012 then P0013 two days ago: the latest click (P0013) is the product."""
    s.person(cid, "Arthur", "Lambert", gender="m", country="BE", language="fr")
    s.newsletter(
        cid,
        7,
        opens=[s.at(2, "18:00")],
        clicks=[(s.at(2, "18:01"), "P0012"), (s.at(2, "18:05"), "P0013")],
    )


def flow_click_no_order(s: Scenario, cid: str) -> None:
    """Clicked a product in a browse-abandonment mail (a marketing flow mail) two days ago."""
    s.person(cid, "Chloe", "Martin", country="BE")
    s.visit(s.new_visitor(), s.at(4, "20:00"), [view("P0011"), view("P0011")], cid)
    s.mail(
        cid,
        s.at(3, "09:00"),
        flow_id="browse_abandonment",
        opens=[s.at(2, "10:00")],
        clicks=[(s.at(2, "10:01"), "P0011")],
    )


# cross_sell_accessory ---------------------------------------------------------------------


def bought_machine_120(s: Scenario, cid: str) -> None:
    """Bought P0001 exactly 120 days ago: accessories P0005, P0002, P0008 (not P0003/P0004)."""
    s.person(cid, "Bram", "Jacobs", gender="m", created=(400, "10:00"))
    s.order(cid, s.at(120, "15:00"), [("P0001", 1)])


def bought_machine_and_jug_120(s: Scenario, cid: str) -> None:
    """Bought P0001 with the jug P0002 120 days ago: the jug is owned, so P0005, P0008, P0009."""
    s.person(cid, "Elise", "Mertens", country="BE")
    s.order(cid, s.at(120, "09:30"), [("P0001", 1), ("P0002", 1)])


def bought_two_mains_120(s: Scenario, cid: str) -> None:
    """Bought P0001 and P0006 at 23:59 120 days ago: tie on ordered_at, smallest product P0001."""
    s.person(cid, "Louis", "Dubois", gender="m", country="BE", language="fr")
    s.order(cid, s.at(120, "23:59"), [("P0006", 1), ("P0001", 1)])


def accessories_not_eligible(s: Scenario, cid: str) -> None:
    """Bought P0006 120 days ago; its accessories are out of stock, inactive or already owned."""
    s.person(cid, "Willem", "Smits", gender="m", created=(700, "10:00"))
    s.order(cid, s.at(500, "10:00"), [("P0007", 2)])
    s.order(cid, s.at(120, "10:00"), [("P0006", 1)])


# birthday ---------------------------------------------------------------------------------


def birthday_plain(s: Scenario, cid: str) -> None:
    """Birthday today (last year's birthday mail is past the 300-day cooldown); lower-case names."""
    s.person(cid, "lotte", "de graaf", birth_date=s.clock.birthday_today(41))
    s.mail(cid, s.at(365, "08:00"), flow_id="birthday")


def birthday_consent_regained(s: Scenario, cid: str) -> None:
    """Unsubscribed via the ESP 100 days ago, opted in again 20 days ago; birthday today."""
    s.person(cid, "Olivia", "Claes", birth_date=s.clock.birthday_today(29), country="BE")
    s.newsletter(cid, 101, other=[("unsubscribe", s.at(100, "12:00"))])
    s.consent(cid, "opt_in", s.at(20, "15:00"), "preference_centre")


def cart_emptied_birthday(s: Scenario, cid: str) -> None:
    """Cart emptied by remove_from_cart yesterday (no cart mail); birthday today instead."""
    s.person(cid, "Julia", "Willems", birth_date=s.clock.birthday_today(25))
    s.visit(s.new_visitor(), s.at(1, "10:00"), [add("P0020"), remove("P0020")], cid)


def birthday_holdout(s: Scenario, cid: str) -> None:
    """Birthday today, held out by the hash."""
    s.person(cid, "Max", "Dijkstra", gender="m", birth_date=s.clock.birthday_today(52))


def born_29_february(s: Scenario, cid: str) -> None:
    """Born on 29 February: birthday on 28 February in other years, 29 February in leap years."""
    s.person(cid, "Lina", "Jansen", birth_date=dt.date(1992, 2, 29))


# repeat_purchase --------------------------------------------------------------------------


def repeat_due(s: Scenario, cid: str) -> None:
    """Orders 150, 110, 70 days ago: gap 40, due; an exact duplicate contact row too."""
    s.person(cid, "Amira", "Yilmaz", created=(500, "10:00"))
    s.new_version(cid, s.at(500, "10:01"))  # same updated_at as the first row: identical
    for days in (150, 110, 70):
        s.order(cid, s.at(days, "19:00"), [("P0012", 2)])


def repeat_boundary(s: Scenario, cid: str) -> None:
    """Orders 400, 300, 200, 100 days ago: 100 x 3 >= 300, due at equality; names in capitals."""
    s.person(cid, "PIETER", "JANSSENS", gender="M ", country="BE", created=(500, "10:00"))
    for days in (400, 300, 200, 100):
        s.order(cid, s.at(days, "11:00"), [("P0013", 3)])


def repeat_two_orders(s: Scenario, cid: str) -> None:
    """Orders 90 and 45 days ago: gap 45, 45 days since the last order: due."""
    s.person(cid, "Kees", "de Jong", gender="m", created=(100, "10:00"))
    s.order(cid, s.at(90, "12:00"), [("P0012", 1)])
    s.order(cid, s.at(45, "12:00"), [("P0012", 1), ("P0013", 1)])


# lead_nurture and lead bands ---------------------------------------------------------------


def lead_warm(s: Scenario, cid: str) -> None:
    """B2B manager (fit 15) who downloaded a whitepaper 5 days ago: warm (~24.6), lead."""
    s.person(
        cid,
        "Marie",
        "Peeters",
        company=("Polder Retail B.V.", "Marketing Manager", 20),
        signup_source="whitepaper",
    )
    s.visit(
        s.new_visitor(),
        s.at(5, "10:00"),
        [page("blog"), ("whitepaper_download", "other", None)],
        cid,
    )


def lead_hot(s: Scenario, cid: str) -> None:
    """B2B head of operations (fit 25), webinar, whitepaper, pricing views: hot (~56.6), MQL."""
    s.person(
        cid,
        "Louise",
        "Maes",
        country="BE",
        company=("Schelde Logistics NV", "HEAD of Operations", 120),
        signup_source="webinar",
    )
    v = s.new_visitor()
    s.visit(v, s.at(10, "14:00"), [("whitepaper_download", "other", None)], cid)
    s.visit(v, s.at(6, "09:00"), [page("pricing")], cid)
    s.visit(v, s.at(4, "09:00"), [page("pricing")], cid)
    s.visit(v, s.at(3, "15:00"), [("webinar_signup", "other", None)], cid)
    s.visit(v, s.at(2, "09:00"), [page("pricing")], cid)


def lead_fit_only(s: Scenario, cid: str) -> None:
    """B2B founder of a 60-person company in NL: fit points alone (25) make a warm lead."""
    s.person(cid, "Youssef", "El Amrani", gender="m", company=("Tulip Tech", "Founder", 60))


def lead_sales_ready(s: Scenario, cid: str) -> None:
    """B2B director with many pricing views (~90 points): sales_ready, for sales, no mail flow."""
    s.person(
        cid,
        "Ruben",
        "van der Meer",
        gender="m",
        company=("Delta Foods B.V.", "Purchasing Director", 250),
        signup_source="whitepaper",
    )
    v = s.new_visitor()
    for days in range(8, 0, -1):
        s.visit(v, s.at(days, "08:30"), [page("home"), page("pricing")], cid)
    s.visit(v, s.at(12, "16:00"), [("whitepaper_download", "other", None)], cid)
    s.visit(v, s.at(5, "16:00"), [("webinar_signup", "other", None)], cid)
    s.visit(v, s.at(3, "16:00"), [("whitepaper_download", "other", None)], cid)


# reactivation and win_back -----------------------------------------------------------------


def lapsed_250(s: Scenario, cid: str) -> None:
    """Only order 250 days ago, last engagement 90 days ago: reactivation."""
    s.person(cid, "Emma", "Janssen", created=(600, "10:00"))
    s.order(cid, s.at(250, "13:00"), [("P0011", 1)])
    s.newsletter(cid, 91, opens=[s.at(90, "20:00")])


def lapsed_negative_refund(s: Scenario, cid: str) -> None:
    """Orders 500 and 200 days ago, plus a negative-amount order 30 days ago (quarantined)."""
    s.person(cid, "Tim", "Wouters", gender="m", created=(600, "10:00"))
    s.order(cid, s.at(500, "13:00"), [("P0014", 1)])
    s.order(cid, s.at(200, "13:00"), [("P0016", 1)])
    s.order(cid, s.at(30, "13:00"), [("P0016", 1)], total=Decimal("-89.95"))


def lapsed_boundary(s: Scenario, cid: str) -> None:
    """Only order exactly 180 days ago: reactivation (first day of the window), lapsed."""
    s.person(cid, "Nora", "Bos", created=(300, "10:00"))
    s.order(cid, s.at(180, "09:00"), [("P0020", 1)])


def lapsed_but_engaged(s: Scenario, cid: str) -> None:
    """Only order 250 days ago but logged in on the website 20 days ago: no reactivation."""
    s.person(cid, "Finn", "Hendriks", gender="m", created=(600, "10:00"))
    s.order(cid, s.at(250, "13:00"), [("P0011", 1)])
    s.visit(s.new_visitor(), s.at(20, "19:00"), [page("home"), page("account")], cid)


def lost_400(s: Scenario, cid: str) -> None:
    """Order 400 days ago, plus an order with unknown status 'lost_in_transit' (quarantined)."""
    s.person(cid, "Sophie", "Lambert", created=(800, "10:00"), country="BE")
    s.order(cid, s.at(400, "10:00"), [("P0010", 1)])
    s.order(cid, s.at(200, "10:00"), [("P0011", 1)], status="lost_in_transit")


def lost_two_orders(s: Scenario, cid: str) -> None:
    """Orders 700 and 500 days ago: win_back."""
    s.person(cid, "Lucas", "Vos", gender="m", created=(900, "10:00"))
    s.order(cid, s.at(700, "10:00"), [("P0014", 1)])
    s.order(cid, s.at(500, "10:00"), [("P0016", 1)])


def lost_boundary(s: Scenario, cid: str) -> None:
    """Only order exactly 730 days ago: win_back (last day of the window), lost."""
    s.person(cid, "Laura", "Smith", created=(800, "10:00"), country="GB", language="en")
    s.order(cid, s.at(730, "10:00"), [("P0021", 1)])


def lost_holdout(s: Scenario, cid: str) -> None:
    """Order 450 days ago: win_back, held out by the hash (md5 'C000007:win_back' -> bucket 6)."""
    s.person(cid, "Mohamed", "Yilmaz", gender="m", created=(800, "10:00"))
    s.order(cid, s.at(450, "10:00"), [("P0022", 1)])


# reminders ---------------------------------------------------------------------------------


def opened_not_clicked(s: Scenario, cid: str) -> None:
    """Opened the campaign of 3 days ago, no click: reminder_no_click."""
    s.person(cid, "Eva", "de Jong")
    s.newsletter(cid, 3, opens=[s.at(3, "12:00")])


def opened_late_not_clicked(s: Scenario, cid: str) -> None:
    """Opened the campaign of 3 days ago only yesterday: still reminder_no_click."""
    s.person(cid, "Thijs", "Peters", gender="m")
    s.newsletter(cid, 3, opens=[s.at(1, "20:00")])


def machine_and_real_open(s: Scenario, cid: str) -> None:
    """A machine open and a real open of the campaign of 3 days ago: reminder_no_click."""
    s.person(cid, "Femke", "Claes", country="BE")
    s.newsletter(cid, 3, machine_opens=[s.at(3, "07:01")], opens=[s.at(2, "08:00")])


def not_opened(s: Scenario, cid: str) -> None:
    """Did not open the campaign of 3 days ago: reminder_non_open."""
    s.person(cid, "Jules", "Mertens", gender="m", country="BE")
    s.newsletter(cid, 3)


def machine_open_only(s: Scenario, cid: str) -> None:
    """Only a privacy-proxy (machine) open of the campaign of 3 days ago: reminder_non_open."""
    s.person(cid, "Charlotte", "de Wit")
    s.newsletter(cid, 3, machine_opens=[s.at(3, "07:01:10")])


def soft_bounced(s: Scenario, cid: str) -> None:
    """The campaign of 3 days ago soft-bounced (sent, never opened): reminder_non_open."""
    s.person(cid, "Liam", "Brown", gender="m", language="en")
    s.newsletter(cid, 3, delivered=False, other=[("soft_bounce", s.at(3, "07:02"))])


def reminder_already_sent(s: Scenario, cid: str) -> None:
    """Did not open the campaign of 3 days ago, but a reminder for it was sent yesterday."""
    s.person(cid, "Lisa", "Goossens")
    s.newsletter(cid, 3)
    s.mail(cid, s.at(1, "07:00"), campaign_id=s.campaign(3), flow_id="reminder_non_open")


# service flows -----------------------------------------------------------------------------


def alert_restocked(s: Scenario, cid: str) -> None:
    """Asked for a back-in-stock alert for P0017 10 days ago (no email on the request)."""
    s.person(cid, "Ruben", "Dekker", gender="m")
    s.alert(None, cid, "P0017", s.at(10, "21:00"))


def alerts_two_products(s: Scenario, cid: str) -> None:
    """Alerts for P0018 and P0017 with a padded mixed-case email: one mail, both products."""
    s.person(cid, "Mila", "Peeters", country="BE", consent=False)
    s.alert("  Mila.Peeters@Example.BE", cid, "P0018", s.at(9, "12:00"))
    s.alert("  Mila.Peeters@Example.BE", cid, "P0017", s.at(8, "12:00"))


def delivered_today_with_complaint(s: Scenario, cid: str) -> None:
    """First order delivered today (P0019 has a manual) and a complaint opened today."""
    s.person(cid, "Emma", "de Wit", created=(40, "10:00"))
    s.order(cid, s.at(3, "10:00"), [("P0019", 1), ("P0012", 1)], delivered_at=s.at(0, "11:00"))
    s.interaction(cid, "complaint", "chat", s.at(0, "14:20"), None, "P0019")


def two_deliveries_today(s: Scenario, cid: str) -> None:
    """Two orders delivered today: products from both; the latest delivery is the trigger."""
    s.person(cid, "Koen", "Brouwer", gender="m", created=(300, "10:00"))
    s.order(cid, s.at(200, "10:00"), [("P0014", 1)])
    s.order(cid, s.at(4, "10:00"), [("P0015", 1), ("P0021", 1)], delivered_at=s.at(0, "09:30"))
    s.order(cid, s.at(2, "10:00"), [("P0010", 1)], delivered_at=s.at(0, "16:00"))


def delivered_today_no_consent(s: Scenario, cid: str) -> None:
    """Never opted in, order delivered today: service mails need no marketing consent."""
    s.person(cid, "Bart", "Claes", gender="m", country="BE", consent=False)
    s.order(cid, s.at(5, "10:00"), [("P0011", 1)], delivered_at=s.at(0, "10:15"))


def complaint_today(s: Scenario, cid: str) -> None:
    """Two complaints opened today (no consent): the latest one is the trigger."""
    s.person(cid, "Yasmin", "de Groot", consent=False)
    s.interaction(cid, "complaint", "email", s.at(0, "08:05"), None, "P0011")
    s.interaction(cid, "complaint", "phone", s.at(0, "13:40"), None, "P0011")


def question_closed_yesterday(s: Scenario, cid: str) -> None:
    """A question closed yesterday: service_survey."""
    s.person(cid, "Wout", "Maes", gender="m", country="BE")
    s.interaction(cid, "question", "chat", s.at(2, "09:00"), s.at(1, "16:00"))


def return_closed_yesterday(s: Scenario, cid: str) -> None:
    """A return closed yesterday (survey) and a question closed today (not yet)."""
    s.person(cid, "Elise", "Jacobs", created=(200, "10:00"))
    s.order(cid, s.at(20, "10:00"), [("P0016", 1)], status="returned")
    s.interaction(cid, "return", "store", s.at(6, "11:00"), s.at(1, "10:00"), "P0016")
    s.interaction(cid, "question", "phone", s.at(0, "08:00"), s.at(0, "09:00"))


# exclusions --------------------------------------------------------------------------------


def invalid_double_at(s: Scenario, cid: str) -> None:
    """Birthday today, email 'kees.smits@@example.nl' is invalid: invalid_email."""
    s.person(
        cid,
        "Kees",
        "Smits",
        gender="m",
        email="kees.smits@@example.nl",
        birth_date=s.clock.birthday_today(60),
    )


def invalid_no_dot(s: Scenario, cid: str) -> None:
    """Opted in today, email without a dot in the domain: invalid_email for welcome."""
    s.person(cid, "Anna", "Dijkstra", email="anna.dijkstra@localhost", created=(0, "07:40"))


def no_email_delivery(s: Scenario, cid: str) -> None:
    """No email at all (store customer), delivered today: invalid_email for a service mail."""
    s.person(cid, "Willem", "Bos", gender="m", email=None, consent=False, signup_source="store")
    s.order(cid, s.at(2, "10:00"), [("P0010", 1)], delivered_at=s.at(0, "12:00"))


def duplicate_email_older(s: Scenario, cid: str) -> None:
    """Shares 'sam.jansen@example.com' (upper-case, padded), updated earlier: duplicate_email."""
    s.person(
        cid,
        "Sam",
        "Jansen",
        gender="x",
        email="  Sam.Jansen@Example.COM ",
        birth_date=s.clock.birthday_today(33),
        created=(600, "10:00"),
    )


def duplicate_email_newer(s: Scenario, cid: str) -> None:
    """Shares 'sam.jansen@example.com', updated later: keeps the birthday mail."""
    s.person(
        cid,
        "Samantha",
        "Jansen",
        email="sam.jansen@example.com",
        birth_date=s.clock.birthday_today(33),
        created=(100, "10:00"),
    )


def hard_bounced_welcome(s: Scenario, cid: str) -> None:
    """Welcome step 1 hard-bounced 7 days ago; welcome step 3 due today: suppressed."""
    s.person(cid, "Finn", "Smits", gender="m", created=(7, "09:00"))
    s.mail(
        cid,
        s.at(7, "09:10"),
        flow_id="welcome",
        flow_step=1,
        delivered=False,
        other=[("hard_bounce", s.at(7, "09:11"))],
    )


def spam_complainer(s: Scenario, cid: str) -> None:
    """Marked a campaign as spam 41 days ago; birthday today: suppressed."""
    s.person(cid, "Sara", "Mulder", birth_date=s.clock.birthday_today(45))
    s.newsletter(cid, 42, opens=[s.at(41, "08:00")], other=[("spam_complaint", s.at(41, "08:01"))])


def manually_suppressed(s: Scenario, cid: str) -> None:
    """On the ESP suppression list ('manual'); complaint today: suppressed (service flow)."""
    s.person(cid, "Jesse", "van Dijk", gender="m")
    s.suppression("jesse.vandijk@example.nl", "manual", s.at(60, "10:00"))
    s.interaction(cid, "complaint", "phone", s.at(0, "09:30"), None, "P0010")


def esp_hard_bounce_listed(s: Scenario, cid: str) -> None:
    """On the ESP suppression list ('hard_bounce'); cart yesterday: suppressed."""
    s.person(cid, "Sem", "Visser", gender="m")
    s.suppression("sem.visser@example.nl", "hard_bounce", s.at(90, "10:00"))
    s.visit(s.new_visitor(), s.at(1, "17:00"), [view("P0012"), add("P0012")], cid)


def never_consented(s: Scenario, cid: str) -> None:
    """No consent ever, birthday today, an order in the future (ignored): prospect, no_consent."""
    s.person(
        cid, "Lars", "Bakker", gender="m", birth_date=s.clock.birthday_today(27), consent=False
    )
    s.order(cid, s.at(-3, "10:00"), [("P0019", 1)], status="placed")


def opted_out(s: Scenario, cid: str) -> None:
    """Opted out 20 days ago after an opt-in; birthday today: no_consent."""
    s.person(cid, "Iris", "Meijer", birth_date=s.clock.birthday_today(31))
    s.consent(cid, "opt_out", s.at(20, "10:00"), "preference_centre")


def esp_unsubscribed(s: Scenario, cid: str) -> None:
    """Unsubscribed through the ESP 15 days ago after an opt-in; cart yesterday: no_consent."""
    s.person(cid, "Noah", "Smit", gender="m")
    s.newsletter(cid, 17, opens=[s.at(15, "19:00")], other=[("unsubscribe", s.at(15, "19:01"))])
    s.visit(s.new_visitor(), s.at(1, "13:00"), [view("P0016"), add("P0016")], cid)


def esp_list_unsubscribed(s: Scenario, cid: str) -> None:
    """On the ESP list as 'unsubscribe' (mixed case) after an opt-in; browsed yesterday."""
    s.person(cid, "Fatima", "Bakker")
    s.suppression("Fatima.Bakker@EXAMPLE.nl", "unsubscribe", s.at(10, "10:00"))
    s.visit(s.new_visitor(), s.at(1, "15:00"), [view("P0019"), view("P0019")], cid)


def opt_in_out_same_second(s: Scenario, cid: str) -> None:
    """Opt-in and opt-out at the same second (opt-out wins); birthday today: no_consent."""
    s.person(cid, "Charlotte", "Jacobs", birth_date=s.clock.birthday_today(48), consent=False)
    s.consent(cid, "opt_in", s.at(50, "10:00:00"), "import")
    s.consent(cid, "opt_out", s.at(50, "10:00:00"), "import")


def cart_in_cooldown(s: Scenario, cid: str) -> None:
    """Got an abandoned-cart mail 3 days ago, new cart yesterday: cooldown."""
    s.person(cid, "Milan", "Jacobs", gender="m")
    v = s.new_visitor()
    s.visit(v, s.at(4, "20:00"), [add("P0021")], cid)
    s.mail(cid, s.at(3, "09:00"), flow_id="abandoned_cart", opens=[s.at(3, "12:00")])
    s.order(cid, s.at(3, "12:05"), [("P0021", 1)])
    s.visit(v, s.at(1, "20:00"), [add("P0022")], cid)


def mailed_this_morning(s: Scenario, cid: str) -> None:
    """Received today's 07:00 campaign; birthday today: contact_pressure."""
    s.person(cid, "Anna", "Mertens", birth_date=s.clock.birthday_today(36), country="BE")
    s.newsletter(cid, 0, opens=[s.at(0, "07:30")])


def three_mails_this_week(s: Scenario, cid: str) -> None:
    """Three marketing mails in the last 7 days; birthday today: contact_pressure."""
    s.person(cid, "Thomas", "de Vries", gender="m", birth_date=s.clock.birthday_today(44))
    s.mail(cid, s.at(5, "09:00"), flow_id="reminder_no_conversion")
    s.newsletter(cid, 3, opens=[s.at(3, "08:00")], clicks=[(s.at(3, "08:01"), None)])
    s.mail(cid, s.at(1, "09:00"), flow_id="browse_abandonment")


def three_flows_one_day(s: Scenario, cid: str) -> None:
    """Cart, browse and birthday on one day: abandoned_cart wins, the others lower_priority."""
    s.person(cid, "Sophie", "Brouwer", birth_date=s.clock.birthday_today(39))
    v = s.new_visitor()
    s.visit(v, s.at(1, "08:00"), [add("P0020")], cid)  # before the first view of the day
    s.visit(v, s.at(1, "20:00"), [view("P0019"), view("P0019")], cid)


# edge cases without a row -----------------------------------------------------------------


def ordered_after_cart(s: Scenario, cid: str) -> None:
    """Cart yesterday, ordered this morning at 08:00: no cart mail."""
    s.person(cid, "Bram", "de Graaf", gender="m", created=(200, "10:00"))
    s.visit(s.new_visitor(), s.at(1, "14:00"), [view("P0011"), add("P0011")], cid)
    s.order(cid, s.at(0, "08:00"), [("P0011", 1)], status="paid")


def still_shopping(s: Scenario, cid: str) -> None:
    """Added to cart yesterday and again this morning: still shopping, no cart mail."""
    s.person(cid, "Louise", "Dubois", country="BE", language="fr")
    v = s.new_visitor()
    s.visit(v, s.at(1, "10:00"), [add("P0012")], cid)
    s.visit(v, s.at(0, "08:30"), [add("P0013")], cid)


def anonymous_cart_then_login(s: Scenario, cid: str) -> None:
    """New cookie filled a cart yesterday anonymously (levels 1-2), logged in today: no mail."""
    s.person(cid, "Tim", "van Dijk", gender="m")
    v = s.new_visitor()
    s.visit(v, s.at(1, "16:00"), [page("home"), view("P0015"), add("P0015")])
    s.visit(v, s.at(0, "09:00"), [page("account")], cid)


def erased_by_id(s: Scenario, cid: str) -> None:
    """Erasure request by contact_id; would have had cart, birthday and stock alert mails."""
    s.person(cid, "Lars", "Willems", gender="m", birth_date=s.clock.birthday_today(30))
    s.order(cid, s.at(30, "10:00"), [("P0012", 1)])
    s.newsletter(cid, 10, opens=[s.at(10, "08:00")])
    s.visit(s.new_visitor(), s.at(1, "19:00"), [view("P0010"), add("P0010")], cid)
    s.alert(None, cid, "P0017", s.at(7, "10:00"))
    s.erasure(cid, None, s.at(2, "10:00"))


def erased_by_email(s: Scenario, cid: str) -> None:
    """Erasure request by email only (other case, padded); also an email-only stock alert."""
    s.person(
        cid,
        "Erik",
        "Visser",
        gender="m",
        email="erik.visser@example.com",
        birth_date=s.clock.birthday_today(50),
    )
    s.order(cid, s.at(60, "10:00"), [("P0013", 1)])
    s.newsletter(cid, 14, opens=[s.at(13, "08:00")])
    s.visit(s.new_visitor(), s.at(1, "19:00"), [view("P0011"), add("P0011")], cid)
    s.alert(None, cid, "P0017", s.at(6, "10:00"))
    s.alert(" ERIK.VISSER@Example.com", None, "P0017", s.at(4, "10:00"))
    s.erasure(None, "  Erik.Visser@EXAMPLE.com ", s.at(1, "10:00"))


def ambiguous_duplicate(s: Scenario, cid: str) -> None:
    """Two differing rows with the same latest updated_at: quarantined with its events."""
    s.person(cid, "Noah", "Peters", gender="m", birth_date=s.clock.birthday_today(22))
    s.new_version(cid, s.at(50, "10:00"), first_name="Noah")
    s.new_version(cid, s.at(50, "10:00"), first_name="Noa")
    s.order(cid, s.at(10, "10:00"), [("P0022", 1)])
    s.visit(s.new_visitor(), s.at(1, "19:00"), [view("P0022"), add("P0022")], cid)


# rows that belong to no persona ---------------------------------------------------------------


def catalogue_rows(s: Scenario) -> None:
    """The scenario products, their relations and stock histories."""
    for spec in SCENARIO_PRODUCTS:
        url, image_url, manual_url = product_urls(spec.product_id)
        s.rows["products"].append(
            {
                "product_id": spec.product_id,
                "name": spec.name,
                "category": spec.category,
                "price": Decimal(spec.price),
                "url": url,
                "image_url": image_url,
                "manual_url": manual_url if spec.manual else None,
                "is_active": spec.is_active,
            }
        )
        history = SCENARIO_STOCK.get(spec.product_id, ((400, "09:00", 50),))
        for days_ago, hhmm, quantity in history:
            s.stock(spec.product_id, s.at(days_ago, hhmm), quantity)
    for product_id, related_id, relation_type in SCENARIO_RELATIONS:
        s.rows["product_relations"].append(
            {
                "product_id": product_id,
                "related_product_id": related_id,
                "relation_type": relation_type,
            }
        )


def loose_rows(s: Scenario) -> None:
    """Anonymous visitors, email-only alerts, unknown contacts and orphans (no persona)."""
    # An anonymous visitor (levels 1-2 only) abandons a cart yesterday: nobody to mail.
    s.visit(s.new_visitor(), s.at(1, "11:00"), [page("home"), view("P0016"), add("P0016")])
    # Email-only back-in-stock requests.
    s.alert("koffie.liefhebber@example.org", None, "P0017", s.at(5, "20:00"))  # restocked: mail
    s.alert("oud.verzoek@example.org", None, "P0018", s.at(40, "10:00"))  # answered at D-30
    s.alert("wacht.nog@example.org", None, "P0023", s.at(3, "10:00"))  # still out of stock
    s.alert("te.laat@example.org", None, "P0017", s.at(0, "09:00"))  # after today's restock
    # An address the ESP suppresses that is no contact.
    s.suppression("old.address@example.net", "manual", s.at(300, "10:00"))
    # Rows of a contact id that is in no contacts row: quarantined as unknown_contact.
    s.consent(UNKNOWN_CONTACT, "opt_in", s.at(100, "10:00"))
    s.order(UNKNOWN_CONTACT, s.at(50, "10:00"), [("P0012", 1)])
    s.mail(UNKNOWN_CONTACT, s.at(10, "07:00:30"), campaign_id=s.campaign(10))
    s.visit(s.new_visitor(), s.at(2, "10:00"), [view("P0012")], UNKNOWN_CONTACT)
    s.interaction(UNKNOWN_CONTACT, "question", "email", s.at(5, "10:00"), s.at(4, "10:00"))
    s.alert(None, UNKNOWN_CONTACT, "P0017", s.at(5, "10:00"))
    # Order lines of an order that does not exist: quarantined as unknown_order.
    s.rows["order_lines"].append(
        {
            "order_id": ORPHAN_ORDER,
            "line_number": 1,
            "product_id": "P0012",
            "quantity": 1,
            "unit_price": SCENARIO_PRICES["P0012"],
        }
    )


# --------------------------------------------------------------------------------------
# The persona registry.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    """A scenario contact: its id, how it is built, and what it should produce on D.

    ``expects`` lists ``flow:decision`` for every flow the persona triggers on D, where
    decision is 'send', 'holdout' or the exclusion reason; empty means no flow row.
    ``only_when`` states a condition on D under which ``expects`` holds (else no row).
    """

    contact_id: str
    build: Callable[[Scenario, str], None]
    expects: tuple[str, ...]
    only_when: str | None = None

    @property
    def purpose(self) -> str:
        """The one-line purpose: the first line of the build function's docstring."""
        return (self.build.__doc__ or "").strip().splitlines()[0]


PERSONAS: tuple[Persona, ...] = (
    Persona("C000001", cart_logged_in, ("abandoned_cart:send",)),
    Persona("C000002", cart_after_logout, ("abandoned_cart:send",)),
    Persona("C000003", birthday_holdout, ("birthday:holdout",)),
    Persona("C000004", cart_of_customer, ("abandoned_cart:send",)),
    Persona("C000005", welcome_today, ("welcome:send",)),
    Persona("C000006", welcome_day_3, ("welcome:send",)),
    Persona("C000007", lost_holdout, ("win_back:holdout",)),
    Persona("C000008", welcome_day_7, ("welcome:send",)),
    Persona("C000009", onboarding_day_1, ("customer_onboarding:send",)),
    Persona("C000010", onboarding_day_14, ("customer_onboarding:send",)),
    Persona("C000011", cart_holdout, ("abandoned_cart:holdout", "birthday:lower_priority")),
    Persona("C000012", onboarding_day_30, ("customer_onboarding:send",)),
    Persona("C000013", welcome_holdout, ("welcome:holdout",)),
    Persona("C000014", browse_logged_in, ("browse_abandonment:send",)),
    Persona("C000015", browse_third_visit_login, ("browse_abandonment:send",)),
    Persona("C000016", browse_tie, ("browse_abandonment:send",)),
    Persona("C000017", click_no_order, ("reminder_no_conversion:send",)),
    Persona("C000018", two_clicks_no_order, ("reminder_no_conversion:send",)),
    Persona("C000019", flow_click_no_order, ("reminder_no_conversion:send",)),
    Persona("C000020", birthday_plain, ("birthday:send",)),
    Persona("C000021", bought_machine_120, ("cross_sell_accessory:send",)),
    Persona("C000022", bought_machine_and_jug_120, ("cross_sell_accessory:send",)),
    Persona("C000023", bought_two_mains_120, ("cross_sell_accessory:send",)),
    Persona("C000024", birthday_consent_regained, ("birthday:send",)),
    Persona("C000025", cart_emptied_birthday, ("birthday:send",)),
    Persona(
        "C000026",
        born_29_february,
        ("birthday:send",),
        only_when="D is 28 February of a non-leap year or 29 February",
    ),
    Persona("C000027", repeat_due, ("repeat_purchase:send",)),
    Persona("C000028", repeat_boundary, ("repeat_purchase:send",)),
    Persona("C000029", repeat_two_orders, ("repeat_purchase:send",)),
    Persona("C000030", lead_warm, ("lead_nurture:send",)),
    Persona("C000031", lead_hot, ("lead_nurture:send",)),
    Persona("C000032", lead_fit_only, ("lead_nurture:send",)),
    Persona("C000033", lapsed_250, ("reactivation:send",)),
    Persona("C000034", lapsed_negative_refund, ("reactivation:send",)),
    Persona("C000035", lapsed_boundary, ("reactivation:send",)),
    Persona("C000036", lost_400, ("win_back:send",)),
    Persona("C000037", lost_two_orders, ("win_back:send",)),
    Persona("C000038", lost_boundary, ("win_back:send",)),
    Persona("C000039", not_opened, ("reminder_non_open:send",)),
    Persona("C000040", opened_not_clicked, ("reminder_no_click:send",)),
    Persona("C000041", opened_late_not_clicked, ("reminder_no_click:send",)),
    Persona("C000042", machine_and_real_open, ("reminder_no_click:send",)),
    Persona("C000043", machine_open_only, ("reminder_non_open:send",)),
    Persona("C000044", soft_bounced, ("reminder_non_open:send",)),
    Persona("C000045", alert_restocked, ("back_in_stock:send",)),
    Persona("C000046", alerts_two_products, ("back_in_stock:send",)),
    Persona(
        "C000047",
        delivered_today_with_complaint,
        ("post_purchase_service:send", "complaint_follow_up:send"),
    ),
    Persona("C000048", two_deliveries_today, ("post_purchase_service:send",)),
    Persona("C000049", delivered_today_no_consent, ("post_purchase_service:send",)),
    Persona("C000050", complaint_today, ("complaint_follow_up:send",)),
    Persona("C000051", question_closed_yesterday, ("service_survey:send",)),
    Persona("C000052", return_closed_yesterday, ("service_survey:send",)),
    Persona("C000053", invalid_double_at, ("birthday:invalid_email",)),
    Persona("C000054", invalid_no_dot, ("welcome:invalid_email",)),
    Persona("C000055", no_email_delivery, ("post_purchase_service:invalid_email",)),
    Persona("C000056", duplicate_email_older, ("birthday:duplicate_email",)),
    Persona("C000057", duplicate_email_newer, ("birthday:send",)),
    Persona("C000058", hard_bounced_welcome, ("welcome:suppressed",)),
    Persona("C000059", spam_complainer, ("birthday:suppressed",)),
    Persona("C000060", manually_suppressed, ("complaint_follow_up:suppressed",)),
    Persona("C000061", esp_hard_bounce_listed, ("abandoned_cart:suppressed",)),
    Persona("C000062", never_consented, ("birthday:no_consent",)),
    Persona("C000063", opted_out, ("birthday:no_consent",)),
    Persona("C000064", esp_unsubscribed, ("abandoned_cart:no_consent",)),
    Persona("C000065", esp_list_unsubscribed, ("browse_abandonment:no_consent",)),
    Persona("C000066", opt_in_out_same_second, ("birthday:no_consent",)),
    Persona("C000067", cart_in_cooldown, ("abandoned_cart:cooldown",)),
    Persona("C000068", mailed_this_morning, ("birthday:contact_pressure",)),
    Persona("C000069", three_mails_this_week, ("birthday:contact_pressure",)),
    Persona(
        "C000070",
        three_flows_one_day,
        ("abandoned_cart:send", "browse_abandonment:lower_priority", "birthday:lower_priority"),
    ),
    Persona("C000071", accessories_not_eligible, ()),
    Persona("C000072", lapsed_but_engaged, ()),
    Persona("C000073", lead_sales_ready, ()),
    Persona("C000074", reminder_already_sent, ()),
    Persona("C000075", welcome_not_first_opt_in, ()),
    Persona("C000076", ordered_after_cart, ()),
    Persona("C000077", still_shopping, ()),
    Persona("C000078", anonymous_cart_then_login, ()),
    Persona("C000079", erased_by_id, ()),
    Persona("C000080", erased_by_email, ()),
    Persona("C000081", ambiguous_duplicate, ()),
)
# Each persona's purpose is the first docstring line of its build function;
# `python scripts/generate_data.py --list-personas` prints them all.
# Recipient rows that belong to no persona: the email-only back-in-stock request.
EMAIL_ONLY_EXPECTS: dict[str, str] = {"koffie.liefhebber@example.org": "back_in_stock:send"}


def check_personas() -> None:
    """Fail loudly if a persona id breaks the holdout hash its expectations rely on."""
    for persona in PERSONAS:
        for expectation in persona.expects:
            flow_id, decision = expectation.split(":")
            if FLOWS[flow_id][0] != "marketing":
                continue
            bucket = holdout_bucket(persona.contact_id, flow_id)
            if decision == "send" and bucket < MARKETING_HOLDOUT_PCT:
                raise AssertionError(f"{persona.contact_id} {flow_id}: bucket {bucket} holds out")
            if decision == "holdout" and bucket >= MARKETING_HOLDOUT_PCT:
                raise AssertionError(f"{persona.contact_id} {flow_id}: bucket {bucket} sends")
    numbers = [int(p.contact_id[1:]) for p in PERSONAS]
    if numbers != list(range(1, len(PERSONAS) + 1)):
        raise AssertionError("persona contact ids must be C000001, C000002, ... without gaps")


def build_scenario(clock: Clock, campaigns: Campaigns, counters: Counters) -> Scenario:
    """Build all scenario rows: catalogue, personas and loose rows."""
    check_personas()
    scenario = Scenario(clock, campaigns, counters)
    counters.next["C"] = len(PERSONAS) + 1
    counters.next["P"] = len(SCENARIO_PRODUCTS) + 1
    catalogue_rows(scenario)
    for persona in PERSONAS:
        persona.build(scenario, persona.contact_id)
    loose_rows(scenario)
    return scenario


# --------------------------------------------------------------------------------------
# Bulk catalogue: products P0025 ... with relations and stock histories.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    """The bulk products as arrays; products are sorted by category."""

    ids: pa.Array
    urls: pa.Array
    category: np.ndarray
    price_cents: np.ndarray
    popularity_cdf: np.ndarray
    category_start: np.ndarray
    category_count: np.ndarray

    @property
    def size(self) -> int:
        """Number of bulk products."""
        return len(self.ids)

    def sample(
        self,
        rng: np.random.Generator,
        size: int,
        favourite: np.ndarray | None = None,
        share: float = 0.5,
    ) -> np.ndarray:
        """Product indices: popular products, or (with probability ``share``) from the
        favourite category of each row, skewed towards the category's first products."""
        index = np.searchsorted(self.popularity_cdf, rng.random(size), side="right")
        index = np.minimum(index, self.size - 1)
        if favourite is not None:
            use = rng.random(size) < share
            category = favourite[use]
            within = (rng.random(category.size) ** 2 * self.category_count[category]).astype(
                np.int64
            )
            index[use] = self.category_start[category] + within
        return index


def bulk_product_count(contacts: int) -> int:
    """Catalogue size: grows with the number of contacts, from 200 up to 3,000 products."""
    return int(min(3000, max(200, contacts // 300)))


def build_catalogue(
    rng: np.random.Generator, count: int, counters: Counters, clock: Clock
) -> tuple[Catalogue, dict[str, pa.Table]]:
    """Generate the bulk products, their relations and their stock level logs."""
    shares = np.array([CATEGORY_PROFILE[c][0] for c in CATEGORIES])
    per_category = np.maximum(1, np.floor(shares / shares.sum() * count)).astype(np.int64)
    per_category[0] += count - per_category.sum()
    category = np.repeat(np.arange(len(CATEGORIES)), per_category)
    numbers = counters.block("P", count)
    ids = id_array("P", numbers)

    typical = np.array([CATEGORY_PROFILE[c][1] for c in CATEGORIES])[category]
    euros = np.maximum(2.0, np.round(typical * rng.lognormal(0.0, 0.45, count)))
    price_cents = (euros * 100 - 5).astype(np.int64)  # prices end in .95

    nouns = [noun for c in CATEGORIES for noun in CATEGORY_PROFILE[c][3]]
    noun_count = np.array([len(CATEGORY_PROFILE[c][3]) for c in CATEGORIES])
    noun_start = np.cumsum(noun_count) - noun_count
    noun = noun_start[category] + rng.integers(0, 1 << 30, count) % noun_count[category]
    name = pc.binary_join_element_wise(
        pick(BRANDS, rng.integers(0, len(BRANDS), count)),
        pick(nouns, noun),
        pa.array(rng.integers(100, 1000, count)).cast(TEXT),
        pa.scalar(" "),
    )
    manual_share = np.array([CATEGORY_PROFILE[c][2] for c in CATEGORIES])[category]
    has_manual = rng.random(count) < manual_share
    state = draw(rng, (0.92, 0.07, 0.01), count)  # active, inactive, unknown (null)
    urls = pc.binary_join_element_wise(pa.scalar(f"{SHOP}/p/"), ids, pa.scalar(""))
    products = pa.table(
        {
            "product_id": ids,
            "name": name,
            "category": pick(CATEGORIES, category),
            "price": money_array(price_cents),
            "url": urls,
            "image_url": pc.binary_join_element_wise(
                pa.scalar(f"{CDN}/img/"), ids, pa.scalar(".jpg"), pa.scalar("")
            ),
            "manual_url": pc.binary_join_element_wise(
                pa.scalar(f"{SHOP}/manuals/"),
                ids.filter(pa.array(has_manual)),
                pa.scalar(".pdf"),
                pa.scalar(""),
            ).take(pa.array(np.cumsum(has_manual) - 1, mask=~has_manual)),
            "is_active": pa.array(state == 0, mask=state == 2),
        },
        schema=SCHEMAS["products"],
    )

    weights = 1.0 / (rng.permutation(count) + 1.0) ** 0.9
    weights[state != 0] *= 0.1
    starts = np.cumsum(per_category) - per_category
    catalogue = Catalogue(
        ids=ids,
        urls=urls,
        category=category,
        price_cents=price_cents,
        popularity_cdf=np.cumsum(weights) / weights.sum(),
        category_start=starts,
        category_count=per_category,
    )
    tables = {
        "products": products,
        "product_relations": bulk_relations(rng, catalogue),
        "stock_levels": bulk_stock_levels(rng, catalogue, clock),
    }
    return catalogue, tables


def bulk_relations(rng: np.random.Generator, catalogue: Catalogue) -> pa.Table:
    """Accessories (from the accessories category) for main products, and cross-sells."""
    count = catalogue.size
    accessories = CATEGORIES.index("accessories")
    main_codes = [CATEGORIES.index(c) for c in MAIN_CATEGORIES]
    is_main = np.isin(catalogue.category, main_codes)
    n_accessory = np.where(is_main, rng.integers(0, 5, count), 0)
    parent, _ = ragged(n_accessory)
    related = catalogue.category_start[accessories] + rng.integers(
        0, catalogue.category_count[accessories], parent.size
    )
    n_cross = rng.integers(0, 3, count)
    cross_parent, _ = ragged(n_cross)
    cross_related = rng.integers(0, count, cross_parent.size)
    source = np.concatenate([parent, cross_parent])
    target = np.concatenate([related, cross_related])
    kind = np.concatenate([np.zeros(parent.size, np.int64), np.ones(cross_parent.size, np.int64)])
    keep = source != target
    key = (source[keep] * count + target[keep]) * 2 + kind[keep]
    key = np.unique(key)  # sorted, no duplicate relations
    source, rest = np.divmod(key, 2 * count)
    target, kind = np.divmod(rest, 2)
    return pa.table(
        {
            "product_id": catalogue.ids.take(pa.array(source)),
            "related_product_id": catalogue.ids.take(pa.array(target)),
            "relation_type": pick(("accessory", "cross_sell"), kind),
        },
        schema=SCHEMAS["product_relations"],
    )


def bulk_stock_levels(rng: np.random.Generator, catalogue: Catalogue, clock: Clock) -> pa.Table:
    """A stock log per product over the last two years, with out-of-stock periods."""
    count = catalogue.size
    records = 3 + rng.poisson(6, count)
    parent, rank = ragged(records)
    begin = clock.day_start - 730 * DAY
    recorded = np.where(
        rank == 0,
        begin + rng.integers(0, DAY, parent.size),
        begin + rng.integers(DAY, clock.day_end - begin, parent.size),
    )
    key = np.unique(parent * (1 << 40) + recorded)  # sorted by product, then time
    parent, recorded = np.divmod(key, 1 << 40)
    quantity = np.where(rng.random(parent.size) < 0.2, 0, rng.integers(1, 250, parent.size))
    return pa.table(
        {
            "product_id": catalogue.ids.take(pa.array(parent)),
            "recorded_at": ts_array(recorded),
            "quantity_available": int_array(quantity),
        },
        schema=SCHEMAS["stock_levels"],
    )


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


def bulk_contacts(
    rng: np.random.Generator, numbers: np.ndarray, clock: Clock
) -> tuple[pa.Table, People]:
    """Contacts with realistic names, emails, B2B fields and some messy values and duplicates."""
    n = numbers.size
    ids = id_array("C", numbers)
    gender = draw(rng, (0.46, 0.44, 0.02, 0.08), n)  # f, m, x, unknown
    n_f, n_m = len(FIRST_NAMES_F), len(FIRST_NAMES_M)
    first_idx = np.where(
        gender == 0,
        rng.integers(0, n_f, n),
        np.where(gender == 1, n_f + rng.integers(0, n_m, n), rng.integers(0, n_f + n_m, n)),
    )
    last_idx = rng.integers(0, len(LAST_NAMES), n)
    firsts = FIRST_NAMES_F + FIRST_NAMES_M
    first_name = pick(firsts, first_idx)
    last_name = pick(LAST_NAMES, last_idx)

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

    v = rng.random(n)
    first_name = pc.if_else(v < 0.01, pc.utf8_upper(first_name), first_name)
    last_name = pc.if_else(v < 0.01, pc.utf8_upper(last_name), last_name)
    first_name = pc.if_else((v >= 0.01) & (v < 0.02), pc.utf8_lower(first_name), first_name)
    last_name = pc.if_else((v >= 0.01) & (v < 0.02), pc.utf8_lower(last_name), last_name)
    padded = pc.binary_join_element_wise(pa.scalar(" "), first_name, pa.scalar("  "), pa.scalar(""))
    first_name = pc.if_else((v >= 0.02) & (v < 0.025), padded, first_name)

    gender_text = pick(("f", "m", "x"), np.where(gender == 3, -1, gender))
    w = rng.random(n)
    gender_text = pc.if_else(w < 0.003, pa.scalar("?"), gender_text)
    shouted = pc.binary_join_element_wise(pc.utf8_upper(gender_text), pa.scalar(" "), pa.scalar(""))
    gender_text = pc.if_else((w >= 0.003) & (w < 0.006), shouted, gender_text)

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
    all_rows = all_rows.take(pa.array(np.lexsort((row_version, row_contact))))

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


def bulk_orders(
    rng: np.random.Generator,
    people: People,
    catalogue: Catalogue,
    clock: Clock,
    counters: Counters,
) -> tuple[pa.Table, pa.Table]:
    """About 60 % customers with a skewed number of orders over the last three years."""
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
    parent, ordered = parent[order], ordered[order]
    m = parent.size
    order_ids = id_array("O", counters.block("O", m))

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

    lines_per_order = draw(rng, (0.15, 0.35, 0.35, 0.15), m) + 1
    line_parent, line_rank = ragged(lines_per_order)
    product = catalogue.sample(rng, line_parent.size, people.favourite[parent[line_parent]])
    quantity = draw(rng, (0.8, 0.15, 0.04, 0.01), line_parent.size) + 1
    unit = catalogue.price_cents[product]
    discount = rng.random(line_parent.size) < 0.1
    unit = np.where(discount, np.round(unit * rng.uniform(0.7, 0.9, unit.size)), unit)
    unit = unit.astype(np.int64)
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


def bulk_web(
    rng: np.random.Generator,
    people: People,
    catalogue: Catalogue,
    clock: Clock,
    counters: Counters,
) -> pa.Table:
    """Web sessions per cookie: anonymous visits, logged-in visits and visits after logout."""
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

    per_session = rng.geometric(0.28, contact.size)
    session, rank = ragged(per_session)
    gaps = np.where(rank == 0, 0, 5 + rng.exponential(50, session.size).astype(np.int64))
    elapsed = np.cumsum(gaps)
    elapsed -= elapsed[(np.cumsum(per_session) - per_session)][session]
    occurred = start[session] + elapsed
    keep = occurred <= clock.day_end
    session, occurred = session[keep], occurred[keep]
    size = session.size

    weights_b2c = np.array([k[3] for k in WEB_KINDS])
    weights_b2b = np.array([k[4] for k in WEB_KINDS])
    u = rng.random(size)
    kind = np.where(
        b2b[session],
        np.searchsorted(np.cumsum(weights_b2b) / weights_b2b.sum(), u, side="right"),
        np.searchsorted(np.cumsum(weights_b2c) / weights_b2c.sum(), u, side="right"),
    )
    kind = np.minimum(kind, len(WEB_KINDS) - 1)
    pool, url_start, url_count = web_url_pool(catalogue)
    has_product = url_start[kind] < 0
    event_contact = contact[session]
    favourite = np.where(
        event_contact >= 0,
        people.favourite[np.maximum(event_contact, 0)],
        rng.integers(0, len(CATEGORIES), size),
    )
    product = np.where(has_product, catalogue.sample(rng, size, favourite), -1)
    url = np.where(
        has_product,
        product,
        url_start[kind] + (rng.random(size) * url_count[kind]).astype(np.int64),
    )
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


def bulk_email(
    rng: np.random.Generator,
    people: People,
    catalogue: Catalogue,
    campaigns: Campaigns,
    clock: Clock,
    counters: Counters,
) -> tuple[pa.Table, pa.Table]:
    """Email events of campaigns and flow mails, and the ESP suppressions they cause."""
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
    msg = Messages(
        *(x[order] for x in (msg.contact, msg.sent, msg.campaign, msg.flow, msg.step, msg.fate))
    )
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

    # The ESP suppresses addresses that unsubscribed, bounced hard or complained,
    # and a few by hand.
    reasons = {6: "unsubscribe", 5: "hard_bounce", 7: "spam_complaint"}
    exit_events = np.flatnonzero(np.isin(ev_type, list(reasons)))
    manual = np.flatnonzero(people.mailable & (rng.random(people.size) < 0.0003))
    manual_at = people.created[manual] + (
        rng.random(manual.size) * (clock.day_end - people.created[manual])
    ).astype(np.int64)
    who = np.concatenate([msg.contact[ev_msg[exit_events]], manual])
    reason_code = np.concatenate(
        [np.searchsorted([5, 6, 7], ev_type[exit_events]), np.full(manual.size, 3)]
    )
    suppressions = pa.table(
        {
            "email": people.email_clean.take(pa.array(who)),
            "reason": pick(("hard_bounce", "unsubscribe", "spam_complaint", "manual"), reason_code),
            "suppressed_at": ts_array(np.concatenate([ev_time[exit_events], manual_at])),
        },
        schema=SCHEMAS["esp_suppressions"],
    )
    return table, suppressions


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


# --------------------------------------------------------------------------------------
# Output: one file per table, written in row groups (Parquet) or incrementally (CSV).
# --------------------------------------------------------------------------------------

# Pinned so that the same arguments give byte-identical files.
PARQUET_OPTIONS: dict[str, object] = {
    "version": "2.6",
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_size": 1 << 20,
    "data_page_version": "1.0",
    "store_schema": True,
    "write_page_index": False,
}
CSV_OPTIONS = pacsv.WriteOptions(include_header=True, delimiter=",", quoting_style="needed")


def csv_schema(schema: pa.Schema) -> pa.Schema:
    """The schema written to CSV: timestamps at second precision ('YYYY-MM-DD HH:MM:SS')."""
    return pa.schema(
        [
            pa.field(f.name, pa.timestamp("s") if pa.types.is_timestamp(f.type) else f.type)
            for f in schema
        ]
    )


class TableSink:
    """Streams one raw table to ``DIR/<table>.<format>``, buffering small writes.

    The file is written under a temporary name and renamed when complete, so a
    half-written file never has the final name.
    """

    flush_rows = 500_000

    def __init__(self, directory: Path, name: str, fmt: str) -> None:
        self.path = directory / f"{name}.{fmt}"
        self.partial = directory / f".{name}.{fmt}.partial"
        self.schema = SCHEMAS[name]
        self.fmt = fmt
        self.buffer: list[pa.Table] = []
        self.buffered = 0
        self.rows = 0
        self.writer: pq.ParquetWriter | pacsv.CSVWriter
        if fmt == "parquet":
            self.writer = pq.ParquetWriter(self.partial, self.schema, **PARQUET_OPTIONS)
        else:
            self.writer = pacsv.CSVWriter(
                self.partial, csv_schema(self.schema), write_options=CSV_OPTIONS
            )

    def write(self, table: pa.Table) -> None:
        """Append rows (of exactly the contract's schema)."""
        if not table.schema.equals(self.schema):
            raise ValueError(f"{self.path.name}: schema mismatch:\n{table.schema}")
        if table.num_rows == 0:
            return
        self.buffer.append(table)
        self.buffered += table.num_rows
        self.rows += table.num_rows
        if self.buffered >= self.flush_rows:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows as one row group."""
        if not self.buffer:
            return
        table = pa.concat_tables(self.buffer).combine_chunks()
        self.buffer, self.buffered = [], 0
        if isinstance(self.writer, pq.ParquetWriter):
            self.writer.write_table(table, row_group_size=table.num_rows)
        else:
            self.writer.write_table(table.cast(csv_schema(self.schema)))

    def close(self) -> None:
        """Flush, close and give the file its final name."""
        self.flush()
        self.writer.close()
        os.replace(self.partial, self.path)

    def abort(self) -> None:
        """Close and remove the partial file."""
        self.writer.close()
        self.partial.unlink(missing_ok=True)


def generate(
    contacts: int,
    seed: int,
    as_of: dt.date,
    out_dir: Path,
    fmt: str = "parquet",
    chunk_size: int = 25_000,
    log: Callable[[str], None] = lambda message: None,
) -> dict[str, int]:
    """Write the whole data set; returns the number of rows written per table."""
    if contacts < len(PERSONAS):
        raise ValueError(f"--contacts must be at least {len(PERSONAS)} (the scenario personas)")
    clock = Clock(as_of)
    campaigns = Campaigns.for_clock(clock)
    counters = Counters()
    scenario = build_scenario(clock, campaigns, counters)
    catalogue, catalogue_tables = build_catalogue(
        rng_for(seed, 0, "catalogue"), bulk_product_count(contacts), counters, clock
    )
    first = len(PERSONAS) + 1
    bounds = [
        (a, min(a + chunk_size, contacts + 1)) for a in range(first, contacts + 1, chunk_size)
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    sinks = {name: TableSink(out_dir, name, fmt) for name in SCHEMAS}
    started = time.monotonic()
    try:
        for tables in (scenario.tables(), catalogue_tables):
            for name, table in tables.items():
                sinks[name].write(table)
        log(f"scenario personas: {len(PERSONAS)} contacts, catalogue: {catalogue.size} products")
        for k, (start, stop) in enumerate(bounds, start=1):
            numbers = np.arange(start, stop, dtype=np.int64)
            chunk = bulk_chunk(seed, k, numbers, clock, catalogue, campaigns, counters)
            for name, table in chunk.items():
                sinks[name].write(table)
            log(
                f"chunk {k}/{len(bounds)}: contacts {make_id('C', start)}-{make_id('C', stop - 1)}"
                f" | rows so far: contacts {sinks['contacts'].rows:,}, orders"
                f" {sinks['orders'].rows:,}, email_events {sinks['email_events'].rows:,},"
                f" web_events {sinks['web_events'].rows:,} | {time.monotonic() - started:.0f} s"
            )
        for sink in sinks.values():
            sink.close()
    except BaseException:
        for sink in sinks.values():
            sink.abort()
        raise
    return {name: sink.rows for name, sink in sinks.items()}


def persona_table() -> str:
    """The scenario personas, one per line: id, expected decisions on D, purpose."""
    lines = []
    for persona in PERSONAS:
        expects = ", ".join(persona.expects) or "(no flow row)"
        if persona.only_when:
            expects += f" [only when {persona.only_when}]"
        lines.append(f"{persona.contact_id}  {expects}\n         {persona.purpose}")
    for email, expects in EMAIL_ONLY_EXPECTS.items():
        lines.append(f"{email}  {expects}\n         Email-only back-in-stock request (no contact).")
    return "\n".join(lines)


def list_personas(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """Print the persona table and exit (an eager --list-personas flag)."""
    if value and not ctx.resilient_parsing:
        click.echo(persona_table())
        ctx.exit()


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--contacts",
    type=click.IntRange(min=100),
    default=10_000,
    show_default=True,
    help="How many contacts (people) to generate, the example personas included. "
    "1,000,000 takes one to two minutes.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Random seed. The same options always give exactly the same files.",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to generate the data for (YYYY-MM-DD): the day the follow-up flows are "
    "computed for. All history lies before it. Default: today (UTC).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the files to; created if missing, existing files are replaced.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["parquet", "csv"]),
    default="parquet",
    show_default=True,
    help="File format: Parquet (compact, typed) or CSV (opens in a spreadsheet).",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(min=100),
    default=25_000,
    show_default=True,
    help="Contacts generated at a time. Lower it to use less memory; a different chunk "
    "size gives a different (equally valid) random population.",
)
@click.option(
    "--list-personas",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=list_personas,
    help="Print the hand-made example contacts, what each is for and which follow-up "
    "decision it should get on the --as-of day, then exit.",
)
def main(
    contacts: int,
    seed: int,
    as_of: dt.datetime | None,
    out_dir: Path,
    fmt: str,
    chunk_size: int,
) -> None:
    """Generate a realistic demo data set for the followup email-marketing project.

    It writes one file per raw table of the data contract (contacts, consent_events,
    products, product_relations, stock_levels, orders, order_lines, email_events,
    web_events, stock_alert_requests, service_interactions, erasure_requests,
    esp_suppressions) to the --out folder, ready for scripts/load_raw.py.

    The data is built around one day, --as-of: years of orders, newsletters, follow-up
    mails and website visits before it. The first contacts (C000001 to C000081) are
    hand-made examples that make every follow-up flow, every reason to hold a contact
    back, and typical data problems (messy emails, duplicates, erasure requests)
    appear on that day. The rest is a random but realistic population.

    \b
    Example:
      python scripts/generate_data.py --contacts 10000 --seed 1 --as-of 2025-06-30 --out data/raw
    """
    day = as_of.date() if as_of else dt.datetime.now(dt.UTC).date()

    def log(message: str) -> None:
        click.echo(message, err=True)

    log(f"generating {contacts:,} contacts as of {day.isoformat()} (seed {seed}) into {out_dir}")
    started = time.monotonic()
    counts = generate(contacts, seed, day, out_dir, fmt, chunk_size, log)
    for name, rows in counts.items():
        log(f"  {name + '.' + fmt:<28} {rows:>12,} rows")
    log(f"done in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
