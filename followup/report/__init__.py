"""`followup report`: one self-contained HTML page about one built day.

The page reads the published copy of the warehouse (read-only) and shows, for the day:
each flow's funnel, its uplift against the holdout group, engagement, segment trends,
lifecycle transitions and the RFM grid. Every number is a warehouse cell, formatted;
nothing is recomputed in Python (only the layout of the charts is).

- ``data``: the read-only queries (the only module that knows table and column names);
- ``values``: raw values for ``data-value`` attributes and their display formats;
- ``svg``, ``charts``, ``grids``: the inline SVG charts (pure functions);
- ``page``: the tables and the Jinja2 page around them;
- ``texts``: the plain-words explanations shown on the page (change them there).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from followup.report.data import open_warehouse, read_report
from followup.report.page import render_page


def report_path(out: Path, day: dt.date) -> Path:
    """``DIR/followup-report-<D>.html``."""
    return out / f"followup-report-{day.isoformat()}.html"


def write_report(day: dt.date, out: Path, warehouse: Path) -> Path:
    """Read the day from ``warehouse`` and write its page into ``out``; return its path."""
    with open_warehouse(warehouse) as con:
        data = read_report(con, day, warehouse)
    html = render_page(data)
    target = report_path(out, day)
    out.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(html, encoding="utf-8")
    os.replace(temporary, target)  # a reader never sees half a page
    return target
