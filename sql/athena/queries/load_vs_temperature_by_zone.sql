-- Question:   How does each load zone's demand respond to temperature over the last 30 days: average
--             hourly load and real-time price per 5 °C temperature band, and the zone's correlation of
--             hourly load with temperature?
-- Source:     gold_grid_weather_hourly (one row per load zone and UTC hour; temperature averaged over
--             the zone's weather OBSERVATIONs, forecasts excluded).
-- Window:     complete hours: hour_start in [window_start, window_end) = [start of the hour 30 days
--             ago, start of the current hour), both returned (dt prunes the days, hour_start is exact).
-- Grain:      one row per load zone and temperature band (floor(temperature / 5) * 5 °C); zone_hours,
--             load_temperature_corr and corr_note repeat the zone's values on each of its bands.
-- Invariants: hours <= 24 per day in the window, summed over a zone's bands = zone_hours;
--             load_temperature_corr is finite in [-1, 1] or NULL, never NaN: NULL when the zone has
--             fewer than 3 hours or a constant load or temperature, and corr_note says which
--             ('ok' otherwise). Hours without load or without a temperature are left out.
WITH hourly AS (
  SELECT load_zone, load_mw, temperature_c, avg_lmp_usd_mwh
  FROM gold_grid_weather_hourly
  WHERE CAST(dt AS date) >= CAST(date_trunc('hour', current_timestamp) - INTERVAL '30' DAY AS date)
    AND CAST(dt AS date) <= current_date
    AND hour_start >= date_trunc('hour', current_timestamp) - INTERVAL '30' DAY
    AND hour_start < date_trunc('hour', current_timestamp)
    AND load_mw IS NOT NULL
    AND temperature_c IS NOT NULL
    AND NOT is_nan(load_mw)
    AND NOT is_nan(temperature_c)
),
zones AS (
  SELECT
    load_zone,
    count(*) AS zone_hours,
    CASE
      WHEN count(*) < 3 THEN NULL
      WHEN max(load_mw) = min(load_mw) OR max(temperature_c) = min(temperature_c) THEN NULL
      ELSE corr(load_mw, temperature_c)
    END AS load_temperature_corr,
    CASE
      WHEN count(*) < 3 THEN 'fewer than 3 hours'
      WHEN max(load_mw) = min(load_mw) THEN 'constant load'
      WHEN max(temperature_c) = min(temperature_c) THEN 'constant temperature'
      ELSE 'ok'
    END AS corr_note
  FROM hourly
  GROUP BY load_zone
)
SELECT
  h.load_zone,
  CAST(floor(h.temperature_c / 5) * 5 AS integer) AS temperature_band_c,
  count(*) AS hours,
  CAST(avg(h.load_mw) AS decimal(12, 1)) AS avg_load_mw,
  CAST(avg(h.avg_lmp_usd_mwh) AS decimal(9, 2)) AS avg_lmp_usd_mwh,
  max(z.zone_hours) AS zone_hours,
  round(max(z.load_temperature_corr), 3) AS load_temperature_corr,
  max(z.corr_note) AS corr_note,
  date_trunc('hour', current_timestamp) - INTERVAL '30' DAY AS window_start,
  date_trunc('hour', current_timestamp) AS window_end
FROM hourly h
JOIN zones z ON z.load_zone = h.load_zone
GROUP BY h.load_zone, CAST(floor(h.temperature_c / 5) * 5 AS integer)
ORDER BY 1, 2
