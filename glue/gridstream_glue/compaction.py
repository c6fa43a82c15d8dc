"""Compaction of closed raw partitions on Spark (same rules as compactRaw.ts on DuckDB).

A raw partition is closed when its hour ended more than the lateness window ago. Its files that have
exactly the contract's schema are rewritten into as few files as the target size allows, named
``0-compacted-<hash of the source names>-<i>.parquet`` (the same sources always give the same names,
so a crashed compaction redone replaces rather than duplicates). The new files are published first
(rename locally, copy on S3), then the sources deleted: a reader globbing the raw zone may briefly see
both (the raw zone is at-least-once; curation deduplicates on event_id), never neither. Content is
unchanged: same rows, same columns and types.
"""

import hashlib
import math
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .lake_fs import LakeFs, new_id, open_fs
from .pipeline import DATASETS
from .raw_files import RawFile, has_exact_contract_schema, list_raw_partitions, parquet_rows
from .state import LocalLock

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

COMPACTED_FILE_PREFIX = "0-compacted-"
DEFAULT_MIN_FILES = 2


def _rows(fs: LakeFs, files: Iterable[RawFile]) -> int:
    return sum(parquet_rows(fs, f.key) for f in files)


def compact_raw(
    spark: "SparkSession",
    raw_root: str,
    datasets: Iterable[str] | None = None,
    lateness_hours: int = 48,
    target_file_size_bytes: int = 128 * 1024 * 1024,
    min_files: int = DEFAULT_MIN_FILES,
    clock: Callable[[], float] = time.time,
    log: Callable[[str], None] = print,
    fs: LakeFs | None = None,
) -> dict[str, Any]:
    """Compacts the closed raw partitions of ``raw_root``; returns files/bytes before and after."""
    fs = fs or open_fs(raw_root)
    now = datetime.fromtimestamp(clock(), tz=UTC)
    closed_before = (now - timedelta(hours=lateness_hours)).strftime("%Y-%m-%dT%H")
    run = f"{now.strftime('%Y%m%dT%H%M%S')}-{new_id()}"
    summary: dict[str, int] = {
        "partitions": 0,
        "filesBefore": 0,
        "filesAfter": 0,
        "bytesBefore": 0,
        "bytesAfter": 0,
        "rows": 0,
    }
    skipped: list[dict[str, str]] = []
    with LocalLock(fs, f"compaction {run}"):
        for d in datasets or DATASETS:
            for p in list_raw_partitions(fs, d):
                # The partition's hour must have ended before now - lateness.
                if p.hour >= closed_before or len(p.files) < min_files:
                    continue
                exact = []
                for f in p.files:
                    if has_exact_contract_schema(fs, d, f):
                        exact.append(f)
                    else:
                        skipped.append({"file": f.key, "reason": "not the contract's exact schema: left as is"})
                if len(exact) < min_files:
                    continue
                digest = hashlib.sha256("\n".join(f.name for f in exact).encode()).hexdigest()[:16]
                rows = _rows(fs, exact)
                size = sum(f.size for f in exact)
                n_files = max(1, math.ceil(size / target_file_size_bytes))
                staging = f"_tmp/compaction/{run}/{d}/dt={p.dt}/hr={p.hr}"
                df = spark.read.parquet(*[fs.uri(f.key) for f in exact])
                df.repartition(n_files).write.mode("errorifexists").option("compression", "snappy").parquet(
                    fs.uri(staging)
                )
                staged = [
                    (k, s)
                    for k, s, _m in fs.list_files(f"{staging}/")
                    if k.endswith(".parquet") and not k.rsplit("/", 1)[1].startswith(("_", "."))
                ]
                written_rows = spark.read.parquet(*[fs.uri(k) for k, _s in staged]).count() if staged else 0
                if written_rows != rows:
                    fs.delete_prefix(staging)
                    raise RuntimeError(
                        f"compaction of raw/{d}/dt={p.dt}/hr={p.hr} wrote {written_rows} rows, expected {rows}"
                    )
                folder = f"raw/{d}/dt={p.dt}/hr={p.hr}"
                for i, (k, s) in enumerate(sorted(staged)):
                    fs.publish(k, f"{folder}/{COMPACTED_FILE_PREFIX}{digest}-{i}.parquet")
                    summary["bytesAfter"] += s
                names = {f"{COMPACTED_FILE_PREFIX}{digest}-{i}.parquet" for i in range(len(staged))}
                for f in exact:
                    if f.name not in names:
                        fs.delete(f.key)
                fs.delete_prefix(staging)
                summary["partitions"] += 1
                summary["filesBefore"] += len(exact)
                summary["filesAfter"] += len(staged)
                summary["bytesBefore"] += size
                summary["rows"] += rows
                log(f"compacted raw/{d}/dt={p.dt}/hr={p.hr}: {len(exact)} files -> {len(staged)}")
        fs.delete_prefix(f"_tmp/compaction/{run}")
    return {**summary, "skippedFiles": skipped}
