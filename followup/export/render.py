"""Subject lines and preheaders: per flow and language, rendered safely with Jinja2.

Templates live in ``export/templates/<language>/<flow_id>.yml``::

    # What the flow's content needs; a row without one of these is refused.
    requires: [product_1_name, product_1_url]
    subject: "Je {{ product_1_name }} ligt nog in je winkelwagen"
    preheader: "..."

A language without its own file falls back to the default language (the dbt var
``default_language``). Templates are compiled by a
:class:`jinja2.sandbox.SandboxedEnvironment` with :class:`jinja2.StrictUndefined`:
recipient and product data are passed as *variables*, never pasted into template
source, so a product called ``{{ 7*7 }}`` stays exactly that; a template that uses a
field the flow does not have is a configuration error, not an empty string; and a
template that reaches for Python internals is stopped by the sandbox.

Rendering a million rows one by one would be slow, so every template is rendered
once per distinct combination of the variables it uses, and the result is mapped
back onto the rows.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from jinja2 import StrictUndefined, TemplateError, meta
from jinja2.sandbox import SandboxedEnvironment

from followup.export.errors import ConfigError

TEMPLATE_KEYS = ("subject", "preheader")

MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip


def _money(language: str) -> Callable[[Any], str]:
    def money(value: Any) -> str:
        if value is None:
            return ""
        amount = f"{float(value):,.2f}"
        if language == "nl":
            amount = amount.replace(",", " ").replace(".", ",").replace(" ", ".")
            return f"€ {amount}"
        return f"€{amount}"

    return money


def _long_date(language: str) -> Callable[[Any], str]:
    months = MONTHS.get(language, MONTHS["en"])

    def long_date(value: Any) -> str:
        if value is None:
            return ""
        day = pd.Timestamp(value)
        if language == "nl":
            return f"{day.day} {months[day.month - 1]} {day.year}"
        return f"{day.day} {months[day.month - 1]} {day.year}"

    return long_date


def make_environment(language: str) -> SandboxedEnvironment:
    """A sandboxed Jinja environment with the filters ``money`` and ``long_date``."""
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    env.filters["money"] = _money(language)
    env.filters["long_date"] = _long_date(language)
    return env


@dataclass
class LanguageTemplates:
    """The compiled templates of one flow in one language."""

    language: str
    path: Path
    requires: tuple[str, ...]
    sources: dict[str, str]
    variables: dict[str, tuple[str, ...]] = field(default_factory=dict)
    compiled: dict[str, Any] = field(default_factory=dict)


@dataclass
class FlowTemplates:
    """A flow's templates per language, with the default language to fall back on."""

    flow_id: str
    default_language: str
    languages: dict[str, LanguageTemplates]

    def for_language(self, language: str | None) -> LanguageTemplates:
        if language in self.languages:
            return self.languages[language]
        return self.languages[self.default_language]

    @property
    def requires(self) -> tuple[str, ...]:
        """Every field any language's content needs (the union, in order)."""
        seen: dict[str, None] = {}
        for templates in self.languages.values():
            seen.update(dict.fromkeys(templates.requires))
        return tuple(seen)

    def variables(self) -> set[str]:
        """Every variable any template uses."""
        return {v for t in self.languages.values() for vs in t.variables.values() for v in vs}


def _load_language(path: Path, language: str) -> LanguageTemplates:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: must be a mapping with subject and preheader")
    missing = [k for k in TEMPLATE_KEYS if not isinstance(document.get(k), str)]
    if missing:
        raise ConfigError(f"{path}: needs {' and '.join(missing)} (text)")
    requires = document.get("requires", [])
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise ConfigError(f"{path}: 'requires' must be a list of field names")
    unknown = set(document) - {*TEMPLATE_KEYS, "requires"}
    if unknown:
        raise ConfigError(f"{path}: unknown keys {', '.join(sorted(unknown))}")
    env = make_environment(language)
    templates = LanguageTemplates(
        language, path, tuple(requires), {k: document[k] for k in TEMPLATE_KEYS}
    )
    for key, source in templates.sources.items():
        try:
            ast = env.parse(source)
            templates.variables[key] = tuple(sorted(meta.find_undeclared_variables(ast)))
            templates.compiled[key] = env.from_string(source)
        except TemplateError as exc:
            raise ConfigError(f"{path}: {key} is not a valid template ({exc})") from exc
    return templates


def load_flow_templates(directory: Path, flow_id: str, default_language: str) -> FlowTemplates:
    """Read ``<directory>/<language>/<flow_id>.yml`` for every language that has one."""
    languages: dict[str, LanguageTemplates] = {}
    if directory.is_dir():
        for language_dir in sorted(p for p in directory.iterdir() if p.is_dir()):
            path = language_dir / f"{flow_id}.yml"
            if path.is_file():
                languages[language_dir.name] = _load_language(path, language_dir.name)
    if default_language not in languages:
        raise ConfigError(
            f"no template for flow {flow_id!r} in the default language {default_language!r}: "
            f"expected {directory / default_language / (flow_id + '.yml')}"
        )
    return FlowTemplates(flow_id, default_language, languages)


def check_variables(templates: FlowTemplates, available: set[str]) -> None:
    """Refuse templates that use (or require) a field the flow does not have."""
    for language in templates.languages.values():
        for key, variables in language.variables.items():
            unknown = sorted(set(variables) - available)
            if unknown:
                raise ConfigError(
                    f"{language.path}: {key} uses {', '.join(unknown)}, which flow "
                    f"{templates.flow_id!r} does not have"
                )
        unknown = sorted(set(language.requires) - available)
        if unknown:
            raise ConfigError(
                f"{language.path}: requires {', '.join(unknown)}, which flow "
                f"{templates.flow_id!r} does not have"
            )


def python_value(value: Any) -> Any:
    """A plain Python value for a template variable (None for every kind of missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def render_column(
    frame: pd.DataFrame, templates: FlowTemplates, key: str, language_column: str = "language"
) -> pd.Series:
    """Render template ``key`` for every row, once per distinct input."""
    count = len(frame)
    result = np.empty(count, dtype=object)
    if count == 0:
        return pd.Series(result, index=frame.index, dtype="str")
    languages = frame[language_column].to_numpy(dtype=object)
    known = np.isin(languages, list(templates.languages))
    resolved = np.where(known, languages, templates.default_language)
    for language in sorted(set(resolved.tolist())):
        positions = np.flatnonzero(resolved == language)
        spec = templates.for_language(str(language))
        template = spec.compiled[key]
        variables = list(spec.variables[key])
        if not variables:
            result[positions] = _render(template, {}, spec.path, key)
            continue
        subset = frame[variables].iloc[positions]
        codes = subset.groupby(variables, dropna=False, sort=False).ngroup().to_numpy()
        firsts = pd.Series(codes).drop_duplicates()
        columns = {v: subset[v].to_numpy(dtype=object) for v in variables}
        rendered = np.empty(len(firsts), dtype=object)
        for position, code in firsts.items():
            context = {v: python_value(columns[v][position]) for v in variables}
            rendered[code] = _render(template, context, spec.path, key)
        result[positions] = rendered[codes]
    return pd.Series(result, index=frame.index, dtype="str")


def _render(template: Any, context: dict[str, Any], path: Path, key: str) -> str:
    try:
        return " ".join(template.render(**context).split())
    except TemplateError as exc:
        raise ConfigError(
            f"{path}: {key} cannot be rendered ({type(exc).__name__}: {exc})"
        ) from exc
