"""The invariants, checked per world on the built warehouse and on the export.

Every check returns violations named by world, rule and detail; an empty list is a pass.
The oracle (:mod:`followup.fuzz.oracle`) reads the raw rows of the world, never the
warehouse, so a rule broken in the SQL shows up as a disagreement.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from followup.fuzz import oracle
from followup.fuzz.runner import Built, Warehouse
from followup.fuzz.world import Row, World, place

TOKEN = re.compile(r"w(\d{5})x")
# Where an erased person's id or email may stay on purpose: the erasure's own record
# (requests, ledger, erased lists) and, for the email only, the ESP suppression that
# keeps protecting the address.
ERASURE_RECORDS = ("erasure_requests", "erasure_ledger", "erased_contacts", "erased_emails")
SUPPRESSION_RECORDS = ("esp_suppression", "email_suppressions")
# The first key column of each raw table: it carries the world's token.
KEY_COLUMN = {
    "contacts": "contact_id",
    "consent_events": "contact_id",
    "products": "product_id",
    "product_relations": "product_id",
    "stock_levels": "product_id",
    "orders": "order_id",
    "order_lines": "order_id",
    "email_events": "event_id",
    "web_events": "event_id",
    "stock_alert_requests": "request_id",
    "service_interactions": "interaction_id",
    "erasure_requests": "request_id",
    "esp_suppressions": "email",
}


@dataclass(frozen=True)
class Violation:
    world: int
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"world {self.world}: {self.rule}: {self.detail}"


def world_of(*values: object) -> int:
    """The world whose token the first of `values` that has one carries (-1: none)."""
    for value in values:
        match = TOKEN.search(str(value or ""))
        if match:
            return int(match.group(1))
    return -1


@dataclass
class Truth:
    """The oracle's reading of every world."""

    staged: dict[int, oracle.Staged]
    tables: dict[int, dict[str, list[Row]]]


def truth(worlds_by_index: dict[int, World]) -> Truth:
    tables = {i: place(w, i) for i, w in worlds_by_index.items()}
    return Truth({i: oracle.stage(t) for i, t in tables.items()}, tables)


def _decisions(warehouse: Warehouse, as_of: dt.date) -> dict[int, dict[tuple[str, str], list]]:
    rows = warehouse.query(
        "select flow_id, coalesce(contact_id, email), decision, exclusion_reason "
        f"from analytics.audience_decisions where as_of_date = date '{as_of}'"
    )
    out: dict[int, dict[tuple[str, str], list]] = defaultdict(lambda: defaultdict(list))
    for flow_id, recipient, decision, reason in rows:
        out[world_of(recipient)][(flow_id, recipient)].append((decision, reason))
    return out


def check_decisions(built: Built, truth: Truth, as_of: dt.date) -> list[Violation]:
    """One decision per triggered pair, equal to the oracle's; the four safety rules."""
    flows = oracle.load_flows()
    triggers = built.full.query(
        "select flow_id, recipient, contact_id, email from analytics.flow_triggers"
    )
    pairs: dict[int, list[oracle.Pair]] = defaultdict(list)
    for flow_id, recipient, contact_id, email in triggers:
        pairs[world_of(recipient)].append(oracle.Pair(flow_id, recipient, contact_id, email))
    decided = _decisions(built.full, as_of)
    found: list[Violation] = []
    for index in set(pairs) | set(decided):
        staged = truth.staged.get(index)
        if staged is None:
            found.append(Violation(index, "foreign_rows", "a row of no world"))
            continue
        for p in pairs[index]:
            if p.contact_id is not None and p.contact_id not in staged.contacts:
                why = "erased" if p.contact_id in staged.erased_ids else "not staged"
                found.append(Violation(index, "trigger_of_unstaged_contact", f"{p} ({why})"))
        expected = oracle.decide(pairs[index], staged, as_of, flows)
        got = decided[index]
        for key in sorted(set(expected) | set(got)):
            rows = got.get(key, [])
            if len(rows) != 1:
                found.append(
                    Violation(index, "one_decision_per_pair", f"{key} has {len(rows)} decisions")
                )
            elif key not in expected:
                found.append(Violation(index, "one_decision_per_pair", f"{key} not triggered"))
            elif tuple(rows[0]) != expected[key]:
                found.append(
                    Violation(index, "decision", f"{key}: built {rows[0]}, oracle {expected[key]}")
                )
        found += _safety(index, pairs[index], got, staged, as_of, flows)
    return found


