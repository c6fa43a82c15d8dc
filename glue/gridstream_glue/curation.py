"""Curation on Spark: runs the pipeline of sql/curated with runCuration's semantics on DuckDB.

Each step's SQL comes rendered for Spark from sql/curated/pipeline.rendered.json (see bundle.py); this
module only orchestrates: which dts to curate, the steps in order, writing and publishing.

Differences from the DuckDB runner are only in execution: an aligned step processes all its dts in one
Spark job (DuckDB loops over them to bound memory) and file sizes come from ``maxRecordsPerFile``
(estimated from the input's bytes per row) instead of DuckDB's FILE_SIZE_BYTES.
"""

import time
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .bundle import contract_columns
from .catalog import GlueCatalog
from .errors import PipelineDefinitionError, StepFailedError
from .lake_fs import LakeFs, new_id, open_fs
from .manifest import (
    MANIFEST_FORMAT,
    VERSIONS_DIR,
    collect_garbage,
    iso,
    manifest_files,
    read_manifest,
    write_manifest,
)
from .pipeline import DATASETS, Pipeline, Step, load_pipeline, raw_input_dataset
from .raw_files import RawFile, check_raw_files, list_raw_partitions, parquet_rows, unreadable
from .state import LocalLock, detect_changes, read_state, shift_hour, write_state

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# {dt: manifest partition entry, or None when the dt is emptied}
Written = dict[str, dict[str, Any] | None]

DEFAULT_TARGET_FILE_SIZE_BYTES = 128 * 1024 * 1024
DEFAULT_LATENESS_HOURS = 48
DEFAULT_RETENTION_SECONDS = 15 * 60
# Parquet bytes per row assumed for gold tables (their input is another table, not raw files).
DEFAULT_BYTES_PER_ROW = 64
PARTITION_KEYS = [{"name": "dt", "type": "string", "comment": "UTC date, yyyy-MM-dd"}]


def ddl_of(columns: list[dict[str, str]]) -> str:
    """A Spark DDL schema string of Hive columns: Hive type names are Spark SQL type names."""
    return ", ".join(f"`{c['name']}` {c['type']}" for c in columns)


def make_run_id(now: float) -> str:
    """Sorts by start time, like makeRunId in runCuration.ts."""
    stamp = datetime.fromtimestamp(now, tz=UTC).strftime("%Y%m%dT%H%M%S") + f"{int(now * 1000) % 1000:03d}Z"
    return f"{stamp}-{new_id()}"


