"""ESP profiles: small declarative YAML files that map a send list to one ESP's format.

A profile lives in ``export/profiles/<name>.yml``. Adding an ESP is adding a file.
The keys (all but ``name``, ``format`` and ``columns``/``json`` optional)::

    name: brevo                      # what --esp takes
    title: Brevo contact import (CSV)
    documentation: [https://...]     # the ESP's documented format (cited)
    kind: email                      # email (a send) or ad_audience (hashed ad list:
                                     # marketing flows only, consented, unsuppressed)
    send_log_channel: email          # sends on the same channel are never repeated
    flow_categories: [marketing, service]   # flows this profile takes
    format: csv                      # csv, or json (one request body per file)
    extension: csv
    csv: {delimiter: ";", bom: false, line_terminator: "\\n"}
    date_format: "%Y-%m-%d"          # strftime, for date fields
    timestamp_format: "%Y-%m-%dT%H:%M:%SZ"
    limits: {max_rows: 10000, max_bytes: 5000000}   # per file / request: split in parts
    hashed: false                    # true: every column must be hashed ...
    clear_text_allowed: [Country]    # ... except these
    identifier: {column: external_id, field: contact_id,
                 fallback: {suffix: alias, columns: [...]}}  # rows without the field
    columns:                         # csv: the file's columns, in order
      - {name: EMAIL, field: email}
      - {name: P1_NAME, field: product_1_name, optional: true}  # only if the flow has it
      - {name: STATUS, value: subscribed}                       # a constant
      - {name: Email, field: email, normalize: [trim, lower], hash: sha256}
      - {rest: upper}                # every other field of the flow, names upper-cased
      - {rest: keep, only: products} # ... or only its product fields
      - {field: salutation, description: ...}  # what the field is, for the reader
    groups:                          # cells filled only where all are known
      - {columns: [First Name, Last Name, Country, Zip], require_all: true}
    json:                            # json: the request body
      envelope: {members: $items, update_existing: true}
      item: {email_address: $email, merge_fields: {FNAME: $first_name}}
      omit_nulls: true
    settings: {template_id: {default: d-..., abandoned_cart: d-...}}

In ``json.item``, a string ``$field`` is the recipient's value (``$field|string``,
``|epoch`` and ``|date`` convert it) and the key ``$spread: $extras`` merges an
object field into the surrounding object. In ``json.envelope``, ``$items`` is the
list of items of one request and ``${name}`` inserts a setting or ``flow_id``,
``as_of_date``, ``part``, ``parts``. Recipient data never enters a template: values
are placed into the JSON structure, not into text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from followup.export.errors import ConfigError

NORMALIZE_STEPS = (
    "nfc",
    "trim",
    "lower",
    "upper",
    "remove_whitespace",
    "remove_punctuation",
)
HASHES = ("sha256",)
KINDS = ("email", "ad_audience")
FORMATS = ("csv", "json")
CATEGORIES = ("marketing", "service")
CASES = ("keep", "upper", "lower")
ITEM_FILTERS = ("string", "epoch", "date")

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_REF = re.compile(r"^\$([a-z][a-z0-9_]*)(?:\|([a-z]+))?$")


@dataclass(frozen=True)
class ColumnSpec:
    """One output column: a field of the send list or a constant."""

    name: str
    field: str | None = None
    value: str | None = None
    optional: bool = False
    normalize: tuple[str, ...] = ()
    hash: str | None = None
    description: str = ""


@dataclass(frozen=True)
class RestSpec:
    """Every field of the flow not mapped explicitly, with its name in ``case``;
    ``only: products`` keeps just the product fields (the mail's content)."""

    case: str = "keep"
    only: str | None = None
    description: str = ""

    def columns(self, names: list[str]) -> list[str]:
        """The flow's own columns this spec writes, in table order."""
        from followup.export.fields import extra_columns, is_product_column

        rest = extra_columns(names)
        if self.only == "products":
            rest = [name for name in rest if is_product_column(name)]
        return rest


@dataclass(frozen=True)
class GroupSpec:
    """Columns that are filled only together (all known) or left empty."""

    columns: tuple[str, ...]
    require_all: bool = True


@dataclass(frozen=True)
class IdentifierSpec:
    """The identifier column; rows without the field go to a fallback file."""

    column: str
    field: str
    fallback_suffix: str | None = None
    fallback_columns: tuple[ColumnSpec, ...] = ()


@dataclass(frozen=True)
class JsonSpec:
    envelope: Any
    item: Any
    omit_nulls: bool = True


@dataclass
class EspProfile:
    """A loaded, checked ESP profile."""

    name: str
    title: str
    path: Path
    documentation: tuple[str, ...]
    kind: str = "email"
    send_log_channel: str = "email"
    flow_categories: tuple[str, ...] = CATEGORIES
    format: str = "csv"
    extension: str = "csv"
    delimiter: str = ","
    bom: bool = False
    line_terminator: str = "\n"
    date_format: str = "%Y-%m-%d"
    timestamp_format: str = "%Y-%m-%dT%H:%M:%SZ"
    max_rows: int | None = None
    max_bytes: int | None = None
    hashed: bool = False
    clear_text_allowed: tuple[str, ...] = ()
    columns: tuple[ColumnSpec | RestSpec, ...] = ()
    groups: tuple[GroupSpec, ...] = ()
    identifier: IdentifierSpec | None = None
    json: JsonSpec | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def referenced_fields(self) -> set[str]:
        """Every send-list field the profile names (explicitly, not through ``rest``)."""
        names: set[str] = set()
        for column in self.columns:
            if isinstance(column, ColumnSpec) and column.field:
                names.add(column.field)
        if self.identifier:
            names.add(self.identifier.field)
            names.update(c.field for c in self.identifier.fallback_columns if c.field)
        if self.json:
            names.update(json_refs(self.json.item))
        return names

    @property
    def uses_rest(self) -> bool:
        return any(isinstance(c, RestSpec) for c in self.columns)

    def setting(self, key: str, flow_id: str) -> str:
        """A setting's value, per flow if the setting is a mapping with a default."""
        value = self.settings.get(key)
        if isinstance(value, dict):
            value = value.get(flow_id, value.get("default"))
        if value is None:
            raise ConfigError(f"profile {self.name}: setting {key!r} has no value for {flow_id}")
        return str(value)


def json_refs(spec: Any) -> set[str]:
    """The field names a JSON item spec refers to with ``$field``."""
    found: set[str] = set()
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "$spread":
                found.update(json_refs(value))
            else:
                found.update(json_refs(value))
    elif isinstance(spec, list):
        for value in spec:
            found.update(json_refs(value))
    elif isinstance(spec, str) and not spec.startswith("$$"):
        match = _REF.match(spec)
        if match:
            found.add(match.group(1))
    return found


def parse_ref(value: str) -> tuple[str, str | None] | None:
    """``$field|filter`` -> (field, filter); None for a literal."""
    if value.startswith("$$"):
        return None
    match = _REF.match(value)
    if not match:
        return None
    return match.group(1), match.group(2)


def _fail(path: Path, message: str) -> ConfigError:
    return ConfigError(f"ESP profile {path.name}: {message}")


def _column(path: Path, raw: Any) -> ColumnSpec | RestSpec:
    if not isinstance(raw, dict):
        raise _fail(path, f"every column must be a mapping, not {raw!r}")
    if "rest" in raw:
        case = raw["rest"]
        if case not in CASES or set(raw) - {"rest", "only", "description"}:
            raise _fail(path, f"'rest' takes one of {', '.join(CASES)} (and only: products)")
        if raw.get("only") not in (None, "products"):
            raise _fail(path, "'only' takes products")
        return RestSpec(case, raw.get("only"), str(raw.get("description") or ""))
    allowed = {"name", "field", "value", "optional", "normalize", "hash", "description"}
    unknown = set(raw) - allowed
    if unknown:
        raise _fail(path, f"unknown column keys {', '.join(sorted(unknown))}")
    name = raw.get("name") or raw.get("field")
    if not isinstance(name, str) or not name:
        raise _fail(path, f"column without a name: {raw!r}")
    if ("field" in raw) == ("value" in raw):
        raise _fail(path, f"column {name!r} needs either 'field' or 'value'")
    if "field" in raw and not _NAME.match(str(raw["field"])):
        raise _fail(path, f"column {name!r}: bad field name {raw['field']!r}")
    normalize = tuple(raw.get("normalize") or ())
    bad = [s for s in normalize if s not in NORMALIZE_STEPS]
    if bad:
        raise _fail(path, f"column {name!r}: unknown normalize steps {bad}")
    if raw.get("hash") not in (None, *HASHES):
        raise _fail(path, f"column {name!r}: hash must be one of {', '.join(HASHES)}")
    return ColumnSpec(
        name=name,
        field=raw.get("field"),
        value=None if raw.get("value") is None else str(raw["value"]),
        optional=bool(raw.get("optional", False)),
        normalize=normalize,
        hash=raw.get("hash"),
        description=str(raw.get("description") or ""),
    )


def _check_json_spec(path: Path, spec: Any, where: str) -> None:
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "$spread" and not (isinstance(value, str) and parse_ref(value)):
                raise _fail(path, f"{where}: $spread takes a $field")
            _check_json_spec(path, value, where)
    elif isinstance(spec, list):
        for value in spec:
            _check_json_spec(path, value, where)
    elif isinstance(spec, str) and spec.startswith("$") and not spec.startswith("$$"):
        parsed = parse_ref(spec)
        if not parsed:
            raise _fail(path, f"{where}: bad reference {spec!r}")
        if parsed[1] and parsed[1] not in ITEM_FILTERS:
            raise _fail(path, f"{where}: unknown filter {parsed[1]!r} in {spec!r}")


def _contains_items(spec: Any) -> int:
    if spec == "$items":
        return 1
    if isinstance(spec, dict):
        return sum(_contains_items(v) for v in spec.values())
    if isinstance(spec, list):
        return sum(_contains_items(v) for v in spec)
    return 0


PROFILE_KEYS = {
    "name", "title", "documentation", "kind", "send_log_channel", "flow_categories",
    "format", "extension", "csv", "date_format", "timestamp_format", "limits", "hashed",
    "clear_text_allowed", "columns", "groups", "identifier", "json", "settings", "notes",
}  # fmt: skip


def _read_mapping(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _fail(path, f"not valid YAML ({exc})") from exc
    if not isinstance(raw, dict):
        raise _fail(path, "must be a mapping")
    unknown = set(raw) - PROFILE_KEYS
    if unknown:
        raise _fail(path, f"unknown keys {', '.join(sorted(unknown))}")
    if raw.get("name") != path.stem:
        raise _fail(path, f"name {raw.get('name')!r} must match the file name {path.stem!r}")
    return raw


def _what_and_where(path: Path, raw: dict[str, Any]) -> tuple[list[str], str, str, tuple]:
    """(documentation, kind, format, flow categories) of a profile, checked."""
    documentation = raw.get("documentation") or []
    if isinstance(documentation, str):
        documentation = [documentation]
    if not documentation:
        raise _fail(path, "cite the ESP's documentation page under 'documentation'")
    kind = raw.get("kind", "email")
    if kind not in KINDS:
        raise _fail(path, f"kind must be one of {', '.join(KINDS)}")
    fmt = raw.get("format", "csv")
    if fmt not in FORMATS:
        raise _fail(path, f"format must be one of {', '.join(FORMATS)}")
    categories = tuple(raw.get("flow_categories") or CATEGORIES)
    if not set(categories) <= set(CATEGORIES):
        raise _fail(path, f"flow_categories must be among {', '.join(CATEGORIES)}")
    if kind == "ad_audience" and categories != ("marketing",):
        # Ads are marketing: a service mail's recipient never consented to them.
        raise _fail(path, "an ad_audience profile takes marketing flows only (flow_categories)")
    return documentation, kind, fmt, categories


def _limits(path: Path, raw: dict[str, Any]) -> dict[str, Any]:
    limits = raw.get("limits") or {}
    for key in ("max_rows", "max_bytes"):
        if limits.get(key) is not None and (not isinstance(limits[key], int) or limits[key] < 1):
            raise _fail(path, f"limits.{key} must be a positive whole number")
    return limits


def _columns_and_groups(path: Path, raw: dict[str, Any]) -> tuple[tuple, tuple[GroupSpec, ...]]:
    columns = tuple(_column(path, c) for c in raw.get("columns") or [])
    names = [c.name for c in columns if isinstance(c, ColumnSpec)]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise _fail(path, f"duplicate column names {duplicates}")
    groups = tuple(
        GroupSpec(tuple(g["columns"]), bool(g.get("require_all", True)))
        for g in raw.get("groups") or []
    )
    for group in groups:
        missing = [c for c in group.columns if c not in names]
        if missing:
            raise _fail(path, f"group names unknown columns {missing}")
    return columns, groups


def _identifier(path: Path, raw: dict[str, Any]) -> IdentifierSpec | None:
    if not raw.get("identifier"):
        return None
    ident = raw["identifier"]
    fallback = ident.get("fallback") or {}
    fallback_columns = tuple(_column(path, c) for c in fallback.get("columns") or [])
    if any(isinstance(c, RestSpec) for c in fallback_columns):
        raise _fail(path, "identifier fallback columns cannot use 'rest'")
    return IdentifierSpec(
        column=str(ident["column"]),
        field=str(ident["field"]),
        fallback_suffix=fallback.get("suffix"),
        fallback_columns=fallback_columns,  # type: ignore[arg-type]
    )


def _json_spec(path: Path, raw: dict[str, Any], fmt: str, columns: tuple) -> JsonSpec | None:
    if fmt != "json":
        if not columns:
            raise _fail(path, "format csv needs columns")
        return None
    raw_json = raw.get("json") or {}
    if "envelope" not in raw_json or "item" not in raw_json:
        raise _fail(path, "format json needs json.envelope and json.item")
    if _contains_items(raw_json["envelope"]) != 1:
        raise _fail(path, "json.envelope must contain $items exactly once")
    _check_json_spec(path, raw_json["item"], "json.item")
    return JsonSpec(raw_json["envelope"], raw_json["item"], bool(raw_json.get("omit_nulls", True)))


def load_profile(path: Path) -> EspProfile:
    """Read and check one profile file."""
    raw = _read_mapping(path)
    name = raw["name"]
    documentation, kind, fmt, categories = _what_and_where(path, raw)
    csv_options = raw.get("csv") or {}
    limits = _limits(path, raw)
    columns, groups = _columns_and_groups(path, raw)
    identifier = _identifier(path, raw)
    json_spec = _json_spec(path, raw, fmt, columns)
    profile = EspProfile(
        name=name,
        title=str(raw.get("title", name)),
        path=path,
        documentation=tuple(documentation),
        kind=kind,
        send_log_channel=str(raw.get("send_log_channel", "email" if kind == "email" else name)),
        flow_categories=categories,
        format=fmt,
        extension=str(raw.get("extension", fmt)),
        delimiter=str(csv_options.get("delimiter", ",")),
        bom=bool(csv_options.get("bom", False)),
        line_terminator=str(csv_options.get("line_terminator", "\n")),
        date_format=str(raw.get("date_format", "%Y-%m-%d")),
        timestamp_format=str(raw.get("timestamp_format", "%Y-%m-%dT%H:%M:%SZ")),
        max_rows=limits.get("max_rows"),
        max_bytes=limits.get("max_bytes"),
        hashed=bool(raw.get("hashed", False)),
        clear_text_allowed=tuple(raw.get("clear_text_allowed") or ()),
        columns=columns,
        groups=groups,
        identifier=identifier,
        json=json_spec,
        settings=dict(raw.get("settings") or {}),
    )
    if profile.hashed:
        _check_hashed(profile)
    return profile


def _check_hashed(profile: EspProfile) -> None:
    """A hashed profile writes no clear-text value, except the columns it allows."""
    if profile.format != "csv" or profile.uses_rest or profile.identifier:
        raise _fail(profile.path, "a hashed profile must be a CSV of explicit columns")
    for column in profile.columns:
        assert isinstance(column, ColumnSpec)
        if column.hash is None and column.name not in profile.clear_text_allowed:
            raise _fail(
                profile.path,
                f"hashed profile: column {column.name!r} must be hashed "
                "(or listed under clear_text_allowed)",
            )


def profiles_dir() -> Path:
    from followup import PROJECT_DIR

    return PROJECT_DIR / "export" / "profiles"


def available_profiles(directory: Path | None = None) -> list[str]:
    directory = directory or profiles_dir()
    return sorted(p.stem for p in directory.glob("*.yml"))


def get_profile(name: str, directory: Path | None = None) -> EspProfile:
    """Load the profile ``name`` (unknown name -> ConfigError listing the known ones)."""
    directory = directory or profiles_dir()
    path = directory / f"{name}.yml"
    if not _NAME.match(name) or not path.is_file():
        known = ", ".join(available_profiles(directory)) or "none"
        raise ConfigError(f"unknown ESP profile {name!r} (known: {known})")
    return load_profile(path)
