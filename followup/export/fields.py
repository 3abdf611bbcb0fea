"""The fields of a send list: their names, types and where they come from.

A *send list* is one flow's audience for one day, one row per recipient, with the
columns of the flow's audience table (``analytics.audience_<flow_id>``) plus the
fields the exporter derives from them. ESP profiles map these fields to an ESP's
import format; templates use them as variables.

Every field has a :class:`FieldType`. The type decides how a value is written
(number and date formats) and how it is kept safe: free text (:attr:`FieldType.TEXT`)
is neutralised against spreadsheet formula injection in CSV files, every other
type is *validated* instead (emails, ids, codes and URLs must match a pattern;
numbers and dates are typed by the warehouse).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class FieldType(StrEnum):
    """How a field is formatted, validated and protected."""

    TEXT = "text"  # free text: names, product names, subject lines (neutralised in CSV)
    EMAIL = "email"  # a normalised email address (validated)
    ID = "id"  # an identifier such as C000123 or P0010 (validated)
    CODE = "code"  # a short code such as a language or gender (validated)
    URL = "url"  # an http(s) URL (validated)
    INT = "int"
    MONEY = "money"  # two decimals
    DATE = "date"
    TIMESTAMP = "timestamp"  # UTC
    BOOL = "bool"
    RECIPIENT = "recipient"  # the contact id, or the email of an email-only recipient
    LIST = "list"  # a list of objects (JSON profiles only), e.g. the products
    OBJECT = "object"  # an object (JSON profiles only), e.g. the bought product


# Columns every audience table starts with (models/flows/audiences/_audiences__models.yml).
BASE_FIELDS: dict[str, FieldType] = {
    "as_of_date": FieldType.DATE,
    "contact_id": FieldType.ID,
    "email": FieldType.EMAIL,
    "flow_id": FieldType.ID,
    "flow_step": FieldType.INT,
    "first_name": FieldType.TEXT,
    "last_name": FieldType.TEXT,
    "gender": FieldType.CODE,
    "language": FieldType.CODE,
    "preferred_send_hour": FieldType.INT,
}

# Fields the exporter derives. Value: (type, the fields it is made of).
DERIVED_FIELDS: dict[str, tuple[FieldType, tuple[str, ...]]] = {
    "recipient": (FieldType.RECIPIENT, ("contact_id", "email")),
    "full_name": (FieldType.TEXT, ("first_name", "last_name")),
    "salutation": (FieldType.TEXT, ("first_name", "last_name", "gender", "language")),
    "subject": (FieldType.TEXT, ("language",)),  # plus the template's variables
    "preheader": (FieldType.TEXT, ("language",)),  # plus the template's variables
    "flow_name": (FieldType.TEXT, ()),
    "flow_category": (FieldType.CODE, ()),
    "send_at": (FieldType.TIMESTAMP, ("as_of_date", "preferred_send_hour")),
    "products": (FieldType.LIST, ()),  # product_<i>_* columns, see product_columns()
    "bought_product": (FieldType.OBJECT, ()),  # bought_product_* columns
    "extras": (FieldType.OBJECT, ()),  # the flow's own fields that are not products
}

# Fields read from analytics.dim_contacts (joined on contact_id) when a profile maps
# them. ``zip`` is optional: used only if the warehouse has such a column.
CONTACT_FIELDS: dict[str, FieldType] = {
    "country": FieldType.CODE,
    "zip": FieldType.TEXT,
}

# Derived fields computed from templates.
TEMPLATE_FIELDS = ("subject", "preheader")

PRODUCT_COLUMN = re.compile(r"^product_(\d+)_(id|name|url|image_url|price|manual_url)$")
BOUGHT_PRODUCT_COLUMN = re.compile(r"^bought_product_(id|name|url|image_url|price)$")


@dataclass(frozen=True)
class WarehouseColumn:
    """A column of an audience table as the warehouse describes it."""

    name: str
    sql_type: str


def field_types(flow_id: str, columns: list[WarehouseColumn]) -> dict[str, FieldType]:
    """The field type of every column of ``audience_<flow_id>``, as the flow registry
    declares it (registry/audience_columns.yml, through followup.flows): never guessed
    from a name. A column the registry does not know is an error."""
    from followup.export.errors import ConfigError
    from followup.flows import field_types as registry_types

    try:
        declared = registry_types(flow_id)
    except StopIteration:
        raise ConfigError(f"flow {flow_id!r} is not in the registry (seeds/flows.csv)") from None
    unknown = [c.name for c in columns if c.name not in declared]
    if unknown:
        raise ConfigError(
            f"audience_{flow_id} has columns the registry does not declare: {', '.join(unknown)} "
            "(rebuild the warehouse after `followup flows generate`)"
        )
    return {c.name: FieldType(declared[c.name]) for c in columns}


def is_product_column(name: str) -> bool:
    """True for product_<i>_* and bought_product_* columns."""
    return bool(PRODUCT_COLUMN.match(name) or BOUGHT_PRODUCT_COLUMN.match(name))


def product_slots(columns: list[str]) -> list[int]:
    """The product numbers (1, 2, 3 ...) that have a product_<i>_id column."""
    slots = sorted(
        {int(m.group(1)) for c in columns if (m := PRODUCT_COLUMN.match(c)) and m.group(2) == "id"}
    )
    return slots


def product_columns(columns: list[str]) -> list[str]:
    """The product_<i>_* columns among ``columns``, in table order."""
    return [c for c in columns if PRODUCT_COLUMN.match(c)]


def bought_product_columns(columns: list[str]) -> list[str]:
    """The bought_product_* columns among ``columns``, in table order."""
    return [c for c in columns if BOUGHT_PRODUCT_COLUMN.match(c)]


def extra_columns(columns: list[str]) -> list[str]:
    """The flow's own columns (beyond the base fields), in table order."""
    return [c for c in columns if c not in BASE_FIELDS]


def extras_object_columns(columns: list[str]) -> list[str]:
    """The flow's own columns that are not product columns (the ``extras`` object)."""
    return [c for c in extra_columns(columns) if not is_product_column(c)]
