"""Proof by fuzzing: 1,000 generated worlds (and every saved regression world) in one build.

The oracle tests pin the independent reading of the rules at their edges; the world
tests check the generator's id space; the last test draws 1,000 worlds with a fixed seed
(FOLLOWUP_FUZZ_SEED overrides it), builds them in full and incrementally, exports them
and checks every invariant (followup/fuzz/checks.py). `make fuzz` runs 10,000.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from followup.fuzz import oracle
from followup.fuzz.run import AS_OF, fuzz
from followup.fuzz.runner import REGRESSIONS, generate, regression_worlds
from followup.fuzz.world import World, place, token, world_from_json

D = AS_OF
NOON = dt.datetime.combine(D, dt.time(12, 0))


def contact(cid: str = "c1", email: str | None = "a@ex.com", **extra: object) -> dict:
    return {"contact_id": cid, "email": email, "updated_at": None, **extra}


def consent(status: str, at: dt.datetime, cid: str = "c1") -> dict:
    return {"contact_id": cid, "channel": "email", "purpose": "marketing", "status": status,
            "recorded_at": at, "source": None}  # fmt: skip


def event(eid: str, event_type: str, at: dt.datetime, **extra: object) -> dict:
    return {"event_id": eid, "message_id": f"m{eid}", "contact_id": "c1",
            "email_type": "marketing", "campaign_id": None, "flow_id": None, "flow_step": None,
            "event_type": event_type, "occurred_at": at, "url": None, "product_id": None,
            "is_machine_open": None, **extra}  # fmt: skip


def staged(**tables: list[dict]) -> oracle.Staged:
    return oracle.stage({"contacts": [contact()], **tables})


def test_an_opt_out_in_the_same_second_as_an_opt_in_wins() -> None:
    both = staged(consent_events=[consent("opt_in", NOON), consent(" OPT_OUT", NOON)])
    assert oracle.has_consent(both, "c1", D) is False
    later = staged(
        consent_events=[consent("opt_out", NOON), consent("opt_in", NOON.replace(hour=13))]
    )
    assert oracle.has_consent(later, "c1", D) is True


def test_consent_ignores_changes_after_d_and_unsubscribes_withdraw_it() -> None:
    tomorrow = NOON + dt.timedelta(days=1)
    world = staged(consent_events=[consent("opt_in", NOON), consent("opt_out", tomorrow)])
    assert oracle.has_consent(world, "c1", D) is True
    unsubscribed = staged(consent_events=[consent("opt_in", NOON - dt.timedelta(days=2))],
                          email_events=[event("e1", "unsubscribe", NOON)])  # fmt: skip
    assert oracle.has_consent(unsubscribed, "c1", D) is False
    by_esp = staged(consent_events=[consent("opt_in", NOON - dt.timedelta(days=2))],
                    esp_suppressions=[{"email": " A@EX.COM", "reason": "unsubscribe",
                                       "suppressed_at": NOON}])  # fmt: skip
    assert oracle.has_consent(by_esp, "c1", D) is False


def test_suppression_matches_the_normalised_email_and_bounces() -> None:
    listed = staged(esp_suppressions=[{"email": "\tA@Ex.Com ", "reason": "manual",
                                       "suppressed_at": NOON}])  # fmt: skip
    assert oracle.is_suppressed(listed, "c1", D) is True
    future = staged(esp_suppressions=[{"email": "a@ex.com", "reason": "manual",
                                       "suppressed_at": NOON + dt.timedelta(days=1)}])  # fmt: skip
    assert oracle.is_suppressed(future, "c1", D) is False
    assert oracle.is_suppressed(staged(email_events=[event("e1", "hard_bounce", NOON)]), "c1", D)


def test_erasure_follows_shared_emails_and_ignores_padding() -> None:
    contacts = [contact("c1", "a@ex.com"), contact("c1", " B@ex.com"), contact("c2", "b@ex.com "),
                contact("c3", "c@ex.com")]  # fmt: skip
    ids, emails = oracle.erasure_closure(contacts, [{"contact_id": None, "email": " A@EX.COM "}])
    assert (ids, emails) == ({"c1", "c2"}, {"a@ex.com", "b@ex.com"})


def test_pressure_window_cooldown_and_arbitration_edges() -> None:
    flows = oracle.load_flows()
    sends = [event(f"e{days}", "sent", NOON - dt.timedelta(days=days)) for days in (1, 5, 7)]
    reactivation = event("e9", "sent", NOON - dt.timedelta(days=60), flow_id="reactivation")
    world = staged(consent_events=[consent("opt_in", NOON - dt.timedelta(days=30))],
                   email_events=[*sends, reactivation])  # fmt: skip
    pairs = [oracle.Pair(f, "c1", "c1", "a@ex.com") for f in ("birthday", "reactivation")]
    # two sends in [0, 6] (days 1 and 5; day 7 is outside); reactivation's cooldown of 60
    # days has passed at 60 days, so both pass and birthday (priority 7) wins
    decided = oracle.decide(pairs, world, D, flows)
    bucket = oracle.holdout_bucket("c1", "birthday")
    assert decided[("reactivation", "c1")] == ("excluded", "lower_priority")
    assert decided[("birthday", "c1")] == ("holdout" if bucket < 10 else "send", None)
    third = event("e3", "sent", NOON - dt.timedelta(days=6))
    busy = staged(consent_events=[consent("opt_in", NOON - dt.timedelta(days=30))],
                  email_events=[*sends, third])  # fmt: skip
    assert oracle.decide(pairs[:1], busy, D, flows)[("birthday", "c1")] == (
        "excluded", "contact_pressure")  # fmt: skip


def test_worlds_get_their_own_id_space_and_survive_a_json_round_trip() -> None:
    worlds = generate(20, 5, D)
    assert len(worlds) == 20
    assert generate(20, 5, D)[7].to_json() == worlds[7].to_json()  # the same seed, the same worlds
    placed = place(worlds[3], 41)
    ids = [r["contact_id"] for r in placed["contacts"]]
    assert ids and all(token(41) in i for i in ids)
    assert all("~" not in str(v) for rows in placed.values() for r in rows for v in r.values())
    again = world_from_json(json.loads(json.dumps(worlds[3].to_json())))
    assert again.tables == worlds[3].tables


def test_every_saved_regression_world_is_replayed() -> None:
    saved = regression_worlds()
    assert len(saved) == len(list(REGRESSIONS.glob("*.json"))) >= 1
    for name, world in saved:
        assert isinstance(world, World) and world.rows() > 0, name


@pytest.mark.slow
def test_a_thousand_worlds_keep_every_invariant(tmp_path: Path) -> None:
    seed = int(os.environ.get("FOLLOWUP_FUZZ_SEED", "20261205"))
    report = fuzz(1000, seed, tmp_path, print)
    print(report.summary())
    assert report.worlds == 1000
    assert report.regressions == len(regression_worlds())
    assert report.violations == []
    assert report.decisions["send"] > 0 and report.decisions["excluded"] > 0


def test_a_contact_the_oracle_does_not_stage_has_no_email_consent_or_suppression() -> None:
    request = {"request_id": "r1", "contact_id": " c1", "email": None, "requested_at": NOON}
    erased = oracle.stage({"contacts": [contact()], "erasure_requests": [request]})
    assert (erased.erased_ids, erased.contacts) == ({"c1"}, {})
    assert erased.email_of("c1") is None
    assert oracle.has_consent(erased, "c1", D) is False
    assert oracle.is_suppressed(erased, "c1", D) is False
