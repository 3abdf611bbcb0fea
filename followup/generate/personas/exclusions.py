"""Personas that exercise every exclusion reason and the edge cases."""

from __future__ import annotations

from followup.generate.scenario import Scenario, add, page, view

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
