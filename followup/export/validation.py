"""The last gate: Great Expectations checks every send list before anything is written.

Checks (one Expectation each; run on a pandas DataFrame through an ephemeral GX
context: GX's SQL datasource cannot validate DuckDB tables, upstream issues
great_expectations#10738 and #11579):

* every row has a valid email address (the warehouse's pattern, and not starting with
  a spreadsheet formula character);
* no email address appears twice in the list;
* every recipient of a marketing flow, and everyone in an ad audience, has marketing
  consent on the day; no recipient is suppressed (dim_contacts);
* every field the flow's content needs is present (the templates' ``requires``);
* the list is no larger than ``factor`` x the flow's median of recipients exported per
  day over the 28 days before (the send log), with a floor -- unless ``--allow-spike``.
  The guard needs at least 7 days of that history: on a new warehouse it warns instead;
* typed fields that are written are well formed: ids, codes and URLs.

A failed check refuses the list: the report names the check, how many rows fail,
and a few examples with the emails masked.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import os
import statistics
import uuid
import warnings
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from followup.export.fields import FieldType
from followup.export.sendlist import SendList

# The warehouse's email pattern (macros/staging.sql, email_pattern), lower case, and
# the first character a letter or digit (a spreadsheet never reads it as a formula).
EMAIL_PATTERN = (
    r"^[a-z0-9_][a-z0-9.!#$%&'*+/=?^_`{|}~-]*"
    r"@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
)
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$"
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
# (No \s: it would make pandas fall back from RE2 to Python's re, much slower.)
URL_PATTERN = r"^https?://[^\t\n\v\f\r \"'<>]+$"

HISTORY_DAYS = 28
MIN_HISTORY_DAYS = 7  # days with exports in the window before the guard compares
DEFAULT_SPIKE_FACTOR = 5.0
DEFAULT_SPIKE_FLOOR = 100


def mask_email(value: Any) -> str:
    """``jan.de.vries@example.com`` -> ``j***@example.com`` (values without @ unchanged)."""
    text = "" if value is None else str(value)
    if "@" not in text:
        return text
    local, _, domain = text.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_value(value: Any) -> str:
    """Any email-like value masked, even a malformed one: ``jan at x`` -> ``j***``."""
    text = "" if value is None else str(value)
    return mask_email(text) if "@" in text else f"{text[:1]}***"


@dataclass(frozen=True)
class SpikeBound:
    """The most rows a list may have today."""

    median: float | None
    days: int
    factor: float
    floor: int

    @property
    def limit(self) -> int:
        bound = float(self.floor)
        if self.median is not None:
            bound = max(bound, self.factor * self.median)
        return math.floor(bound)

    def explain(self) -> str:
        if self.median is None:
            return (
                f"no sends in the {HISTORY_DAYS} days before: the floor of {self.floor:,} applies"
            )
        return (
            f"median {self.median:g} recipients exported per day over {self.days} day(s) of "
            f"the {HISTORY_DAYS} before, x{self.factor:g} = {self.factor * self.median:,.0f}, "
            f"floor {self.floor:,}"
        )


def spike_bound(history: dict[dt.date, int], factor: float, floor: int) -> SpikeBound | None:
    """The size limit from the flow's export history; None while there is too little
    history to compare with (fewer than MIN_HISTORY_DAYS days with exports)."""
    values = list(history.values())
    if len(values) < MIN_HISTORY_DAYS:
        return None
    return SpikeBound(float(statistics.median(values)), len(values), factor, floor)


def spike_warning(histories: dict[str, dict[dt.date, int]]) -> str:
    """One line: the flows whose list size was not compared with their history."""
    flows = ", ".join(f"{flow} ({len(days)})" for flow, days in histories.items())
    return (
        f"spike guard not applied (fewer than {MIN_HISTORY_DAYS} days of export history in the "
        f"{HISTORY_DAYS} days before; days in brackets): {flows}"
    )


@dataclass
class CheckResult:
    description: str
    success: bool
    failing: int = 0
    total: int = 0
    examples: list[str] = field(default_factory=list)
    hint: str = ""

    def line(self) -> str:
        mark = "ok " if self.success else "FAIL"
        text = f"  [{mark}] {self.description}"
        if not self.success:
            if self.failing:
                text += f": {self.failing:,} of {self.total:,} rows fail"
            if self.examples:
                text += ", e.g. " + "; ".join(self.examples)
            if self.hint:
                text += f". {self.hint}"
        return text


@dataclass
class ValidationReport:
    flow_id: str
    as_of: dt.date
    rows: int
    results: list[CheckResult]

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results)

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if not r.success]

    def text(self, verbose: bool = False) -> str:
        if self.success:
            head = f"{self.flow_id}: all {len(self.results)} checks passed ({self.rows:,} rows)"
        else:
            head = (
                f"REFUSED {self.flow_id} ({self.as_of}): {len(self.failed)} of "
                f"{len(self.results)} checks failed; nothing was written for this export"
            )
        shown = self.results if verbose else self.failed
        return "\n".join([head, *(r.line() for r in shown)])


_CONTEXT: Any = None


def _gx() -> Any:
    """Import Great Expectations once (about 3 s) and make a quiet ephemeral context."""
    global _CONTEXT
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    with warnings.catch_warnings():  # e.g. PySpark's pandas-version warning on import
        warnings.simplefilter("ignore")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    if _CONTEXT is None:
        _CONTEXT = gx.get_context(mode="ephemeral")
        _CONTEXT.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx


@dataclass
class _Check:
    description: str
    expectation: Any
    column: str | None
    hint: str = ""
    kind: str = "table"  # not_null, regex, unique, in_set, table
    pattern: str = ""


def _is_ad(send_list: SendList) -> bool:
    return send_list.plan.profile_kind == "ad_audience"


def _checks(send_list: SendList, bound: SpikeBound | None) -> list[_Check]:
    import great_expectations.expectations as gxe

    checks = [
        _Check(
            "every row has a valid email address",
            gxe.ExpectColumnValuesToNotBeNull(column="email"),
            "email",
            kind="not_null",
        ),
        _Check(
            "every email address is well formed",
            gxe.ExpectColumnValuesToMatchRegex(column="email", regex=EMAIL_PATTERN),
            "email",
            kind="regex",
            pattern=EMAIL_PATTERN,
        ),
        _Check(
            "no email address appears twice in the list",
            gxe.ExpectColumnValuesToBeUnique(column="email"),
            "email",
            kind="unique",
        ),
        _Check(
            "every row has a recipient",
            gxe.ExpectColumnValuesToNotBeNull(column="recipient"),
            "recipient",
            kind="not_null",
        ),
    ]
    return checks + _protection_checks(send_list) + _content_checks(send_list, bound)


def _protection_checks(send_list: SendList) -> list[_Check]:
    """Consent (marketing flows and ad audiences) and suppression (every list)."""
    import great_expectations.expectations as gxe

    checks = []
    if send_list.plan.flow.category == "marketing" or "has_marketing_consent" in send_list.frame:
        who = "person in an ad audience" if _is_ad(send_list) else "recipient of a marketing flow"
        checks.append(
            _Check(
                f"every {who} has marketing consent on the day",
                gxe.ExpectColumnValuesToBeInSet(column="has_marketing_consent", value_set=[True]),
                "has_marketing_consent",
                kind="in_set",
            )
        )
    checks.append(
        _Check(
            "no recipient is suppressed (hard bounce, spam complaint, the ESP's list)",
            gxe.ExpectColumnValuesToBeInSet(column="is_suppressed", value_set=[False]),
            "is_suppressed",
            kind="in_set_false",
        )
    )
    return checks


def _content_checks(send_list: SendList, bound: SpikeBound | None) -> list[_Check]:
    """What the flow's content needs, well-formed ids, codes and URLs, and the list size."""
    import great_expectations.expectations as gxe

    plan = send_list.plan
    checks = []
    for name in plan.requires:
        checks.append(
            _Check(
                f"{name} is present (the flow's content needs it)",
                gxe.ExpectColumnValuesToNotBeNull(column=name),
                name,
                kind="not_null",
            )
        )
    patterns = {FieldType.ID: ID_PATTERN, FieldType.CODE: CODE_PATTERN, FieldType.URL: URL_PATTERN}
    for name in plan.exported:
        ftype = send_list.types.get(name)
        if ftype in patterns and name in send_list.frame:
            checks.append(
                _Check(
                    f"{name} is a valid {ftype.value}",
                    gxe.ExpectColumnValuesToMatchRegex(column=name, regex=patterns[ftype]),
                    name,
                    kind="regex",
                    pattern=patterns[ftype],
                )
            )
    if bound is not None:
        checks.append(
            _Check(
                f"list size at most {bound.limit:,} rows ({bound.explain()})",
                gxe.ExpectTableRowCountToBeBetween(min_value=0, max_value=bound.limit),
                None,
                "If this size is intended, run again with --allow-spike",
            )
        )
    return checks


