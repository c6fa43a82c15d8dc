-- curated_grid: grid events that passed every data-quality rule, one row per event_id, partitioned by
-- dt = the UTC date of event_time.
SELECT
  event_id,
  event_time,
  record_type,
  market,
  interval_minutes,
  load_zone,
  settlement_point,
  settlement_point_type,
  lmp_usd_mwh,
  energy_usd_mwh,
  congestion_usd_mwh,
  loss_usd_mwh,
  load_mw,
  wind_mw,
  solar_mw,
  gas_mw,
  coal_mw,
  nuclear_mw,
  hydro_mw,
  storage_mw,
  other_mw,
  source,
  producer_id,
  produced_at,
  {{day_of(event_time)}} AS dt
FROM grid_checked
WHERE dq_rule IS NULL
