"""`followup backtest` and `followup cdnow`: check predicted customer value on history.

followup.predict (and scipy) is imported when a command runs, not when `followup` starts.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import click

from followup.errors import Command, Refused, fail
from followup.options import CONTEXT_SETTINGS, iso_date
from followup.profiles import read_target

BACKTEST_EPILOG = """\b
Example (the CDNOW sample of the published papers):
  followup cdnow --out data/cdnow/raw
  FOLLOWUP_DUCKDB_PATH=warehouse/cdnow.duckdb followup load --from data/cdnow/raw
  FOLLOWUP_DUCKDB_PATH=warehouse/cdnow.duckdb followup build --as-of 1998-06-30 \\
      --select +int_valid_orders --indirect-selection cautious
  FOLLOWUP_DUCKDB_PATH=warehouse/cdnow.duckdb followup backtest \\
      --calibration-end 1997-09-30 --holdout-end 1998-06-30
\b
Exit codes: 0 done; 1 the warehouse is being written, there is nobody to fit, or a fit
did not converge (the figures are printed, but do not trust them); 2 bad dates or
options, no warehouse, or a warehouse not built (for the holdout end); 3 failed
unexpectedly.
"""


def _number(value: float, decimals: int = 1) -> str:
    return f"{value:,.{decimals}f}"


def _status(fit: dict[str, Any]) -> str:
    return "converged" if fit["converged"] else "DID NOT CONVERGE"


def _weeks_to_show(count: int) -> list[int]:
    step = max(1, math.ceil(count / 6))
    return sorted({*range(step - 1, count, step), count - 1})


def format_backtest(result: dict[str, Any], warehouse: Path) -> list[str]:
    """The backtest as lines a marketer reads."""
    unit = result["time_unit"]
    length = result["holdout_length"]
    holdout_start = dt.date.fromisoformat(result["calibration_end"]) + dt.timedelta(days=1)
    predicted_per = result["holdout_predicted_per_customer"]
    actual_per = result["holdout_actual_per_customer"]
    correlation = result["correlation"]
    lines = [
        f"Backtest of predicted customer value on {warehouse}",
        f"Customers: {result['customers']:,}, whose first purchase was on or before "
        f"{result['calibration_end']}.",
        f"  Their {result['orders']:,} valid orders up to {result['holdout_end']} are "
        f"{result['transactions']:,} purchases (one customer's orders on one day count once).",
        f"Calibration: {result['calibration_start']} .. {result['calibration_end']}; holdout: "
        f"{holdout_start} .. {result['holdout_end']} ({length:g} {unit}).",
        "",
        f"How often customers buy (BG/NBD, time in {unit}):",
        f"  r {result['r']:.4f}   alpha {result['alpha']:.4f}   a {result['a']:.4f}   "
        f"b {result['b']:.4f}   log-likelihood {_number(result['log_likelihood'], 2)}   "
        f"{_status(result['fits']['bgnbd'])}",
        f"What a repeat purchase is worth (Gamma-Gamma, {result['gg_customers']:,} repeat buyers):",
        f"  p {result['p']:.4f}   q {result['q']:.4f}   gamma {result['gamma']:.4f}   "
        f"log-likelihood {_number(result['gg_log_likelihood'], 2)}   "
        f"{_status(result['fits']['gammagamma'])}",
        f"  mean value of a purchase over all customers: {result['gg_population_mean_spend']:.2f}",
        "",
        "Repeat purchases in the holdout, predicted vs actual:",
        f"  total {_number(result['holdout_predicted'])} vs {result['holdout_actual']:,}; "
        f"per customer {predicted_per:.2f} vs {actual_per:.2f}; correlation per customer "
        + ("n/a" if correlation is None else f"{correlation:.3f}"),
        "",
        "Mean purchases per customer in the holdout, by repeat purchases in the calibration:",
        "  repeat purchases   customers   actual   predicted",
    ]
    for row in result["conditional_expectations"]:
        if row["customers"]:
            lines.append(
                f"  {row['calibration_repeat_transactions']:<18} {row['customers']:>9,}   "
                f"{row['actual_mean']:>6.2f}   {row['predicted_mean']:>9.2f}"
            )
    weeks = result["cumulative_by_week"]
    lines += [
        "",
        f"Cumulative repeat purchases since {result['calibration_start']}, by week:",
        "  week   ends          actual   predicted",
    ]
    for k in _weeks_to_show(len(weeks)):
        week = weeks[k]
        lines.append(
            f"  {week['week']:>4}   {week['end_date']}   {week['actual']:>6,}   "
            f"{_number(week['predicted']):>9}"
        )
    return lines


@click.command(
    cls=Command,
    epilog=BACKTEST_EPILOG,
    context_settings=CONTEXT_SETTINGS,
)
@click.option("--calibration-end", required=True, callback=iso_date, metavar="YYYY-MM-DD",
              help="Last day of the history the models learn from.")  # fmt: skip
@click.option("--holdout-end", required=True, callback=iso_date, metavar="YYYY-MM-DD",
              help="Last day of the period whose purchases are predicted.")  # fmt: skip
@click.option("--time-unit", type=click.Choice(["days", "weeks"]), default="weeks",
              show_default=True, help="Unit of the model's times (alpha and the "
              "log-likelihood depend on it; the predictions do not).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("--warehouse", type=click.Path(dir_okay=False, path_type=Path),
              help="DuckDB file to read, read-only (default: $FOLLOWUP_DUCKDB_PATH).")  # fmt: skip
def backtest(
    calibration_end: dt.date,
    holdout_end: dt.date,
    time_unit: str,
    as_json: bool,
    warehouse: Path | None,
) -> None:
    """Check predicted customer value against what your customers actually bought.

    Two standard models learn from the valid orders up to --calibration-end: how often
    each customer buys and when she stops (BG/NBD), and what a repeat purchase is worth
    (Gamma-Gamma). They then predict each customer's purchases from the day after
    --calibration-end to --holdout-end, and the prediction is compared with what was
    bought: in total, per customer, by how often customers bought before, and week by
    week. The customers are those whose first purchase was on or before
    --calibration-end; one customer's orders on one day count as one purchase. The
    warehouse must be built (at least int_valid_orders) for --holdout-end or later.
    """
    from followup.predict.backtest import Periods, run_backtest

    try:
        periods = Periods(calibration_end, holdout_end, time_unit)
        path = warehouse or Path(read_target("dev")["path"])
        result = run_backtest(path, periods)
    except Exception as exc:  # one line and the exit code, never a raw traceback
        fail(exc)
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo("\n".join(format_backtest(result, path)))
    if not result["converged"]:
        fail(Refused("a model fit did not converge: do not trust the figures above"))


@click.command(cls=Command, context_settings=CONTEXT_SETTINGS)
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the raw files into (created if missing).")  # fmt: skip
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the downloaded lifetimes wheel (default: data/cdnow).")  # fmt: skip
def cdnow(out: Path, cache: Path | None) -> None:
    """Write the CDNOW sample (2,357 CD buyers, 1997-1998) as a raw data folder.

    The public data set of the BG/NBD and Gamma-Gamma papers, for `followup backtest`.
    It is read from the lifetimes wheel on PyPI (downloaded once into the cache folder,
    checked against its SHA-256; lifetimes is not installed). Each purchase record becomes
    a delivered web order with one line; one contact per customer; other tables empty.
    Exit codes: 0 written; 1 the download or its checksum failed; 3 failed unexpectedly.
    """
    from followup.predict.cdnow import DEFAULT_CACHE, write_raw_folder

    try:
        counts = write_raw_folder(out, cache or DEFAULT_CACHE)
    except Exception as exc:
        fail(exc)
    filled = ", ".join(f"{name} {rows:,}" for name, rows in counts.items() if rows)
    click.echo(f"Wrote {len(counts)} raw tables into {out} ({filled}; the others are empty).")


@click.command("predict", cls=Command, context_settings=CONTEXT_SETTINGS)
@click.option("--target", metavar="NAME", help="dbt target (postgres or spark; default: "
              "$FOLLOWUP_TARGET, else dev).")  # fmt: skip
@click.option("--as-of", callback=iso_date, metavar="YYYY-MM-DD", default=None,
              help="The day to predict (default: the summary's day).")  # fmt: skip
@click.option("--vars", "dbt_vars", metavar="YAML", default=None,
              help="dbt vars as given to dbt (the prediction_* vars are used).")  # fmt: skip
def predict_command(target: str | None, as_of: dt.date | None, dbt_vars: str | None) -> None:
    """Predict customer value on PostgreSQL or Spark (on DuckDB the build does it itself).

    Reads the customer summary of the built day (int_customer_purchase_summary), fits
    the purchase and spend models, scores every customer and writes the fit and the
    scores into the warehouse, where the rest of the build reads them. `followup build`
    and `followup daily` run it between the two halves of the build; run it yourself
    only when you run dbt by hand:

    \b
      dbt run --target postgres --select +int_customer_purchase_summary --vars ...
      followup predict --target postgres
      dbt build --target postgres --vars ...

    The model settings are the prediction_* vars of dbt_project.yml (and of --vars).
    Exit codes: 0 written; 2 no summary, or a summary of another day; 3 failed unexpectedly.
    """
    import yaml

    from followup.predict.store import predict

    try:
        variables = yaml.safe_load(dbt_vars) if dbt_vars else {}
        if not isinstance(variables, dict):
            raise click.BadParameter(f"--vars {dbt_vars!r} is not a YAML mapping")
        result = predict(read_target(target), as_of, variables, log=click.echo)
    except Exception as exc:
        fail(exc)
    fit = result.fit
    confidence = (
        f"low confidence: {fit['low_confidence_reason']}" if fit["is_low_confidence"] else "ok"
    )
    click.echo(
        f"Predicted {result.customers:,} customers for {result.day} in {result.seconds:.1f} s "
        f"({confidence})."
    )
