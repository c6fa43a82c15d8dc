-- Question:   Which real-time prices spiked (LMP >= 1000 $/MWh) in the last hour, and where?
-- Source:     v_grid_recent: the raw zone (fresh within seconds of delivery), one row per grid natural
--             key at its latest version (a price correction replaces the first publication; re-delivered
--             copies fold), reading the current and the previous hour's partitions only.
-- Window:     intervals starting in [window_start, window_end] = [now - 1 hour, now], both returned.
-- Grain:      one row per (settlement_point, interval_minutes, event_time) with LMP >= 1000.
-- Invariants: lmp = energy + congestion + loss (DECIMAL cents, exact); 1000 <= lmp <= 5000 (ERCOT's
--             cap); at most one row per point and interval (60 / interval_minutes rows per point).
--             No rows means no spike in the window, never a missing partition: compare
--             freshest_partition.sql.
SELECT
  event_time,
  settlement_point,
  settlement_point_type,
  load_zone,
  interval_minutes,
  CAST(lmp_usd_mwh AS decimal(9, 2)) AS lmp_usd_mwh,
  CAST(energy_usd_mwh AS decimal(9, 2)) AS energy_usd_mwh,
  CAST(congestion_usd_mwh AS decimal(9, 2)) AS congestion_usd_mwh,
  CAST(loss_usd_mwh AS decimal(9, 2)) AS loss_usd_mwh,
  version,
  current_timestamp - INTERVAL '1' HOUR AS window_start,
  current_timestamp AS window_end
FROM v_grid_recent
WHERE event_time >= current_timestamp - INTERVAL '1' HOUR
  AND event_time <= current_timestamp
  AND record_type = 'SETTLEMENT_POINT_PRICE'
  AND market = 'RTM'
  AND lmp_usd_mwh >= 1000
ORDER BY event_time DESC, lmp_usd_mwh DESC, settlement_point
