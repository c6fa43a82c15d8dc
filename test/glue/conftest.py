"""Shared fixtures of the Glue tests: one local SparkSession for the whole run (Spark start-up is the
slow part on a 2-core machine), raw-file writers in the exact raw layout, and event factories that
mirror test/helpers/events.ts."""

import itertools
import os
import sys
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "glue"))
sys.path.insert(0, os.path.join(REPO, "glue", "jobs"))

from gridstream_glue.bundle import contract_columns
from gridstream_glue.manifest import manifest_files, read_manifest

T0 = int(datetime(2026, 11, 22, 12, tzinfo=UTC).timestamp() * 1000)
HOUR = 3_600_000
DAY = 24 * HOUR
_ids = itertools.count(1)
_files = itertools.count(1)


@pytest.fixture(scope="session")
def spark():
    from gridstream_glue.session import local_session

    session = local_session(app="gridstream-glue-tests", shuffle_partitions=1, small_data=True)
    yield session
    session.stop()


def event_id(prefix: str) -> str:
    return f"{prefix}-{os.getpid()}-{next(_ids)}"


def grid_event(**o) -> dict:
    e = {
        "event_id": event_id("grid"),
        "event_time": T0,
        "record_type": "SETTLEMENT_POINT_PRICE",
        "market": "RTM",
        "interval_minutes": 5,
        "load_zone": "LZ_HOUSTON",
        "settlement_point": "HB_HOUSTON",
        "settlement_point_type": "HUB",
        "lmp_usd_mwh": 42.5,
        "energy_usd_mwh": 40.1,
        "congestion_usd_mwh": 1.9,
        "loss_usd_mwh": 0.5,
        "load_mw": None,
        "wind_mw": None,
        "solar_mw": None,
        "gas_mw": None,
        "coal_mw": None,
        "nuclear_mw": None,
        "hydro_mw": None,
        "storage_mw": None,
        "other_mw": None,
        "source": "test",
        "producer_id": "test-producer",
        "produced_at": T0 + 1000,
    }
    # An LMP given alone keeps lmp = energy + congestion + loss (a quality rule): energy takes the rest.
    if o.get("lmp_usd_mwh") is not None and "energy_usd_mwh" not in o:
        e["energy_usd_mwh"] = round(o["lmp_usd_mwh"] - 1.9 - 0.5, 2)
    e.update(o)
    return e


def conditions_event(**o) -> dict:
    base = {
        "record_type": "SYSTEM_CONDITIONS",
        "settlement_point": None,
        "settlement_point_type": None,
        "lmp_usd_mwh": None,
        "energy_usd_mwh": None,
        "congestion_usd_mwh": None,
        "loss_usd_mwh": None,
        "load_mw": 10000.0,
        "wind_mw": 1000.0,
        "solar_mw": 500.0,
    }
    base.update(o)
    return grid_event(**base)


def weather_event(**o) -> dict:
    e = {
        "event_id": event_id("weather"),
        "event_time": T0,
        "record_type": "OBSERVATION",
        "location_id": "houston",
        "location_name": "Houston",
        "load_zone": "LZ_HOUSTON",
        "latitude_deg": 29.76,
        "longitude_deg": -95.37,
        "forecast_issued_at": None,
        "forecast_horizon_hours": None,
        "temperature_c": 24.5,
        "relative_humidity_pct": 70.0,
        "dew_point_c": 18.6,
        "wind_speed_mps": 4.2,
        "wind_direction_deg": 160.0,
        "shortwave_radiation_w_m2": 610.0,
        "cloud_cover_pct": 20.0,
        "precipitation_mm": 0.0,
        "source": "test",
        "producer_id": "test-producer",
        "produced_at": T0 + 1000,
    }
    e.update(o)
    return e


def trade_event(**o) -> dict:
    e = {
        "event_id": event_id("trade"),
        "event_time": T0,
        "trade_id": "T-1",
        "version": 1,
        "status": "NEW",
        "side": "BUY",
        "product": "HB_NORTH_RT_PEAK_5x16",
        "settlement_point": "HB_NORTH",
        "delivery_start": T0 + DAY,
        "delivery_end": T0 + 2 * DAY,
        "quantity_mwh": 400.0,
        "price_usd_mwh": 55.25,
        "counterparty": "CP-ALPHA",
        "book": "ERCOT-POWER",
        "trader": "trader-1",
        "venue": "ICE",
        "is_block": False,
        "source": "test",
        "producer_id": "test-producer",
        "produced_at": T0 + 1000,
    }
    e.update(o)
    return e


_ARROW = {
    "string": pa.string(),
    "int": pa.int32(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "float": pa.float32(),
    "boolean": pa.bool_(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}


def raw_file_name(dataset: str) -> str:
    """Delivery-like names: later calls sort later (the latest-ingest order)."""
    return f"gridstream-{dataset}-1-2026-11-22-12-00-00-shardId-000000000000-{next(_files):012d}.parquet"


def write_raw(lake: str, dataset: str, events, name: str | None = None, partition=None, drop=(), extra=None) -> list:
    """Writes events as raw Snappy Parquet in raw/<dataset>/dt=/hr=/ exactly like delivery (contract
    columns in schema order, UTC timestamps), one file per event-time hour."""
    cols = [c for c in contract_columns(dataset) if c["name"] not in drop]
    groups: dict = {}
    for e in events:
        if partition:
            key = partition
        else:
            t = datetime.fromtimestamp(e["event_time"] / 1000, tz=UTC)
            key = (t.strftime("%Y-%m-%d"), t.strftime("%H"))
        groups.setdefault(key, []).append(e)
    paths = []
    for (dt, hr), rows in groups.items():
        arrays, fields = [], []
        for c in cols:
            values = [r.get(c["name"]) for r in rows]
            if c["type"] == "timestamp":
                values = [None if v is None else datetime.fromtimestamp(v / 1000, tz=UTC) for v in values]
            arrays.append(pa.array(values, type=_ARROW[c["type"]]))
            fields.append(pa.field(c["name"], _ARROW[c["type"]]))
        for k, v in (extra or {}).items():
            arrays.append(pa.array([v] * len(rows)))
            fields.append(pa.field(k, arrays[-1].type))
        folder = os.path.join(lake, "raw", dataset, f"dt={dt}", f"hr={hr}")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, name or raw_file_name(dataset))
        pq.write_table(pa.Table.from_arrays(arrays, schema=pa.schema(fields)), path, compression="snappy")
        paths.append(path)
    return paths


def read_table(lake: str, zone: str, table: str, where=None) -> list:
    """Rows of a published table (its manifest's files), dt added, sorted; timestamps as epoch ms."""
    from gridstream_glue.lake_fs import LocalFs

    fs = LocalFs(lake)
    key = f"{zone}/{table}"
    rows = []
    for dt, files in manifest_files(fs, key, read_manifest(fs, key)).items():
        for f in files:
            for raw in pq.read_table(f).to_pylist():
                r = {k: (int(v.timestamp() * 1000) if isinstance(v, datetime) else v) for k, v in raw.items()}
                r["dt"] = dt
                if where is None or where(r):
                    rows.append(r)
    return sorted(rows, key=lambda r: repr(sorted(r.items())))
