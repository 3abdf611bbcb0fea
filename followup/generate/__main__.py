"""`python -m followup.generate`: the same as `followup generate`."""

from followup.generate.cli import main

main()