def _examples(data: pd.DataFrame, check: _Check) -> list[str]:
    """Up to three failing rows: the recipient (emails masked) and the value."""
    if check.column is None:
        return []
    values = data[check.column]
    if check.kind == "not_null":
        failing = values.isna()
    elif check.kind == "regex":
        failing = values.notna() & ~values.astype("str").str.match(check.pattern).fillna(False)
    elif check.kind == "unique":
        failing = values.notna() & values.duplicated(keep=False)
    elif check.kind == "in_set":
        failing = values.ne(True)
    elif check.kind == "in_set_false":
        failing = values.ne(False)
    else:
        return []
    rows = data[failing.to_numpy(dtype=bool)].head(3)
    examples = []
    for recipient, value in zip(rows["recipient"], rows[check.column], strict=True):
        who = mask_email(recipient)
        if check.kind in ("in_set", "in_set_false") or check.column == "recipient":
            examples.append(who)
        elif value is None or (isinstance(value, float) and math.isnan(value)):
            examples.append(f"{who}: empty")
        elif check.column == "email":
            examples.append(f"{who}: {mask_value(value)!r}")
        else:
            examples.append(f"{who}: {value!r}")
    return examples


def _validation_frame(send_list: SendList, checks: list[_Check]) -> pd.DataFrame:
    """The columns the checks read, with consent and suppression as plain booleans."""
    frame = send_list.frame
    columns = {"recipient"} | {c.column for c in checks if c.column}
    data = frame[[c for c in frame.columns if c in columns]]
    if "has_marketing_consent" in columns:
        consent = frame.get("has_marketing_consent")
        data = data.assign(
            has_marketing_consent=False
            if consent is None
            else consent.fillna(False).astype(bool).to_numpy()
        )
    suppressed = frame.get("is_suppressed")
    return data.assign(
        # email-only recipients have no contact: their suppression is the decision's
        is_suppressed=False
        if suppressed is None
        else suppressed.fillna(False).astype(bool).to_numpy()
    )


