-- curated_grid: one row per natural key (pipeline.json naturalKeys.grid: record_type, market,
-- settlement point or load zone, interval_minutes, event_time) among the grid events that passed every
-- data-quality rule: the highest version wins (an ERCOT price correction), revision_count is how many
-- passing events the key had. Prices are DECIMAL(12,2) $/MWh (whole cents, checked), so
-- lmp_usd_mwh = energy_usd_mwh + congestion_usd_mwh + loss_usd_mwh holds exactly. Partitioned by
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
  {{money(lmp_usd_mwh)}} AS lmp_usd_mwh,
  {{money(energy_usd_mwh)}} AS energy_usd_mwh,
  {{money(congestion_usd_mwh)}} AS congestion_usd_mwh,
  {{money(loss_usd_mwh)}} AS loss_usd_mwh,
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
  version,
  revision_count,
  {{day_of(event_time)}} AS dt
FROM grid_checked
WHERE dq_rule IS NULL AND revision_rank = 1