def _safety(
    index: int,
    pairs: list[oracle.Pair],
    got: dict[tuple[str, str], list],
    staged: oracle.Staged,
    as_of: dt.date,
    flows: dict[str, oracle.FlowRule],
) -> list[Violation]:
    """The promises, stated on their own (the decision check above implies them)."""
    found = []
    marketing_sends: Counter[str] = Counter()
    for p in pairs:
        rows = got.get((p.flow_id, p.recipient), [])
        if not rows or rows[0][0] != "send":
            continue
        flow = flows[p.flow_id]
        if p.contact_id in staged.erased_ids or (p.email in staged.erased_emails):
            found.append(Violation(index, "no_mail_to_erased", str(p)))
        if not oracle.is_valid_email(p.email):
            found.append(Violation(index, "no_mail_to_invalid", str(p)))
        if (
            p.contact_id
            and p.contact_id in staged.contacts
            and oracle.is_suppressed(staged, p.contact_id, as_of)
        ):
            found.append(Violation(index, "no_mail_to_suppressed", str(p)))
        if flow.category == "marketing":
            marketing_sends[p.recipient] += 1
            if not (p.contact_id and oracle.has_consent(staged, p.contact_id, as_of)):
                found.append(Violation(index, "no_marketing_without_consent", str(p)))
    for recipient, count in marketing_sends.items():
        if count > 1:
            found.append(Violation(index, "one_marketing_mail_a_day", f"{recipient}: {count}"))
    return found


