"""The safety rules, computed again in plain Python from the raw rows of one world.

Nothing here reads the warehouse: this is the independent reading of docs/semantics.md
that the fuzz runner holds the build against. It covers what decides whether a person may
get mail (staging of the protective tables, erasure, consent, suppression, cooldown,
contact pressure, duplicate emails, arbitration and the holdout), not the triggers: the
triggered pairs are taken from the build (``flow_triggers``) and the oracle decides them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from followup import PROJECT_DIR
from followup.fuzz.world import Row

EMAIL_PATTERN = re.compile(
    r"[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
    r"(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+"
)
WHITESPACE = " \t\n\r"
PROTECTIVE_EVENTS = {"unsubscribe", "hard_bounce", "spam_complaint"}
SUPPRESSION_REASONS = {"hard_bounce", "spam_complaint", "unsubscribe", "manual"}
EMAIL_EVENT_TYPES = {"sent", "delivered", "open", "click", "soft_bounce", *PROTECTIVE_EVENTS}


@dataclass(frozen=True)
class FlowRule:
    """The registry's row of one flow (seeds/flows.csv)."""

    flow_id: str
    category: str
    priority: int | None
    cooldown_days: int | None
    holdout_pct: int
    recipient: str


def load_flows() -> dict[str, FlowRule]:
    with (PROJECT_DIR / "seeds" / "flows.csv").open(encoding="utf-8") as handle:
        return {
            r["flow_id"]: FlowRule(
                r["flow_id"],
                r["category"],
                int(r["priority"]) if r["priority"] else None,
                int(r["cooldown_days"]) if r["cooldown_days"] else None,
                int(r["holdout_pct"]),
                r["recipient"],
            )
            for r in csv.DictReader(handle)
            if r["enabled"] == "true"
        }


def clean(value: object) -> str | None:
    """clean_text: ASCII whitespace trimmed, empty is null."""
    if value is None:
        return None
    text = str(value).strip(WHITESPACE)
    return text or None


def normalise_email(value: object) -> str | None:
    text = clean(value)
    return None if text is None else text.lower()


def code(value: object) -> str | None:
    text = clean(value)
    return None if text is None else text.lower()


def is_valid_email(email: str | None) -> bool:
    return email is not None and EMAIL_PATTERN.fullmatch(email) is not None


def holdout_bucket(recipient: str, flow_id: str) -> int:
    return int(hashlib.md5(f"{recipient}:{flow_id}".encode()).hexdigest()[:8], 16) % 100


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Staged:
    """What one world stages, as the oracle reads the rules."""

    erased_ids: set[str] = field(default_factory=set)
    erased_emails: set[str] = field(default_factory=set)
    contacts: dict[str, Row] = field(default_factory=dict)  # contact_id -> winning row
    consent_changes: list[tuple[str, dt.datetime, str]] = field(default_factory=list)
    email_events: list[Row] = field(default_factory=list)
    suppressions: list[tuple[str, str, dt.datetime]] = field(default_factory=list)

    def email_of(self, contact_id: str) -> str | None:
        """The contact's normalised email (None for a contact that is not staged)."""
        row = self.contacts.get(contact_id)
        return None if row is None else normalise_email(row["email"])


def erasure_closure(contacts: list[Row], requests: list[Row]) -> tuple[set[str], set[str]]:
    """Every contact_id and normalised email linked (through raw contact rows) to a request."""
    links: dict[str, set[str]] = defaultdict(set)
    for row in contacts:
        cid, email = clean(row["contact_id"]), normalise_email(row["email"])
        if cid and email:
            links[f"c:{cid}"].add(f"e:{email}")
            links[f"e:{email}"].add(f"c:{cid}")
    todo = [f"c:{clean(r['contact_id'])}" for r in requests if clean(r["contact_id"])]
    todo += [f"e:{normalise_email(r['email'])}" for r in requests if normalise_email(r["email"])]
    seen: set[str] = set()
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(links[node] - seen)
    return ({n[2:] for n in seen if n.startswith("c:")}, {n[2:] for n in seen if n[:2] == "e:"})


def _winning_contacts(rows: list[Row], erased: set[str]) -> dict[str, Row]:
    by_id: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        cid = clean(row["contact_id"])
        if cid and cid not in erased:
            by_id[cid].append(row)
    winners = {}
    oldest = dt.datetime(1, 1, 1)
    for cid, versions in by_id.items():
        latest = max(r["updated_at"] or oldest for r in versions)
        top = [r for r in versions if (r["updated_at"] or oldest) == latest]
        if all(r == top[0] for r in top):
            winners[cid] = top[0]
    return winners


