-- Native copies of the gold tables for dashboards (sub-second, no per-query S3 scan). Columns are
-- those of sql/curated/tables.json (a test checks it) plus dt as a DATE: in the lake dt is only a
-- partition folder, not a column inside the Parquet files. Prices and money are DECIMAL as in the lake
-- (prices DECIMAL(12,2), amounts DECIMAL(18,2), energy DECIMAL(18,3)), so sums stay exact to the cent.
CREATE SCHEMA IF NOT EXISTS gold;

-- One row per load zone and hour: a few hundred thousand rows a year. DISTSTYLE ALL: small enough to
-- copy to every node, so joins with the other gold tables on dt never redistribute. Compound sort on
-- (hour_start, load_zone): dashboards read a time window (zone maps skip older blocks), then one zone.
CREATE TABLE IF NOT EXISTS gold.grid_weather_hourly (
  hour_start TIMESTAMP NOT NULL,
  hr CHAR(2) NOT NULL,
  load_zone VARCHAR(32) NOT NULL,
  load_mw DOUBLE PRECISION,
  wind_mw DOUBLE PRECISION,
  solar_mw DOUBLE PRECISION,
  avg_lmp_usd_mwh DECIMAL(12,2),
  min_lmp_usd_mwh DECIMAL(12,2),
  max_lmp_usd_mwh DECIMAL(12,2),
  price_intervals BIGINT,
  spike_intervals BIGINT,
  temperature_c DOUBLE PRECISION,
  relative_humidity_pct DOUBLE PRECISION,
  wind_speed_mps DOUBLE PRECISION,
  shortwave_radiation_w_m2 DOUBLE PRECISION,
  weather_observations BIGINT,
  dt DATE NOT NULL
)
DISTSTYLE ALL
COMPOUND SORTKEY (hour_start, load_zone);

-- Books x products x delivery days: the largest gold table (millions of rows over years). DISTSTYLE
-- EVEN: there is no join partner big enough to co-locate with (the summary is ALL), and book or
-- product keys would skew (a few books hold most trades). Compound sort on (dt, book, product):
-- position queries always restrict delivery days, then group by book and product.
CREATE TABLE IF NOT EXISTS gold.trading_positions_daily (
  book VARCHAR(64) NOT NULL,
  product VARCHAR(128) NOT NULL,
  net_mwh DECIMAL(18,3),
  bought_mwh DECIMAL(18,3),
  sold_mwh DECIMAL(18,3),
  gross_mwh DECIMAL(18,3),
  vwap_usd_mwh DECIMAL(12,2),
  notional_usd DECIMAL(18,2),
  trade_count BIGINT,
  dt DATE NOT NULL
)
DISTSTYLE EVEN
COMPOUND SORTKEY (dt, book, product);

-- One row per day. DISTSTYLE ALL (tiny, joined to everything on dt), sorted by dt.
CREATE TABLE IF NOT EXISTS gold.daily_market_summary (
  min_lmp_usd_mwh DECIMAL(12,2),
  avg_lmp_usd_mwh DECIMAL(12,2),
  max_lmp_usd_mwh DECIMAL(12,2),
  price_intervals BIGINT,
  spike_intervals BIGINT,
  peak_load_mw DOUBLE PRECISION,
  traded_mwh DECIMAL(18,3),
  traded_notional_usd DECIMAL(18,2),
  trades BIGINT,
  dt DATE NOT NULL
)
DISTSTYLE ALL
SORTKEY (dt);
