"""Export personalised send lists of the follow-up flows for an email service provider.

A thin entry point: the code lives in the package followup.export (its docstring gives
the module layout). Run ``python scripts/export_send_lists.py --help`` for the options,
examples, output layout and exit codes.
"""

from followup.export.cli import main

if __name__ == "__main__":
    main()
