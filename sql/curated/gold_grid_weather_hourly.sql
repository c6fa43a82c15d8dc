-- gold_grid_weather_hourly: one row per load zone and UTC hour with grid data, joined with that zone's
-- weather observations of the hour. Partitioned by dt.
--   load_mw, wind_mw, solar_mw     average over the hour's SYSTEM_CONDITIONS intervals of the zone
--                                  (MW averaged over an hour = MWh in that hour)
--   avg/min/max_lmp_usd_mwh        real-time market (RTM) settlement-point prices of the zone's hubs
--                                  and load-zone points, DECIMAL(12,2) (the average rounded half away
--                                  from zero to the cent); price_intervals = how many price rows (one
--                                  per point and interval: at most points x 60/interval_minutes)
--   spike_intervals                RTM price rows with LMP >= spike_threshold_usd_mwh
--                                  (pipeline.json params, 1000 $/MWh by default)
--   temperature_c, ...             average over the OBSERVATION rows of weather locations mapped to
--                                  the zone (forecasts excluded); NULL when the zone has none;
--                                  weather_observations = how many (at most one per location)
-- System-wide hub averages carry load_zone ERCOT: they get prices and no load or weather.
WITH prices AS (
  SELECT
    dt,
    date_trunc('hour', event_time) AS hour_start,
    load_zone,
    count(*) AS price_intervals,
    {{avg_money(lmp_usd_mwh)}} AS avg_lmp_usd_mwh,
    min(lmp_usd_mwh) AS min_lmp_usd_mwh,
    max(lmp_usd_mwh) AS max_lmp_usd_mwh,
    count(CASE WHEN lmp_usd_mwh >= {{spike_threshold_usd_mwh}} THEN 1 END) AS spike_intervals
  FROM curated_grid
  WHERE record_type = 'SETTLEMENT_POINT_PRICE' AND market = 'RTM'
  GROUP BY dt, date_trunc('hour', event_time), load_zone
),
conditions AS (
  SELECT
    dt,
    date_trunc('hour', event_time) AS hour_start,
    load_zone,
    {{exact_avg(load_mw)}} AS load_mw,
    {{exact_avg(wind_mw)}} AS wind_mw,
    {{exact_avg(solar_mw)}} AS solar_mw
  FROM curated_grid
  WHERE record_type = 'SYSTEM_CONDITIONS'
  GROUP BY dt, date_trunc('hour', event_time), load_zone
),
weather AS (
  SELECT
    dt,
    date_trunc('hour', event_time) AS hour_start,
    load_zone,
    count(*) AS weather_observations,
    {{exact_avg(temperature_c)}} AS temperature_c,
    {{exact_avg(relative_humidity_pct)}} AS relative_humidity_pct,
    {{exact_avg(wind_speed_mps)}} AS wind_speed_mps,
    {{exact_avg(shortwave_radiation_w_m2)}} AS shortwave_radiation_w_m2
  FROM curated_weather
  WHERE record_type = 'OBSERVATION'
  GROUP BY dt, date_trunc('hour', event_time), load_zone
),
zone_hours AS (
  SELECT dt, hour_start, load_zone FROM prices
  UNION
  SELECT dt, hour_start, load_zone FROM conditions
)
SELECT
  z.hour_start,
  {{hour_of(z.hour_start)}} AS hr,
  z.load_zone,
  c.load_mw,
  c.wind_mw,
  c.solar_mw,
  p.avg_lmp_usd_mwh,
  p.min_lmp_usd_mwh,
  p.max_lmp_usd_mwh,
  coalesce(p.price_intervals, 0) AS price_intervals,
  coalesce(p.spike_intervals, 0) AS spike_intervals,
  w.temperature_c,
  w.relative_humidity_pct,
  w.wind_speed_mps,
  w.shortwave_radiation_w_m2,
  coalesce(w.weather_observations, 0) AS weather_observations,
  z.dt
FROM zone_hours z
LEFT JOIN prices p ON p.dt = z.dt AND p.hour_start = z.hour_start AND p.load_zone = z.load_zone
LEFT JOIN conditions c ON c.dt = z.dt AND c.hour_start = z.hour_start AND c.load_zone = z.load_zone
LEFT JOIN weather w ON w.dt = z.dt AND w.hour_start = z.hour_start AND w.load_zone = z.load_zone
