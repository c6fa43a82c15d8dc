"""Curation on Spark (gridstream_glue.curation): dedup, quarantine, trades, gold, late data, idempotency."""

import json
import os
from decimal import Decimal

import pytest

from conftest import DAY, HOUR, T0, conditions_event, grid_event, read_table, trade_event, weather_event, write_raw
from gridstream_glue.curation import run_curation
from gridstream_glue.lake_fs import LocalFs
from gridstream_glue.manifest import read_manifest

MIN = 60_000


@pytest.fixture(scope="module")
def lake(tmp_path_factory, spark):
    root = str(tmp_path_factory.mktemp("lake"))
    p1 = grid_event(lmp_usd_mwh=50.0)
    write_raw(root, "grid", [p1, grid_event(event_time=T0 + 5 * MIN, lmp_usd_mwh=1200.0)])
    # Re-delivered later with a later produced_at and a corrected price: this copy wins.
    write_raw(
        root, "grid", [{**p1, "lmp_usd_mwh": 51.0, "energy_usd_mwh": 48.6, "produced_at": p1["produced_at"] + 1000}]
    )
    # Re-delivered later with an earlier produced_at: loses despite the later file.
    write_raw(root, "grid", [{**p1, "lmp_usd_mwh": 49.0, "produced_at": p1["produced_at"] - 1000}])
    write_raw(
        root,
        "grid",
        [
            grid_event(event_time=T0 + 5 * MIN, settlement_point="LZ_HOUSTON", lmp_usd_mwh=60.0),
            grid_event(market="DAM", interval_minutes=60, lmp_usd_mwh=30.0),
            conditions_event(load_mw=10000.0),
            conditions_event(event_time=T0 + 5 * MIN, load_mw=11000.0),
            grid_event(event_id="bad-lmp", lmp_usd_mwh=6000.0),
        ],
    )
    with open(os.path.join(root, "raw/grid/dt=2026-11-22/hr=12/corrupt.parquet"), "w") as f:
        f.write("not parquet")
    write_raw(
        root,
        "weather",
        [
            weather_event(temperature_c=20.0),
            weather_event(location_id="katy", temperature_c=22.0),
            weather_event(
                record_type="FORECAST", forecast_issued_at=T0 - HOUR, forecast_horizon_hours=1, temperature_c=99.0 - 60
            ),
        ],
    )
    write_raw(root, "transactions", [trade_event(trade_id="T-1"), trade_event(trade_id="T-3", side="SELL")])
    write_raw(
        root,
        "transactions",
        [
            trade_event(
                trade_id="T-1",
                version=2,
                status="AMEND",
                event_time=T0 + 13 * HOUR,
                quantity_mwh=480.0,
                price_usd_mwh=56.0,
            )
        ],
    )
    write_raw(
        root,
        "transactions",
        [
            trade_event(
                trade_id="T-2",
                side="SELL",
                product="HB_HOUSTON_DA_OFFPEAK_7x8",
                delivery_start=T0 + 2 * DAY - 12 * HOUR,
                delivery_end=T0 + 2 * DAY - 6 * HOUR,
                quantity_mwh=100.0,
                price_usd_mwh=40.0,
            ),
            trade_event(trade_id="T-3", version=2, status="CANCEL", side="SELL", event_time=T0 + 30 * MIN),
        ],
    )
    summary = run_curation(spark, root, target_file_size_bytes=1024 * 1024, log=lambda m: None)
    return root, summary


def test_dedup_keeps_the_latest_ingest(lake):
    root, summary = lake
    rows = read_table(
        root, "curated", "grid", lambda r: r["record_type"] == "SETTLEMENT_POINT_PRICE" and r["market"] == "RTM"
    )
    assert sorted(r["lmp_usd_mwh"] for r in rows) == [51.0, 60.0, 1200.0]
    assert summary["datasets"]["grid"]["duplicates"] == 2


def test_rows_failing_a_rule_are_quarantined_with_its_name(lake):
    root, _ = lake
    [q] = read_table(root, "curated", "grid_quarantine")
    assert (q["event_id"], q["dq_rule"], q["dq_rules"], q["raw_hr"], q["dt"]) == (
        "bad-lmp",
        "lmp_within_ercot_band",
        "lmp_within_ercot_band",
        "12",
        "2026-11-22",
    )
    assert q["ingest_file"].endswith(".parquet")
    assert q["dq_reason"] == "LMP outside ERCOT's band (-250 to 5000 $/MWh)"


def test_a_corrupt_file_is_skipped_by_name_and_the_rest_curated(lake):
    _, summary = lake
    assert [s["file"] for s in summary["skippedFiles"]] == ["raw/grid/dt=2026-11-22/hr=12/corrupt.parquet"]
    assert "unreadable Parquet" in summary["skippedFiles"][0]["reason"]


def test_trade_life_cycle(lake):
    root, _ = lake
    trades = {r["trade_id"]: r for r in read_table(root, "curated", "transactions")}
    assert (trades["T-1"]["version"], trades["T-1"]["status"], trades["T-1"]["version_count"], trades["T-1"]["dt"]) == (
        2,
        "AMEND",
        2,
        "2026-11-23",
    )
    assert trades["T-3"]["is_cancelled"] is True
    assert trades["T-3"]["status"] == "CANCEL"
    assert trades["T-2"]["is_cancelled"] is False
    # Money and energy are DECIMAL: the amended price and quantity to the cent and kWh.
    assert (trades["T-1"]["price_usd_mwh"], trades["T-1"]["quantity_mwh"]) == (Decimal("56.00"), Decimal("480.000"))


