"""Listing and checking raw Parquet files (mirror of rawFiles.ts)."""

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .bundle import contract_columns
from .lake_fs import LakeFs

_DT = re.compile(r"^dt=(\d{4}-\d{2}-\d{2})$")
_HR = re.compile(r"^hr=(\d{2})$")


@dataclass(frozen=True)
class RawFile:
    key: str
    name: str
    size: int


@dataclass(frozen=True)
class RawPartition:
    dt: str
    hr: str
    files: tuple[RawFile, ...]

    @property
    def hour(self) -> str:
        return f"{self.dt}T{self.hr}"

    @property
    def fingerprint(self) -> str:
        """Same hash as rawFiles.ts: names and sizes, so DuckDB and Spark runs share one state."""
        text = "\n".join(f"{f.name}\t{f.size}" for f in self.files)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def list_raw_partitions(fs: LakeFs, dataset: str, from_hour: str | None = None) -> list[RawPartition]:
    """Partitions ``raw/<dataset>/dt=*/hr=*/`` with their ``*.parquet`` files (``.``/``_`` names skipped)."""
    prefix = f"raw/{dataset}/"
    groups: dict[tuple[str, str], list[RawFile]] = {}
    from_dt = from_hour[:10] if from_hour else None
    for key, size, _mtime in fs.list_files(prefix):
        parts = key[len(prefix) :].split("/")
        if len(parts) != 3:
            continue
        dm, hm = _DT.match(parts[0]), _HR.match(parts[1])
        if not dm or not hm:
            continue
        dt, hr, name = dm.group(1), hm.group(1), parts[2]
        if from_dt and dt < from_dt:
            continue
        if from_hour and f"{dt}T{hr}" < from_hour:
            continue
        if name.endswith(".parquet") and not name.startswith((".", "_")):
            groups.setdefault((dt, hr), []).append(RawFile(key=key, name=name, size=size))
    return [
        RawPartition(dt=dt, hr=hr, files=tuple(sorted(fs_, key=lambda f: f.name)))
        for (dt, hr), fs_ in sorted(groups.items())
    ]


def _accepts(hive_type: str, col: Any) -> bool:
    physical = col.physical_type
    converted = "" if col.converted_type in (None, "NONE") else col.converted_type
    logical = col.logical_type
    logical_kind = getattr(logical, "type", "NONE")
    if hive_type == "string":
        return physical == "BYTE_ARRAY"
    if hive_type == "int":
        return physical == "INT32" and converted in ("", "INT_32")
    if hive_type == "bigint":
        return physical == "INT64" and converted in ("", "INT_64")
    if hive_type == "double":
        return physical == "DOUBLE"
    if hive_type == "float":
        return physical == "FLOAT"
    if hive_type == "boolean":
        return physical == "BOOLEAN"
    if hive_type == "timestamp":
        if physical == "INT96":
            return True
        if physical != "INT64":
            return False
        if logical_kind == "TIMESTAMP":
            info = json.loads(logical.to_json())
            return bool(info.get("isAdjustedToUTC")) and info.get("timeUnit") in ("milliseconds", "microseconds")
        return converted in ("TIMESTAMP_MILLIS", "TIMESTAMP_MICROS")
    return False


def _describe(col: Any) -> str:
    logical = getattr(col.logical_type, "type", "NONE")
    if logical not in ("NONE", None):
        return f"{col.physical_type} {col.logical_type.to_json()}"
    if col.converted_type not in (None, "NONE"):
        return f"{col.physical_type} {col.converted_type}"
    return str(col.physical_type)


def _columns(fs: LakeFs, key: str) -> list[Any]:
    import pyarrow.parquet as pq

    path, filesystem = fs.arrow_source(key)
    schema = pq.ParquetFile(path, filesystem=filesystem).schema
    return [schema.column(i) for i in range(len(schema))]


def parquet_rows(fs: LakeFs, key: str) -> int:
    """Rows of a Parquet file, from its footer."""
    import pyarrow.parquet as pq

    path, filesystem = fs.arrow_source(key)
    return int(pq.ParquetFile(path, filesystem=filesystem).metadata.num_rows)


def check_raw_files(
    fs: LakeFs, dataset: str, files: Iterable[RawFile]
) -> tuple[list[RawFile], set[str], list[dict[str, str]]]:
    """(usable files, contract columns present, skipped [{file, reason}]), from the footers only.

    Same decisions as checkRawFiles in rawFiles.ts: unreadable footer or a contract column with
    another type -> skipped; missing contract columns -> NULL; extra columns -> ignored.
    """
    contract = contract_columns(dataset)
    usable: list[RawFile] = []
    present: set[str] = set()
    skipped: list[dict[str, str]] = []
    for f in files:
        try:
            cols = _columns(fs, f.key)
        except Exception as err:  # noqa: BLE001 - any read failure means the file is unreadable
            skipped.append({"file": f.key, "reason": f"unreadable Parquet: {str(err).splitlines()[0]}"})
            continue
        by_name = {c.path.split(".")[0]: c for c in cols}
        wrong = [
            f"{c['name']} is {_describe(by_name[c['name']])}, contract says {c['type']}"
            for c in contract
            if c["name"] in by_name and not _accepts(c["type"], by_name[c["name"]])
        ]
        if wrong:
            skipped.append({"file": f.key, "reason": "column type mismatch: " + "; ".join(wrong)})
            continue
        usable.append(f)
        present.update(c["name"] for c in contract if c["name"] in by_name)
    return usable, present, skipped


def has_exact_contract_schema(fs: LakeFs, dataset: str, f: RawFile) -> bool:
    """True when the file has exactly the contract's columns, in order, with its types."""
    try:
        cols = _columns(fs, f.key)
    except Exception:  # noqa: BLE001
        return False
    contract = contract_columns(dataset)
    return len(cols) == len(contract) and all(
        col.path == c["name"] and _accepts(c["type"], col) for col, c in zip(cols, contract, strict=True)
    )


def unreadable(fs: LakeFs, files: Iterable[RawFile]) -> list[tuple[RawFile, str]]:
    """Files whose data pages fail to decode (full read with pyarrow), with the reason."""
    import pyarrow.parquet as pq

    bad = []
    for f in files:
        path, filesystem = fs.arrow_source(f.key)
        try:
            pq.read_table(path, filesystem=filesystem)
        except Exception as err:  # noqa: BLE001
            bad.append((f, str(err).splitlines()[0]))
    return bad
