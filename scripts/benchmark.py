"""Time the daily job at several data set sizes: `followup bench` (``--help``).

A thin entry point kept for scripts written against it; the command lives in
followup.cli.bench.
"""

from followup.cli.bench import bench

if __name__ == "__main__":
    bench()