def test_gold_grid_weather_hourly(lake):
    root, _ = lake
    [h] = read_table(root, "gold", "grid_weather_hourly")
    assert (h["load_zone"], h["hr"], h["hour_start"]) == ("LZ_HOUSTON", "12", T0)
    assert (h["price_intervals"], h["spike_intervals"], h["min_lmp_usd_mwh"], h["max_lmp_usd_mwh"]) == (
        3,
        1,
        51.0,
        1200.0,
    )
    # Prices are DECIMAL(12,2): the average is exact to the cent, (51 + 60 + 1200) / 3 = 437.00.
    assert h["avg_lmp_usd_mwh"] == Decimal("437.00")
    assert (h["load_mw"], h["wind_mw"], h["solar_mw"]) == (10500.0, 1000.0, 500.0)
    assert (h["temperature_c"], h["weather_observations"]) == (21.0, 2)


def test_gold_trading_positions_split_over_delivery_days(lake):
    root, _ = lake
    rows = {(r["dt"], r["product"]): r for r in read_table(root, "gold", "trading_positions_daily")}
    assert sorted(rows) == [
        ("2026-11-23", "HB_NORTH_RT_PEAK_5x16"),
        ("2026-11-24", "HB_HOUSTON_DA_OFFPEAK_7x8"),
        ("2026-11-24", "HB_NORTH_RT_PEAK_5x16"),
    ]
    # T-1 (amended to 480 MWh at 56) delivers 12:00 on the 23rd to 12:00 on the 24th: half each day.
    north = rows[("2026-11-23", "HB_NORTH_RT_PEAK_5x16")]
    assert (
        north["net_mwh"],
        north["gross_mwh"],
        north["vwap_usd_mwh"],
        north["notional_usd"],
        north["trade_count"],
    ) == (
        240.0,
        240.0,
        56.0,
        240.0 * 56,
        1,
    )
    houston = rows[("2026-11-24", "HB_HOUSTON_DA_OFFPEAK_7x8")]
    assert (houston["net_mwh"], houston["sold_mwh"], houston["bought_mwh"]) == (-100.0, 100.0, 0.0)


def test_gold_daily_market_summary(lake):
    root, _ = lake
    days = {r["dt"]: r for r in read_table(root, "gold", "daily_market_summary")}
    assert sorted(days) == ["2026-11-22", "2026-11-23", "2026-11-24"]
    d = days["2026-11-22"]
    assert (
        d["min_lmp_usd_mwh"],
        d["max_lmp_usd_mwh"],
        d["price_intervals"],
        d["spike_intervals"],
        d["peak_load_mw"],
    ) == (
        51.0,
        1200.0,
        3,
        1,
        10500.0,
    )
    assert (days["2026-11-23"]["traded_mwh"], days["2026-11-24"]["traded_mwh"], days["2026-11-24"]["trades"]) == (
        240.0,
        340.0,
        2,
    )


def test_publish_protocol_manifest_and_state(lake):
    root, summary = lake
    m = read_manifest(LocalFs(root), "curated/grid")
    assert m is not None
    assert (m["engine"], m["table"]) == ("spark", "curated/grid")
    part = m["partitions"]["2026-11-22"]
    assert part["location"] == f"versions/{summary['runId']}/dt=2026-11-22"
    assert all(os.path.exists(os.path.join(root, "curated/grid", part["location"], f["name"])) for f in part["files"])
    with open(os.path.join(root, "curated/_state/grid.json")) as f:
        state = json.load(f)
    assert state["watermark"] == "2026-11-22T12"
    assert list(state["partitions"]) == ["2026-11-22T12"]


def test_idempotent_and_late_data(lake, spark):
    root, _ = lake
    tables = [
        ("curated", "grid"),
        ("curated", "transactions"),
        ("gold", "grid_weather_hourly"),
        ("gold", "daily_market_summary"),
    ]
    before = {t: read_table(root, *t) for t in tables}
    # Nothing changed: nothing is republished.
    assert run_curation(spark, root, log=lambda m: None)["tables"] == {}
    # Forced: the same rows; full-mode tables see no difference and are not republished.
    forced = run_curation(spark, root, full=True, log=lambda m: None)
    assert "curated_grid" in forced["tables"]
    assert "curated_transactions" not in forced["tables"]
    assert {t: read_table(root, *t) for t in tables} == before
    # Late data for an already-curated hour is merged on the next run, that dt only.
    write_raw(root, "grid", [grid_event(event_time=T0 + 10 * MIN, lmp_usd_mwh=2000.0)])
    late = run_curation(spark, root, log=lambda m: None)
    assert late["datasets"]["grid"]["dts"] == ["2026-11-22"]
    assert sorted(late["tables"]) == [
        "curated_grid",
        "curated_grid_quarantine",
        "gold_daily_market_summary",
        "gold_grid_weather_hourly",
    ]
    [h] = read_table(root, "gold", "grid_weather_hourly")
    assert (h["price_intervals"], h["spike_intervals"], h["max_lmp_usd_mwh"]) == (4, 2, 2000.0)
