"""Personas of cross-sell, birthday, repeat purchase, lead nurture, reactivation and win-back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from followup.generate.scenario import Scenario, add, page, remove

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
