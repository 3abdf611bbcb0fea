"""Names and salutations, following the Dutch Language Union's advice (taaladvies.net).

Names
    Trimmed, inner whitespace collapsed to one space. A name written all in capitals
    or all in lower case is capitalised per word (``JAN`` and ``  jan `` become
    ``Jan``); in a surname the Dutch particles (van, de, der, den, het, ten, ter, te,
    't) stay lower case (``DE VRIES`` becomes ``de Vries``, ``smit-de boer`` becomes
    ``Smit-de Boer``). A name in mixed case is kept as written (``De Smet``, a
    Belgian surname, keeps its capital: Belgian surnames are written as registered).

Salutations
    From a data file (``export/salutations.yml``) per language, chosen by the form of
    address the person *stated* (gender ``m`` or ``f``); a gender is never inferred
    from a first name. nl: ``Beste meneer De Vries`` / ``Beste mevrouw De Vries``,
    otherwise ``Beste Jan`` (gender unknown or ``x``, or a stated gender without a last
    name), otherwise ``Beste klant`` (no name). A surname that opens the salutation
    without a first name starts with a capital (``de Vries`` -> ``meneer De Vries``),
    except the short forms ``'t`` and ``d'``, which stay lower case (``meneer 't Hart``).

Sources: https://taaladvies.net/j-van-den-berg/ ,
https://taaladvies.net/mevrouw-van-der-ven-van-dijk/ and
https://onzetaal.nl/taalloket/hoofdletters-namen-nederland .

Every rule exists twice: :func:`clean_name` / :func:`salutation_surname` for one value
(readable, used by the tests as the reference) and the vectorised
:func:`clean_names` / :func:`salutation_surnames` for a million rows. The tests
check that both agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from followup.export.errors import ConfigError

PARTICLES: tuple[str, ...] = ("van", "de", "der", "den", "het", "ten", "ter", "te", "'t", "\u2019t")

# Whitespace (collapsed to one space): the same characters for Python's re and RE2.
_WHITESPACE = re.compile(r"[\t\n\v\f\r \u00a0]+")
_WHITESPACE_RE2 = "[\\t\\n\\v\\f\\r \\x{00A0}]+"
# A particle (as title() wrote it) at the start of the surname or after a space or a
# hyphen, followed by a space: it is not the last word of the name.
_TITLED_PARTICLE = re.compile(
    r"(^|[ -])(" + "|".join(re.escape(p.title()) for p in PARTICLES) + r")(?= )"
)
# Surnames whose first letter stays lower case even at the start of a salutation.
_LOWER_OPENING = "^(?:['\u2019][tT] |[dD]['\u2019])"

FORMS = ("m", "f", "first_name", "anonymous")
PLACEHOLDERS = ("{first_name}", "{last_name}")


def _is_single_case(value: str) -> bool:
    return value == value.upper() or value == value.lower()


def _lower_particles(titled: str) -> str:
    return _TITLED_PARTICLE.sub(lambda m: m.group(1) + m.group(2).lower(), titled)


def clean_name(value: str | None, *, surname: bool = False) -> str | None:
    """Clean one first name or surname (see the module docstring); empty -> None."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = _WHITESPACE.sub(" ", str(value)).strip(" ")
    if not text:
        return None
    if not _is_single_case(text):
        return text
    titled = text.title()
    return _lower_particles(titled) if surname else titled


def to_arrow(values: pd.Series) -> pa.Array:
    """A pandas column as an Arrow string array (missing -> null)."""
    array = pa.array(values.astype("str").where(values.notna(), None), type=pa.large_string())
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def to_series(values: pa.Array, index: pd.Index) -> pd.Series:
    """An Arrow string array as a pandas string column."""
    return pd.Series(values.to_pandas(), index=index, dtype="str")


def clean_names(values: pd.Series, *, surname: bool = False) -> pd.Series:
    """Vectorised :func:`clean_name` for a whole column (Arrow compute, RE2)."""
    text = pc.replace_substring_regex(to_arrow(values), _WHITESPACE_RE2, " ")
    text = pc.utf8_trim(text, " ")
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.large_string()), text)
    single = pc.or_(pc.equal(text, pc.utf8_upper(text)), pc.equal(text, pc.utf8_lower(text)))
    single = pc.fill_null(single, False)
    if pc.any(single).as_py():
        titled = pc.utf8_title(pc.filter(text, single))
        if surname:
            for _ in range(2):  # twice: a particle right after a particle ("De De ...")
                for particle in PARTICLES:
                    titled = pc.replace_substring_regex(
                        titled, f"(^|[ -]){re.escape(particle.title())}( )", f"\\1{particle}\\2"
                    )
        text = pc.replace_with_mask(text, single, titled)
    return to_series(text, values.index)


def salutation_surname(last_name: str) -> str:
    """The surname as it opens a salutation: its first letter a capital (not 't, d')."""
    if not last_name or re.match(_LOWER_OPENING, last_name):
        return last_name
    return last_name[0].upper() + last_name[1:]


