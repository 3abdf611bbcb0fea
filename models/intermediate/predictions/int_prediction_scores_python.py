"""The scores of every customer on D on the embedded DuckDB engine (see int_prediction_fit_python).

Runs inside `dbt build` (dbt-duckdb Python model); on PostgreSQL and Spark
`followup predict` runs the same code and writes the same rows.
"""

from followup.predict.score import Settings, score_frame


def model(dbt, session):
    dbt.config(materialized="table")
    settings = Settings.from_vars(dbt.config.meta_get("prediction_vars"))
    summary = dbt.ref("int_customer_purchase_summary").df()
    fit = dbt.ref("int_prediction_fit_python").df()
    return score_frame(summary, fit, settings)