def _unique_events(rows: list[Row]) -> list[Row]:
    """Rows of an id-keyed table: identical copies collapse, differing copies all go."""
    by_id: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_id[clean(row["event_id"]) or ""].append(row)
    return [v[0] for k, v in by_id.items() if k and all(r == v[0] for r in v)]


def stage(tables: dict[str, list[Row]]) -> Staged:
    """The staged protective data of one world (rules of docs/semantics.md, Staging)."""
    staged = Staged()
    staged.erased_ids, staged.erased_emails = erasure_closure(
        tables.get("contacts", []), tables.get("erasure_requests", [])
    )
    staged.contacts = _winning_contacts(tables.get("contacts", []), staged.erased_ids)
    for row in tables.get("consent_events", []):
        cid, status = clean(row["contact_id"]), code(row["status"])
        if (
            cid in staged.contacts
            and row["recorded_at"] is not None
            and code(row["channel"]) == "email"
            and code(row["purpose"]) == "marketing"
            and status in ("opt_in", "opt_out")
        ):
            staged.consent_changes.append((cid, row["recorded_at"], status))
    for row in _unique_events(tables.get("email_events", [])):
        cid = clean(row["contact_id"])
        event_type, email_type = code(row["event_type"]), code(row["email_type"])
        if (
            cid in staged.contacts
            and clean(row["message_id"])
            and row["occurred_at"] is not None
            and event_type in EMAIL_EVENT_TYPES
            and email_type in ("marketing", "service")
        ):
            staged.email_events.append(
                {
                    **row,
                    "contact_id": cid,
                    "event_type": event_type,
                    "email_type": email_type,
                    "flow_id": clean(row["flow_id"]),
                }
            )
    for row in tables.get("esp_suppressions", []):
        email, reason = normalise_email(row["email"]), code(row["reason"])
        if email and row["suppressed_at"] is not None and reason in SUPPRESSION_REASONS:
            staged.suppressions.append((email, reason, row["suppressed_at"]))
    return staged


def _on_or_before(moment: dt.datetime, as_of: dt.date) -> bool:
    return moment.date() <= as_of


def has_consent(staged: Staged, contact_id: str, as_of: dt.date) -> bool:
    """Marketing consent on D: the latest change up to D is an opt-in (ties: opt-out)."""
    email = staged.email_of(contact_id)
    changes = [(t, s) for c, t, s in staged.consent_changes if c == contact_id]
    changes += [
        (e["occurred_at"], "opt_out")
        for e in staged.email_events
        if e["contact_id"] == contact_id and e["event_type"] == "unsubscribe"
    ]
    changes += [
        (t, "opt_out") for m, r, t in staged.suppressions if m == email and r == "unsubscribe"
    ]
    changes = [(t, s) for t, s in changes if _on_or_before(t, as_of)]
    if not changes:
        return False
    latest = max(t for t, _ in changes)
    return all(s == "opt_in" for t, s in changes if t == latest)


def is_suppressed(staged: Staged, contact_id: str, as_of: dt.date) -> bool:
    email = staged.email_of(contact_id)
    listed = any(
        m == email and r != "unsubscribe" and _on_or_before(t, as_of)
        for m, r, t in staged.suppressions
    )
    bounced = any(
        e["contact_id"] == contact_id
        and e["event_type"] in ("hard_bounce", "spam_complaint")
        and _on_or_before(e["occurred_at"], as_of)
        for e in staged.email_events
    )
    return listed or bounced


def sends(staged: Staged, as_of: dt.date) -> list[Row]:
    """One row per message: its earliest sent event (then smallest event_id), up to D."""
    first: dict[str, Row] = {}
    for event in staged.email_events:
        if event["event_type"] != "sent":
            continue
        message = clean(event["message_id"]) or ""
        best = first.get(message)
        if best is None or (event["occurred_at"], event["event_id"]) < (
            best["occurred_at"],
            best["event_id"],
        ):
            first[message] = event
    return [s for s in first.values() if _on_or_before(s["occurred_at"], as_of)]


@dataclass(frozen=True)
class Pair:
    """A triggered (flow, recipient) pair, as flow_triggers gives it."""

    flow_id: str
    recipient: str
    contact_id: str | None
    email: str | None