def _exported(folder: Path) -> list[dict[str, str]]:
    rows = []
    for path in sorted(folder.rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows += [{**r, "_file": str(path)} for r in csv.DictReader(handle)]
    return rows


def check_exports(built: Built, truth: Truth, as_of: dt.date) -> list[Violation]:
    """Exported = decided send (never holdout), once; ad audiences only consented people."""
    found = []
    decided = _decisions(built.full, as_of)
    lists = _exported(built.exports / as_of.isoformat() / "generic")
    seen: Counter[tuple[str, str]] = Counter()
    for row in lists:
        key = (row["flow_id"], row["recipient"])
        index = world_of(row["recipient"], row["email"])
        seen[key] += 1
        decision = [d for d, _ in decided.get(index, {}).get(key, [])]
        if decision != ["send"]:
            found.append(Violation(index, "export_only_sends", f"{key} exported, {decision}"))
    for index, pairs in decided.items():
        for key, rows in pairs.items():
            if rows and rows[0][0] == "send" and seen[key] != 1:
                found.append(
                    Violation(index, "export_each_send_once", f"{key} exported {seen[key]} times")
                )
    allowed = {
        oracle.sha256(staged.email_of(c) or "")
        for staged in truth.staged.values()
        for c in staged.contacts
        if oracle.has_consent(staged, c, as_of) and not oracle.is_suppressed(staged, c, as_of)
    }
    for row in _exported(built.exports / as_of.isoformat() / "google_customer_match"):
        if row["Email"] not in allowed:
            found.append(Violation(-1, "ad_audience_only_consented", row["Email"][:12]))
    return found


ID_TOKEN = re.compile(r"w\d{5}x[a-z0-9]+(?![a-z0-9@.])")


def check_erased(built: Built, truth: Truth) -> list[Violation]:
    """Nothing of an erased person outside the raw delivery and the erasure's own record:
    no contact_id, email, SHA-256 of an email, nor the id of one of their rows (orders,
    order lines, events), in any table of any schema or in any exported file."""
    emails = {i: s.erased_emails for i, s in truth.staged.items()}
    ids = {i: s.erased_ids | _erased_row_ids(truth.tables[i], s) for i, s in truth.staged.items()}
    hashes = {oracle.sha256(e): i for i, s in truth.staged.items() for e in s.erased_emails}
    found = []
    exported = _export_strings(built.exports)
    for place_name, values in _warehouse_strings(built.full) + exported:
        if _kept_on_purpose(place_name, "@"):
            continue
        for value in values:
            for index in {int(m.group(1)) for m in TOKEN.finditer(value)}:
                leaked = [e for e in emails.get(index, ()) if e in value]
                if not _kept_on_purpose(place_name, "id"):
                    leaked += [t for t in ID_TOKEN.findall(value) if t in ids.get(index, ())]
                found += [
                    Violation(index, "erased_everywhere", f"{item} in {place_name}")
                    for item in leaked
                ]
            if value in hashes:
                found.append(Violation(hashes[value], "erased_everywhere", f"hash in {place_name}"))
    for place_name, (text,) in exported:
        found += [
            Violation(i, "erased_everywhere", f"hash in {place_name}")
            for digest, i in hashes.items()
            if digest in text
        ]
    return found


def _erased_row_ids(tables: dict[str, list[Row]], staged: oracle.Staged) -> set[str]:
    """The ids of the rows an erased contact owns (orders, events, interactions)."""
    out = set()
    for table, column in (
        ("orders", "order_id"),
        ("email_events", "event_id"),
        ("web_events", "event_id"),
        ("service_interactions", "interaction_id"),
    ):
        for row in tables.get(table, []):
            if oracle.clean(row["contact_id"]) in staged.erased_ids and oracle.clean(row[column]):
                out.add(str(oracle.clean(row[column])))
    return out


def _kept_on_purpose(place_name: str, item: str) -> bool:
    name = place_name.split(".")[1] if place_name.count(".") == 2 else place_name
    if any(r in name for r in ERASURE_RECORDS):
        return True
    return "@" in item and any(r in name for r in SUPPRESSION_RECORDS)


def _warehouse_strings(warehouse: Warehouse) -> list[tuple[str, list[str]]]:
    columns = warehouse.query(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' and table_schema <> 'raw' order by all"
    )
    out = []
    for schema, table, column in columns:
        values = warehouse.query(
            f'select distinct lower("{column}") from "{schema}"."{table}" '
            f'where "{column}" is not null'
        )
        out.append((f"{schema}.{table}.{column}", [v[0] for v in values]))
    return out


def _export_strings(folder: Path) -> list[tuple[str, list[str]]]:
    return [
        (f"export {p.name}", [p.read_text(encoding="utf-8").lower()])
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    ]


def check_reconciliation(built: Built, truth: Truth) -> list[Violation]:
    """raw = staged + quarantined + erased, per world and table."""
    staged: Counter[tuple[int, str]] = Counter()
    for table, column in KEY_COLUMN.items():
        for value, count in built.full.query(
            f"select {column}, count(*) from analytics.stg_raw__{table} group by 1"
        ):
            staged[(world_of(value), table)] += count
    for table, key, count in built.full.query(
        "select source_table, row_key, count(*) from analytics.stg_quarantine group by 1, 2"
    ):
        staged[(world_of(key), table)] += count
    found = []
    for index, tables in truth.tables.items():
        erased = _erased_rows(tables, truth.staged[index])
        for table in KEY_COLUMN:
            raw = len(tables.get(table, []))
            accounted = staged[(index, table)] + erased[table]
            if raw != accounted:
                found.append(
                    Violation(
                        index,
                        "raw_rows_reconcile",
                        f"{table}: {raw} raw, {accounted} accounted for",
                    )
                )
    return found


def _erased_rows(tables: dict[str, list[Row]], staged: oracle.Staged) -> Counter[str]:
    ids, emails = staged.erased_ids, staged.erased_emails
    erased_orders = {
        oracle.clean(o["order_id"])
        for o in tables.get("orders", [])
        if oracle.clean(o["contact_id"]) in ids
    }
    count: Counter[str] = Counter()
    for table, rows in tables.items():
        for row in rows:
            by_id = oracle.clean(row.get("contact_id")) in ids
            by_email = table in ("contacts", "stock_alert_requests") and (
                oracle.normalise_email(row.get("email")) in emails
            )
            by_order = table == "order_lines" and oracle.clean(row["order_id"]) in erased_orders
            if table not in ("erasure_requests", "esp_suppressions") and (
                by_id or by_email or by_order
            ):
                count[table] += 1
    count["esp_suppressions"] = _erased_suppression_copies(
        tables.get("esp_suppressions", []), emails
    )
    return count


def _erased_suppression_copies(rows: list[Row], emails: set[str]) -> int:
    """A suppression of an erased address stays; its copies that would be quarantined
    (an exact duplicate after cleaning, an unknown reason, no suppressed_at) are erased."""
    seen: set[tuple] = set()
    erased = 0
    for row in rows:
        email, reason = oracle.normalise_email(row["email"]), oracle.code(row["reason"])
        key = (email, reason, row["suppressed_at"])
        valid = row["suppressed_at"] is not None and reason in oracle.SUPPRESSION_REASONS
        if email in emails and (key in seen or not valid):
            erased += 1
        seen.add(key)
    return erased


def check_incremental(built: Built, as_of: dt.date) -> list[Violation]:
    """The decisions of D - 1 -> D equal those of one full build of D."""
    if built.incremental is None:
        return []
    full, inc = _decisions(built.full, as_of), _decisions(built.incremental, as_of)
    found = []
    for index in set(full) | set(inc):
        a, b = full.get(index, {}), inc.get(index, {})
        for key in sorted(set(a) | set(b)):
            if sorted(a.get(key, [])) != sorted(b.get(key, [])):
                found.append(
                    Violation(
                        index,
                        "incremental_equals_full",
                        f"{key}: full {a.get(key)}, incremental {b.get(key)}",
                    )
                )
    return found


def check_all(built: Built, truth: Truth, as_of: dt.date) -> list[Violation]:
    return (
        check_decisions(built, truth, as_of)
        + check_exports(built, truth, as_of)
        + check_erased(built, truth)
        + check_reconciliation(built, truth)
        + check_incremental(built, as_of)
    )
