"""Rows that belong to no persona: the catalogue and loose, messy rows."""

from __future__ import annotations

from decimal import Decimal

from followup.generate.scenario import (
    ORPHAN_ORDER,
    SCENARIO_PRICES,
    SCENARIO_PRODUCTS,
    SCENARIO_RELATIONS,
    SCENARIO_STOCK,
    UNKNOWN_CONTACT,
    Scenario,
    add,
    page,
    product_urls,
    view,
)

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
