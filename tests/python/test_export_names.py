"""Names and salutations (followup/export/names.py): taaladvies.net rules, table-driven."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from followup import PROJECT_DIR
from followup.export.errors import ConfigError
from followup.export.names import (
    clean_name,
    clean_names,
    load_salutations,
    salutation_surname,
    salutation_surnames,
)

SALUTATIONS = load_salutations(PROJECT_DIR / "export" / "salutations.yml", "nl")

# (raw first name, cleaned)
FIRST_NAMES = [
    ("Jan", "Jan"),
    ("JAN", "Jan"),
    ("  jan ", "Jan"),
    ("jan  willem", "Jan Willem"),
    ("JAN-WILLEM", "Jan-Willem"),
    ("jan\twillem", "Jan Willem"),
    ("Jan\u00a0Willem", "Jan Willem"),
    ("McKenzie", "McKenzie"),  # mixed case: kept as written
    ("anne-marie", "Anne-Marie"),
    ("ÉMILIE", "Émilie"),
    ("de", "De"),  # particles are lower case only inside a surname
    ("", None),
    ("   ", None),
    (None, None),
]

# (raw last name, cleaned, as it opens a salutation)
LAST_NAMES = [
    ("de Vries", "de Vries", "De Vries"),
    ("de vries", "de Vries", "De Vries"),
    ("DE VRIES", "de Vries", "De Vries"),
    ("  de   vries ", "de Vries", "De Vries"),
    ("van den berg", "van den Berg", "Van den Berg"),
    ("VAN DER MEER", "van der Meer", "Van der Meer"),
    ("van 't hof", "van 't Hof", "Van 't Hof"),
    ("'t hart", "'t Hart", "'t Hart"),  # 't and d' stay lower case (taaladvies)
    ("\u2019t hart", "\u2019t Hart", "\u2019t Hart"),
    ("ten brink", "ten Brink", "Ten Brink"),
    ("TER HORST", "ter Horst", "Ter Horst"),
    ("het hart", "het Hart", "Het Hart"),
    ("smit-de boer", "Smit-de Boer", "Smit-de Boer"),
    ("JONGSMA-VAN DER SLUIS", "Jongsma-van der Sluis", "Jongsma-van der Sluis"),
    ("de de vries", "de de Vries", "De de Vries"),
    ("De Smet", "De Smet", "De Smet"),  # Belgian: as registered, mixed case kept
    ("Van der Meeren", "Van der Meeren", "Van der Meeren"),
    ("d'Ancona", "d'Ancona", "d'Ancona"),
    ("BAKKER", "Bakker", "Bakker"),
    ("de", "De", "De"),  # the last word is never a particle
    ("o'brien", "O'Brien", "O'Brien"),
    ("", None, None),
    (None, None, None),
]

# (first, last, gender, language, salutation) -- names as cleaned
SALUTATION_CASES = [
    ("Jan", "de Vries", "m", "nl", "Beste meneer De Vries"),
    ("Sanne", "van den Berg", "f", "nl", "Beste mevrouw Van den Berg"),
    (None, "de Vries", "m", "nl", "Beste meneer De Vries"),
    ("Mila", "'t Hart", "f", "nl", "Beste mevrouw 't Hart"),
    ("Lou", "De Smet", "x", "nl", "Beste Lou"),  # x: never guess a gender
    ("Lou", "De Smet", None, "nl", "Beste Lou"),  # unknown: first-name form
    ("Anna", None, "f", "nl", "Beste Anna"),  # stated gender, no last name
    (None, None, "f", "nl", "Beste klant"),
    (None, "de Vries", None, "nl", "Beste klant"),  # no first name, no gender
    (None, None, None, "nl", "Beste klant"),
    ("Jan", "de Vries", "m", "en", "Dear Mr De Vries"),
    ("Sanne", "Bakker", "f", "en", "Dear Ms Bakker"),
    ("Peter", "Smith", "x", "en", "Dear Peter"),
    (None, None, None, "en", "Dear customer"),
    ("Jan", "de Vries", "m", "fr", "Beste meneer De Vries"),  # no French: default nl
    ("Lou", None, None, "de", "Beste Lou"),
    ("Lou", None, None, None, "Beste Lou"),
]


@pytest.mark.parametrize(("raw", "expected"), FIRST_NAMES)
def test_first_names(raw: str | None, expected: str | None) -> None:
    assert clean_name(raw) == expected


@pytest.mark.parametrize(("raw", "expected", "_opening"), LAST_NAMES)
def test_last_names(raw: str | None, expected: str | None, _opening: str | None) -> None:
    assert clean_name(raw, surname=True) == expected


@pytest.mark.parametrize(("_raw", "cleaned", "opening"), LAST_NAMES)
def test_a_surname_that_opens_the_salutation_starts_with_a_capital(
    _raw: str | None, cleaned: str | None, opening: str | None
) -> None:
    if cleaned is not None:
        assert salutation_surname(cleaned) == opening


def values(series: pd.Series) -> list[str | None]:
    return [None if pd.isna(v) else v for v in series]


def test_vectorised_names_agree_with_the_rules() -> None:
    firsts = pd.Series([raw for raw, _ in FIRST_NAMES], dtype=object)
    lasts = pd.Series([raw for raw, _, _ in LAST_NAMES], dtype=object)
    assert values(clean_names(firsts)) == [e for _, e in FIRST_NAMES]
    assert values(clean_names(lasts, surname=True)) == [e for _, e, _ in LAST_NAMES]
    cleaned = pd.Series([c for _, c, _ in LAST_NAMES], dtype="str")
    assert values(salutation_surnames(cleaned)) == [o for _, _, o in LAST_NAMES]


@pytest.mark.parametrize(("first", "last", "gender", "language", "expected"), SALUTATION_CASES)
def test_salutation(
    first: str | None, last: str | None, gender: str | None, language: str | None, expected: str
) -> None:
    assert SALUTATIONS.salutation(first, last, gender, language) == expected


def test_vectorised_salutations_agree() -> None:
    frame = pd.DataFrame(SALUTATION_CASES, columns=["first", "last", "gender", "language", "x"])
    result = SALUTATIONS.salutations(
        frame["first"].astype("str"),
        frame["last"].astype("str"),
        frame["gender"],
        frame["language"],
    )
    assert result.tolist() == frame["x"].tolist()


def test_a_gender_is_never_inferred_from_the_first_name() -> None:
    # Typical female and male first names without a stated gender: first-name form.
    for first in ("Anna", "Jan", "Fatima", "Mohamed"):
        assert SALUTATIONS.salutation(first, "Jansen", None, "nl") == f"Beste {first}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("languages: {}", "needs a 'languages' mapping"),
        (
            "languages: {en: {m: '{last_name}', f: '{last_name}', first_name: '{first_name}', "
            "anonymous: d}}",
            "default language",
        ),
        (
            "languages: {nl: {m: 'Beste {first_name}', f: '{last_name}', first_name: "
            "'{first_name}', anonymous: x}}",
            r"nl.m must use \{last_name\}",
        ),
        (
            "languages: {nl: {m: '{last_name}', f: '{last_name}', first_name: "
            "'{first_name}', anonymous: 'Beste {first_name}'}}",
            "anonymous cannot use a name",
        ),
        ("languages: {nl: {m: '{last_name}'}}", "needs exactly"),
    ],
)
def test_bad_salutation_files_are_configuration_errors(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "salutations.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_salutations(path, "nl")
