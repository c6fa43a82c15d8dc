"""Compaction of closed raw partitions on Spark: fewer files, same content."""

import os
from datetime import UTC, datetime

import pyarrow.parquet as pq

from conftest import HOUR, T0, grid_event, write_raw
from gridstream_glue.compaction import compact_raw
from gridstream_glue.lake_fs import LocalFs
from gridstream_glue.raw_files import list_raw_partitions

NOW = (T0 + 3 * 24 * HOUR) / 1000  # 2026-11-25T12:00Z: with 48 h lateness, hours before 23T12 are closed


def test_compacts_closed_partitions_without_changing_content(tmp_path, spark):
    lake = str(tmp_path)
    closed = [grid_event(event_time=T0 + i * 60_000, lmp_usd_mwh=float(i)) for i in range(12)]
    for i in range(0, 12, 2):
        write_raw(lake, "grid", closed[i : i + 2])
    write_raw(lake, "grid", [closed[0]])  # an at-least-once duplicate stays a duplicate
    write_raw(lake, "grid", [grid_event(event_time=T0 + 3600_000 * 48 + 60_000)])  # 24T12: open
    write_raw(lake, "grid", [grid_event(event_time=T0 + 3600_000 * 48 + 120_000)])
    odd = write_raw(lake, "grid", [grid_event(event_time=T0)], extra={"unexpected": "x"})[0]
    schema_before, rows_before = _content_without(lake, odd)

    summary = compact_raw(
        spark, lake, lateness_hours=48, target_file_size_bytes=1024 * 1024, clock=lambda: NOW, log=lambda m: None
    )

    assert (summary["partitions"], summary["filesBefore"], summary["filesAfter"], summary["rows"]) == (1, 7, 1, 13)
    parts = {p.hour: [f.name for f in p.files] for p in list_raw_partitions(LocalFs(lake), "grid")}
    compacted = [n for n in parts["2026-11-22T12"] if n.startswith("0-compacted-")]
    assert len(compacted) == 1
    assert os.path.basename(odd) in parts["2026-11-22T12"]
    assert len(parts["2026-11-24T12"]) == 2  # not closed yet: untouched
    schema_after, rows_after = _content_without(lake, odd)
    assert schema_after.names == schema_before.names
    assert [str(t) for t in schema_after.types] == [str(t) for t in schema_before.types]
    assert rows_after == rows_before
    assert [s["file"] for s in summary["skippedFiles"]] == [os.path.relpath(odd, lake)]
    # Nothing left to do.
    assert compact_raw(spark, lake, lateness_hours=48, clock=lambda: NOW, log=lambda m: None)["partitions"] == 0


def _content_without(lake, odd):
    folder = os.path.dirname(odd)
    files = [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if os.path.join(folder, f) != odd]
    table = pq.read_table(files)
    rows = [{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in r.items()} for r in table.to_pylist()]
    assert all(isinstance(r["event_time"], str) for r in rows)
    assert table.schema.field("event_time").type.tz == "UTC" or str(table.schema.field("event_time").type).endswith(
        "UTC]"
    )
    return table.schema, sorted(rows, key=repr)


def test_closed_is_relative_to_the_lateness_window(tmp_path, spark):
    lake = str(tmp_path)
    write_raw(lake, "grid", [grid_event()])
    write_raw(lake, "grid", [grid_event()])
    just_open = datetime(2026, 11, 24, 12, 59, tzinfo=UTC).timestamp()  # 12:00 hour ends 13:00
    assert compact_raw(spark, lake, lateness_hours=48, clock=lambda: just_open, log=lambda m: None)["partitions"] == 0
    closed = datetime(2026, 11, 24, 13, 0, tzinfo=UTC).timestamp()
    assert compact_raw(spark, lake, lateness_hours=48, clock=lambda: closed, log=lambda m: None)["partitions"] == 1
