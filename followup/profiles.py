"""Read the repository's dbt profiles.yml the way dbt does (env_var defaults included)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2
import yaml

from followup import PROJECT_DIR

PROFILES_FILE = PROJECT_DIR / "profiles.yml"
PROFILE_NAME = "followup"


class ProfileError(Exception):
    """The profile or target cannot be used."""


def _env_var(name: str, default: str | None = None) -> str:
    if name in os.environ:
        return os.environ[name]
    if default is None:
        raise ProfileError(f"profiles.yml needs the environment variable {name}")
    return default


def _as_number(value: Any) -> int | float:
    text = str(value).strip()
    return float(text) if "." in text else int(text)


def _as_bool(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes")


def _render(value: Any) -> Any:
    """Render the Jinja in every string of the profile, as dbt does."""
    if isinstance(value, dict):
        return {key: _render(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_render(item) for item in value]
    if isinstance(value, str) and "{{" in value:
        environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
        environment.filters.update(as_number=_as_number, as_bool=_as_bool, as_text=str)
        rendered = environment.from_string(value).render(env_var=_env_var)
        if "as_number" in value:
            return _as_number(rendered)
        return rendered
    return value


def read_target(target: str | None = None, profiles_file: Path = PROFILES_FILE) -> dict[str, Any]:
    """Return the rendered output settings of a dbt target, plus its name under 'name'."""
    document = yaml.safe_load(profiles_file.read_text(encoding="utf-8"))
    profile = document[PROFILE_NAME]
    name = target or _render(profile["target"])
    outputs = profile["outputs"]
    if name not in outputs:
        known = ", ".join(sorted(outputs))
        raise ProfileError(f"unknown target {name!r} in {profiles_file} (known: {known})")
    settings = _render(outputs[name])
    settings["name"] = name
    if settings.get("type") == "duckdb":
        path = Path(settings["path"])
        if not path.is_absolute():
            path = PROJECT_DIR / path
        settings["path"] = str(path)
    return settings
