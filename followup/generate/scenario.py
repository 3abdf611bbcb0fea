"""The scenario builder: hand-crafted products and rows, per raw table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa

from followup.generate.arrays import Counters
from followup.generate.calendar import CAMPAIGN_HOUR, Campaigns, Clock
from followup.generate.reference import CDN, SHOP, slug
from followup.generate.registry import FLOWS
from followup.generate.schema import SCHEMAS

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
