-- v_weather_latest: the raw weather zone (fresh within seconds of delivery), one row per natural key.
--   Question: what is the latest published observation or forecast of every location and hour?
--   Grain:    one row per (location_id, record_type, event_time, forecast_issued_at) - the weather
--             natural key (forecast_issued_at is NULL for observations; a forecast update is a new
--             issue time, so it is a new key). Re-delivered copies fold into one row: the latest
--             produced_at wins, then event_id; raw_rows counts the raw rows of the key.
--   Columns:  the contract's columns plus dt DATE and hr INTEGER: the partition, the UTC date and hour
--             of forecast_issued_at for forecasts and of event_time for observations (a forecast
--             lives where it was issued; ask for forecasts of a target hour on event_time).
--   Cheap "last N hours": the same dt/hr predicate as v_grid_latest (its header shows it); dt and hr
--   are in the window's PARTITION BY (the partition time is part of the key), so they reach the folders.
CREATE OR REPLACE VIEW v_weather_latest AS
SELECT
  event_id,
  event_time,
  record_type,
  location_id,
  location_name,
  load_zone,
  forecast_issued_at,
  forecast_horizon_hours,
  temperature_c,
  relative_humidity_pct,
  dew_point_c,
  wind_speed_mps,
  wind_direction_deg,
  shortwave_radiation_w_m2,
  cloud_cover_pct,
  precipitation_mm,
  source,
  producer_id,
  produced_at,
  raw_rows,
  CAST(dt AS date) AS dt,
  CAST(hr AS integer) AS hr
FROM (
  SELECT
    w.*,
    count(*) OVER (
      PARTITION BY w.dt, w.hr, w.location_id, w.record_type, w.event_time, w.forecast_issued_at
    ) AS raw_rows,
    row_number() OVER (
      PARTITION BY w.dt, w.hr, w.location_id, w.record_type, w.event_time, w.forecast_issued_at
      ORDER BY w.produced_at DESC, w.event_id DESC
    ) AS rank_in_key
  FROM raw_weather w
) versions
WHERE rank_in_key = 1
