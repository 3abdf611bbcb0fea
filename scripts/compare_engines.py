"""Compare two builds row for row: `followup compare` (``--help``).

A thin entry point kept for scripts written against it; the command lives in
followup.cli.compare.
"""

from followup.cli.compare import compare

if __name__ == "__main__":
    compare()
