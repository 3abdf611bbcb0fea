"""The mutation check: deliberate rule bugs that the fuzz worlds must catch.

Each mutant is one textual change to a copy of the project (the file, the exact text, its
replacement). The check copies the project, applies the change, runs the fuzz worlds in
the copy and records whether they caught it: a violation (exit code 1) or a build the
change breaks (exit code 3) is caught; a clean pass (exit code 0) means the mutant
survived, and the fuzz worlds miss a bug of that kind.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from followup import PROJECT_DIR
from followup.fuzz import BUILD_FAILED
from followup.fuzz.runner import Progress


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str
    old: str
    new: str
    why: str


DECISIONS = "models/flows/flow_decisions.sql"
CONSENT = "models/intermediate/int_contact_consent.sql"
MUTANTS = (
    Mutant("consent_tie_to_opt_in", CONSENT,
           "case when status = 'opt_out' then 0 else 1 end",
           "case when status = 'opt_in' then 0 else 1 end",
           "an opt-in and an opt-out in the same second resolve to the opt-in"),
    Mutant("unsubscribe_event_ignored", CONSENT,
           "event_type in ('opt_out', 'unsubscribe')", "event_type in ('opt_out')",
           "an ESP unsubscribe event no longer withdraws consent"),
    Mutant("future_consent_counts", CONSENT,
           "and purpose = 'marketing'\n        and cast(recorded_at as date) <= {{ as_of_date() }}",
           "and purpose = 'marketing'",
           "a consent change dated after D counts on D"),
    Mutant("pressure_window_one_day_too_long",
           "models/intermediate/int_contact_marketing_pressure.sql",
           "days_ago <= {{ var('marketing_pressure_window_days') }} - 1",
           "days_ago <= {{ var('marketing_pressure_window_days') }}",
           "contact pressure counts 8 days instead of 7"),
    Mutant("pressure_limit_off_by_one", DECISIONS,
           "marketing_sends_window >= {{ var('max_marketing_sends_7d') }}",
           "marketing_sends_window > {{ var('max_marketing_sends_7d') }}",
           "a fourth marketing mail in 7 days is allowed"),
    Mutant("cooldown_le_for_lt", DECISIONS,
           "last_sent_days_ago < cooldown_days then 'cooldown'",
           "last_sent_days_ago <= cooldown_days then 'cooldown'",
           "the cooldown lasts one day too long"),
    Mutant("holdout_before_arbitration", DECISIONS,
           "partition by contact_id, category, rule_reason\n",
           "partition by contact_id, category, rule_reason, {{ int_mod(md5_prefix_int("
           "\"coalesce(contact_id, email) || ':' || flow_id\"), 100) }} < holdout_pct\n",
           "held-out pairs are arbitrated apart, so a held-out winner no longer blocks"),
    Mutant("duplicate_email_keeps_oldest", DECISIONS,
           "contact_updated_at desc,", "contact_updated_at asc,",
           "of two contacts sharing an email, the older version gets the mail"),
    Mutant("suppression_case_sensitive", "models/staging/base/base_raw__esp_suppressions.sql",
           "{{ normalise_email('email') }} as email,", "{{ clean_text('email') }} as email,",
           "ESP suppressions are matched case-sensitively"),
    Mutant("bounce_does_not_suppress", "models/intermediate/int_contact_suppressions.sql",
           "event_type in ('hard_bounce', 'spam_complaint')", "event_type in ('spam_complaint')",
           "a hard bounce no longer suppresses the contact"),
    Mutant("erasure_email_padding_ignored", "models/staging/base/base_erasure_ledger.sql",
           "{{ normalise_email('email') }} as email\n    from {{ source('raw', 'erasure_r",
           "lower(email) as email\n    from {{ source('raw', 'erasure_r",
           "an erasure request by a padded email erases nobody"),
    Mutant("erased_order_lines_kept", "models/staging/base/base_raw__order_lines.sql",
           "{{ clean_text('orders.contact_id') }} = erased_contacts.contact_id",
           "{{ clean_text('orders.contact_id') }} = erased_contacts.contact_id and false",
           "the lines of an erased person's orders stay (quarantined as unknown_order)"),
)  # fmt: skip
IGNORE = shutil.ignore_patterns(".venv", ".git", "warehouse", "data", "target", "logs",
                                "exports", "dbt_packages", "__pycache__", "*.duckdb")  # fmt: skip


@dataclass
class Outcome:
    mutant: Mutant
    exit_code: int
    seconds: float
    summary: str

    @property
    def caught(self) -> bool:
        """Caught by an invariant (exit 1), or by the build itself (exit 3)."""
        return (self.exit_code == 1 and "violation(s)" in self.summary) or (
            self.exit_code == 3 and BUILD_FAILED in self.summary
        )


def apply(mutant: Mutant, project: Path) -> None:
    path = project / mutant.file
    text = path.read_text(encoding="utf-8")
    if text.count(mutant.old) != 1:
        raise ValueError(f"mutant {mutant.name}: the text to change is not once in {mutant.file}")
    path.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")


def run_mutant(mutant: Mutant, work: Path, worlds: int, seed: int) -> Outcome:
    """Copy the project, apply the mutant, run the fuzz worlds there."""
    project = work / mutant.name / "project"
    if project.exists():
        shutil.rmtree(project)
    shutil.copytree(PROJECT_DIR, project, ignore=IGNORE)
    apply(mutant, project)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "followup.cli", "fuzz", "run", "--worlds", str(worlds),
         "--seed", str(seed), "--no-shrink", "--work", str(work / mutant.name / "fuzz")],
        cwd=project, capture_output=True, text=True, timeout=3600,
    )  # fmt: skip
    lines = (result.stdout + result.stderr).strip().splitlines()
    summary = next((ln for ln in reversed(lines) if ln.strip()), "")
    marker = {1: "violation(s)", 3: BUILD_FAILED}.get(result.returncode)
    if marker:
        summary = next((ln for ln in lines if marker in ln), summary)
    return Outcome(mutant, result.returncode, time.monotonic() - started, summary)


def run_all(
    work: Path, worlds: int, seed: int, progress: Progress, chosen: list[Mutant] | None = None
) -> list[Outcome]:
    outcomes = []
    chosen = list(MUTANTS) if chosen is None else chosen
    for number, mutant in enumerate(chosen, start=1):
        outcome = run_mutant(mutant, work, worlds, seed)
        verdict = "caught" if outcome.caught else "SURVIVED"
        progress(f"[{number}/{len(chosen)}] {mutant.name}: {verdict} ({outcome.seconds:.0f} s)")
        outcomes.append(outcome)
    return outcomes


def table(outcomes: list[Outcome]) -> str:
    """The mutation report as a Markdown table (the README shows it)."""
    rows = ["| mutant | the bug | caught | how |", "|---|---|---|---|"]
    for o in outcomes:
        how = {1: "invariant violated", 3: "build failed"}[o.exit_code] if o.caught else "-"
        rows.append(f"| `{o.mutant.name}` | {o.mutant.why} | "
                    f"{'yes' if o.caught else '**no**'} | {how} |")  # fmt: skip
    caught = sum(o.caught for o in outcomes)
    rows.append(f"\nMutation score: {caught} of {len(outcomes)} caught.")
    return "\n".join(rows)
