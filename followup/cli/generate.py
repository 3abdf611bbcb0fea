"""`followup generate`: a realistic demo or test data set, one file per raw table."""

from followup.generate.cli import main as generate

__all__ = ["generate"]
