"""Build a flow's send list: read what is needed, clean the names, derive and render.

The steps, for one flow and one ESP profile:

1. :func:`plan` decides which send-list fields the profile writes, and from them
   which audience and contact columns to read (plus what validation needs). Nothing
   else is read: only mapped fields leave the warehouse.
2. :func:`build_send_list` reads those columns, types them, cleans first and last
   names, and derives ``recipient``, ``full_name``, ``salutation``, ``send_at``,
   ``flow_name``, ``flow_category`` and the rendered ``subject`` and ``preheader``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from followup.export.errors import ConfigError
from followup.export.esp_profiles import ColumnSpec, EspProfile
from followup.export.fields import (
    BASE_FIELDS,
    CONTACT_FIELDS,
    DERIVED_FIELDS,
    TEMPLATE_FIELDS,
    FieldType,
    WarehouseColumn,
    bought_product_columns,
    extras_object_columns,
    field_types,
    product_columns,
)
from followup.export.names import Salutations, clean_names
from followup.export.render import FlowTemplates, check_variables, render_column
from followup.export.warehouse import FlowInfo, Warehouse

ALWAYS_READ = ("as_of_date", "flow_id", "flow_step", "contact_id", "email")


@dataclass
class Plan:
    """What to read and write for one flow with one profile."""

    flow: FlowInfo
    audience_columns: list[WarehouseColumn]
    types: dict[str, FieldType]
    available: set[str]
    exported: list[str]  # send-list fields the profile writes (rest expanded), in order
    read_columns: list[str]  # audience columns to read
    contact_columns: list[str]  # dim_contacts columns to read
    derived: list[str]  # derived fields to compute
    requires: tuple[str, ...] = ()  # fields the flow's content needs (template requires)
    templates: FlowTemplates | None = None
    profile_kind: str = "email"  # email or ad_audience

    @property
    def flow_column_names(self) -> list[str]:
        return [c.name for c in self.audience_columns]


def _expand(name: str, plan_columns: list[str], templates: FlowTemplates | None) -> set[str]:
    """The audience/contact columns a send-list field is made of."""
    if name in BASE_FIELDS or name in CONTACT_FIELDS or name in plan_columns:
        return {name}
    if name == "products":
        return set(product_columns(plan_columns))
    if name == "bought_product":
        return set(bought_product_columns(plan_columns))
    if name == "extras":
        return set(extras_object_columns(plan_columns))
    if name in TEMPLATE_FIELDS:
        assert templates is not None
        needed = {"language"}
        for variable in templates.variables():
            needed |= _expand(variable, plan_columns, templates)
        return needed
    if name in DERIVED_FIELDS:
        needed = set()
        for part in DERIVED_FIELDS[name][1]:
            needed |= _expand(part, plan_columns, templates)
        return needed
    return {name}


def _available_fields(
    flow: FlowInfo,
    audience_columns: list[WarehouseColumn],
    contact_columns: list[WarehouseColumn],
    templates: FlowTemplates | None,
) -> tuple[dict[str, FieldType], set[str]]:
    """The type of every field the flow can export, and the set of those fields."""
    names = [c.name for c in audience_columns]
    missing_base = [b for b in BASE_FIELDS if b not in names]
    if missing_base:
        raise ConfigError(
            f"audience_{flow.flow_id} lacks the recipient columns {', '.join(missing_base)}"
        )
    types: dict[str, FieldType] = field_types(flow.flow_id, audience_columns)
    available = set(names)
    contact_names = {c.name for c in contact_columns}
    for name, ftype in CONTACT_FIELDS.items():
        if name in contact_names:
            types[name] = ftype
            available.add(name)
    for name, (ftype, _parts) in DERIVED_FIELDS.items():
        # products, bought_product and extras always exist (empty when the flow has none)
        if name in TEMPLATE_FIELDS and templates is None:
            continue
        types[name] = ftype
        available.add(name)
    if templates is not None:
        not_variables = {*TEMPLATE_FIELDS, "products", "bought_product", "extras"}
        check_variables(templates, available - not_variables)
    return types, available


def _exported_fields(
    profile: EspProfile, flow: FlowInfo, names: list[str], available: set[str]
) -> list[str]:
    """The fields the profile writes, in its order, each once."""
    exported: list[str] = []
    for column in profile.columns:
        if isinstance(column, ColumnSpec):
            if column.field is None:
                continue
            if column.field not in available:
                if column.optional:
                    continue
                raise ConfigError(
                    f"profile {profile.name} maps field {column.field!r}, which flow "
                    f"{flow.flow_id!r} does not have"
                )
            exported.append(column.field)
        else:
            exported.extend(column.columns(names))
    if profile.identifier:
        exported.append(profile.identifier.field)
        exported.extend(c.field for c in profile.identifier.fallback_columns if c.field)
    if profile.json:
        for ref in sorted(profile.referenced_fields()):
            if ref not in available:
                raise ConfigError(
                    f"profile {profile.name} uses field {ref!r}, which flow "
                    f"{flow.flow_id!r} does not have"
                )
            exported.append(ref)
    return list(dict.fromkeys(exported))


def plan(
    profile: EspProfile,
    flow: FlowInfo,
    audience_columns: list[WarehouseColumn],
    contact_columns: list[WarehouseColumn],
    templates: FlowTemplates | None,
) -> Plan:
    """Decide what to read for ``flow`` exported with ``profile``."""
    names = [c.name for c in audience_columns]
    types, available = _available_fields(flow, audience_columns, contact_columns, templates)
    exported = _exported_fields(profile, flow, names, available)

    requires: tuple[str, ...] = ()
    if templates is not None and profile.kind == "email":
        requires = templates.requires
    needed: set[str] = set(ALWAYS_READ)
    for name in [*exported, *requires]:
        needed |= _expand(name, names, templates)
    derived = {n for n in DERIVED_FIELDS if n in exported} | {"recipient"}
    if templates is not None and derived & set(TEMPLATE_FIELDS):
        derived |= {v for v in templates.variables() if v in DERIVED_FIELDS}
    for name in derived:
        needed |= _expand(name, names, templates)
    read_columns = [n for n in names if n in needed]
    contact_read = [n for n in CONTACT_FIELDS if n in needed and n in available]
    # read for the last gate only, never written: consent (marketing flows and every ad
    # audience) and suppression (every list)
    if flow.category == "marketing" or profile.kind == "ad_audience":
        contact_read.append("has_marketing_consent")
        types["has_marketing_consent"] = FieldType.BOOL
    contact_read.append("is_suppressed")
    types["is_suppressed"] = FieldType.BOOL
    return Plan(
        flow=flow,
        audience_columns=audience_columns,
        types=types,
        available=available,
        exported=exported,
        read_columns=read_columns,
        contact_columns=contact_read,
        derived=[n for n in DERIVED_FIELDS if n in derived],
        requires=requires,
        templates=templates,
        profile_kind=profile.kind,
    )


@dataclass
class SendList:
    """One flow's send list for one day, with the types of its columns."""

    plan: Plan
    as_of: dt.date
    frame: pd.DataFrame
    types: dict[str, FieldType] = field(default_factory=dict)

    @property
    def flow_id(self) -> str:
        return self.plan.flow.flow_id

    def __len__(self) -> int:
        return len(self.frame)


