"""Glue 5.0 job (Spark 3.5, Python 3.11): curation, raw -> curated + gold.

Thin entry point: arguments come from Glue's getResolvedOptions when awsglue is importable, else from
argparse (local runs: ``python glue/local_runner.py curate --lake DIR``). All logic is in
gridstream_glue.curation (plain PySpark, tested with pytest in test/glue).

Glue arguments: --raw_bucket, --curated_bucket, --database, --lateness_days (required); --dataset
(comma-separated), --since (yyyy-MM-dd), --full (true/false), --target_file_size_mb,
--retention_minutes (optional). Incremental: each run curates the raw dt partitions that changed since
the last run within the lateness window (state in s3://<curated_bucket>/curated/_state/), writes new
version folders and switches each table's manifest and its Glue partitions.
"""

import argparse
import json
import sys
from typing import Any

OPTIONAL = {"dataset": "", "since": "", "full": "false", "target_file_size_mb": "128", "retention_minutes": "15"}


def parse_args(argv: list[str]) -> dict[str, Any]:
    """Glue arguments (getResolvedOptions) or, outside Glue, argparse with the same names plus --lake."""
    try:
        from awsglue.utils import getResolvedOptions
    except ImportError:
        p = argparse.ArgumentParser(prog="curate", description="gridstream curation on Spark")
        p.add_argument("--lake", help="local lake folder (raw/, curated/, gold/)")
        p.add_argument("--raw_bucket")
        p.add_argument("--curated_bucket")
        p.add_argument("--database", default="")
        p.add_argument("--lateness_days", default="2")
        p.add_argument("--lateness_hours", default=None)
        p.add_argument("--target_file_size_bytes", default=None)
        p.add_argument("--small_data", action="store_true", help="Spark settings for tiny inputs (tests)")
        p.add_argument("--json", action="store_true", help="print the summary as JSON")
        for k, v in OPTIONAL.items():
            p.add_argument(f"--{k}", default=v)
        args = vars(p.parse_args(argv[1:]))
        args["glue"] = False
        return args
    args = getResolvedOptions(sys.argv, ["JOB_NAME", "raw_bucket", "curated_bucket", "database", "lateness_days"])
    present = [k for k in OPTIONAL if f"--{k}" in argv]
    extra = getResolvedOptions(argv, present) if present else {}
    return {**OPTIONAL, **args, **extra, "glue": True, "lake": None, "json": True}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    argv = list(sys.argv if argv is None else argv)
    args = parse_args(argv)
    from gridstream_glue.curation import run_curation

    catalog = None
    if args["glue"]:
        import boto3
        from awsglue.context import GlueContext
        from pyspark.context import SparkContext

        from gridstream_glue.catalog import GlueCatalog
        from gridstream_glue.session import configure

        spark = GlueContext(SparkContext.getOrCreate()).spark_session
        configure(spark)
        catalog = GlueCatalog(boto3.client("glue"), args["database"])
    else:
        from gridstream_glue.session import local_session

        spark = local_session(shuffle_partitions=1 if args["small_data"] else 4, small_data=args["small_data"])
    raw_root = args["lake"] or f"s3://{args['raw_bucket']}"
    out_root = args["lake"] or f"s3://{args['curated_bucket']}"
    target = int(args.get("target_file_size_bytes") or int(args["target_file_size_mb"]) * 1024 * 1024)
    lateness = int(args.get("lateness_hours") or int(args["lateness_days"]) * 24)
    summary = run_curation(
        spark,
        raw_root,
        out_root,
        datasets=[d for d in args["dataset"].split(",") if d] or None,
        since=args["since"] or None,
        full=str(args["full"]).lower() == "true",
        target_file_size_bytes=target,
        lateness_hours=lateness,
        retention_seconds=int(args["retention_minutes"]) * 60,
        catalog=catalog,
        log=(lambda m: print(m, file=sys.stderr)),
    )
    if args["json"]:
        print(json.dumps(summary))
    tables = summary["tables"]
    print(
        f"curation {summary['runId']}: {sum(t['rows'] for t in tables.values())} rows in {len(tables)} table(s), "
        f"{len(summary['skippedFiles'])} raw file(s) skipped, {summary['durationSeconds']:.1f} s",
        file=sys.stderr,
    )
    return summary


if __name__ == "__main__":
    main()
