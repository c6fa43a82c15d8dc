"""The S3 side of the publish protocol, against moto: manifests/state on S3 and Glue partitions."""

import boto3
import pytest
from moto import mock_aws

from gridstream_glue.catalog import GlueCatalog
from gridstream_glue.lake_fs import S3Fs
from gridstream_glue.manifest import read_manifest, write_manifest
from gridstream_glue.pipeline import Step

REGION = "us-east-1"


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="curated-bucket")
        glue = boto3.client("glue", region_name=REGION)
        glue.create_database(DatabaseInput={"Name": "gridstream_test"})
        glue.create_table(
            DatabaseName="gridstream_test",
            TableInput={
                "Name": "curated_grid",
                "PartitionKeys": [{"Name": "dt", "Type": "string"}],
                "StorageDescriptor": {
                    "Columns": [{"Name": "event_id", "Type": "string"}],
                    "Location": "s3://curated-bucket/curated/grid/",
                    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                    "SerdeInfo": {
                        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
                    },
                },
            },
        )
        yield s3, glue


def test_manifest_on_s3_is_one_put_and_reads_back(aws):
    s3, _ = aws
    fs = S3Fs("s3://curated-bucket", client=s3)
    manifest = {"version": 1, "partitions": {"2026-11-22": {"location": "versions/r1/dt=2026-11-22", "files": []}}}
    write_manifest(fs, "curated/grid", manifest)
    assert read_manifest(fs, "curated/grid") == manifest
    assert fs.read_text("curated/grid/missing.json") is None
    assert fs.list_dirs("curated/") == ["grid"]


def test_catalog_partitions_follow_the_published_versions(aws):
    s3, glue = aws
    fs = S3Fs("s3://curated-bucket", client=s3)
    catalog = GlueCatalog(glue, "gridstream_test")
    step = Step(
        name="curated_grid",
        sql="grid.sql",
        mode="aligned",
        inputs=("grid_checked",),
        table={"zone": "curated", "name": "grid"},
    )

    catalog.publish(
        step,
        fs,
        "curated/grid",
        {
            "2026-11-21": {"location": "versions/r1/dt=2026-11-21"},
            "2026-11-22": {"location": "versions/r1/dt=2026-11-22"},
        },
    )
    catalog.publish(
        step, fs, "curated/grid", {"2026-11-22": {"location": "versions/r2/dt=2026-11-22"}, "2026-11-21": None}
    )

    parts = glue.get_partitions(DatabaseName="gridstream_test", TableName="curated_grid")["Partitions"]
    assert [(p["Values"], p["StorageDescriptor"]["Location"]) for p in parts] == [
        (["2026-11-22"], "s3://curated-bucket/curated/grid/versions/r2/dt=2026-11-22/")
    ]
    assert parts[0]["StorageDescriptor"]["InputFormat"].endswith("MapredParquetInputFormat")
