"""What a profile writes, field by field: what leaves the warehouse, and why."""

from __future__ import annotations

from functools import cache

import yaml

from followup import PROJECT_DIR
from followup.export.esp_profiles import ColumnSpec, EspProfile, RestSpec
from followup.export.fields import DERIVED_FIELDS

AUDIENCES_FILE = PROJECT_DIR / "models" / "flows" / "audiences" / "_audiences__models.yml"


@cache
def audience_columns() -> dict[str, dict[str, str]]:
    """audience_<flow> -> column -> description, from the audience contracts."""
    document = yaml.safe_load(AUDIENCES_FILE.read_text(encoding="utf-8"))
    return {
        model["name"]: {
            c["name"]: " ".join(str(c.get("description", "")).split())
            for c in model.get("columns", [])
        }
        for model in document["models"]
        if model["name"].startswith("audience_") and model["name"] != "audience_decisions"
    }


def describe_profile(profile: EspProfile) -> str:
    """Every column of the profile with its description; the flow fields per flow."""
    lines = [f"{profile.name}: {profile.title}", ""]
    for column in profile.columns:
        if isinstance(column, ColumnSpec):
            what = column.description or (
                f"the constant {column.value!r}" if column.value is not None else ""
            )
            source = column.field or "constant"
            hashed = f", {column.hash} of the normalised value" if column.hash else ""
            derived = " (derived)" if column.field in DERIVED_FIELDS else ""
            lines.append(f"  {column.name:<24} {source}{derived}{hashed}: {what}".rstrip(": "))
        elif isinstance(column, RestSpec):
            lines.append(f"  {'(flow fields)':<24} {column.description}".rstrip())
            for table, columns in sorted(audience_columns().items()):
                names = column.columns(list(columns))
                if names:
                    lines.append(f"    {table.removeprefix('audience_')}:")
                    lines.extend(f"      {n:<26} {columns[n]}" for n in names)
    return "\n".join(lines)
