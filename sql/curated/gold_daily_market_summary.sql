-- gold_daily_market_summary: one row per UTC day (dt) with grid or trading data.
--   min/avg/max_lmp_usd_mwh  over every real-time market (RTM) settlement-point price of the day,
--                            DECIMAL(12,2) (the average rounded half away from zero to the cent)
--   price_intervals          how many such prices (one per point and interval: at most
--                            points x 1440/interval_minutes)
--   spike_intervals          those with LMP >= spike_threshold_usd_mwh (1000 $/MWh by default)
--   peak_load_mw             highest hourly system load: per hour, the sum over load zones of each
--                            zone's average SYSTEM_CONDITIONS load in that hour
--   traded_mwh, traded_notional_usd, trades
--                            gross MWh (DECIMAL(18,3)), notional (DECIMAL(18,2), the sum of the
--                            positions' notional_usd) and trade count delivering that day, from
--                            gold_trading_positions_daily (same day split; cancelled trades excluded)
WITH prices AS (
  SELECT
    dt,
    count(*) AS price_intervals,
    min(lmp_usd_mwh) AS min_lmp_usd_mwh,
    {{avg_money(lmp_usd_mwh)}} AS avg_lmp_usd_mwh,
    max(lmp_usd_mwh) AS max_lmp_usd_mwh,
    count(CASE WHEN lmp_usd_mwh >= {{spike_threshold_usd_mwh}} THEN 1 END) AS spike_intervals
  FROM curated_grid
  WHERE record_type = 'SETTLEMENT_POINT_PRICE' AND market = 'RTM'
  GROUP BY dt
),
zone_hours AS (
  SELECT
    dt,
    date_trunc('hour', event_time) AS hour_start,
    load_zone,
    {{exact_avg(load_mw)}} AS load_mw
  FROM curated_grid
  WHERE record_type = 'SYSTEM_CONDITIONS'
  GROUP BY dt, date_trunc('hour', event_time), load_zone
),
system_hours AS (
  SELECT dt, hour_start, {{exact_sum(load_mw)}} AS system_load_mw
  FROM zone_hours
  GROUP BY dt, hour_start
),
loads AS (
  SELECT dt, max(system_load_mw) AS peak_load_mw
  FROM system_hours
  GROUP BY dt
),
trading AS (
  SELECT
    dt,
    {{mwh(sum(gross_mwh))}} AS traded_mwh,
    {{usd(sum(notional_usd))}} AS traded_notional_usd,
    CAST(sum(trade_count) AS BIGINT) AS trades
  FROM gold_trading_positions_daily
  GROUP BY dt
),
days AS (
  SELECT dt FROM prices
  UNION
  SELECT dt FROM loads
  UNION
  SELECT dt FROM trading
)
SELECT
  p.min_lmp_usd_mwh,
  p.avg_lmp_usd_mwh,
  p.max_lmp_usd_mwh,
  coalesce(p.price_intervals, 0) AS price_intervals,
  coalesce(p.spike_intervals, 0) AS spike_intervals,
  l.peak_load_mw,
  coalesce(t.traded_mwh, {{mwh(0)}}) AS traded_mwh,
  coalesce(t.traded_notional_usd, {{usd(0)}}) AS traded_notional_usd,
  coalesce(t.trades, CAST(0 AS BIGINT)) AS trades,
  d.dt
FROM days d
LEFT JOIN prices p ON p.dt = d.dt
LEFT JOIN loads l ON l.dt = d.dt
LEFT JOIN trading t ON t.dt = d.dt
