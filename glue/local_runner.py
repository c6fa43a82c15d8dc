"""Runs the Glue jobs locally on plain PySpark, against a local lake folder.

    .venv/bin/python glue/local_runner.py curate --lake ./lake [--dataset grid] [--since 2026-11-01] [--full true]
    .venv/bin/python glue/local_runner.py compact --lake ./lake [--lateness_days 2]

The job scripts run unchanged: without awsglue they parse their arguments with argparse and start a
local SparkSession (UTC, small shuffle partitions).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "jobs"))

JOBS = ("curate", "compact")


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] not in JOBS:
        print(f"usage: local_runner.py {{{'|'.join(JOBS)}}} --lake DIR [job options]", file=sys.stderr)
        return 2
    job = __import__(argv[1])
    job.main([f"{argv[1]}.py", *argv[2:]])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
