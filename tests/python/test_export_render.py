"""Subject lines and preheaders: sandboxed Jinja2, StrictUndefined, language fallback, cache."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from followup import PROJECT_DIR
from followup.export import render
from followup.export.errors import ConfigError
from followup.export.render import check_variables, load_flow_templates, render_column

TEMPLATES = PROJECT_DIR / "export" / "templates"
FLOWS = sorted(p.stem for p in (TEMPLATES / "nl").glob("*.yml"))


def write_templates(directory: Path, flow: str, **languages: str) -> Path:
    for language, body in languages.items():
        (directory / language).mkdir(parents=True, exist_ok=True)
        (directory / language / f"{flow}.yml").write_text(body, encoding="utf-8")
    return directory


def frame(**columns: list) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_every_flow_has_dutch_and_english_templates() -> None:
    flows = sorted(
        line.split(",")[0]
        for line in (PROJECT_DIR / "seeds" / "flows.csv").read_text().splitlines()[1:]
    )
    assert flows == FLOWS
    for flow in flows:
        templates = load_flow_templates(TEMPLATES, flow, "nl")
        assert set(templates.languages) >= {"nl", "en"}


def test_data_is_never_template_code() -> None:
    templates = load_flow_templates(TEMPLATES, "abandoned_cart", "nl")
    rows = frame(
        language=["nl", "en"],
        product_1_name=["{{ 7*7 }}", "{% for x in range(3) %}x{% endfor %}"],
        cart_item_count=[1, 1],
        cart_value=[1.0, 1.0],
    )
    subjects = render_column(rows, templates, "subject").tolist()
    assert subjects == [
        "{{ 7*7 }} ligt nog in je winkelwagen",
        "Your {% for x in range(3) %}x{% endfor %} is still in your cart",
    ]


def test_the_sandbox_stops_a_template_reaching_for_python_internals(tmp_path: Path) -> None:
    directory = write_templates(
        tmp_path,
        "welcome",
        nl='subject: "{{ first_name.__class__.__mro__[1].__subclasses__() }}"\npreheader: x\n',
    )
    templates = load_flow_templates(directory, "welcome", "nl")
    with pytest.raises(ConfigError, match="SecurityError"):
        render_column(frame(language=["nl"], first_name=["Jan"]), templates, "subject")


def test_strict_undefined_a_missing_field_is_an_error_not_an_empty_string(tmp_path: Path) -> None:
    directory = write_templates(
        tmp_path, "welcome", nl='subject: "Hallo {{ voornaam }}"\npreheader: x\n'
    )
    templates = load_flow_templates(directory, "welcome", "nl")
    with pytest.raises(ConfigError, match="uses voornaam, which flow 'welcome' does not have"):
        check_variables(templates, {"first_name", "language"})


def test_strict_undefined_at_render_time(tmp_path: Path) -> None:
    directory = write_templates(
        tmp_path, "welcome", nl='subject: "Hallo {{ first_name.surname }}"\npreheader: x\n'
    )
    templates = load_flow_templates(directory, "welcome", "nl")
    with pytest.raises(ConfigError, match="UndefinedError"):
        render_column(frame(language=["nl"], first_name=["Jan"]), templates, "subject")


def test_a_language_without_templates_falls_back_to_the_default(tmp_path: Path) -> None:
    directory = write_templates(
        tmp_path,
        "welcome",
        nl='subject: "Welkom {{ first_name }}"\npreheader: x\n',
        en='subject: "Welcome {{ first_name }}"\npreheader: x\n',
    )
    templates = load_flow_templates(directory, "welcome", "nl")
    rows = frame(language=["nl", "en", "fr", None], first_name=["Jan", "Ann", "Lou", "Bo"])
    assert render_column(rows, templates, "subject").tolist() == [
        "Welkom Jan",
        "Welcome Ann",
        "Welkom Lou",
        "Welkom Bo",
    ]


def test_no_template_in_the_default_language_is_a_configuration_error(tmp_path: Path) -> None:
    directory = write_templates(tmp_path, "welcome", en="subject: x\npreheader: y\n")
    with pytest.raises(ConfigError, match="default language 'nl'"):
        load_flow_templates(directory, "welcome", "nl")


def test_templates_render_once_per_distinct_input(monkeypatch: pytest.MonkeyPatch) -> None:
    templates = load_flow_templates(TEMPLATES, "browse_abandonment", "nl")
    calls: list[dict] = []
    original = render._render

    def counting(template, context, path, key):  # type: ignore[no-untyped-def]
        calls.append(context)
        return original(template, context, path, key)

    monkeypatch.setattr(render, "_render", counting)
    rows = frame(
        language=["nl", "nl", "en", "nl"] * 2500,
        product_1_name=["Kettle", "Kettle", "Kettle", "Toaster"] * 2500,
        product_1_price=[59.0, 59.0, 59.0, 45.0] * 2500,
    )
    subjects = render_column(rows, templates, "subject")
    assert len(subjects) == 10_000
    assert len(calls) == 3  # (nl, Kettle), (nl, Toaster), (en, Kettle)
    assert subjects.iloc[3] == "Nog aan het twijfelen over Toaster?"


def test_money_and_dates_in_the_recipient_language() -> None:
    templates = load_flow_templates(TEMPLATES, "complaint_follow_up", "nl")
    rows = frame(
        language=["nl", "en"],
        expected_response_date=pd.to_datetime(["2026-06-17", "2026-06-17"]),
    )
    assert render_column(rows, templates, "preheader").tolist() == [
        "Je hoort uiterlijk 17 juni 2026 van ons.",
        "You will hear from us by 17 June 2026.",
    ]
    money = render.make_environment("nl").filters["money"]
    assert money(1234.5) == "€ 1.234,50"
    assert render.make_environment("en").filters["money"](1234.5) == "€1,234.50"
