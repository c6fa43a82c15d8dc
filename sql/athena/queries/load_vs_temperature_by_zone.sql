-- Load against temperature per load zone over the last 30 days of gold_grid_weather_hourly: the
-- average hourly load and real-time price in 5 °C temperature bands, and the zone's correlation of
-- hourly load with temperature.
WITH hourly AS (
  SELECT load_zone, load_mw, temperature_c, avg_lmp_usd_mwh
  FROM gold_grid_weather_hourly
  WHERE dt >= current_date - INTERVAL '30' DAY
    AND load_mw IS NOT NULL
    AND temperature_c IS NOT NULL
),
zones AS (
  SELECT load_zone, corr(load_mw, temperature_c) AS load_temperature_corr
  FROM hourly
  GROUP BY load_zone
)
SELECT
  h.load_zone,
  CAST(floor(h.temperature_c / 5) * 5 AS integer) AS temperature_band_c,
  count(*) AS hours,
  round(avg(h.load_mw), 1) AS avg_load_mw,
  round(avg(h.avg_lmp_usd_mwh), 2) AS avg_lmp_usd_mwh,
  round(max(z.load_temperature_corr), 3) AS zone_load_temperature_corr
FROM hourly h
JOIN zones z ON z.load_zone = h.load_zone
GROUP BY h.load_zone, CAST(floor(h.temperature_c / 5) * 5 AS integer)
ORDER BY 1, 2
