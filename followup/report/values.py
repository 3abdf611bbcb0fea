"""Warehouse values on the page: the raw ``data-value`` of a cell and its display text.

Every number shown comes from one table cell. Its element carries ``data-table``,
``data-column``, the row's key attributes (``KEYS``) and ``data-value``, the raw value:
an integer as its digits, a double as Python's shortest round-trip ``repr`` (so
``float(data-value)`` is the stored double exactly), a date as ISO 8601, a boolean as
``true``/``false`` and a null as ``null``. Formatting is display only; it never changes
what ``data-value`` holds.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from followup.report.data import Row

NULL = "null"
MISSING = "\u2013"  # an en dash, shown for a null

# Per table: the key attributes of a row (attribute → column).
KEYS: dict[str, dict[str, str]] = {
    "flow_daily_summary": {"data-flow": "flow_id", "data-date": "as_of_date"},
    "flow_uplift": {"data-flow": "flow_id", "data-date": "as_of_date"},
    "flow_engagement_period": {"data-flow": "flow_id", "data-date": "as_of_date"},
    "flow_engagement_daily": {
        "data-flow": "flow_id",
        "data-step": "flow_step",
        "data-date": "send_date",
    },
    "segment_size_history": {
        "data-segmentation": "segmentation",
        "data-segment": "segment",
        "data-date": "as_of_date",
    },
    "lifecycle_transition_matrix": {
        "data-period": "period",
        "data-from": "from_stage",
        "data-to": "to_stage",
        "data-date": "as_of_date",
    },
    "rfm_grid_history": {"data-r": "r_score", "data-f": "f_score", "data-date": "as_of_date"},
}


def raw(value: Any) -> str:
    """The ``data-value`` of a cell (see the module docstring)."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def tag(table: str, column: str, row: Row) -> dict[str, str]:
    """The attributes of an element showing ``row[column]`` of ``table``."""
    attrs = {"data-table": table, "data-column": column}
    for attribute, key in KEYS[table].items():
        attrs[attribute] = raw(row[key])
    attrs["data-value"] = raw(row[column])
    return attrs


def _finite(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and not math.isfinite(value))


def count(value: Any) -> str:
    """1,234."""
    return f"{value:,}" if _finite(value) else _other(value)


def percent(value: Any, digits: int = 1) -> str:
    """A share or rate (0.1234) as 12.3 %."""
    return f"{value * 100:.{digits}f} %" if _finite(value) else _other(value)


def points(value: Any, digits: int = 2) -> str:
    """A difference of rates (0.0123) as +1.23 pp (percentage points)."""
    return f"{value * 100:+.{digits}f} pp" if _finite(value) else _other(value)


def signed_percent(value: Any) -> str:
    """A relative change (0.123) as +12.3 %."""
    return f"{value * 100:+.1f} %" if _finite(value) else _other(value)


def money(value: Any) -> str:
    """1,234.50."""
    return f"{value:,.2f}" if _finite(value) else _other(value)


def decimal(value: Any, digits: int = 1) -> str:
    """12.3."""
    return f"{value:,.{digits}f}" if _finite(value) else _other(value)


def p_value(value: Any) -> str:
    """0.034, or < 0.001."""
    if not _finite(value):
        return _other(value)
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def yes_no(value: Any) -> str:
    """yes / no."""
    return MISSING if value is None else "yes" if value else "no"


def plain(value: Any) -> str:
    """A date, an id or a small integer as it is."""
    return MISSING if value is None else raw(value)


def _other(value: Any) -> str:
    return MISSING if value is None else str(value)
