"""Load a folder of raw files into the raw schema of a dbt target: `followup load`.

A thin entry point kept for scripts and schedulers written against it; the command
lives in followup.cli.load (``followup load --help``).
"""

from followup.cli.load import main

if __name__ == "__main__":
    main()
