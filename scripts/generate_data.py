"""Generate the demo or test data set: `followup generate` (``--help``).

A thin entry point kept for scripts written against it; the generator lives in the
package followup.generate.
"""

from followup.generate.cli import main

if __name__ == "__main__":
    main()
