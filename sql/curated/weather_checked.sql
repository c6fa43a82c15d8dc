-- weather_checked: the raw weather rows of the run, deduplicated, typed and checked (working table
-- feeding curated_weather and curated_weather_quarantine). Dedup and checks as in grid_checked.sql.
-- Types: location_id lower-cased, zone and enums upper-cased, all trimmed; timestamps UTC.
-- Natural key (location, record type, valid time, issue time): revision_rank 1 is the latest produced
-- passing row, revision_count how many passing rows the key has (see grid_checked.sql).
SELECT
  checked.*,
  CASE WHEN dq_rule IS NULL THEN
    ROW_NUMBER() OVER (PARTITION BY dq_rule IS NULL, {{natural_key}} ORDER BY {{latest_first}})
  END AS revision_rank,
  CASE WHEN dq_rule IS NULL THEN COUNT(*) OVER (PARTITION BY dq_rule IS NULL, {{natural_key}}) END AS revision_count
FROM (
SELECT
  typed.*,
  {{dq_rule}} AS dq_rule,
  {{dq_rules}} AS dq_rules,
  {{dq_reason}} AS dq_reason
FROM (
  SELECT
    event_id,
    CAST(event_time AS {{timestamp}}) AS event_time,
    UPPER(TRIM(record_type)) AS record_type,
    LOWER(TRIM(location_id)) AS location_id,
    TRIM(location_name) AS location_name,
    UPPER(TRIM(load_zone)) AS load_zone,
    CAST(latitude_deg AS DOUBLE) AS latitude_deg,
    CAST(longitude_deg AS DOUBLE) AS longitude_deg,
    CAST(forecast_issued_at AS {{timestamp}}) AS forecast_issued_at,
    CAST(forecast_horizon_hours AS INT) AS forecast_horizon_hours,
    CAST(temperature_c AS DOUBLE) AS temperature_c,
    CAST(relative_humidity_pct AS DOUBLE) AS relative_humidity_pct,
    CAST(dew_point_c AS DOUBLE) AS dew_point_c,
    CAST(wind_speed_mps AS DOUBLE) AS wind_speed_mps,
    CAST(wind_direction_deg AS DOUBLE) AS wind_direction_deg,
    CAST(shortwave_radiation_w_m2 AS DOUBLE) AS shortwave_radiation_w_m2,
    CAST(cloud_cover_pct AS DOUBLE) AS cloud_cover_pct,
    CAST(precipitation_mm AS DOUBLE) AS precipitation_mm,
    source,
    producer_id,
    CAST(produced_at AS {{timestamp}}) AS produced_at,
    ingest_file,
    raw_dt,
    raw_hr
  FROM (
    SELECT
      located.*,
      ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY {{ingest_order}}) AS ingest_rank
    FROM (
      SELECT
        raw_weather.*,
        regexp_extract(ingest_path, '[^/]+$', 0) AS ingest_file,
        regexp_extract(ingest_path, '/dt=([^/]+)/', 1) AS raw_dt,
        regexp_extract(ingest_path, '/hr=([^/]+)/', 1) AS raw_hr
      FROM raw_weather
    ) located
  ) ranked
  WHERE ingest_rank = 1 OR event_id IS NULL
) typed
) checked
