"""Personas of the campaign reminders and the service flows."""

from __future__ import annotations

from followup.generate.scenario import Scenario

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
