"""`followup report` in a real browser: headless Chromium loads the page offline.

Chromium (Debian package `chromium`, `make setup-browser`) is required: without it this
test fails, it is not skipped. One browser run (about 2 s) loads the page from file://,
records the console, uncaught errors, the browser log and every request, reads the DOM
after load and measures each chart's drawn marks, and takes a full-page screenshot, kept
at $FOLLOWUP_TEST_ARTIFACTS/report.png (default target/test-artifacts/report.png).
"""

from __future__ import annotations

import struct
import time
from pathlib import Path

from click.testing import CliRunner

from followup.cli import main
from tests.python.fixtures.chromium import artifact_path, find_chromium, visit
from tests.python.fixtures.report import (
    EMPTY_CHARTS,
    EXPECTED_CHARTS,
    D,
    Page,
    build_report_warehouse,
    mismatches,
    untagged_numbers,
)

# Per chart: how many of its marks the browser drew with a size (a bounding box).
DRAWN_MARKS = """
Object.fromEntries([...document.querySelectorAll('svg[data-chart]')].map(svg => [
  svg.dataset.chart,
  [...svg.querySelectorAll('.mark')].filter(mark => {
    const box = mark.getBoundingClientRect();
    return box.width > 0 || box.height > 0;
  }).length,
]))
"""
SECONDS = 60


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_the_page_in_headless_chromium(tmp_path: Path) -> None:
    started = time.monotonic()
    find_chromium()  # fails (not skips) when Chromium is missing
    warehouse = build_report_warehouse(tmp_path / "followup.duckdb")
    result = CliRunner().invoke(
        main,
        ["report", "--as-of", D.isoformat(), "--out", str(tmp_path), "--warehouse", str(warehouse)],
    )
    assert result.exit_code == 0, result.output
    page_file = Path(result.stdout.strip())

    loaded = time.monotonic()
    seen = visit(page_file.resolve().as_uri(), probe=DRAWN_MARKS)
    browser_seconds = time.monotonic() - loaded

    assert seen.errors() == []
    assert seen.console == []  # the page logs nothing at all
    assert seen.requests == [page_file.resolve().as_uri()]  # nothing but the page itself

    dom = Page(seen.dom)
    assert set(dom.charts()) == EXPECTED_CHARTS
    drawn = seen.probe
    for chart in EXPECTED_CHARTS - EMPTY_CHARTS:
        assert drawn[chart] > 0, f"{chart}: nothing drawn"
    for chart in EMPTY_CHARTS:
        assert drawn[chart] == 0
        assert [e for e in dom.charts()[chart].children if e.attrs.get("data-empty") == "true"]

    assert mismatches(dom, warehouse) == []
    assert untagged_numbers(dom) == []
    assert dom.value("flow_daily_summary", "sent", flow="abandoned_cart") == {"80"}
    assert dom.value("flow_uplift", "uplift", flow="abandoned_cart") == {repr(0.1 + 0.2 - 0.265)}
    assert dom.value("rfm_grid_history", "contacts", r="3", f="4") == {"34"}

    shot = artifact_path("report.png")
    shot.write_bytes(seen.screenshot)
    width, height = png_size(seen.screenshot)
    assert width == 1400 and height > 3000  # the whole page, not the first screen
    elapsed = time.monotonic() - started
    print(
        f"\nscreenshot: {shot} ({width}x{height}); browser {browser_seconds:.1f} s, "
        f"test {elapsed:.1f} s"
    )
    assert elapsed < SECONDS
