"""The last gate: every Great Expectations refusal writes nothing and exits 1."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from followup.export.validation import mask_email, mask_value, spike_bound
from tests.python.fixtures.export.helpers import (
    export,
    files_written,
    seed_export_history,
    use_warehouse,
)

Tables = dict[str, pd.DataFrame]


def set_value(table: str, row: int, column: str, value: object) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        tables[table].loc[row, column] = value

    return change


CART = "audience_abandoned_cart"

REFUSALS = [
    pytest.param(
        set_value(CART, 0, "email", "jan.de.vries at example.com"),
        "every email address is well formed: 1 of 3 rows fail, e.g. C001: 'j***'",
        id="invalid email",
    ),
    pytest.param(
        set_value(CART, 0, "email", "=cmd@example.com"),
        "every email address is well formed: 1 of 3 rows fail, e.g. C001: '=***@example.com'",
        id="email that a spreadsheet reads as a formula",
    ),
    pytest.param(
        set_value(CART, 1, "email", "jan.de.vries@example.com"),
        "no email address appears twice in the list: 2 of 3 rows fail, "
        "e.g. C001: 'j***@example.com'; C002: 'j***@example.com'",
        id="duplicate email",
    ),
    pytest.param(
        set_value("dim_contacts", 0, "has_marketing_consent", "false"),
        "every recipient of a marketing flow has marketing consent on the day: 1 of 3 rows "
        "fail, e.g. C001",
        id="marketing without consent",
    ),
    pytest.param(
        set_value("dim_contacts", 1, "is_suppressed", "true"),
        "no recipient is suppressed (hard bounce, spam complaint, the ESP's list): 1 of 3 rows "
        "fail, e.g. C002",
        id="suppressed recipient",
    ),
    pytest.param(
        set_value(CART, 2, "product_1_name", None),
        "product_1_name is present (the flow's content needs it): 1 of 3 rows fail, "
        "e.g. C003: empty",
        id="missing product field",
    ),
    pytest.param(
        set_value(CART, 2, "product_1_url", "javascript:alert(1)"),
        "product_1_url is a valid url: 1 of 3 rows fail, e.g. C003: 'javascript:alert(1)'",
        id="typed field: not a URL",
    ),
]


@pytest.mark.parametrize(("change", "report"), REFUSALS)
def test_a_failed_expectation_writes_nothing_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Callable[[Tables], None], report: str
) -> None:
    use_warehouse(tmp_path, monkeypatch, change=change)
    out = tmp_path / "out"
    result = export(out, "generic", "abandoned_cart", "welcome")
    assert result.code == 1, result.output
    assert "REFUSED abandoned_cart (2026-06-15)" in result.output
    assert report in result.output
    assert "Nothing was written and the send log is unchanged" in result.output
    assert files_written(out) == []  # not even the welcome flow, which passed
    assert "jan.de.vries@example.com" not in result.output  # emails are masked


def test_a_service_flow_needs_no_marketing_consent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # C006 (back in stock) has no marketing consent in the fixture: a service mail goes out.
    use_warehouse(tmp_path, monkeypatch)
    result = export(tmp_path / "out", "generic", "back_in_stock")
    assert result.code == 0, result.output


def history(days: int, rows: int = 1) -> dict[dt.date, int]:
    return {dt.date(2026, 6, 14) - dt.timedelta(days=i): rows for i in range(days)}


def test_the_spike_guard_and_allow_spike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = use_warehouse(tmp_path, monkeypatch)
    seed_export_history(path, "abandoned_cart", history(28))
    out = tmp_path / "out"
    # 28 days of history, 1 export a day: median 1. With factor 1 and no floor, 3 is a spike.
    strict = ("--spike-factor", "1", "--spike-floor", "0")
    result = export(out, "generic", "abandoned_cart", extra=strict)
    assert result.code == 1, result.output
    assert (
        "list size at most 1 rows (median 1 recipients exported per day over 28 day(s) of the "
        "28 before, x1 = 1, floor 0): the list has 3 rows. If this size is intended, run again "
        "with --allow-spike"
    ) in result.output
    assert files_written(out) == []
    # The default factor 5 and floor 100 let it through; so does --allow-spike.
    assert export(out, "generic", "abandoned_cart", extra=("--dry-run",)).code == 0
    result = export(out, "generic", "abandoned_cart", extra=(*strict, "--allow-spike"))
    assert result.code == 0, result.output
    assert (out / "2026-06-15" / "generic" / "abandoned_cart.csv").exists()


@pytest.mark.parametrize(("days", "code"), [(0, 0), (6, 0), (7, 1)])
def test_the_spike_guard_compares_from_seven_days_of_history_and_warns_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, days: int, code: int
) -> None:
    path = use_warehouse(tmp_path, monkeypatch)
    seed_export_history(path, "abandoned_cart", history(days))
    strict = ("--spike-factor", "1", "--spike-floor", "2")
    result = export(tmp_path / "out", "generic", "abandoned_cart", extra=strict)
    assert result.code == code, result.output
    warning = (
        "spike guard not applied (fewer than 7 days of export history in the 28 days before; "
        f"days in brackets): abandoned_cart ({days})"
    )
    assert (warning in result.output) == (days < 7)


@pytest.mark.parametrize(
    ("history", "factor", "floor", "limit"),
    [
        ([], 5, 100, None),
        ([10] * 6, 5, 0, None),
        ([10] * 28, 5, 100, 100),
        ([10] * 28, 5, 0, 50),
        ([0, 0, 0, 40, 40, 40, 40], 5, 10, 200),
        ([1, 2, 3, 4, 5, 6, 7, 8], 5, 0, 22),  # median 4.5
        ([1000] * 7, 5.0, 100, 5000),
    ],
)
def test_spike_bound(history: list[int], factor: float, floor: int, limit: int | None) -> None:
    days = {dt.date(2026, 6, 1) + dt.timedelta(days=i): n for i, n in enumerate(history)}
    bound = spike_bound(days, factor, floor)
    assert (None if bound is None else bound.limit) == limit


def test_masking() -> None:
    assert mask_email("jan.de.vries@example.com") == "j***@example.com"
    assert mask_email("C000123") == "C000123"
    assert mask_value("jan at example.com") == "j***"
