"""The persona registry: every hand-crafted contact with its purpose."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from followup.generate.arrays import Counters
from followup.generate.calendar import Campaigns, Clock
from followup.generate.personas.carts_and_welcome import (
    browse_logged_in,
    browse_third_visit_login,
    browse_tie,
    cart_after_logout,
    cart_holdout,
    cart_logged_in,
    cart_of_customer,
    click_no_order,
    flow_click_no_order,
    onboarding_day_1,
    onboarding_day_14,
    onboarding_day_30,
    two_clicks_no_order,
    welcome_day_3,
    welcome_day_7,
    welcome_holdout,
    welcome_not_first_opt_in,
    welcome_today,
)
from followup.generate.personas.exclusions import (
    ambiguous_duplicate,
    anonymous_cart_then_login,
    cart_in_cooldown,
    duplicate_email_newer,
    duplicate_email_older,
    erased_by_email,
    erased_by_id,
    esp_hard_bounce_listed,
    esp_list_unsubscribed,
    esp_unsubscribed,
    hard_bounced_welcome,
    invalid_double_at,
    invalid_no_dot,
    mailed_this_morning,
    manually_suppressed,
    never_consented,
    no_email_delivery,
    opt_in_out_same_second,
    opted_out,
    ordered_after_cart,
    spam_complainer,
    still_shopping,
    three_flows_one_day,
    three_mails_this_week,
)
from followup.generate.personas.loose_rows import catalogue_rows, loose_rows
from followup.generate.personas.orders_and_leads import (
    accessories_not_eligible,
    birthday_consent_regained,
    birthday_holdout,
    birthday_plain,
    born_29_february,
    bought_machine_120,
    bought_machine_and_jug_120,
    bought_two_mains_120,
    cart_emptied_birthday,
    lapsed_250,
    lapsed_boundary,
    lapsed_but_engaged,
    lapsed_negative_refund,
    lead_fit_only,
    lead_hot,
    lead_sales_ready,
    lead_warm,
    lost_400,
    lost_boundary,
    lost_holdout,
    lost_two_orders,
    repeat_boundary,
    repeat_due,
    repeat_two_orders,
)
from followup.generate.personas.reminders_and_service import (
    alert_restocked,
    alerts_two_products,
    complaint_today,
    delivered_today_no_consent,
    delivered_today_with_complaint,
    machine_and_real_open,
    machine_open_only,
    not_opened,
    opened_late_not_clicked,
    opened_not_clicked,
    question_closed_yesterday,
    reminder_already_sent,
    return_closed_yesterday,
    soft_bounced,
    two_deliveries_today,
)
from followup.generate.registry import FLOWS, HOLDOUT_PCT, holdout_bucket
from followup.generate.scenario import SCENARIO_PRODUCTS, Scenario

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
            if decision == "send" and bucket < HOLDOUT_PCT[flow_id]:
                raise AssertionError(f"{persona.contact_id} {flow_id}: bucket {bucket} holds out")
            if decision == "holdout" and bucket >= HOLDOUT_PCT[flow_id]:
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