def decide(
    pairs: Iterable[Pair],
    staged: Staged,
    as_of: dt.date,
    flows: dict[str, FlowRule],
    pressure_days: int = 7,
    max_sends: int = 3,
) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(flow_id, recipient) -> (decision, exclusion_reason), by the global rules in order."""
    pairs = list(pairs)
    sent = sends(staged, as_of)
    reason: dict[tuple[str, str], str | None] = {}
    # rule 2 (duplicate_email) is decided on every contact-keyed pair with a valid email
    survivors: dict[tuple[str, str], Pair] = {}

    def rank(pair: Pair) -> tuple[int, float, str]:
        """Latest updated_at first (null is the oldest), then the smallest contact_id."""
        row = staged.contacts.get(pair.contact_id or "")
        updated = row["updated_at"] if row else None
        age = 0.0 if updated is None else (dt.datetime(2100, 1, 1) - updated).total_seconds()
        return (updated is None, age, pair.contact_id or "")

    for p in pairs:
        if flows[p.flow_id].recipient == "contact" and is_valid_email(p.email):
            key = (p.flow_id, p.email or "")
            if key not in survivors or rank(p) < rank(survivors[key]):
                survivors[key] = p
    for p in pairs:
        flow = flows[p.flow_id]
        key = (p.flow_id, p.recipient)
        marketing = flow.category == "marketing"
        cid = p.contact_id
        if not is_valid_email(p.email):
            reason[key] = "invalid_email"
        elif flow.recipient == "contact" and survivors[(p.flow_id, p.email or "")] != p:
            reason[key] = "duplicate_email"
        elif _suppressed_pair(staged, p, flow, as_of):
            reason[key] = "suppressed"
        elif marketing and not (cid and has_consent(staged, cid, as_of)):
            reason[key] = "no_consent"
        elif flow.cooldown_days is not None and any(
            s["contact_id"] == cid
            and s["flow_id"] == p.flow_id
            and (as_of - s["occurred_at"].date()).days < flow.cooldown_days
            for s in sent
        ):
            reason[key] = "cooldown"
        elif marketing and _under_pressure(sent, cid, as_of, pressure_days, max_sends):
            reason[key] = "contact_pressure"
        else:
            reason[key] = None
    # rule 7: one marketing pair per contact wins (lowest priority number, then flow_id)
    winners: dict[str, tuple[int, str]] = {}
    for p in pairs:
        flow = flows[p.flow_id]
        if flow.category == "marketing" and reason[(p.flow_id, p.recipient)] is None:
            rank = (flow.priority or 0, p.flow_id)
            winners[p.recipient] = min(winners.get(p.recipient, rank), rank)
    decisions = {}
    for p in pairs:
        flow, key = flows[p.flow_id], (p.flow_id, p.recipient)
        why = reason[key]
        if why is None and flow.category == "marketing" and winners[p.recipient][1] != p.flow_id:
            why = "lower_priority"
        if why is not None:
            decisions[key] = ("excluded", why)
        elif holdout_bucket(p.recipient, p.flow_id) < flow.holdout_pct:
            decisions[key] = ("holdout", None)
        else:
            decisions[key] = ("send", None)
    return decisions


def _suppressed_pair(staged: Staged, pair: Pair, flow: FlowRule, as_of: dt.date) -> bool:
    if flow.recipient == "contact":
        return pair.contact_id is not None and is_suppressed(staged, pair.contact_id, as_of)
    listed = any(
        m == pair.email and r != "unsubscribe" and _on_or_before(t, as_of)
        for m, r, t in staged.suppressions
    )
    same_email = [c for c in staged.contacts if staged.email_of(c) == pair.email]
    bounced = any(
        e["contact_id"] in same_email
        and e["event_type"] in ("hard_bounce", "spam_complaint")
        and _on_or_before(e["occurred_at"], as_of)
        for e in staged.email_events
    )
    return listed or bounced


def _under_pressure(
    sent: list[Row], contact_id: str | None, as_of: dt.date, window: int, max_sends: int
) -> bool:
    ages = [
        (as_of - s["occurred_at"].date()).days
        for s in sent
        if s["contact_id"] == contact_id and s["email_type"] == "marketing"
    ]
    in_window = [a for a in ages if 0 <= a <= window - 1]
    return 0 in in_window or len(in_window) >= max_sends
