"""Glue 5.0 job (Spark 3.5, Python 3.11): compaction of closed raw partitions.

Rewrites the many small files of every raw partition whose hour ended more than --lateness_days ago
into few files of about --target_file_size_mb, without changing their content (see
gridstream_glue.compaction). Glue arguments: --raw_bucket, --lateness_days (required);
--dataset, --target_file_size_mb (optional). Local: ``python glue/local_runner.py compact --lake DIR``.
"""

import argparse
import json
import sys
from typing import Any

OPTIONAL = {"dataset": "", "target_file_size_mb": "128"}


def parse_args(argv: list[str]) -> dict[str, Any]:
    """Glue arguments (getResolvedOptions) or, outside Glue, argparse with the same names plus --lake."""
    try:
        from awsglue.utils import getResolvedOptions
    except ImportError:
        p = argparse.ArgumentParser(prog="compact", description="gridstream raw compaction on Spark")
        p.add_argument("--lake", help="local lake folder")
        p.add_argument("--raw_bucket")
        p.add_argument("--lateness_days", default="2")
        p.add_argument("--lateness_hours", default=None)
        p.add_argument("--target_file_size_bytes", default=None)
        p.add_argument("--small_data", action="store_true", help="Spark settings for tiny inputs (tests)")
        p.add_argument("--json", action="store_true")
        for k, v in OPTIONAL.items():
            p.add_argument(f"--{k}", default=v)
        args = vars(p.parse_args(argv[1:]))
        args["glue"] = False
        return args
    args = getResolvedOptions(sys.argv, ["JOB_NAME", "raw_bucket", "lateness_days"])
    present = [k for k in OPTIONAL if f"--{k}" in argv]
    extra = getResolvedOptions(argv, present) if present else {}
    return {**OPTIONAL, **args, **extra, "glue": True, "lake": None, "json": True}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    argv = list(sys.argv if argv is None else argv)
    args = parse_args(argv)
    from gridstream_glue.compaction import compact_raw

    if args["glue"]:
        from awsglue.context import GlueContext
        from pyspark.context import SparkContext

        from gridstream_glue.session import configure

        spark = GlueContext(SparkContext.getOrCreate()).spark_session
        configure(spark)
    else:
        from gridstream_glue.session import local_session

        spark = local_session(shuffle_partitions=1 if args["small_data"] else 4, small_data=args["small_data"])
    target = int(args.get("target_file_size_bytes") or int(args["target_file_size_mb"]) * 1024 * 1024)
    summary = compact_raw(
        spark,
        args["lake"] or f"s3://{args['raw_bucket']}",
        datasets=[d for d in args["dataset"].split(",") if d] or None,
        lateness_hours=int(args.get("lateness_hours") or int(args["lateness_days"]) * 24),
        target_file_size_bytes=target,
        log=(lambda m: print(m, file=sys.stderr)),
    )
    if args["json"]:
        print(json.dumps(summary))
    print(
        f"compaction: {summary['partitions']} partition(s), {summary['filesBefore']} -> {summary['filesAfter']} files, "
        f"{summary['bytesBefore']} -> {summary['bytesAfter']} bytes",
        file=sys.stderr,
    )
    return summary


if __name__ == "__main__":
    main()
