"""The followup demo and test data generator: one file per raw table of the data contract.

The data set has two parts:

* **Scenario personas** (:mod:`followup.generate.personas`): the first contact ids
  (``C000001`` ...) are hand-crafted contacts, each with a one-line purpose. On the
  ``--as-of`` day (D) they guarantee that every follow-up flow has recipients, that every
  exclusion reason occurs, and that the edge cases and messy input the staging rules
  handle are present. They do not depend on ``--contacts`` or ``--seed``.
* **Bulk population** (:mod:`~followup.generate.catalogue`,
  :mod:`~followup.generate.population`, :mod:`~followup.generate.email`): the remaining
  contacts, with seeded random (but realistic) orders, email and web behaviour, generated
  in chunks of contacts with vectorised numpy code and streamed to the output files
  (:mod:`~followup.generate.sinks`), so memory stays bounded at a million contacts.

Everything is relative to D. No timestamp is later than D 23:59:59, except the deliberate
orders in the future of one scenario persona. The tables, columns and types come from the
raw contract (:mod:`~followup.generate.schema`), the flows and the holdout rule from the
flow registry (:mod:`~followup.generate.registry`).

Command line: ``followup generate --help``.
"""

from followup.generate.cli import generate, main
from followup.generate.personas import PERSONAS
from followup.generate.schema import SCHEMAS, make_id

__all__ = ["PERSONAS", "SCHEMAS", "generate", "main", "make_id"]
