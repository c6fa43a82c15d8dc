-- v_rtm_prices: real-time market (RTM) settlement-point prices from the curated zone (checked, one row
-- per grid natural key once curation keeps the latest version), money as DECIMAL(9,2) $/MWh so
-- lmp = energy + congestion + loss holds exactly, with the spike flag the gold tables use
-- (LMP >= 1000 $/MWh). dt is the UTC date of event_time, as DATE (Glue may store it as a string).
-- Grain: one row per (settlement_point, interval_minutes, event_time).
CREATE OR REPLACE VIEW v_rtm_prices AS
SELECT
  CAST(dt AS date) AS dt,
  event_time,
  interval_minutes,
  load_zone,
  settlement_point,
  settlement_point_type,
  CAST(lmp_usd_mwh AS decimal(9, 2)) AS lmp_usd_mwh,
  CAST(energy_usd_mwh AS decimal(9, 2)) AS energy_usd_mwh,
  CAST(congestion_usd_mwh AS decimal(9, 2)) AS congestion_usd_mwh,
  CAST(loss_usd_mwh AS decimal(9, 2)) AS loss_usd_mwh,
  lmp_usd_mwh >= 1000 AS is_spike
FROM curated_grid
WHERE record_type = 'SETTLEMENT_POINT_PRICE' AND market = 'RTM'