def _typed(frame: pd.DataFrame, types: dict[str, FieldType]) -> pd.DataFrame:
    out = {}
    for name in frame.columns:
        values = frame[name]
        ftype = types.get(name, FieldType.TEXT)
        if ftype in (FieldType.DATE, FieldType.TIMESTAMP):
            values = pd.to_datetime(values)
            if ftype is FieldType.DATE:
                values = values.dt.normalize()
        elif ftype is FieldType.INT:
            values = pd.to_numeric(values).astype("Int64")
        elif ftype is FieldType.MONEY:
            values = pd.to_numeric(values.astype("float64")).round(2)
        elif ftype is FieldType.BOOL:
            values = values.astype("boolean")
        elif not (pd.api.types.is_string_dtype(values) and values.dtype != object):
            values = values.astype("str").where(values.notna())
        out[name] = values
    return pd.DataFrame(out, index=frame.index)


def build_send_list(
    warehouse: Warehouse,
    plan_: Plan,
    as_of: dt.date,
    salutations: Salutations,
) -> SendList:
    """Read the planned columns and derive the send-list fields."""
    raw = warehouse.read_audience(plan_.flow.flow_id, plan_.read_columns, plan_.contact_columns)
    frame = _typed(raw.reset_index(drop=True), plan_.types)
    for name in ("first_name", "last_name"):
        if name in frame:
            frame[name] = clean_names(frame[name], surname=name == "last_name")
    for name in plan_.derived:
        if name in ("products", "bought_product", "extras"):
            continue  # assembled by the JSON writer from the product / extra columns
        if name in TEMPLATE_FIELDS:
            continue
        frame[name] = _derive(name, frame, plan_, salutations)
    if plan_.templates is not None:
        for key in TEMPLATE_FIELDS:
            if key in plan_.derived:
                frame[key] = render_column(frame, plan_.templates, key)
    types = {c: plan_.types.get(c, FieldType.TEXT) for c in frame.columns}
    return SendList(plan_, as_of, frame, types)


def _derive(name: str, frame: pd.DataFrame, plan_: Plan, salutations: Salutations) -> pd.Series:
    if name == "recipient":
        return frame["contact_id"].where(frame["contact_id"].notna(), frame["email"])
    if name == "full_name":
        first = frame["first_name"].fillna("")
        last = frame["last_name"].fillna("")
        full = (first + " " + last).str.strip()
        return full.where(full.ne(""))
    if name == "salutation":
        return salutations.salutations(
            frame["first_name"], frame["last_name"], frame["gender"], frame["language"]
        )
    if name == "flow_name":
        return pd.Series(plan_.flow.name, index=frame.index, dtype="str")
    if name == "flow_category":
        return pd.Series(plan_.flow.category, index=frame.index, dtype="str")
    if name == "send_at":
        hours = frame["preferred_send_hour"].astype("float64").fillna(0).to_numpy()
        return frame["as_of_date"] + pd.to_timedelta(hours.astype(np.int64), unit="h")
    raise AssertionError(name)
