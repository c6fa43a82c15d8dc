"""Independent Parquet readers for the delivery tests.

    python read_parquet.py pyarrow FILE...   -> {"schema": {col: type}, "rows": [...]}
    python read_parquet.py spark FILE...     -> the same, read by Spark (session time zone UTC)

Timestamp columns are reported as epoch microseconds of the instant each reader sees, so the test can
compare readers without any time-zone rendering in between. Prints one JSON document on stdout.
"""

import json
import sys


def read_pyarrow(files):
    import pyarrow as pa
    import pyarrow.parquet as pq

    # ParquetFile reads the file alone: read_table would add dt/hr from the hive-style path.
    tables = [pq.ParquetFile(f).read() for f in files]
    table = pa.concat_tables(tables)
    schema = {f.name: str(f.type) for f in table.schema}
    rows = []
    ts_cols = [f.name for f in table.schema if pa.types.is_timestamp(f.type)]
    for rec in table.to_pylist():
        out = {"event_id": rec["event_id"]}
        for c in ts_cols:
            v = rec[c]
            # tz-aware datetimes (isAdjustedToUTC=true) give an absolute instant; naive ones would not.
            out[c] = None if v is None else int(v.timestamp() * 1_000_000) if v.tzinfo else f"naive:{v.isoformat()}"
        rows.append(out)
    return {"schema": schema, "rows": rows}


def read_spark(files):
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql.types import TimestampNTZType, TimestampType

    spark = (
        SparkSession.builder.master("local[1]")
        .appName("gridstream-delivery-test")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        df = spark.read.parquet(*files)
        schema = {f.name: f.dataType.simpleString() for f in df.schema.fields}
        ts_cols = [f.name for f in df.schema.fields if isinstance(f.dataType, (TimestampType, TimestampNTZType))]
        sel = [F.col("event_id")] + [F.unix_micros(F.col(c).cast("timestamp")).alias(c) for c in ts_cols]
        rows = [r.asDict() for r in df.select(*sel).collect()]
        return {"schema": schema, "rows": rows}
    finally:
        spark.stop()


def main():
    reader, files = sys.argv[1], sys.argv[2:]
    result = read_pyarrow(files) if reader == "pyarrow" else read_spark(files)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
