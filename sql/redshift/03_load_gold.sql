-- Loads the recently changed days of the gold tables from Spectrum (run after each curation job,
-- e.g. from the Redshift query scheduler). INSERT ... SELECT from Spectrum rather than COPY FROM
-- PARQUET: (1) dt is a partition folder, not a column of the files, and Spectrum returns it as a
-- column (a DATE: the Glue tables declare dt date, see sql/athena/ddl); (2) a table's prefix holds
-- superseded version folders for a while, and only the catalog
-- knows which folder is current: COPY of the prefix would load old versions too.
-- Each table is replaced day by day inside one transaction: readers see the old or the new days.
-- The window (3 days) covers late data; widen it after a backfill.
BEGIN;

DELETE FROM gold.grid_weather_hourly
WHERE dt >= TRUNC(DATEADD(day, -3, GETDATE()));
INSERT INTO gold.grid_weather_hourly
SELECT
  hour_start, hr, load_zone, load_mw, wind_mw, solar_mw, avg_lmp_usd_mwh, min_lmp_usd_mwh, max_lmp_usd_mwh,
  price_intervals, spike_intervals, temperature_c, relative_humidity_pct, wind_speed_mps,
  shortwave_radiation_w_m2, weather_observations, dt
FROM lake.gold_grid_weather_hourly
WHERE dt >= TRUNC(DATEADD(day, -3, GETDATE()));

-- Positions change for any delivery day a trade covers (amendments, cancellations): reload all
-- delivery days from 3 days back on, including the future ones.
DELETE FROM gold.trading_positions_daily
WHERE dt >= TRUNC(DATEADD(day, -3, GETDATE()));
INSERT INTO gold.trading_positions_daily
SELECT
  book, product, net_mwh, bought_mwh, sold_mwh, gross_mwh, vwap_usd_mwh, notional_usd, trade_count,
  dt
FROM lake.gold_trading_positions_daily
WHERE dt >= TRUNC(DATEADD(day, -3, GETDATE()));

DELETE FROM gold.daily_market_summary
WHERE dt >= TRUNC(DATEADD(day, -3, GETDATE()));
INSERT INTO gold.daily_market_summary
SELECT
  min_lmp_usd_mwh, avg_lmp_usd_mwh, max_lmp_usd_mwh, price_intervals, spike_intervals, peak_load_mw,
  traded_mwh, traded_notional_usd, trades, dt
FROM lake.gold_daily_market_summary
WHERE dt >= TRUNC(DATEADD(day, -3, GETDATE()));

COMMIT;

-- Keep the sort order and statistics fresh for the dashboards.
ANALYZE gold.grid_weather_hourly;
ANALYZE gold.trading_positions_daily;
ANALYZE gold.daily_market_summary;
