"""Personas of the cart, welcome, onboarding, browse and click-reminder flows."""

from __future__ import annotations

from followup.generate.scenario import Scenario, add, page, remove, view

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
