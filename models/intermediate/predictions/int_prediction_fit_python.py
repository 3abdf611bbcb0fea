"""The fit of D on the embedded DuckDB engine: BG/NBD and Gamma-Gamma by maximum likelihood.

Runs inside `dbt build` (dbt-duckdb Python model); on PostgreSQL and Spark, where dbt
has no Python models, `followup predict` runs the same code and writes the same row.
"""

from followup.predict.score import Settings, fit_frame


def model(dbt, session):
    dbt.config(materialized="table")
    settings = Settings.from_vars(dbt.config.meta_get("prediction_vars"))
    summary = dbt.ref("int_customer_purchase_summary").df()
    return fit_frame(summary, settings)
