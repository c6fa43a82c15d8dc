-- Question:   How did the real-time market and the book look each day of the last seven days: price
--             range and average, scarcity intervals, peak load, and the MWh and notional of the live
--             trades delivering that day?
-- Source:     gold_daily_market_summary (rows keyed by UTC day dt: prices and load by interval day,
--             trading by delivery day, so the table also holds future delivery days; they are cut here).
-- Window:     dt in [window_start, window_end] = [today - 6 days, today] (UTC), both returned; today
--             is partial.
-- Grain:      one row per day with grid or trading data, newest first.
-- Invariants: min <= avg <= max LMP, all in [-250, 5000] $/MWh; spike_intervals <= price_intervals;
--             price_intervals <= 1440 / interval_minutes per settlement point and interval length (96
--             fifteen-minute, 288 five-minute intervals a day); prices are NULL
--             exactly when price_intervals = 0 (no price data that day: see has_prices); money rounded
--             to the cent as DECIMAL.
SELECT
  CAST(dt AS date) AS dt,
  price_intervals > 0 AS has_prices,
  price_intervals,
  CAST(min_lmp_usd_mwh AS decimal(9, 2)) AS min_lmp_usd_mwh,
  CAST(avg_lmp_usd_mwh AS decimal(9, 2)) AS avg_lmp_usd_mwh,
  CAST(max_lmp_usd_mwh AS decimal(9, 2)) AS max_lmp_usd_mwh,
  spike_intervals,
  CAST(peak_load_mw AS decimal(12, 1)) AS peak_load_mw,
  CAST(traded_mwh AS decimal(18, 3)) AS traded_mwh,
  CAST(traded_notional_usd AS decimal(24, 2)) AS traded_notional_usd,
  trades,
  CAST(current_date - INTERVAL '6' DAY AS date) AS window_start,
  current_date AS window_end
FROM gold_daily_market_summary
WHERE CAST(dt AS date) >= current_date - INTERVAL '6' DAY
  AND CAST(dt AS date) <= current_date
ORDER BY 1 DESC
