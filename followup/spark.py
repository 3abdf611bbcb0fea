"""A local Spark session configured exactly like the dbt `spark` target (session method)."""

from __future__ import annotations

from typing import Any


def spark_session(settings: dict[str, Any]) -> Any:
    """Start (or reuse) the SparkSession the dbt-spark session method would start.

    Same server_side_parameters, with Hive support, so the loader and the comparison
    see the same metastore and warehouse directory as dbt.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the optional install
        raise RuntimeError("PySpark is not installed: run `make setup-spark` first") from exc
    builder = SparkSession.builder.enableHiveSupport().appName("followup")
    for parameter, value in (settings.get("server_side_parameters") or {}).items():
        builder = builder.config(parameter, str(value))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