def salutation_surnames(last_names: pd.Series) -> pd.Series:
    """Vectorised :func:`salutation_surname`."""
    text = to_arrow(last_names)
    keep = pc.fill_null(pc.match_substring_regex(text, _LOWER_OPENING), True)
    opened = pc.binary_join_element_wise(
        pc.utf8_upper(pc.utf8_slice_codeunits(text, 0, 1)),
        pc.utf8_slice_codeunits(text, 1),
        pa.scalar("", pa.large_string()),
    )
    return to_series(pc.if_else(keep, text, opened), last_names.index)


@dataclass(frozen=True)
class SalutationForm:
    """One salutation form split around its (at most one) name placeholder."""

    prefix: str
    placeholder: str | None  # "first_name", "last_name" or None
    suffix: str

    def fill(self, first_name: str | None, last_name: str | None) -> str:
        if self.placeholder is None:
            return self.prefix
        value = first_name if self.placeholder == "first_name" else last_name
        return f"{self.prefix}{value}{self.suffix}"


@dataclass(frozen=True)
class Salutations:
    """The salutation forms per language, with the default language to fall back on."""

    default_language: str
    forms: dict[str, dict[str, SalutationForm]]

    def language(self, language: str | None) -> str:
        return language if language in self.forms else self.default_language

    def form_for(self, gender: str | None, first: str | None, last: str | None) -> str:
        if gender in ("m", "f") and last:
            return gender
        if first:
            return "first_name"
        return "anonymous"

    def salutation(
        self, first: str | None, last: str | None, gender: str | None, language: str | None
    ) -> str:
        """The salutation for one person (names already cleaned)."""
        form = self.form_for(gender, first, last)
        opened_last = salutation_surname(last) if last else last
        return self.forms[self.language(language)][form].fill(first, opened_last)

    def salutations(
        self,
        first: pd.Series,
        last: pd.Series,
        gender: pd.Series,
        language: pd.Series,
    ) -> pd.Series:
        """Vectorised :meth:`salutation` (names already cleaned)."""
        has_first = (first.notna() & first.ne("")).to_numpy(dtype=bool)
        has_last = (last.notna() & last.ne("")).to_numpy(dtype=bool)
        gender_values = gender.to_numpy(dtype=object)
        form = np.select(
            [(gender_values == "m") & has_last, (gender_values == "f") & has_last, has_first],
            ["m", "f", "first_name"],
            "anonymous",
        )
        languages = language.to_numpy(dtype=object)
        known = np.isin(languages, list(self.forms))
        languages = np.where(known, languages, self.default_language)
        keys = pd.Series(languages, dtype=object) + "|" + pd.Series(form, dtype=object)
        specs = {f"{lang}|{name}": spec for lang, forms in self.forms.items()
                 for name, spec in forms.items()}  # fmt: skip
        prefix = pa.array(keys.map({k: v.prefix for k, v in specs.items()}), pa.large_string())
        suffix = pa.array(keys.map({k: v.suffix for k, v in specs.items()}), pa.large_string())
        placeholder = keys.map({k: v.placeholder or "" for k, v in specs.items()}).to_numpy()
        opened_last = to_arrow(salutation_surnames(last))
        first_names = to_arrow(first)
        empty = pa.scalar("", pa.large_string())
        name = pc.if_else(
            pa.array(placeholder == "first_name"),
            pc.fill_null(first_names, ""),
            pc.if_else(pa.array(placeholder == "last_name"), pc.fill_null(opened_last, ""), empty),
        )
        joined = pc.binary_join_element_wise(prefix, name, suffix, empty)
        return to_series(joined, first.index)


def _parse_form(language: str, form: str, text: object, path: Path) -> SalutationForm:
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{path}: {language}.{form} must be a non-empty text")
    found = [p for p in PLACEHOLDERS if p in text]
    if len(found) > 1 or any(text.count(p) > 1 for p in found):
        raise ConfigError(f"{path}: {language}.{form} may use one name placeholder once")
    if form == "anonymous" and found:
        raise ConfigError(f"{path}: {language}.anonymous cannot use a name placeholder")
    if form in ("m", "f") and found != ["{last_name}"]:
        raise ConfigError(f"{path}: {language}.{form} must use {{last_name}}")
    if form == "first_name" and found != ["{first_name}"]:
        raise ConfigError(f"{path}: {language}.first_name must use {{first_name}}")
    if not found:
        return SalutationForm(text, None, "")
    placeholder = found[0]
    prefix, suffix = text.split(placeholder)
    return SalutationForm(prefix, placeholder.strip("{}"), suffix)


def load_salutations(path: Path, default_language: str) -> Salutations:
    """Read the salutation forms (YAML: language -> m, f, first_name, anonymous)."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"salutations file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    languages = (document or {}).get("languages")
    if not isinstance(languages, dict) or not languages:
        raise ConfigError(f"{path}: needs a 'languages' mapping")
    forms: dict[str, dict[str, SalutationForm]] = {}
    for language, entries in languages.items():
        if not isinstance(entries, dict) or set(entries) != set(FORMS):
            raise ConfigError(f"{path}: language {language!r} needs exactly {', '.join(FORMS)}")
        forms[str(language)] = {
            form: _parse_form(str(language), form, entries[form], path) for form in FORMS
        }
    if default_language not in forms:
        raise ConfigError(f"{path}: no forms for the default language {default_language!r}")
    return Salutations(default_language, forms)
