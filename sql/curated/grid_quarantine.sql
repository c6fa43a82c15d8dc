-- curated_grid_quarantine: grid rows that failed a data-quality rule, with the rule, the raw file and
-- the raw partition they came from; partitioned by dt = the raw partition's date (event_time may be
-- the very thing that is wrong). Values are as received (prices not yet rounded to DECIMAL: a
-- price with a fraction of a cent is one of the reasons); dq_reason says why the row cannot be true.
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
  version,
  dq_rule,
  dq_rules,
  dq_reason,
  ingest_file,
  raw_hr,
  raw_dt AS dt
FROM grid_checked
WHERE dq_rule IS NOT NULL