class SparkCurationRun:
    """One curation run: changed raw dts -> curated and gold partitions, published by manifest switch."""

    def __init__(
        self,
        spark: "SparkSession",
        pipeline: Pipeline,
        raw_fs: LakeFs,
        out_fs: LakeFs,
        run_id: str,
        target_file_size_bytes: int,
        clock: Callable[[], float],
        log: Callable[[str], None],
        catalog: GlueCatalog | None = None,
    ) -> None:
        self.spark = spark
        self.pipeline = pipeline
        self.raw_fs = raw_fs
        self.out_fs = out_fs
        self.run_id = run_id
        self.target = target_file_size_bytes
        self.clock = clock
        self.log = log
        self.catalog = catalog
        # Changed dts by relation (raw_<dataset> or step name).
        self.changed: dict[str, set[str]] = {}
        self.datasets: dict[str, dict[str, Any]] = {}
        self.tables: dict[str, dict[str, Any]] = {}
        self.skipped: list[dict[str, str]] = []
        self.bytes_per_row: dict[str, int] = {}

    # ---- inputs -------------------------------------------------------------------------------

    def _raw_files(self, dataset: str, dts: Collection[str] | None) -> list[RawFile]:
        from_hour = f"{min(dts)}T00" if dts else None
        return [
            f
            for p in list_raw_partitions(self.raw_fs, dataset, from_hour)
            if dts is None or p.dt in dts
            for f in p.files
        ]

    def _register_raw(
        self, dataset: str, dts: Collection[str] | None, exclude: Collection[str] = frozenset()
    ) -> tuple[list[RawFile], int]:
        from pyspark.sql import functions as F

        counters = self.datasets[dataset]
        files = [f for f in self._raw_files(dataset, dts) if f.key not in exclude]
        usable, _present, skipped = check_raw_files(self.raw_fs, dataset, files)
        for s in skipped:
            counters["skipped"].append(s)
            self.skipped.append(s)
            self.log(f"raw_{dataset}: skipped {s['file']}: {s['reason']}")
        schema = ddl_of(contract_columns(dataset))
        if usable:
            # An explicit schema reads missing contract columns as NULL and ignores extra ones.
            df = self.spark.read.schema(schema).parquet(*[self.raw_fs.uri(f.key) for f in usable])
            df = df.withColumn("ingest_path", F.input_file_name())
        else:
            df = self.spark.createDataFrame([], f"{schema}, `ingest_path` string")
        df.createOrReplaceTempView(f"raw_{dataset}")
        size = sum(f.size for f in usable)
        return usable, size

    def _table_key(self, step: Step) -> str:
        return f"{step.zone}/{step.table_name}"

    def _schema(self, step: Step) -> dict[str, Any]:
        s = self.pipeline.tables.get(step.name)
        if s is None:
            raise PipelineDefinitionError(f"tables.json has no schema for {step.name}")
        return s

    def _table_df(self, step: Step, dts: Collection[str] | None) -> "DataFrame":
        """A published table restricted to ``dts`` (None: whole), dt read from the folder names."""
        from pyspark.sql import functions as F

        schema = self._schema(step)
        key = self._table_key(step)
        by_dt = manifest_files(self.out_fs, key, read_manifest(self.out_fs, key), dts)
        data_schema = ddl_of(schema["columns"])
        frames = []
        for dt, files in by_dt.items():
            if files:
                frames.append(self.spark.read.schema(data_schema).parquet(*files).withColumn("dt", F.lit(dt)))
        if not frames:
            return self.spark.createDataFrame([], ddl_of(schema["columns"] + schema["partitionKeys"]))
        df = frames[0]
        for f in frames[1:]:
            df = df.unionByName(f)
        return df

    def _register_inputs(self, step: Step, dts: Collection[str] | None) -> None:
        for name in step.inputs:
            if raw_input_dataset(name):
                continue
            source = next(s for s in self.pipeline.steps if s.name == name)
            if source.table:
                self._table_df(source, dts).createOrReplaceTempView(name)

    # ---- steps ----------------------------------------------------------------------------------

    def run(self, raw_changes: dict[str, set[str]]) -> None:
        for d, dts in raw_changes.items():
            if dts:
                self.changed[f"raw_{d}"] = set(dts)
                self.datasets[d] = {"dts": set(dts), "files": 0, "rows": 0, "checked": 0, "skipped": []}
        steps = self.pipeline.steps
        i = 0
        while i < len(steps):
            step = steps[i]
            if step.table:
                self._run_group(None, [step])
                i += 1
                continue
            readers = []
            j = i + 1
            while j < len(steps) and step.name in steps[j].inputs:
                readers.append(steps[j])
                j += 1
            self._run_group(step, readers)
            i = j

    def _run_group(self, working: Step | None, tables: list[Step]) -> None:
        triggers = set(working.inputs if working else [])
        for t in tables:
            triggers.update(x for x in t.inputs if not working or x != working.name)
        target: set[str] = set()
        for name in triggers:
            target |= self.changed.get(name, set())
        if not target:
            for t in tables:
                self.changed[t.name] = set()
            return
        mode = working.mode if working else tables[0].mode
        dts = target if mode == "aligned" else None
        working_df = None
        if working:
            working_df = self._materialize(working, dts)
        for t in tables:
            self._register_inputs(t, dts)
            df = self.spark.sql(t.sql)
            self._check_schema(t, df)
            if mode == "aligned":
                counts = {r["dt"]: r["count"] for r in df.groupBy("dt").count().collect()}
                stray = {k: v for k, v in counts.items() if k not in target}
                if stray:
                    raise StepFailedError(t.name, f"produced rows for dt {stray} while curating dt {sorted(target)}")
                written = self._write(t, df, sorted(target), counts)
            else:
                written = self._write_changed(t, df)
            self._publish(t, written)
        if working_df is not None:
            working_df.unpersist()

    def _materialize(self, working: Step, dts: Collection[str] | None) -> "DataFrame":
        dataset = next((raw_input_dataset(x) for x in working.inputs if raw_input_dataset(x)), None)
        sql = working.sql
        if dataset is None:
            self._register_inputs(working, dts)
            df = self.spark.sql(sql).persist()
            df.count()
            df.createOrReplaceTempView(working.name)
            return df
        usable, size = self._register_raw(dataset, dts)
        df = self.spark.sql(sql).persist()
        try:
            checked = df.count()
        except Exception as err:  # a data page that fails to decode shows only when read
            df.unpersist()
            bad = unreadable(self.raw_fs, usable)
            if not bad:
                raise StepFailedError(working.name, str(err).splitlines()[0]) from err
            counters = self.datasets[dataset]
            for f, reason in bad:
                s = {"file": f.key, "reason": f"unreadable Parquet data: {reason}"}
                counters["skipped"].append(s)
                self.skipped.append(s)
                self.log(f"{working.name}: skipped {s['file']}: {s['reason']}")
            usable, size = self._register_raw(dataset, dts, exclude={f.key for f, _r in bad})
            df = self.spark.sql(sql).persist()
            checked = df.count()
        df.createOrReplaceTempView(working.name)
        raw_rows = self.spark.table(f"raw_{dataset}").count()
        counters = self.datasets[dataset]
        counters["files"] += len(usable)
        counters["rows"] += raw_rows
        counters["checked"] += checked
        if raw_rows > 0:
            self.bytes_per_row[working.name] = max(1, size // raw_rows)
        return df

    def _check_schema(self, step: Step, df: "DataFrame") -> None:
        got = ", ".join(f"{f.name}:{f.dataType.simpleString()}" for f in df.schema.fields)
        s = self._schema(step)
        want = ", ".join(f"{c['name']}:{c['type']}" for c in s["columns"] + s["partitionKeys"])
        if got != want:
            raise PipelineDefinitionError(f"{step.sql} returns ({got}) on Spark but tables.json says ({want})")

    def _write_changed(self, step: Step, df: "DataFrame") -> Written:
        """Full mode: writes only the dts whose rows differ from the published table."""
        s = self._schema(step)
        cols = [c["name"] for c in s["columns"] + s["partitionKeys"]]
        new = df.select(*cols).persist()
        cur = self._table_df(step, None).select(*cols)
        diff = new.exceptAll(cur).unionAll(cur.exceptAll(new)).select("dt").distinct().collect()
        dts = sorted(r["dt"] for r in diff)
        counts = {r["dt"]: r["count"] for r in new.groupBy("dt").count().collect()}
        written = self._write(step, new, dts, counts)
        new.unpersist()
        return written

    def _write(self, step: Step, df: "DataFrame", dts: Iterable[str], counts: dict[str, int]) -> Written:
        """Writes the dts with rows into versions/<runId>/dt=<dt>/; returns {dt: entry or None}."""
        from pyspark.sql import functions as F

        written = dict.fromkeys(dts)
        with_rows = [dt for dt in dts if counts.get(dt, 0) > 0]
        if not with_rows:
            return written
        schema = self._schema(step)
        key = self._table_key(step)
        root = f"{key}/{VERSIONS_DIR}/{self.run_id}"
        bytes_per_row = next(
            (self.bytes_per_row[i] for i in step.inputs if i in self.bytes_per_row), DEFAULT_BYTES_PER_ROW
        )
        records_per_file = max(1000, self.target // bytes_per_row)
        out = df.filter(F.col("dt").isin(with_rows)).select(*[c["name"] for c in schema["columns"]], "dt")
        out = out.repartition("dt")
        if step.sort_by:
            out = out.sortWithinPartitions(*step.sort_by)
        (
            out.write.mode("errorifexists")
            .option("maxRecordsPerFile", records_per_file)
            .option("compression", "snappy")
            .partitionBy("dt")
            .parquet(self.out_fs.uri(root))
        )
        files_by_dt: dict[str, list[dict[str, Any]]] = {}
        for k, size, _m in self.out_fs.list_files(f"{root}/"):
            parts = k[len(root) + 1 :].split("/")
            if (
                len(parts) == 2
                and parts[0].startswith("dt=")
                and parts[1].endswith(".parquet")
                and not parts[1].startswith(("_", "."))
            ):
                # Rows per file from the footer, as DuckDB's COPY ... RETURN_STATS gives them.
                rows = parquet_rows(self.out_fs, k)
                files_by_dt.setdefault(parts[0][3:], []).append({"name": parts[1], "bytes": size, "rows": rows})
        for dt in with_rows:
            files = sorted(files_by_dt.get(dt, []), key=lambda f: f["name"])
            in_files = sum(f["rows"] for f in files)
            if in_files != counts[dt]:
                raise StepFailedError(step.name, f"wrote {in_files} rows for dt {dt}, expected {counts[dt]}")
            written[dt] = {
                "location": f"{VERSIONS_DIR}/{self.run_id}/dt={dt}",
                "files": files,
                "rows": int(counts[dt]),
                "bytes": sum(f["bytes"] for f in files),
            }
        return written

    def _publish(self, step: Step, all_written: Written) -> None:
        key = self._table_key(step)
        old = read_manifest(self.out_fs, key)
        old_parts = (old or {}).get("partitions", {})
        written = {dt: e for dt, e in all_written.items() if e is not None or dt in old_parts}
        self.changed[step.name] = set(written)
        if not written:
            return
        now = iso(self.clock())
        partitions = dict(old_parts)
        superseded = list((old or {}).get("superseded", []))
        for dt, entry in written.items():
            if dt in partitions:
                superseded.append({"location": partitions[dt]["location"], "since": now})
            if entry is None:
                partitions.pop(dt, None)
            else:
                partitions[dt] = entry
        schema = self._schema(step)
        manifest = {
            "format": MANIFEST_FORMAT,
            "table": key,
            "version": (old or {}).get("version", 0) + 1,
            "runId": self.run_id,
            "publishedAt": now,
            "engine": "spark",
            "columns": schema["columns"],
            "partitionKeys": PARTITION_KEYS,
            "partitions": partitions,
            "superseded": superseded,
        }
        write_manifest(self.out_fs, key, manifest)
        if self.catalog is not None:
            self.catalog.publish(step, self.out_fs, key, written)
        entries = [e for e in written.values() if e is not None]
        self.tables[step.name] = {
            "dts": sorted(written),
            "rows": sum(e["rows"] for e in entries),
            "files": sum(len(e["files"]) for e in entries),
            "bytes": sum(e["bytes"] for e in entries),
            "version": manifest["version"],
        }
        self.log(f"{step.name}: published version {manifest['version']}: {len(written)} dt partition(s)")


def run_curation(
    spark: "SparkSession",
    raw_root: str,
    out_root: str | None = None,
    datasets: Iterable[str] | None = None,
    since: str | None = None,
    full: bool = False,
    target_file_size_bytes: int = DEFAULT_TARGET_FILE_SIZE_BYTES,
    lateness_hours: int = DEFAULT_LATENESS_HOURS,
    retention_seconds: float = DEFAULT_RETENTION_SECONDS,
    clock: Callable[[], float] = time.time,
    log: Callable[[str], None] = print,
    catalog: GlueCatalog | None = None,
    raw_fs: LakeFs | None = None,
    out_fs: LakeFs | None = None,
) -> dict[str, Any]:
    """Curates the raw zone under ``raw_root`` into ``out_root`` (curated/, gold/) on Spark.

    Incremental like runCuration: the raw dt partitions changed since the last run (state in
    ``out_root/curated/_state/``, shared with the DuckDB runner) within the lateness window, or every
    dt >= ``since``, or everything with ``full``. Each affected partition of each table is replaced
    (dynamic partition overwrite) by writing a new version folder and switching the table's manifest;
    with ``catalog`` the Glue partitions are repointed too (see catalog.py).

    Returns a summary dict: runId, datasets, tables, skippedFiles.
    """
    raw_fs = raw_fs or open_fs(raw_root)
    out_fs = out_fs or open_fs(out_root or raw_root)
    pipeline = load_pipeline()
    started = clock()
    run_id = make_run_id(started)
    selected = list(datasets or DATASETS)
    for d in selected:
        if d not in DATASETS:
            raise ValueError(f"unknown dataset {d!r}: one of {', '.join(DATASETS)}")
    with LocalLock(out_fs, f"curation {run_id}"):
        changes, states = {}, []
        for d in selected:
            state = read_state(out_fs, d)
            from_hour = None if full or state["watermark"] is None else shift_hour(state["watermark"], -lateness_hours)
            if from_hour is not None and since is not None and f"{since}T00" < from_hour:
                from_hour = f"{since}T00"
            partitions = list_raw_partitions(raw_fs, d, from_hour)
            dts, nxt = detect_changes(state, partitions, from_hour, since, full, lateness_hours, iso(clock()))
            changes[d] = dts
            states.append(nxt)
            if dts:
                log(f"raw_{d}: {len(dts)} dt partition(s) to curate")
        run = SparkCurationRun(spark, pipeline, raw_fs, out_fs, run_id, target_file_size_bytes, clock, log, catalog)
        run.run(changes)
        for step in pipeline.steps:
            if not step.table:
                continue
            key = f"{step.zone}/{step.table_name}"
            m = read_manifest(out_fs, key)
            if m is None:
                continue
            gc, _removed = collect_garbage(out_fs, key, m, clock(), retention_seconds)
            if len(gc["superseded"]) != len(m.get("superseded", [])):
                write_manifest(out_fs, key, gc)
        for s in states:
            write_state(out_fs, s)
    return {
        "runId": run_id,
        "durationSeconds": clock() - started,
        "datasets": {
            d: {
                "dts": sorted(c["dts"]),
                "files": c["files"],
                "rows": c["rows"],
                "duplicates": c["rows"] - c["checked"],
                "skippedFiles": c["skipped"],
            }
            for d, c in run.datasets.items()
        },
        "tables": run.tables,
        "skippedFiles": run.skipped,
    }
