"""`python -m followup.cli`: the followup command line."""

from followup.cli import main

main()
