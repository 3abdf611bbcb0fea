"""The scale benchmark: how long each step of the daily job takes, and how it grows.

For each data set size (contacts) the benchmark measures, as the median of several runs:

* ``load``         followup load of day D's raw files into a fresh DuckDB file;
* ``seed``         ``dbt seed`` on that file (reported separately, not part of run/build);
* ``run_full``     ``dbt run --full-refresh`` for D: every model, no tests;
* ``build_full``   ``dbt build --full-refresh`` for D: seeds, models, data and unit tests;
* ``export``       followup export --all --esp generic after the build;
* ``floor``        the compiled SQL of the same models run directly by DuckDB, one
                   connection, no dbt (what the SQL itself costs);
* ``daily_load``   loading day D's files into a warehouse built for D - 1;
* ``daily_run``    ``dbt run`` for D (no full refresh) on that warehouse: the daily job;
* ``pandas``       a plain pandas RFM and abandoned-cart flow from the raw Parquet files.

Every step runs in its own process; its peak memory is the peak resident set size
(RSS) of the whole process tree, sampled every 0.1 s. :func:`run_benchmark` does the
work, :func:`render_markdown` writes the report. ``python -m followup.bench.worker floor``
and ``... pandas`` are the worker processes of the floor and the pandas steps.

The modules: ``settings`` (steps, targets, the context, the project values read),
``stats``, ``processes``, ``datasets``, ``manifest`` (the model graph), ``floor``,
``pandas_baseline``, ``dbt`` (dbt and the scripts as subprocesses), ``steps`` (one size),
``run`` (the whole benchmark), ``report`` (Markdown) and ``worker``. This package
re-exports their public names.
"""

from followup import PROJECT_DIR
from followup.bench.datasets import Dataset, dataset_dir, ensure_dataset
from followup.bench.dbt import (
    base_env,
    dbt_command,
    dbt_executable,
    only_test_failures,
    summarise_run_results,
    timed_step,
    worker_command,
)
from followup.bench.floor import FloorStatement, floor_statements, floor_worker
from followup.bench.manifest import history_dependent_models, topological_models, upstream_models
from followup.bench.pandas_baseline import (
    compare_with_dbt,
    pandas_abandoned_cart,
    pandas_rfm,
    pandas_worker,
    recognise_web_events,
    staged_contact_ids,
    staged_orders,
    staged_products,
    staged_web_events,
    valid_orders,
)
from followup.bench.processes import Ran, TreeMemorySampler, run_process, tail
from followup.bench.report import (
    format_bytes,
    format_seconds,
    growth_rows,
    render_markdown,
    size_summary,
)
from followup.bench.run import git_state, machine_info, run_benchmark, write_results
from followup.bench.settings import (
    LARGE_SIZE,
    PANDAS_EQUIVALENT_MODELS,
    STEPS,
    BenchmarkError,
    Context,
)
from followup.bench.stats import Sample, SizeResult, StepStats, median, peak, runs_for_size
from followup.bench.steps import benchmark_size, compare_incremental, dbt_step

__all__ = [
    "LARGE_SIZE",
    "PANDAS_EQUIVALENT_MODELS",
    "PROJECT_DIR",
    "STEPS",
    "BenchmarkError",
    "Context",
    "Dataset",
    "FloorStatement",
    "Ran",
    "Sample",
    "SizeResult",
    "StepStats",
    "TreeMemorySampler",
    "base_env",
    "benchmark_size",
    "compare_incremental",
    "compare_with_dbt",
    "dataset_dir",
    "dbt_command",
    "dbt_executable",
    "dbt_step",
    "ensure_dataset",
    "floor_statements",
    "floor_worker",
    "format_bytes",
    "format_seconds",
    "git_state",
    "growth_rows",
    "history_dependent_models",
    "machine_info",
    "median",
    "only_test_failures",
    "pandas_abandoned_cart",
    "pandas_rfm",
    "pandas_worker",
    "peak",
    "recognise_web_events",
    "render_markdown",
    "run_benchmark",
    "run_process",
    "runs_for_size",
    "size_summary",
    "staged_contact_ids",
    "staged_orders",
    "staged_products",
    "staged_web_events",
    "summarise_run_results",
    "tail",
    "timed_step",
    "topological_models",
    "upstream_models",
    "valid_orders",
    "worker_command",
    "write_results",
]
