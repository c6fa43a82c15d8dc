"""Spark session settings curation relies on (the Glue job applies them to Glue's session)."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


SPARK_SETTINGS = {
    # Dates and hours of timestamps in UTC, like DuckDB with TimeZone=UTC.
    "spark.sql.session.timeZone": "UTC",
    # INT64 TIMESTAMP(MICROS, isAdjustedToUTC=true), not legacy INT96: what DuckDB writes and reads.
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    # dt stays a string when Spark discovers partitions (Glue tables declare it string).
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    # Non-ANSI arithmetic (Glue 5.0's default): x / 0 is NULL, as on DuckDB.
    "spark.sql.ansi.enabled": "false",
}


def configure(spark: "SparkSession") -> None:
    """Applies the settings to an existing session (Glue's)."""
    for k, v in SPARK_SETTINGS.items():
        spark.conf.set(k, v)


# Small inputs (tests, the parity check): compiling generated code costs more than it saves, and
# adaptive execution adds planning rounds to every tiny shuffle.
SMALL_DATA_SETTINGS = {
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
}


def local_session(
    app: str = "gridstream-glue", cores: int = 2, shuffle_partitions: int = 4, small_data: bool = False
) -> "SparkSession":
    """A local SparkSession for tests and the local runner: UTC, quiet; ``small_data`` for tests."""
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app)
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(cores))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "1g")
        .config(
            "spark.sql.sources.commitProtocolClass",
            "org.apache.spark.sql.execution.datasources.SQLHadoopMapReduceCommitProtocol",
        )
        .config("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
        .config("spark.hadoop.parquet.enable.summary-metadata", "false")
    )
    for k, v in {**SPARK_SETTINGS, **(SMALL_DATA_SETTINGS if small_data else {})}.items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
