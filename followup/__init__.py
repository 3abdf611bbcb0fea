"""followup: Python tooling around the followup dbt project (loader, export, benchmark)."""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
