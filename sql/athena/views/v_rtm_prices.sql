-- Real-time market settlement-point prices from the curated zone (deduplicated, checked), with the
-- spike flag used by the gold tables (LMP >= 1000 $/MWh).
CREATE OR REPLACE VIEW v_rtm_prices AS
SELECT
  dt,
  event_time,
  load_zone,
  settlement_point,
  settlement_point_type,
  lmp_usd_mwh,
  energy_usd_mwh,
  congestion_usd_mwh,
  loss_usd_mwh,
  lmp_usd_mwh >= 1000 AS is_spike
FROM curated_grid
WHERE record_type = 'SETTLEMENT_POINT_PRICE' AND market = 'RTM'
