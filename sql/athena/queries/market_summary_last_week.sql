-- The daily market summary of the last seven days (gold_daily_market_summary).
SELECT
  dt,
  min_lmp_usd_mwh,
  round(avg_lmp_usd_mwh, 2) AS avg_lmp_usd_mwh,
  max_lmp_usd_mwh,
  spike_intervals,
  round(peak_load_mw, 0) AS peak_load_mw,
  round(traded_mwh, 1) AS traded_mwh,
  trades
FROM gold_daily_market_summary
WHERE dt >= current_date - INTERVAL '7' DAY
ORDER BY dt DESC
