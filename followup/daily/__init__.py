"""The daily job (``followup daily``): lock, run ledger, steps, catch-up and publishing."""
