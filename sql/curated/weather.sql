-- curated_weather: weather events (observations and forecasts) that passed every data-quality rule,
-- one row per natural key (pipeline.json naturalKeys.weather: location_id, record_type, event_time =
-- the valid hour, forecast_issued_at, NULL for observations): the latest produced_at wins (a forecast
-- update or a re-observation), revision_count is how many passing events the key had. Partitioned
-- by dt = the UTC date of the raw partition time: event_time for observations, forecast_issued_at for forecasts (a forecast lives in the dt it was issued, as in raw,
-- so one raw dt is curated into one curated dt; filter forecasts for a target day on event_time).
SELECT
  event_id,
  event_time,
  record_type,
  location_id,
  location_name,
  load_zone,
  latitude_deg,
  longitude_deg,
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
  revision_count,
  {{day_of(COALESCE(forecast_issued_at, event_time))}} AS dt
FROM weather_checked
WHERE dq_rule IS NULL AND revision_rank = 1