def _run_suite(send_list: SendList, checks: list[_Check], data: pd.DataFrame) -> Any:
    """Run the checks as one Great Expectations suite on the data frame."""
    gx = _gx()
    context = _CONTEXT
    name = f"send_list_{send_list.flow_id}_{uuid.uuid4().hex}"
    suite = gx.ExpectationSuite(name=name)
    for check in checks:
        suite.add_expectation(check.expectation)
    suite = context.suites.add(suite)
    source = context.data_sources.add_pandas(name)
    try:
        batch = source.add_dataframe_asset("send_list").add_batch_definition_whole_dataframe("all")
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(data=batch, suite=suite, name=name)
        )
        return definition.run(
            batch_parameters={"dataframe": data},
            result_format={"result_format": "BASIC", "partial_unexpected_count": 3},
        )
    finally:
        for remove in (
            lambda: context.validation_definitions.delete(name),
            lambda: context.suites.delete(name),
            lambda: context.data_sources.delete(name),
        ):
            with contextlib.suppress(Exception):
                remove()


def validate(send_list: SendList, bound: SpikeBound | None) -> ValidationReport:
    """Run every check on the whole send list."""
    checks = _checks(send_list, bound)
    data = _validation_frame(send_list, checks)
    outcome = _run_suite(send_list, checks, data)
    by_id = {str(r.expectation_config.id): r for r in outcome.results}
    results = []
    for check in checks:  # GX does not keep the order of the suite: match by expectation id
        result = by_id[str(check.expectation.id)]
        detail = result.result or {}
        failing = int(detail.get("unexpected_count") or 0)
        if check.column is None and not result.success:
            observed = detail.get("observed_value", len(data))
            check_result = CheckResult(
                f"{check.description}: the list has {observed:,} rows",
                False,
                hint=check.hint,
            )
        else:
            check_result = CheckResult(
                check.description,
                bool(result.success),
                failing=failing,
                total=len(data),
                examples=[] if result.success else _examples(data, check),
                hint=check.hint,
            )
        results.append(check_result)
    return ValidationReport(send_list.flow_id, send_list.as_of, len(data), results)
